from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevtoolsConfig(AppConfig):
    """Developer tools: the demo data and the generated ten-year programme, with their commands.

    The top of the stack: it may import every app, and no app imports it.
    """

    name = "devtools"
    verbose_name = _("Developer tools")
