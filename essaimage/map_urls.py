"""URL patterns of the essaimage's map pages (merged in essaimage/urls.py)."""

from django.urls import path

from . import map_views

urlpatterns: list = [
    path("suivi/carte/", map_views.programme_map, name="programme_map"),
    path("suivi/carte/donnees.json", map_views.map_data, name="map_data"),
    path("innovations/carte/donnees.json", map_views.public_map_data, name="public_map_data"),
]
