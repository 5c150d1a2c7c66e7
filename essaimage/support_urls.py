"""URL patterns of the essaimage's support pages (merged in essaimage/urls.py)."""

from django.urls import path

from . import support_views

urlpatterns: list = [
    path("suivi/hotline/", support_views.support_list, name="support_list"),
    path("suivi/hotline/nouvelle/", support_views.support_create, name="support_create"),
    path("suivi/hotline/<int:pk>/", support_views.support_detail, name="support_detail"),
    path("suivi/hotline/<int:pk>/modifier/", support_views.support_edit, name="support_edit"),
    path("suivi/visites/", support_views.visit_list, name="visit_list"),
    path("suivi/visites/nouvelle/", support_views.visit_create, name="visit_create"),
    path("suivi/visites/<int:pk>/", support_views.visit_detail, name="visit_detail"),
    path("suivi/visites/<int:pk>/modifier/", support_views.visit_edit, name="visit_edit"),
    path("suivi/accompagnement/", support_views.support_summary, name="support_summary"),
    path("suivi/accompagnement/structures/", support_views.support_structure_search, name="support_structure_search"),
]
