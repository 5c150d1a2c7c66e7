from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    path("historique/", views.history, name="history"),
    path("accessibilite/", views.accessibility, name="accessibility"),
]
