from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Calls for projects and innovations")

    def ready(self):
        from ais.outbox.reasons import register_reasons

        from .emails import REASONS

        register_reasons(REASONS)  # why this app sends e-mails (the outbox knows no app)
