from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    name = "ais.health"
    label = "health"
    verbose_name = _("Health and backups")

    def ready(self):
        from celery.signals import heartbeat_sent

        from .heartbeats import on_worker_heartbeat

        # Sent by the worker's main process every 2 s while it is connected to the broker.
        heartbeat_sent.connect(on_worker_heartbeat, dispatch_uid="ais.health.worker_heartbeat")
