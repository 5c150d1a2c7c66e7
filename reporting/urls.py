"""URL patterns of the indicators, dashboards, reports and exports."""

from django.urls import path

from . import views

app_name = "reporting"

urlpatterns: list = [
    path("suivi/indicateurs/", views.indicator_library, name="indicators"),
    path("suivi/innovations/<int:pk>/indicateurs/", views.innovation_dashboard, name="innovation_dashboard"),
    path("suivi/programme/", views.programme_dashboard, name="programme_dashboard"),
    # An innovation's intermediate and final reports
    path("suivi/innovations/<int:pk>/rapports/", views.report_list, name="report_list"),
    path("suivi/innovations/<int:pk>/rapports/<str:kind>/textes/", views.report_narrative, name="report_narrative"),
    path("suivi/innovations/<int:pk>/rapports/<str:kind>/apercu/", views.report_preview, name="report_preview"),
    path("suivi/innovations/<int:pk>/rapports/<str:kind>/generer/", views.report_generate, name="report_generate"),
    # The yearly programme report (administrators), then any report's progress and files
    path("suivi/rapports/programme/", views.yearly_report, name="yearly_report"),
    path("suivi/rapports/<int:pk>/etat/", views.report_status, name="report_status"),
    path("suivi/rapports/<int:pk>/<str:fmt>/", views.report_download, name="report_download"),
    # Exports of the main lists
    path("suivi/exports/", views.exports, name="exports"),
    path("suivi/exports/<str:name>.<str:fmt>", views.export_list, name="export_list"),
]
