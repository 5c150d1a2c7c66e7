"""Queueing and sending e-mails through the outbox."""

import base64
import logging
from collections.abc import Iterable
from datetime import timedelta
from email.utils import parseaddr
from functools import partial

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.template import Context, loader
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac

from . import reasons
from .models import OutgoingEmail, Status

logger = logging.getLogger(__name__)


def _fields(
    *, recipient: str, subject: str, body: str, reason=reasons.OTHER, html_body="", related_object=None, attachments=()
) -> dict:
    """The columns of an outbox row from ``queue_email``'s arguments (all but the key);
    ``ValueError`` if no app registered the reason."""
    fields = {
        "recipient": recipient,
        "subject": subject[:255],
        "body": body,
        "html_body": html_body,
        "reason": reasons.check_reason(reason),
        "attachments": [
            {"filename": name, "mimetype": mimetype, "content": base64.b64encode(content).decode()}
            for name, content, mimetype in attachments
        ],
    }
    if related_object is not None:
        fields["content_type"] = ContentType.objects.get_for_model(related_object)
        fields["object_id"] = str(related_object.pk)
    return fields


def queue_email(
    *,
    recipient: str,
    subject: str,
    body: str,
    reason: str = reasons.OTHER,
    dedup_key: str,
    html_body: str = "",
    related_object=None,
    attachments: list[tuple[str, bytes, str]] = (),
) -> tuple[OutgoingEmail, bool]:
    """Store an e-mail in the outbox and send it after the transaction commits.

    ``dedup_key`` identifies the message (e.g. ``"reminder:42:j-7"``):
    queueing the same key twice returns the existing row and sends nothing more.
    ``attachments`` are ``(filename, content, mimetype)`` triples, kept small (calendar
    files): they are stored in the row so that a resend sends the same message.
    ``reason`` is a registered code (``reasons.register_reason``), ``ValueError`` otherwise.
    Returns ``(email, created)``. Many e-mails at once: ``queue_emails``.
    """
    defaults = _fields(
        recipient=recipient,
        subject=subject,
        body=body,
        reason=reason,
        html_body=html_body,
        related_object=related_object,
        attachments=attachments,
    )
    email, created = OutgoingEmail.objects.get_or_create(dedup_key=dedup_key, defaults=defaults)
    if created:
        from .tasks import send_email

        transaction.on_commit(lambda: _enqueue(send_email, email.pk))
    return email, created


def queue_emails(messages: Iterable[dict]) -> list[OutgoingEmail]:
    """Bulk form of ``queue_email``: one query whatever the number of messages.

    ``messages`` are dicts of ``queue_email``'s keyword arguments. They are inserted
    by a single ``INSERT … ON CONFLICT (dedup_key) DO NOTHING``: a key already in the
    outbox, or repeated in ``messages``, is skipped as ``queue_email`` skips it (a key
    that a concurrent transaction is inserting waits for that transaction, and is
    skipped if it commits). A message with an unregistered reason raises ``ValueError``
    before anything is inserted. Each e-mail created is handed to the broker after the
    transaction commits, as ``queue_email`` does. Returns the e-mails created, with
    their ids, in the order of ``messages``.
    """
    emails = {}
    for message in messages:
        fields = dict(message)
        dedup_key = fields.pop("dedup_key")
        if dedup_key not in emails:
            emails[dedup_key] = OutgoingEmail(dedup_key=dedup_key, **_fields(**fields))
    if not emails:
        return []
    ids = {dedup_key: pk for pk, dedup_key in _insert_new(list(emails.values()))}
    created = []
    for dedup_key, email in emails.items():
        if dedup_key in ids:
            email.pk = ids[dedup_key]
            email._state.adding = False
            email._state.db = connection.alias
            created.append(email)
    from .tasks import send_email

    for email in created:
        transaction.on_commit(partial(_enqueue, send_email, email.pk))
    return created


def _insert_new(emails: list[OutgoingEmail]) -> list[tuple[int, str]]:
    """Insert the rows whose ``dedup_key`` is not taken; returns ``(id, dedup_key)`` of
    those inserted. One array per column (``unnest``), as ``bulk_create`` does on
    PostgreSQL: one statement and a fixed number of parameters whatever the number
    of rows. (``bulk_create(ignore_conflicts=True)`` would not say which rows it
    inserted.)"""
    opts = OutgoingEmail._meta
    quote = connection.ops.quote_name
    fields = [field for field in opts.concrete_fields if not field.primary_key]
    columns = ", ".join(quote(field.column) for field in fields)
    arrays = ", ".join(f"%s::{field.db_type(connection).split('(')[0]}[]" for field in fields)
    key = quote(opts.get_field("dedup_key").column)
    sql = (  # names from the model only: the values are parameters
        f"INSERT INTO {quote(opts.db_table)} ({columns}) SELECT * FROM unnest({arrays}) "  # noqa: S608
        f"ON CONFLICT ({key}) DO NOTHING RETURNING {quote(opts.pk.column)}, {key}"
    )
    params = [
        [field.get_db_prep_save(field.pre_save(email, add=True), connection) for email in emails] for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def existing_dedup_keys(keys: Iterable[str]) -> set[str]:
    """Those of ``keys`` already used by an outbox e-mail, in one query."""
    keys = set(keys)
    if not keys:
        return set()
    return set(OutgoingEmail.objects.filter(dedup_key__in=keys).values_list("dedup_key", flat=True))


def _enqueue(task, email_id: int) -> None:
    """Hand the e-mail to the broker; when Redis is down the row stays queued
    and the periodic ``flush_outbox`` task sends it later."""
    try:
        task.apply_async(kwargs={"email_id": email_id}, retry=False)
    except Exception as error:  # broker unreachable: the periodic flush will pick it up
        logger.warning("Could not enqueue e-mail %s: %s", email_id, error)


def render_plain_text(template_name: str, context: dict) -> str:
    """``template_name`` rendered as plain text: without HTML escaping.

    E-mail subjects and text bodies are not HTML: escaped, « Maison de l'emploi »
    would reach the mailbox as « Maison de l&#x27;emploi ». Every e-mail template
    is rendered through here (``render_email``, the password reset form)."""
    template = loader.get_template(template_name).template
    return template.render(Context(context, autoescape=False))


def render_subject(template_name: str, context: dict) -> str:
    """An e-mail subject: plain text on one line (a header cannot hold a line break)."""
    return " ".join(render_plain_text(template_name, context).split())


def render_email(template: str, context: dict, language: str = "fr") -> tuple[str, str]:
    """``(subject, body)``: ``<template>_subject.txt`` (on one line) and
    ``<template>_body.txt`` rendered as plain text in French (or ``language``)."""
    with translation.override(language):
        subject = render_subject(f"{template}_subject.txt", context)
        body = render_plain_text(f"{template}_body.txt", context)
    return subject, body


def queue_templated_email(
    *, recipient: str, template: str, context: dict, language: str = "fr", **kwargs
) -> tuple[OutgoingEmail, bool]:
    """Render ``<template>_subject.txt`` and ``<template>_body.txt`` in French
    (or ``language``) and queue the result."""
    subject, body = render_email(template, context, language)
    return queue_email(recipient=recipient, subject=subject, body=body, **kwargs)


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
