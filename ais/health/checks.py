"""The checks of the health page: each answers ``"ok"`` or ``"error"``, nothing more.

The cause of a failure goes to the log (warning), never to the page, which anyone may read.
"""

import logging
from datetime import timedelta

import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from .models import Component, Heartbeat

logger = logging.getLogger(__name__)

OK = "ok"
ERROR = "error"

# Defaults of the settings read below (seconds); override them in settings if needed.
DEFAULTS = {
    "HEALTH_REDIS_TIMEOUT": 1.0,
    "HEALTH_WORKER_MAX_AGE": 120,
    "HEALTH_BEAT_MAX_AGE": 180,  # the task runs every 60 s, and waits for a free worker
}


def _setting(name: str):
    return getattr(settings, name, DEFAULTS[name])


def check_database() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def check_redis() -> bool:
    timeout = _setting("HEALTH_REDIS_TIMEOUT")
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        return client.ping() is True
    finally:
        client.close()


def _heartbeat_fresh(name: str, max_age_setting: str) -> bool:
    limit = timezone.now() - timedelta(seconds=_setting(max_age_setting))
    return Heartbeat.objects.filter(name=name, at__gte=limit).exists()


def check_worker() -> bool:
    return _heartbeat_fresh(Component.WORKER, "HEALTH_WORKER_MAX_AGE")


def check_beat() -> bool:
    return _heartbeat_fresh(Component.BEAT, "HEALTH_BEAT_MAX_AGE")


CHECKS = {
    "database": check_database,
    "redis": check_redis,
    "worker": check_worker,
    "beat": check_beat,
}


def run_checks() -> dict[str, str]:
    """``{"database": "ok", "redis": "error", ...}``: every check runs, whatever the others give."""
    results = {}
    for name, check in CHECKS.items():
        try:
            passed = check()
        except Exception:
            logger.warning("Health check %s failed", name, exc_info=True)
            passed = False
        else:
            if not passed:
                logger.warning("Health check %s failed", name)
        results[name] = OK if passed else ERROR
    return results


def missing_stored_files() -> list[str]:
    """``"<model>.<field> #<pk>: <stored name>"`` of every file that a row names and the
    storage does not hold (lost in a restore, deleted by hand). Every model's file
    fields are read through the app registry (the core knows no domain app): one
    query per field, one existence check per stored file."""
    from django.apps import apps
    from django.db.models import FileField

    missing = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, FileField):
                continue
            rows = model._base_manager.exclude(**{field.attname: ""}).exclude(**{f"{field.attname}__isnull": True})
            for pk, name in rows.values_list("pk", field.attname).iterator():
                if not field.storage.exists(name):
                    missing.append(f"{model._meta.label}.{field.name} #{pk}: {name}")
    return missing
