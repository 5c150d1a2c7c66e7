"""``queue_emails``: many outbox e-mails in one query, with the guarantees of
``queue_email`` (a key is queued once, the broker is told after the commit)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail

from ais.outbox import reasons
from ais.outbox.models import OutgoingEmail, Status
from ais.outbox.services import existing_dedup_keys, queue_email, queue_emails
from tests.ais.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def _message(key: str, **kwargs) -> dict:
    return {
        "recipient": f"{key}@exemple.fr",
        "subject": f"Objet {key}",
        "body": f"Bonjour {key},\n",
        "reason": reasons.TEST,
        "dedup_key": key,
        **kwargs,
    }


def test_queue_emails_stores_the_same_rows_as_queue_email(django_assert_num_queries):
    organisation = OrganisationFactory()
    ContentType.objects.get_for_model(organisation)  # cached for the process
    message = {
        "subject": "Un objet " + "très " * 60 + "long",
        "body": "Bonjour,\n\nLe texte.\n",
        "html_body": "<p>Le texte.</p>",
        "related_object": organisation,
        "attachments": [("invitation.ics", b"BEGIN:VCALENDAR", "text/calendar")],
    }
    message |= {"recipient": "a@exemple.fr", "reason": reasons.WELCOME}
    one, _created = queue_email(**message, dedup_key="one")

    with django_assert_num_queries(1):
        (bulk,) = queue_emails([{**message, "dedup_key": "bulk"}])

    one.refresh_from_db()
    stored = OutgoingEmail.objects.get(pk=bulk.pk)
    columns = [f.name for f in OutgoingEmail._meta.concrete_fields if f.name not in ("id", "dedup_key", "created_at")]
    assert {name: getattr(stored, name) for name in columns} == {name: getattr(one, name) for name in columns}
    assert len(stored.subject) == 255
    assert stored.related_object == organisation
    assert stored.status == Status.QUEUED and stored.attempts == 0
    assert stored.created_at is not None
    assert (bulk.dedup_key, bulk.subject) == ("bulk", stored.subject)


def test_queue_emails_skips_keys_already_queued_or_repeated(django_capture_on_commit_callbacks):
    queue_email(**_message("deja"))

    with django_capture_on_commit_callbacks() as callbacks:
        created = queue_emails([_message("a"), _message("deja"), _message("b"), _message("a", subject="Autre")])

    assert [email.dedup_key for email in created] == ["a", "b"]
    assert all(email.pk for email in created)
    assert OutgoingEmail.objects.get(dedup_key="a").subject == "Objet a"  # the first of the repeated key
    assert OutgoingEmail.objects.count() == 3
    assert len(callbacks) == 2  # only the e-mails created are handed to the broker
    assert existing_dedup_keys(["a", "b", "c", "deja"]) == {"a", "b", "deja"}


def test_queue_emails_sends_each_after_the_commit(eager_celery, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = queue_emails([_message("a"), _message("b")])
        assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {Status.QUEUED}
        assert mail.outbox == []

    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {Status.SENT}
    assert sorted(message.to[0] for message in mail.outbox) == ["a@exemple.fr", "b@exemple.fr"]
    headers = sorted(message.extra_headers["X-AIS-Outbox-Id"] for message in mail.outbox)
    assert headers == sorted(str(email.pk) for email in created)


def test_queue_emails_with_nothing_to_queue_makes_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert queue_emails([]) == []
        assert existing_dedup_keys([]) == set()
