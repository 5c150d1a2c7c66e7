from django.urls import path

from . import views

app_name = "health"

urlpatterns = [
    path("sante/", views.status, name="status"),
]
