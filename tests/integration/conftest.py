"""A real Celery worker, on a Redis database of its own, against the test database.

The worker is a subprocess (``celery -A ais worker --pool solo``) with the same
settings as production except the database (the pytest test database) and the
broker: a Redis database number claimed for this run with a lock key, so that
neither the development worker (another Redis server) nor a concurrent test run
(another claimed database), nor another pytest-xdist worker of this run, ever consumes
our tasks, nor we theirs.
"""

import contextlib
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection
from kombu import pools

from ais.celery import app as celery_app
from tests import redis_databases

BASE_DIR = Path(__file__).resolve().parents[2]
LOCK_KEY = "ais:test-celery-broker-lock"
LOCK_TTL = 15 * 60  # seconds; a crashed run frees its database after this


@contextlib.contextmanager
def celery_broker(url: str):
    """Make this process's Celery app publish to ``url``, then restore it.

    The connection and producer pools are cached on the app (and in kombu's
    global registry): they are swapped too, and the ones opened here are closed
    and forgotten on exit (no ResourceWarning, no closed pool reused later).
    """
    # Celery reads the Django settings live (``conf.broker_url`` follows
    # ``settings.CELERY_BROKER_URL``): restore "no override" rather than the URL read
    # now, which is a temporary one when a test changed the settings first.
    overridden = "broker_url" in celery_app.conf.changes
    old_url = celery_app.conf.changes.get("broker_url")
    old_pool = celery_app._pool
    old_producer_pool = celery_app.amqp._producer_pool
    celery_app.conf.update(broker_url=url)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    try:
        yield
    finally:
        new_producer_pool, new_pool = celery_app.amqp._producer_pool, celery_app._pool
        if overridden:
            celery_app.conf.update(broker_url=old_url)
        else:
            celery_app.conf.changes.pop("broker_url", None)
        celery_app._pool = old_pool
        celery_app.amqp._producer_pool = old_producer_pool
        opened_here = {id(pool) for pool in (new_producer_pool, new_pool) if pool is not None}
        for group in (pools.producers, pools.connections):
            for key, pool in list(group.items()):
                if id(pool) in opened_here:
                    dict.__delitem__(group, key)  # keys are already hashed (EqualityDict)
                    pool.force_close_all()


@pytest.fixture(scope="module")
def isolated_broker_url():
    """A Redis database of the test Redis, claimed for this run and emptied: one above the
    broker and cache databases of every pytest process of the run (tests/redis_databases.py),
    which the cache flushes before each test would empty."""
    assert settings.CELERY_BROKER_URL.startswith("redis://"), settings.CELERY_BROKER_URL
    token = uuid.uuid4().hex
    first = redis_databases.first_free_db(int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0")))
    last = redis_databases.database_count(settings.CELERY_BROKER_URL) - 1
    for db in range(first, last + 1):
        url = redis_databases.with_db(settings.CELERY_BROKER_URL, db)
        client = redis.Redis.from_url(url)
        if client.set(LOCK_KEY, token, nx=True, ex=LOCK_TTL):
            break
        client.close()
    else:
        pytest.fail(f"No free Redis database ({first}-{last}) for the Celery integration tests")
    try:
        # Leftovers of an earlier, interrupted run of these tests: stale tasks.
        stale = [key for key in client.scan_iter(count=500) if key != LOCK_KEY.encode()]
        if stale:
            client.delete(*stale)
        yield url
    finally:
        if client.get(LOCK_KEY) == token.encode():
            client.delete(LOCK_KEY)
        client.close()


def _test_database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"


@pytest.fixture(scope="module")
def real_celery_worker(django_db_setup, isolated_broker_url, tmp_path_factory):
    """Start ``celery -A ais worker`` on the isolated broker and the test database.

    Yields a namespace with ``mail_dir`` (where the worker's file-based e-mail
    backend writes) and ``log`` (a function returning the worker's output).
    """
    work_dir = tmp_path_factory.mktemp("celery-worker")
    mail_dir = work_dir / "mail"
    mail_dir.mkdir()
    log_path = work_dir / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ais.settings",
        "DATABASE_URL": _test_database_url(),  # NAME is the test database after django_db_setup
        "CONN_MAX_AGE": "0",  # no idle connection left for the test database teardown
        "REDIS_URL": isolated_broker_url,
        "CELERY_BROKER_URL": isolated_broker_url,  # Celery reads this one first, if set
        "SECRET_KEY": os.environ.get("SECRET_KEY", "test-key"),
        "DEBUG": "false",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_FILE_PATH": str(mail_dir),
        "LOG_LEVEL": "INFO",
    }
    env.pop("EMAIL_URL", None)
    command = [
        sys.executable, "-m", "celery", "-A", "ais", "worker",
        "--pool", "solo", "-l", "info",
        "-n", f"ais-test-{uuid.uuid4().hex[:8]}@%h",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    log_file = open(log_path, "wb")  # noqa: SIM115 - closed in the finally block below
    process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=log_file, stderr=subprocess.STDOUT)

    def log() -> str:
        return log_path.read_text(encoding="utf-8", errors="replace")

    try:
        deadline = time.monotonic() + 60
        while " ready." not in log():
            if process.poll() is not None:
                pytest.fail(f"The Celery worker exited with {process.returncode}:\n{log()}")
            if time.monotonic() > deadline:
                pytest.fail(f"The Celery worker was not ready after 60 s:\n{log()}")
            time.sleep(0.2)
        yield type("Worker", (), {"mail_dir": mail_dir, "log": staticmethod(log), "process": process})
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
        log_file.close()
