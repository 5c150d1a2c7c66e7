"""URL patterns of the essaimage's training pages (merged in essaimage/urls.py)."""

from django.urls import path

from . import training_views as views

urlpatterns: list = [
    path("suivi/formations/", views.training_list, name="training_list"),
    path("suivi/innovations/<int:pk>/formations/nouvelle/", views.training_create, name="training_create"),
    path("suivi/formations/<int:pk>/", views.training_detail, name="training_detail"),
    path("suivi/formations/<int:pk>/modifier/", views.training_edit, name="training_edit"),
    path("suivi/formations/<int:pk>/jours/", views.training_day_add, name="training_day_add"),
    path("suivi/formations/jours/<int:pk>/supprimer/", views.training_day_delete, name="training_day_delete"),
    path("suivi/formations/jours/<int:pk>/presences/", views.attendance, name="attendance"),
    path("suivi/formations/<int:pk>/stagiaires/", views.participant_add, name="participant_add"),
    path("suivi/formations/stagiaires/<int:pk>/supprimer/", views.participant_delete, name="participant_delete"),
    path("suivi/formations/<int:pk>/documents/", views.training_document_add, name="training_document_add"),
    path("suivi/formations/documents/<int:pk>/", views.training_document_download, name="training_document_download"),
    path("suivi/formations/<int:pk>/emargement.pdf", views.attendance_sheet, name="attendance_sheet"),
]
