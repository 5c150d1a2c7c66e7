"""Periodic task of the health page: proves that beat schedules and a worker runs."""

from celery import shared_task

from .heartbeats import record_heartbeat
from .models import Component


@shared_task(name="health.beat_heartbeat", ignore_result=True)
def beat_heartbeat() -> None:
    """Every minute (``CELERY_BEAT_SCHEDULE``): beat publishes it, a worker runs it."""
    record_heartbeat(Component.BEAT)
