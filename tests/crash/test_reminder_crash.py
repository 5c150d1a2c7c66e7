"""1,000 due reminders, a real Celery worker killed with SIGKILL three times in the middle
of the sweep and restarted: exactly 1,000 e-mails leave, none twice.

The worker is the production one (``celery -A ais worker``, prefork pool, acks late) run
as a subprocess against the test database and a Redis database of this run; it sends
with Django's file-based backend into a temporary directory, where the messages are
counted. A kill is ``SIGKILL`` to the worker's whole process group (main process and pool
children), as when a container or a machine dies. After each restart the test does what
beat does in production: it queues the sweep again (hourly) and, at the end, the outbox
flush (every minute, as many times as needed) for e-mails whose task died with the worker.

"Exactly 1,000 e-mails" is counted by Message-ID: a kill in the instant between the
mail server accepting a message and the commit of its "sent" status (about one run
in three with three kills) makes the next attempt hand the same message over again;
it carries the same Message-ID (``ais.outbox.services.message_id``), so it is the same
e-mail, which mailboxes deduplicate. The test prints how many copies were handed over.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
import redis
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from ais.accounts.models import Membership, Organisation, Role, User
from ais.outbox.models import OutgoingEmail, Status
from ais.outbox.tasks import flush_outbox
from essaimage.models import SpreadStructure, StructureStatus
from evaluation.emails import EVALUATION_REMINDER
from evaluation.models import Phase, Reminder, ReminderKind, Response, ResponseStatus
from evaluation.reminders import BATCH_SIZE
from evaluation.schedule import current_version
from evaluation.tasks import send_reminders
from tests.integration.conftest import _test_database_url, celery_broker
from tests.projects.factories import InnovationFactory

BASE_DIR = Path(__file__).resolve().parents[2]
QUESTIONNAIRES = 1000
# Reminders recorded when the worker is killed: the sweep commits a batch of BATCH_SIZE
# at a time, so each threshold falls inside a batch, the kill comes once that batch is
# committed, while the next one is being recorded (250, 500 and 750 of 1,000).
KILL_AFTER = tuple(BATCH_SIZE * batch + BATCH_SIZE // 2 for batch in range(3))

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]


def _questionnaires_due_today(count: int) -> None:
    """``count`` questionnaires opening today, each with one contact: the opening reminder,
    one e-mail each, is the only one due (the next one is 23 days away)."""
    today = timezone.localdate()
    innovation = InnovationFactory(spreading=True)
    organisations = Organisation.objects.bulk_create(Organisation(name=f"Structure crash {i}") for i in range(count))
    password = make_password(None)
    users = User.objects.bulk_create(
        User(email=f"contact{i}@crash.exemple.fr", first_name="Alex", last_name=f"Crash{i}", password=password)
        for i in range(count)
    )
    Membership.objects.bulk_create(
        Membership(user=user, role=Role.STRUCTURE, organisation=organisation)
        for user, organisation in zip(users, organisations, strict=True)
    )
    structures = SpreadStructure.objects.bulk_create(
        SpreadStructure(innovation=innovation, organisation=organisation, status=StructureStatus.SPREADING)
        for organisation in organisations
    )
    version = current_version(Phase.APPROPRIATION)
    Response.objects.bulk_create(
        Response(
            structure=structure,
            phase=Phase.APPROPRIATION,
            version=version,
            opens_on=today,
            due_on=today + timedelta(days=30),
            status=ResponseStatus.SCHEDULED,
        )
        for structure in structures
    )


class Worker:
    """``celery -A ais worker`` as production runs it, restartable and killable."""

    def __init__(self, broker_url: str, work_dir: Path):
        self.broker_url = broker_url
        self.mail_dir = work_dir / "mail"
        self.mail_dir.mkdir()
        self.log_path = work_dir / "worker.log"
        self.process = None
        self.starts = 0

    def start(self) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "ais.settings",
            "DATABASE_URL": _test_database_url(),
            "CONN_MAX_AGE": "0",
            "REDIS_URL": self.broker_url,
            "CELERY_BROKER_URL": self.broker_url,
            "SECRET_KEY": os.environ.get("SECRET_KEY", "test-key"),
            "DEBUG": "false",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_FILE_PATH": str(self.mail_dir),
            "LOG_LEVEL": "INFO",
        }
        env.pop("EMAIL_URL", None)
        self.starts += 1
        command = [
            sys.executable, "-m", "celery", "-A", "ais", "worker", "--pool", "prefork", "--concurrency", "2",
            "-l", "info", "-n", f"ais-crash-{uuid.uuid4().hex[:8]}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        with self.log_path.open("ab") as log:
            log.write(f"\n===== start {self.starts} =====\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        marker = f"===== start {self.starts} ====="
        deadline = time.monotonic() + 60
        while " ready." not in self.log().rpartition(marker)[2]:
            if self.process.poll() is not None:
                pytest.fail(f"The Celery worker exited with {self.process.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                pytest.fail(f"The Celery worker was not ready after 60 s:\n{self.log()}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL to the main process and its pool children at once."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=15)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def _messages(mail_dir: Path) -> list:
    """Every message the file-based backend wrote, parsed."""
    messages = []
    for path in sorted(mail_dir.iterdir()):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(BytesParser(policy=policy.default).parsebytes(chunk))
    return messages


def _wait(condition, worker: Worker, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Still waiting for {what} after {timeout} s. Worker log (end):\n{worker.log()[-5000:]}")
        if worker.process.poll() is not None:
            pytest.fail(f"The worker died by itself. Log (end):\n{worker.log()[-5000:]}")
        time.sleep(0.02)


def _settle(worker: Worker, broker) -> None:
    """Wait until the worker is idle: the broker's queue empty and no e-mail sent for a second."""
    sent = None
    while True:
        _wait(lambda: broker.llen("celery") == 0, worker, "an empty broker queue")
        now_sent = OutgoingEmail.objects.filter(status=Status.SENT).count()
        if now_sent == sent:
            return
        sent = now_sent
        time.sleep(1)


def _counts(worker: Worker) -> dict:
    return {
        "reminders": Reminder.objects.count(),
        "outbox_rows": OutgoingEmail.objects.count(),
        "sent_rows": OutgoingEmail.objects.filter(status=Status.SENT).count(),
        "files_messages": len(_messages(worker.mail_dir)),
    }


@pytest.mark.long
def test_killed_three_times_during_the_sweep_exactly_1000_emails_leave(
    transactional_db, isolated_broker_url, tmp_path, capsys
):
    _questionnaires_due_today(QUESTIONNAIRES)
    broker = redis.Redis.from_url(isolated_broker_url)
    worker = Worker(isolated_broker_url, tmp_path)
    started = time.monotonic()
    figures = []
    try:
        worker.start()
        with celery_broker(isolated_broker_url):
            send_reminders.apply_async()  # beat's hourly sweep
            for threshold in KILL_AFTER:
                _wait(lambda t=threshold: Reminder.objects.count() >= t, worker, f"{threshold} reminders")
                worker.kill()
                figures.append(_counts(worker))
                worker.start()
                send_reminders.apply_async()  # the next hourly sweep: it resumes where the dead one stopped

            # The sweep ends; the e-mails queued in Redis leave.
            _wait(lambda: Reminder.objects.count() == QUESTIONNAIRES, worker, "the end of the sweep")
            _settle(worker, broker)
            queued = OutgoingEmail.objects.filter(status=Status.QUEUED)
            stranded = queued.count()
            # Two minutes later, beat's outbox flush (every minute, at most 500 e-mails each
            # time) hands the e-mails whose task died with the worker, or was never published
            # (a kill just after a batch's commit, while its e-mails were being handed to the
            # broker), to the worker again.
            flushes = 0
            while left := queued.count():
                assert flushes < 5, f"{left} e-mails still queued after {flushes} flushes"
                queued.update(created_at=timezone.now() - timedelta(minutes=5))
                flush_outbox.apply_async()
                flushes += 1
                _wait(
                    lambda left=left: queued.count() <= max(0, left - 500) and broker.llen("celery") == 0,
                    worker,
                    "no queued e-mail",
                )
            time.sleep(1)  # anything still running would show as an extra message
    finally:
        worker.stop()
        broker.close()
    elapsed = time.monotonic() - started

    messages = _messages(worker.mail_dir)
    rows = OutgoingEmail.objects.all()
    with capsys.disabled():
        print(f"\nCrash test: {QUESTIONNAIRES} reminders, {worker.starts} worker starts, {elapsed:.1f} s")
        for number, figure in enumerate(figures, start=1):
            print(f"  kill {number}: {figure}")
        print(f"  e-mails left queued by the kills, sent by {flushes} flush(es): {stranded}")
        print(
            f"  final: {len({m['Message-ID'] for m in messages})} distinct e-mails (Message-ID), "
            f"{len(messages)} handed to the backend, {rows.filter(status=Status.SENT).count()} outbox rows sent"
        )

    assert Reminder.objects.filter(kind=ReminderKind.OPENING).count() == QUESTIONNAIRES
    assert Reminder.objects.count() == QUESTIONNAIRES
    assert len(KILL_AFTER) * BATCH_SIZE < QUESTIONNAIRES  # room for a kill after each of the first batches
    assert all(figure["reminders"] < QUESTIONNAIRES for figure in figures)  # each kill was during the sweep
    # One e-mail per questionnaire in the outbox, each sent.
    assert rows.count() == QUESTIONNAIRES
    assert rows.filter(status=Status.SENT, reason=EVALUATION_REMINDER).count() == QUESTIONNAIRES
    # Exactly 1,000 e-mails left: 1,000 Message-IDs, one per outbox row and per recipient.
    by_message_id = {}
    for message in messages:
        by_message_id.setdefault(message["Message-ID"], set()).add((message["X-AIS-Outbox-Id"], message["To"]))
    assert len(by_message_id) == QUESTIONNAIRES
    assert all(len(copies) == 1 for copies in by_message_id.values())  # a copy is the same e-mail
    (rows_and_recipients,) = [set().union(*by_message_id.values())]
    assert {outbox_id for outbox_id, _to in rows_and_recipients} == {
        str(pk) for pk in rows.values_list("pk", flat=True)
    }
    assert sorted(to for _id, to in rows_and_recipients) == sorted(User.objects.values_list("email", flat=True))
    # A copy can only come from a kill in the instant between the mail server's "accepted"
    # and the commit of "sent": at most one per pool process per kill, same Message-ID.
    assert len(messages) - QUESTIONNAIRES <= 2 * len(KILL_AFTER)


def test_an_email_sent_again_after_a_crash_is_the_same_message(db, mailoutbox):
    """The worker died after the mail server accepted the e-mail, before "sent" was
    committed: the next attempt sends the same message (same Message-ID), which the
    mail server and the mailbox treat as one."""
    from ais.outbox.services import queue_email, send_outgoing_email

    email, _created = queue_email(
        recipient="camille.martin@exemple.fr", subject="Questionnaire", body="Bonjour", dedup_key="crash:1"
    )
    other, _created = queue_email(
        recipient="camille.martin@exemple.fr", subject="Questionnaire", body="Bonjour", dedup_key="crash:2"
    )
    send_outgoing_email(email.pk)
    OutgoingEmail.objects.filter(pk=email.pk).update(status=Status.QUEUED, attempts=0)  # the lost commit
    send_outgoing_email(email.pk)
    send_outgoing_email(other.pk)

    first, again, different = (message.message()["Message-ID"] for message in mailoutbox)
    assert first == again
    assert different != first
    assert first.startswith("<outbox.") and first.endswith("@ais-emploi.fr>")
