from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    """The import of the programme's history from a workbook: above the domain apps it
    writes (projects, essaimage, evaluation), below reporting."""

    name = "archive"
    verbose_name = _("Import of the history")
