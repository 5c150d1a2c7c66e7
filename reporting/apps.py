from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    """Indicators, dashboards' figures, reports and exports: above the domain apps it reads."""

    name = "reporting"
    verbose_name = _("Reporting")
