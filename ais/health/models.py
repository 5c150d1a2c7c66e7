"""Heartbeats of the background processes, read by the health page (/sante/).

One row per process kind, its ``at`` moved forward by the process itself: kept in
PostgreSQL so that it survives a restart of Redis.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Component(models.TextChoices):
    WORKER = "worker", _("Celery worker")
    BEAT = "beat", _("Celery beat")


class Heartbeat(models.Model):
    name = models.CharField(_("process"), max_length=20, choices=Component.choices, primary_key=True)
    at = models.DateTimeField(_("last heartbeat"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self):
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"
