"""URL patterns of the import of the history (administrators)."""

from django.urls import path

from . import views

app_name = "archive"

urlpatterns = [
    path("suivi/import/", views.imports, name="imports"),
    path("suivi/import/modele.xlsx", views.template_download, name="template"),
    path("suivi/import/<int:pk>/", views.import_detail, name="detail"),
    path("suivi/import/<int:pk>/etat/", views.import_status, name="status"),
    path("suivi/import/<int:pk>/importer/", views.import_confirm, name="confirm"),
]
