from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("<slug:slug>/", views.innovation_public, name="innovation_public"),
]
