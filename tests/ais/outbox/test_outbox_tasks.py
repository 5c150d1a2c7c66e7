"""The outbox: queueing once per key, sending after commit, retries and failures."""

import html
import smtplib
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

from ais.accounts.models import Role
from ais.outbox import reasons
from ais.outbox.models import OutgoingEmail, Status
from ais.outbox.services import SendFailed, queue_email, send_outgoing_email, stale_queued_ids
from tests.ais.factories import OutgoingEmailFactory
from tests.conftest import make_user


class RefusingBackend(BaseEmailBackend):
    """Stands in for an SMTP server that refuses every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPException("451 serveur indisponible, réessayez plus tard")


REFUSING_BACKEND = f"{__name__}.RefusingBackend"


def _queue(**kwargs):
    defaults = {
        "recipient": "camille.martin@exemple.fr",
        "subject": "Bienvenue sur AIS#Emploi",
        "body": "Bonjour Camille,\n\nVotre compte est prêt.\n",
        "reason": reasons.WELCOME,
        "dedup_key": "welcome:42",
    }
    return queue_email(**{**defaults, **kwargs})


def test_queue_email_same_dedup_key_twice_keeps_one_row(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        first, first_created = _queue()
        second, second_created = _queue(subject="Un autre objet")

    assert (first_created, second_created) == (True, False)
    assert second.pk == first.pk
    assert OutgoingEmail.objects.get().subject == "Bienvenue sur AIS#Emploi"
    assert len(callbacks) == 1  # only the first one is handed to Celery


def test_queue_email_sends_after_commit(db, eager_celery, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email, _created = _queue()
        assert OutgoingEmail.objects.get().status == Status.QUEUED  # nothing sent before the commit
        assert mail.outbox == []

    email.refresh_from_db()
    assert email.status == Status.SENT
    assert email.attempts == 1
    assert email.sent_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["camille.martin@exemple.fr"]
    assert mail.outbox[0].subject == "Bienvenue sur AIS#Emploi"
    assert mail.outbox[0].extra_headers["X-AIS-Outbox-Id"] == str(email.pk)


def test_send_outgoing_email_already_sent_is_skipped(db):
    email = OutgoingEmailFactory(sent=True)

    result = send_outgoing_email(email.pk)

    assert result == "skipped"
    assert mail.outbox == []
    email.refresh_from_db()
    assert email.attempts == 1


def test_send_outgoing_email_refused_retries_until_max_then_fails(db, settings):
    settings.EMAIL_BACKEND = REFUSING_BACKEND
    settings.OUTBOX_MAX_ATTEMPTS = 3
    email = OutgoingEmailFactory()

    for attempt in (1, 2):
        with pytest.raises(SendFailed):
            send_outgoing_email(email.pk)
        email.refresh_from_db()
        assert (email.status, email.attempts) == (Status.QUEUED, attempt)
    result = send_outgoing_email(email.pk)

    email.refresh_from_db()
    assert result == Status.FAILED
    assert (email.status, email.attempts) == (Status.FAILED, 3)
    assert email.last_error == "SMTPException: 451 serveur indisponible, réessayez plus tard"
    assert send_outgoing_email(email.pk) == "skipped"  # a failed e-mail is not sent again by itself


def test_outbox_retry_by_admin_requeues_and_sends_failed_email(
    client, db, eager_celery, django_capture_on_commit_callbacks
):
    email = OutgoingEmailFactory(failed=True, subject="Relance du questionnaire")
    client.force_login(make_user(Role.ADMIN))
    detail = reverse("outbox:detail", kwargs={"pk": email.pk})
    before = html.unescape(client.get(detail).content.decode())

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("outbox:retry", kwargs={"pk": email.pk}))
        email.refresh_from_db()
        assert (email.status, email.attempts) == (Status.QUEUED, 0)
    after = html.unescape(client.get(detail).content.decode())

    assert "Renvoyer ce courriel" in before
    assert response.url == detail
    assert "Le courriel a été remis dans la file d'envoi." in after
    assert "Renvoyer ce courriel" not in after
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert [m.subject for m in mail.outbox] == ["Relance du questionnaire"]


def test_outbox_retry_of_sent_email_changes_nothing(client, db):
    email = OutgoingEmailFactory(sent=True)
    client.force_login(make_user(Role.ADMIN))

    response = client.post(reverse("outbox:retry", kwargs={"pk": email.pk}), follow=True)

    assert "Seul un courriel en échec peut être renvoyé." in html.unescape(response.content.decode())
    email.refresh_from_db()
    assert email.status == Status.SENT


def test_outbox_list_filters_by_status(client, db):
    OutgoingEmailFactory(failed=True, subject="Message en échec")
    OutgoingEmailFactory(sent=True, subject="Message parti")
    client.force_login(make_user(Role.ADMIN))

    response = client.get(reverse("outbox:list"), {"statut": Status.FAILED})

    page = html.unescape(response.content.decode())
    assert "Message en échec" in page
    assert "Message parti" not in page


def test_stale_queued_ids_returns_only_old_never_attempted_rows(db):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        old = OutgoingEmailFactory()
        OutgoingEmailFactory(attempts=1)  # in its task's retry backoff
        OutgoingEmailFactory(sent=True)
        OutgoingEmailFactory(failed=True)
    with time_machine.travel(start + timedelta(minutes=3), tick=False):
        OutgoingEmailFactory()  # just queued

        stale = stale_queued_ids()

    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        too_early = stale_queued_ids()
    assert stale == [old.pk]
    assert too_early == []
