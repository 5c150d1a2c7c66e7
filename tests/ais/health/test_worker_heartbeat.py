"""A real Celery worker (subprocess, on a Redis of this test only) records its heartbeat,
and runs beat's heartbeat task: the health page then answers 200."""

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.urls import reverse

from ais.health.models import Component, Heartbeat
from ais.health.tasks import beat_heartbeat
from tests.integration.conftest import _test_database_url, celery_broker

BASE_DIR = Path(__file__).resolve().parents[3]

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]


def _wait_for_heartbeat(name, process, log_path, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Heartbeat.objects.filter(name=name).exists():
            return
        if process.poll() is not None:
            break
        time.sleep(0.1)
    pytest.fail(f"No {name} heartbeat after {timeout} s. Worker log:\n{log_path.read_text(errors='replace')}")


def test_real_worker_records_heartbeats_and_page_answers_200(
    client, transactional_db, settings, redis_server, tmp_path
):
    settings.REDIS_URL = settings.CELERY_BROKER_URL = redis_server.url
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "CONN_MAX_AGE": "0",
        "REDIS_URL": redis_server.url,
        "CELERY_BROKER_URL": redis_server.url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "test-key"),
    }
    command = [
        sys.executable, "-m", "celery", "-A", "ais", "worker", "--pool", "solo", "-l", "info",
        "-n", f"ais-health-{uuid.uuid4().hex[:8]}@%h", "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for_heartbeat(Component.WORKER, process, log_path)  # Celery's heartbeat, no task needed
        assert client.get(reverse("health:status")).status_code == 503  # beat has not run yet
        with celery_broker(redis_server.url):
            beat_heartbeat.apply_async()  # what beat publishes every minute
        _wait_for_heartbeat(Component.BEAT, process, log_path)

        response = client.get(reverse("health:status"))
    finally:
        process.terminate()
        process.wait(15)

    assert response.status_code == 200
    assert json.loads(response.content)["checks"] == {"database": "ok", "redis": "ok", "worker": "ok", "beat": "ok"}
