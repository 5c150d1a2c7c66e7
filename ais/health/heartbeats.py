"""Writing the heartbeats of the worker and of beat (see ``models.Heartbeat``)."""

import logging
import time

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from .models import Component, Heartbeat

logger = logging.getLogger(__name__)


def record_heartbeat(name: str) -> None:
    """Set the heartbeat ``name`` (a ``Component``) to now, in one upsert."""
    Heartbeat.objects.bulk_create(
        [Heartbeat(name=name, at=timezone.now())],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["at"],
    )


class _Throttle:
    """When this process last wrote the worker heartbeat (monotonic seconds)."""

    last_write: float | None = None


throttle = _Throttle()


def on_worker_heartbeat(sender=None, **kwargs) -> None:
    """``celery.signals.heartbeat_sent`` handler, in the worker's main process.

    Celery beats every 2 s while the worker is connected to the broker (the beat
    stops while it reconnects); the row is written at most every
    ``HEALTH_WORKER_WRITE_EVERY`` seconds. Never raises: the worker must go on.
    """
    now = time.monotonic()
    every = getattr(settings, "HEALTH_WORKER_WRITE_EVERY", 15)
    if throttle.last_write is not None and now - throttle.last_write < every:
        return
    try:
        if not connection.in_atomic_block:  # (a test's transaction)
            close_old_connections()  # no request cycle here to drop a broken or expired connection
        record_heartbeat(Component.WORKER)
    except Exception:
        logger.warning("Could not record the worker heartbeat", exc_info=True)
        connection.close()
    else:
        throttle.last_write = now
