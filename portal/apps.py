from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The pages that gather everything: home, dashboards, navigation, catalogue, history.

    The top of the product's layers: it may import every app; no app imports it.
    """

    name = "portal"
    verbose_name = _("Portal")
