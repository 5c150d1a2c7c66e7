"""Queueing and sending e-mails through the outbox."""

import base64
import logging
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac

from .models import OutgoingEmail, Reason, Status

logger = logging.getLogger(__name__)


def queue_email(
    *,
    recipient: str,
    subject: str,
    body: str,
    reason: str = Reason.OTHER,
    dedup_key: str,
    html_body: str = "",
    related_object=None,
    attachments: list[tuple[str, bytes, str]] = (),
) -> tuple[OutgoingEmail, bool]:
    """Store an e-mail in the outbox and send it after the transaction commits.

    ``dedup_key`` identifies the message (e.g. ``"reminder:questionnaire:42:j-7"``):
    queueing the same key twice returns the existing row and sends nothing more.
    ``attachments`` are ``(filename, content, mimetype)`` triples, kept small (calendar
    files): they are stored in the row so that a resend sends the same message.
    Returns ``(email, created)``.
    """
    defaults = {
        "recipient": recipient,
        "subject": subject[:255],
        "body": body,
        "html_body": html_body,
        "reason": reason,
        "attachments": [
            {"filename": name, "mimetype": mimetype, "content": base64.b64encode(content).decode()}
            for name, content, mimetype in attachments
        ],
    }
    if related_object is not None:
        defaults["content_type"] = ContentType.objects.get_for_model(related_object)
        defaults["object_id"] = str(related_object.pk)
    email, created = OutgoingEmail.objects.get_or_create(dedup_key=dedup_key, defaults=defaults)
    if created:
        from .tasks import send_email

        transaction.on_commit(lambda: _enqueue(send_email, email.pk))
    return email, created


def _enqueue(task, email_id: int) -> None:
    """Hand the e-mail to the broker; when Redis is down the row stays queued
    and the periodic ``flush_outbox`` task sends it later."""
    try:
        task.apply_async(kwargs={"email_id": email_id}, retry=False)
    except Exception as error:  # broker unreachable: the periodic flush will pick it up
        logger.warning("Could not enqueue e-mail %s: %s", email_id, error)


def queue_templated_email(
    *, recipient: str, template: str, context: dict, language: str = "fr", **kwargs
) -> tuple[OutgoingEmail, bool]:
    """Render ``<template>_subject.txt`` and ``<template>_body.txt`` in French
    (or ``language``) and queue the result."""
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}_body.txt", context)
    return queue_email(recipient=recipient, subject=" ".join(subject.split()), body=body, **kwargs)


def message_id(email: OutgoingEmail) -> str:
    """The Message-ID of an outbox e-mail: the same at every attempt.

    Handing a message to the mail server and committing its "sent" status cannot be
    one atomic step: a worker killed in between (a millisecond) sends the e-mail
    again on the next attempt. That copy then carries the same Message-ID: it is the
    same message, not a second reminder, and mailboxes that deduplicate on the
    Message-ID (Gmail does) show it once. The digest is keyed with the installation's secret, so that
    identifiers of two installations (staging, production) never collide."""
    digest = salted_hmac("ais.outbox.message_id", f"{email.pk}:{email.dedup_key}", algorithm="sha256").hexdigest()[:24]
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "ais-emploi.fr"
    return f"<outbox.{email.pk}.{digest}@{domain}>"


class SendFailed(Exception):
    """Sending failed but may succeed on a later attempt."""


def send_outgoing_email(email_id: int) -> str:
    """Send one queued e-mail through Django's e-mail backend.

    The row is locked so that two workers never send it twice; an e-mail that is
    already sent is skipped. On error the attempt is counted and ``SendFailed`` is
    raised for the task to retry, until ``OUTBOX_MAX_ATTEMPTS`` marks it failed.
    Returns the resulting status. A worker killed after the mail server accepted the
    message but before the commit sends it again, with the same ``message_id``.
    """
    with transaction.atomic():
        email = (
            OutgoingEmail.objects.select_for_update(skip_locked=True).filter(pk=email_id, status=Status.QUEUED).first()
        )
        if email is None:
            return "skipped"
        email.attempts += 1
        message = EmailMultiAlternatives(
            subject=email.subject,
            body=email.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email.recipient],
            headers={"X-AIS-Outbox-Id": str(email.pk), "Message-ID": message_id(email)},
        )
        if email.html_body:
            message.attach_alternative(email.html_body, "text/html")
        for attachment in email.attachments:
            message.attach(attachment["filename"], base64.b64decode(attachment["content"]), attachment["mimetype"])
        try:
            message.send(fail_silently=False)
        except Exception as error:
            failure = error
            email.last_error = f"{type(error).__name__}: {error}"[:2000]
            if email.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                email.status = Status.FAILED
            email.save(update_fields=["attempts", "last_error", "status"])
            if email.status == Status.FAILED:
                logger.error("E-mail %s failed after %s attempts", email.pk, email.attempts)
                return Status.FAILED
        else:
            email.status = Status.SENT
            email.sent_at = timezone.now()
            email.last_error = ""
            email.save(update_fields=["attempts", "status", "sent_at", "last_error"])
            return Status.SENT
    # Raised once the block has committed: raising inside it would roll back the
    # attempt just counted, and the e-mail would be retried forever.
    raise SendFailed(email.last_error) from failure


def retry_email(email: OutgoingEmail) -> None:
    """Put a failed e-mail back in the queue (administrators, from the outbox page)."""
    if email.status != Status.FAILED:
        return
    email.status = Status.QUEUED
    email.attempts = 0
    email.save(update_fields=["status", "attempts"])
    from .tasks import send_email

    transaction.on_commit(lambda: _enqueue(send_email, email.pk))


def stale_queued_ids(older_than: timedelta = timedelta(minutes=2)) -> list[int]:
    """Queued e-mails never attempted for a while: queued while Redis was down, or
    lost with a worker. Those already attempted are in their task's retry backoff."""
    limit = timezone.now() - older_than
    qs = OutgoingEmail.objects.due().filter(created_at__lt=limit, attempts=0)
    return list(qs.values_list("pk", flat=True)[:500])
