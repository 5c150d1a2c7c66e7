from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EssaimageConfig(AppConfig):
    name = "essaimage"
    verbose_name = _("Essaimage")
