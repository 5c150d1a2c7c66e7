"""Redis really stopped: the health page says so, the site keeps working, and an
e-mail queued meanwhile waits in the outbox, then leaves once Redis is back.

The test runs its own Redis server (``redis_server``) and points the settings and
this process's Celery app at it; no worker runs, so the message the periodic
flush publishes is read back from Redis and handed to the task by hand.
"""

import base64
import json
import time
from datetime import timedelta

import pytest
import redis
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from ais.accounts.models import Role
from ais.health.heartbeats import record_heartbeat
from ais.health.models import Component
from ais.outbox import reasons
from ais.outbox.models import OutgoingEmail, Status
from ais.outbox.tasks import flush_outbox, send_email
from tests.ais.factories import PASSWORD
from tests.conftest import make_user
from tests.integration.conftest import celery_broker

pytestmark = pytest.mark.timeout(60)


def _health(client):
    response = client.get(reverse("health:status"))
    return response.status_code, json.loads(response.content)["checks"]


def _published_tasks(url):
    """``(task name, kwargs)`` of each message waiting in the default queue."""
    client = redis.Redis.from_url(url)
    try:
        raw_messages = client.lrange("celery", 0, -1)
    finally:
        client.close()
    tasks = []
    for raw in raw_messages:
        message = json.loads(raw)
        _args, kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        tasks.append((message["headers"]["task"], kwargs))
    return tasks


@pytest.fixture
def site_on_own_redis(settings, redis_server):
    """The health check, the Celery app and the settings all use ``redis_server``."""
    # celery_broker first: it remembers the broker URL to restore, and Celery reads the Django
    # settings lazily — setting them first made it "restore" this temporary Redis for the rest
    # of the run (later tests then failed to reach the broker).
    with celery_broker(redis_server.url):
        settings.REDIS_URL = settings.CELERY_BROKER_URL = redis_server.url
        yield redis_server


def test_redis_stopped_health_503_site_up_emails_wait_then_leave(
    client, db, site_on_own_redis, django_capture_on_commit_callbacks
):
    redis_server = site_on_own_redis
    record_heartbeat(Component.WORKER)
    record_heartbeat(Component.BEAT)
    user = make_user(Role.CARRIER)
    before_status, before = _health(client)

    # Redis goes down.
    redis_server.stop()
    down_status, down = _health(client)
    home = client.get(reverse("portal:home"))
    login = client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    dashboard = client.get(reverse("portal:dashboard"))
    client.post(reverse("accounts:logout"))
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):  # the hand-over to Celery fails: broker down
        reset = client.post(reverse("accounts:password_reset"), {"email": user.email})
    reset_seconds = time.monotonic() - started
    email = OutgoingEmail.objects.get(recipient=user.email, reason=reasons.PASSWORD_RESET)

    assert (before_status, before) == (200, {"database": "ok", "redis": "ok", "worker": "ok", "beat": "ok"})
    assert (down_status, down) == (503, {"database": "ok", "redis": "error", "worker": "ok", "beat": "ok"})
    assert home.status_code == 200
    assert "Le programme en chiffres" in home.content.decode()
    assert login.status_code == 302
    assert login.url == reverse("portal:dashboard")
    assert dashboard.status_code == 200
    assert reset.status_code == 302
    assert reset.url == reverse("accounts:password_reset_done")
    assert reset_seconds < 5, f"the password reset page took {reset_seconds:.1f} s with Redis down"
    assert (email.status, email.attempts) == (Status.QUEUED, 0)
    assert mail.outbox == []

    # Redis is back; the periodic flush (every minute) finds the e-mail a few minutes later.
    redis_server.start()
    OutgoingEmail.objects.filter(pk=email.pk).update(created_at=timezone.now() - timedelta(minutes=3))
    flushed = flush_outbox()
    published = _published_tasks(redis_server.url)
    for task_name, kwargs in published:  # what the worker does with each message
        assert task_name == send_email.name
        send_email(**kwargs)
    after_status, after = _health(client)

    assert flushed == 1
    assert published == [("outbox.send_email", {"email_id": email.pk})]
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 1)
    assert [message.to for message in mail.outbox] == [[user.email]]
    assert (after_status, after["redis"]) == (200, "ok")
