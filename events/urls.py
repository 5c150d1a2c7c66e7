"""The events' and resources library's URLs: public pages under /evenements/,
/inscriptions/ (the participant's secret link) and /ressources/; managers' pages
under /suivi/evenements/ and /suivi/ressources/."""

from django.urls import path

from . import manage_views, resource_views, views

app_name = "events"

urlpatterns = [
    # Public
    path("evenements/", views.event_list, name="event_list"),
    path("evenements/<slug:slug>/", views.event_detail, name="event_detail"),
    path("evenements/<slug:slug>/inscription/", views.register, name="register"),
    path("evenements/<slug:slug>/inscription/envoyee/", views.registration_sent, name="registration_sent"),
    path("evenements/<slug:slug>/calendrier.ics", views.event_ics, name="event_ics"),
    path(
        "evenements/restitutions/documents/<int:pk>/",
        views.restitution_document_download,
        name="restitution_document_download",
    ),
    path("inscriptions/<str:token>/", views.registration_done, name="registration_done"),
    path("inscriptions/<str:token>/annuler/", views.registration_cancel, name="registration_cancel"),
    # Managers
    path("suivi/evenements/", manage_views.manage_list, name="manage_list"),
    path("suivi/evenements/nouveau/", manage_views.event_create, name="event_create"),
    path("suivi/evenements/<int:pk>/", manage_views.manage_event, name="manage_event"),
    path("suivi/evenements/<int:pk>/modifier/", manage_views.event_edit, name="event_edit"),
    path("suivi/evenements/<int:pk>/sessions/nouvelle/", manage_views.session_create, name="session_create"),
    path("suivi/evenements/sessions/<int:pk>/modifier/", manage_views.session_edit, name="session_edit"),
    path("suivi/evenements/sessions/<int:pk>/supprimer/", manage_views.session_delete, name="session_delete"),
    path("suivi/evenements/<int:pk>/inscriptions/", manage_views.registration_list, name="registration_list"),
    path(
        "suivi/evenements/inscriptions/<int:pk>/annuler/",
        manage_views.registration_cancel_manage,
        name="registration_cancel_manage",
    ),
    path("suivi/evenements/<int:pk>/accueil/", manage_views.checkin, name="checkin"),
    path("suivi/evenements/inscriptions/<int:pk>/presence/", manage_views.checkin_toggle, name="checkin_toggle"),
    path("suivi/evenements/<int:pk>/badges.pdf", manage_views.badges, name="badges"),
    path("suivi/evenements/<int:pk>/emargement.pdf", manage_views.attendance_sheet, name="attendance_sheet"),
    path("suivi/evenements/sessions/<int:pk>/restitution/", manage_views.restitution_edit, name="restitution_edit"),
    path(
        "suivi/evenements/restitutions/documents/<int:pk>/supprimer/",
        manage_views.restitution_document_delete,
        name="restitution_document_delete",
    ),
    # Resources library
    path("ressources/", resource_views.resource_list, name="resource_list"),
    path("ressources/<slug:slug>/", resource_views.resource_detail, name="resource_detail"),
    path("ressources/<slug:slug>/document/", resource_views.resource_download, name="resource_download"),
    path("suivi/ressources/", resource_views.resource_manage_list, name="resource_manage_list"),
    path("suivi/ressources/nouvelle/", resource_views.resource_create, name="resource_create"),
    path("suivi/ressources/<int:pk>/modifier/", resource_views.resource_edit, name="resource_edit"),
]
