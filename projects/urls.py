from django.urls import path

from . import call_views, committee_views, dossier_views, innovation_views, manage_views

app_name = "projects"

urlpatterns = [
    # Public
    path("appels/", call_views.call_list, name="call_list"),
    path("appels/<slug:slug>/", call_views.call_detail, name="call_detail"),
    # Carriers
    path("appels/<slug:slug>/candidater/", dossier_views.dossier_start, name="dossier_start"),
    path("dossiers/", dossier_views.my_dossiers, name="my_dossiers"),
    path("dossiers/<int:pk>/", dossier_views.dossier_detail, name="dossier_detail"),
    path("dossiers/<int:pk>/pdf/", dossier_views.dossier_pdf_download, name="dossier_pdf"),
    path("dossiers/<int:pk>/deposer/", dossier_views.dossier_submit, name="dossier_submit"),
    path("dossiers/<int:pk>/pieces/", dossier_views.dossier_attachments, name="dossier_attachments"),
    path(
        "dossiers/<int:pk>/pieces/<int:attachment_pk>/", dossier_views.attachment_download, name="attachment_download"
    ),
    path(
        "dossiers/<int:pk>/pieces/<int:attachment_pk>/supprimer/",
        dossier_views.attachment_delete,
        name="attachment_delete",
    ),
    path("dossiers/<int:pk>/<slug:section>/", dossier_views.dossier_edit, name="dossier_edit"),
    # Committee members
    path("comite/dossiers/", committee_views.my_reviews, name="my_reviews"),
    path("comite/dossiers/<int:pk>/", committee_views.review, name="review"),
    # Programme managers
    path("gestion/appels/<int:pk>/comite/", committee_views.committee_page, name="committee"),
    path(
        "gestion/appels/<int:pk>/comite/membres/ajouter/",
        committee_views.committee_member_add,
        name="committee_member_add",
    ),
    path(
        "gestion/appels/<int:pk>/comite/membres/<int:member_pk>/retirer/",
        committee_views.committee_member_remove,
        name="committee_member_remove",
    ),
    path(
        "gestion/appels/<int:pk>/comite/membres/inviter/",
        committee_views.committee_member_invite,
        name="committee_member_invite",
    ),
    path("gestion/appels/<int:pk>/comite/attribuer/", committee_views.auto_assign, name="auto_assign"),
    path("gestion/appels/<int:pk>/comite/ajouter/", committee_views.manual_assign, name="manual_assign"),
    path("gestion/attributions/<int:pk>/retirer/", committee_views.unassign, name="unassign"),
    path("gestion/appels/<int:pk>/classement/", committee_views.ranking_page, name="ranking"),
    path("gestion/appels/<int:pk>/classement.xlsx", committee_views.ranking_export, name="ranking_export"),
    path("gestion/appels/<int:pk>/seances/nouvelle/", committee_views.session_create, name="session_create"),
    path("gestion/seances/<int:pk>/", committee_views.session_page, name="session"),
    path("gestion/seances/<int:pk>/cloturer/", committee_views.session_close, name="session_close"),
    path("gestion/seances/<int:pk>/diffuser/", committee_views.session_release, name="session_release"),
    path("gestion/seances/<int:pk>/proces-verbal.pdf", committee_views.session_minutes, name="session_minutes"),
    path("gestion/appels/", manage_views.call_manage_list, name="call_manage_list"),
    path("gestion/appels/nouveau/", manage_views.call_create, name="call_create"),
    path("gestion/appels/<int:pk>/", manage_views.call_edit, name="call_edit"),
    path("gestion/appels/<int:pk>/publier/", manage_views.call_publish, name="call_publish"),
    path("gestion/appels/<int:pk>/dossiers/", manage_views.screening, name="screening"),
    path("gestion/appels/<int:pk>/dossiers/export.<str:fmt>", manage_views.screening_export, name="screening_export"),
    path("gestion/dossiers/<int:pk>/", manage_views.dossier_review, name="dossier_review"),
    path("gestion/dossiers/<int:pk>/note/", manage_views.dossier_note, name="dossier_note"),
    path("gestion/dossiers/<int:pk>/eligibilite/", manage_views.dossier_eligibility, name="dossier_eligibility"),
    path("gestion/dossiers/<int:pk>/corrections/", manage_views.dossier_corrections, name="dossier_corrections"),
    # Accompaniment
    path("suivi/innovations/", innovation_views.innovation_list, name="innovation_list"),
    path("suivi/innovations/<int:pk>/", innovation_views.innovation_detail, name="innovation_detail"),
    path("suivi/innovations/<int:pk>/modifier/", innovation_views.innovation_edit, name="innovation_edit"),
    path("suivi/innovations/<int:pk>/calendrier/", innovation_views.stage_plans, name="stage_plans"),
    path("suivi/innovations/<int:pk>/etape-suivante/", innovation_views.stage_advance, name="stage_advance"),
    path("suivi/innovations/<int:pk>/cloture/", innovation_views.accompaniment_close, name="accompaniment_close"),
    path("suivi/innovations/<int:pk>/reouverture/", innovation_views.accompaniment_reopen, name="accompaniment_reopen"),
    path("suivi/innovations/<int:pk>/livrables/ajouter/", innovation_views.deliverable_add, name="deliverable_add"),
    path(
        "suivi/innovations/<int:pk>/livrables/<int:deliverable_pk>/",
        innovation_views.deliverable_download,
        name="deliverable_download",
    ),
    path(
        "suivi/innovations/<int:pk>/livrables/<int:deliverable_pk>/supprimer/",
        innovation_views.deliverable_delete,
        name="deliverable_delete",
    ),
    path("suivi/innovations/<int:pk>/gouvernance/", innovation_views.governance_add, name="governance_add"),
    path(
        "suivi/innovations/<int:pk>/gouvernance/<int:member_pk>/supprimer/",
        innovation_views.governance_delete,
        name="governance_delete",
    ),
    path("suivi/innovations/<int:pk>/sensibilisation/", innovation_views.awareness_add, name="awareness_add"),
    path(
        "suivi/innovations/<int:pk>/sensibilisation/<int:action_pk>/supprimer/",
        innovation_views.awareness_delete,
        name="awareness_delete",
    ),
]
