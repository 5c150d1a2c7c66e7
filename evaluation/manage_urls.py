"""URL patterns of the evaluation's manage pages (merged in evaluation/urls.py)."""

from django.urls import path

from . import manage_views as views

urlpatterns: list = [
    # Follow-up: rates, late list, one questionnaire, one structure's three phases, exports
    path("suivi/evaluation/", views.followup, name="followup"),
    path("suivi/evaluation/questionnaires/<int:pk>/", views.response_manage, name="response_manage"),
    path("suivi/evaluation/questionnaires/<int:pk>/valider/", views.response_validate, name="response_validate"),
    path("suivi/evaluation/questionnaires/<int:pk>/renvoyer/", views.response_return, name="response_return"),
    path("suivi/evaluation/questionnaires/<int:pk>/liens/", views.response_links, name="response_links"),
    path("suivi/evaluation/questionnaires/<int:pk>/relancer/", views.response_remind, name="response_remind"),
    path("suivi/evaluation/structures/<int:pk>/", views.structure_compare, name="structure_compare"),
    path("suivi/evaluation/export/<str:phase>.<str:fmt>", views.export, name="export"),
    # Questionnaire templates and their versions
    path("suivi/evaluation/modeles/", views.template_list, name="template_list"),
    path("suivi/evaluation/modeles/versions/<int:pk>/", views.version_detail, name="version_detail"),
    path("suivi/evaluation/modeles/<int:pk>/nouvelle-version/", views.draft_create, name="draft_create"),
    path("suivi/evaluation/modeles/versions/<int:pk>/modifier/", views.version_edit, name="version_edit"),
    path("suivi/evaluation/modeles/versions/<int:pk>/publier/", views.version_publish, name="version_publish"),
]
