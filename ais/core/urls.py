from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("accessibilite/", views.accessibility, name="accessibility"),
]
