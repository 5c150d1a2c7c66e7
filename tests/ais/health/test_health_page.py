"""The health page /sante/: database, Redis, worker and beat, 200 or 503, no details."""

import json
from datetime import timedelta

import pytest
from celery.signals import heartbeat_sent
from django.conf import settings as django_settings
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from ais.celery import app
from ais.health import checks
from ais.health.heartbeats import record_heartbeat
from ais.health.models import Component, Heartbeat
from ais.health.tasks import beat_heartbeat
from tests.ais.health.redis_server import free_port

ALL_OK = {"database": "ok", "redis": "ok", "worker": "ok", "beat": "ok"}


def _health(client):
    response = client.get(reverse("health:status"))
    return response, json.loads(response.content)


def _heartbeat_seconds_ago(name, seconds):
    Heartbeat.objects.update_or_create(name=name, defaults={"at": timezone.now() - timedelta(seconds=seconds)})


@pytest.fixture
def heartbeats(db):
    record_heartbeat(Component.WORKER)
    record_heartbeat(Component.BEAT)


def test_health_everything_up_answers_200_to_anonymous(client, heartbeats):
    response, body = _health(client)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert body == {"status": "ok", "checks": ALL_OK, "stored_files": {"missing": 0}}
    assert "no-store" in response["Cache-Control"]


def test_health_worker_heartbeat_missing_answers_503(client, db):
    record_heartbeat(Component.BEAT)

    response, body = _health(client)

    assert response.status_code == 503
    assert body == {"status": "error", "checks": {**ALL_OK, "worker": "error"}, "stored_files": {"missing": 0}}


def test_health_worker_heartbeat_stale_answers_503(client, heartbeats, settings):
    settings.HEALTH_WORKER_MAX_AGE = 120
    _heartbeat_seconds_ago(Component.WORKER, 119)
    fresh, _ = _health(client)
    _heartbeat_seconds_ago(Component.WORKER, 121)

    response, body = _health(client)

    assert fresh.status_code == 200
    assert response.status_code == 503
    assert body["checks"] == {**ALL_OK, "worker": "error"}


def test_health_worker_max_age_is_a_setting(client, heartbeats, settings):
    settings.HEALTH_WORKER_MAX_AGE = 600
    _heartbeat_seconds_ago(Component.WORKER, 300)

    response, _ = _health(client)

    assert response.status_code == 200


def test_health_beat_heartbeat_stale_answers_503(client, heartbeats, settings):
    settings.HEALTH_BEAT_MAX_AGE = 180
    _heartbeat_seconds_ago(Component.BEAT, 181)

    response, body = _health(client)

    assert response.status_code == 503
    assert body == {"status": "error", "checks": {**ALL_OK, "beat": "error"}, "stored_files": {"missing": 0}}


def test_health_database_down_answers_503_without_the_error_text(client, heartbeats, monkeypatch):
    class BrokenConnection:
        def cursor(self):
            raise OperationalError("could not connect to server: secret-host.internal:5432")

    monkeypatch.setattr(checks, "connection", BrokenConnection())

    response, body = _health(client)

    assert response.status_code == 503
    assert body["status"] == "error" and body["checks"] == {**ALL_OK, "database": "error"}
    assert b"secret-host" not in response.content


def test_health_redis_unreachable_answers_503(client, heartbeats, settings):
    port = free_port()
    settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"

    response, body = _health(client)

    assert response.status_code == 503
    assert body == {"status": "error", "checks": {**ALL_OK, "redis": "error"}, "stored_files": {"missing": 0}}
    assert str(port).encode() not in response.content


def test_health_post_not_allowed(client, db):
    response = client.post(reverse("health:status"))

    assert response.status_code == 405


def test_worker_heartbeat_signal_records_then_throttles(db, settings):
    settings.HEALTH_WORKER_WRITE_EVERY = 15
    heartbeat_sent.send(sender=None)
    first = Heartbeat.objects.get(name=Component.WORKER).at

    heartbeat_sent.send(sender=None)  # 2 s later in a real worker: not written again

    assert Heartbeat.objects.get(name=Component.WORKER).at == first
    assert checks.check_worker()


def test_worker_heartbeat_signal_writes_again_after_the_interval(db, settings):
    settings.HEALTH_WORKER_WRITE_EVERY = 0
    _heartbeat_seconds_ago(Component.WORKER, 500)
    assert not checks.check_worker()

    heartbeat_sent.send(sender=None)

    assert checks.check_worker()


def test_beat_heartbeat_task_records_beat(db):
    assert not checks.check_beat()

    beat_heartbeat()

    assert checks.check_beat()


def test_beat_heartbeat_scheduled_every_minute():
    schedule = django_settings.CELERY_BEAT_SCHEDULE
    entries = [entry for entry in schedule.values() if entry["task"] == "health.beat_heartbeat"]

    assert len(entries) == 1
    assert entries[0]["schedule"] == 60.0
    assert "health.beat_heartbeat" in app.tasks
