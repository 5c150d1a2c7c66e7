"""URL patterns of the essaimage's structure pages (merged in essaimage/urls.py)."""

from django.urls import path

from . import structure_views as views

urlpatterns: list = [
    # Public: calls for structures and the application form
    path("essaimage/appels/", views.call_list_public, name="call_list_public"),
    path("essaimage/appels/<int:pk>/", views.call_public, name="call_public"),
    path("essaimage/appels/<int:pk>/merci/", views.call_applied, name="call_applied"),
    # Managers: calls and decisions on applications
    path("suivi/innovations/<int:pk>/appel-structures/nouveau/", views.call_create, name="call_create"),
    path("suivi/appels-structures/<int:pk>/", views.applications, name="applications"),
    path("suivi/appels-structures/<int:pk>/modifier/", views.call_edit, name="call_edit"),
    path("suivi/appels-structures/<int:pk>/publier/", views.call_publish, name="call_publish"),
    path("suivi/candidatures-structures/<int:pk>/retenir/", views.application_select, name="application_select"),
    path("suivi/candidatures-structures/<int:pk>/refuser/", views.application_reject, name="application_reject"),
    # Structures: list and record
    path("suivi/structures/", views.structure_list, name="structure_list"),
    path("suivi/ma-structure/", views.my_structure, name="my_structure"),
    path("suivi/structures/<int:pk>/", views.structure_detail, name="structure_detail"),
    path("suivi/innovations/<int:pk>/structures/nouvelle/", views.structure_create, name="structure_create"),
    path("suivi/structures/<int:pk>/modifier/", views.structure_edit, name="structure_edit"),
    path("suivi/structures/<int:pk>/date-de-demarrage/", views.structure_start_date, name="structure_start_date"),
    path("suivi/structures/<int:pk>/retrait/", views.structure_withdraw, name="structure_withdraw"),
    path("suivi/structures/<int:pk>/demenagement/", views.structure_move, name="structure_move"),
    path("suivi/structures/<int:pk>/convention/", views.agreement_upload, name="agreement_upload"),
    path("suivi/structures/<int:pk>/convention.pdf", views.agreement_download, name="agreement_download"),
    path("suivi/structures/<int:pk>/contacts/", views.contact_add, name="contact_add"),
]
