"""The outbox through a real Celery worker and a real Redis broker.

Rows must be committed for the worker (another process) to see them, hence
``transactional_db``. The worker sends with Django's file-based e-mail backend
into a temporary directory, where the messages are read back.
"""

import logging
import socket
import time
from datetime import timedelta
from email import policy
from email.parser import BytesParser

import pytest
import redis
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ais.outbox import reasons
from ais.outbox.models import OutgoingEmail, Status
from ais.outbox.services import queue_email
from ais.outbox.tasks import flush_outbox
from tests.ais.factories import OutgoingEmailFactory
from tests.integration.conftest import celery_broker

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


def wait_for_status(email: OutgoingEmail, status: str, worker, timeout: float = 30) -> OutgoingEmail:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        email.refresh_from_db()
        if email.status == status:
            return email
        time.sleep(0.2)
    pytest.fail(
        f"E-mail {email.pk} is {email.status!r}, not {status!r}, after {timeout} s.\nWorker log:\n{worker.log()}"
    )


def sent_messages(mail_dir):
    """Every message the file-based backend wrote, parsed (one file per connection)."""
    messages = []
    for path in sorted(mail_dir.iterdir()):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(BytesParser(policy=policy.default).parsebytes(chunk))
    return messages


def message_with_subject(mail_dir, subject: str):
    # The header may be folded ("Subject:\n =?utf-8?q?...?="): compare without the folding space.
    matches = [message for message in sent_messages(mail_dir) if " ".join(message["Subject"].split()) == subject]
    assert len(matches) == 1, f"{len(matches)} message(s) with subject {subject!r} in {mail_dir}"
    return matches[0]


def dead_redis_url() -> str:
    """A Redis URL on a local port where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def test_broker_is_real_redis(isolated_broker_url):
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    for url in (settings.CELERY_BROKER_URL, isolated_broker_url):
        client = redis.Redis.from_url(url)
        try:
            assert client.ping()
        finally:
            client.close()


def test_queued_email_is_sent_by_the_worker(transactional_db, real_celery_worker, isolated_broker_url):
    subject = "Bienvenue sur AIS#Emploi – intégration Celery"
    with celery_broker(isolated_broker_url):
        with transaction.atomic():
            email, created = queue_email(
                recipient="camille.martin@exemple.fr",
                subject=subject,
                body="Bonjour Camille,\n\nVotre compte est prêt.\n",
                reason=reasons.WELCOME,
                dedup_key="integration:welcome:1",
            )
            assert created
        # Committed: on_commit handed the task to Redis, the worker does the rest.
        email = wait_for_status(email, Status.SENT, real_celery_worker)

    assert email.sent_at is not None
    assert email.attempts == 1
    assert email.last_error == ""
    message = message_with_subject(real_celery_worker.mail_dir, subject)
    assert message["To"] == "camille.martin@exemple.fr"
    assert message["X-AIS-Outbox-Id"] == str(email.pk)
    assert "Votre compte est prêt." in message.get_content()
    assert "outbox.send_email" in real_celery_worker.log()


def test_email_queued_while_broker_was_down_leaves_with_the_periodic_flush(
    transactional_db, real_celery_worker, isolated_broker_url, caplog
):
    # 1. Redis unreachable: queueing still succeeds, the row simply stays queued.
    subject = "Relance – courriel resté dans la file"
    with (
        caplog.at_level(logging.WARNING, logger="ais.outbox.services"),
        celery_broker(dead_redis_url()),
        transaction.atomic(),
    ):
        email, _ = queue_email(
            recipient="julien.bernard@exemple.fr",
            subject=subject,
            body="Bonjour,\n\nCe message attendait le retour du broker.\n",
            dedup_key="integration:broker-down:1",
        )
    assert "Could not enqueue e-mail" in caplog.text
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.QUEUED, 0)

    # A second one, as if left by a worker that died: created directly in the table.
    orphan = OutgoingEmailFactory(subject="Courriel orphelin d'un worker disparu")

    # 2. The broker is back; both rows are older than the flush threshold.
    OutgoingEmail.objects.filter(pk__in=[email.pk, orphan.pk]).update(created_at=timezone.now() - timedelta(minutes=5))
    with celery_broker(isolated_broker_url):
        flush_outbox.apply_async()
        email = wait_for_status(email, Status.SENT, real_celery_worker)
        orphan = wait_for_status(orphan, Status.SENT, real_celery_worker)

    for row in (email, orphan):
        assert row.attempts == 1
        assert row.sent_at is not None
    message_with_subject(real_celery_worker.mail_dir, subject)
    message_with_subject(real_celery_worker.mail_dir, orphan.subject)
    assert "outbox.flush" in real_celery_worker.log()
