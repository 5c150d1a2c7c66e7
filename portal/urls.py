from django.urls import path

from . import catalogue, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    path("historique/", views.history, name="history"),
    path("innovations/", catalogue.catalogue, name="catalogue"),
    path("innovations/<slug:slug>/", catalogue.innovation_public, name="innovation_public"),
]
