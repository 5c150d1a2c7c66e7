"""The outbox: every e-mail the product sends is first a row here.

A Celery task sends each row through Django's e-mail backend; the row keeps its
status, attempts and error so that it can be shown, retried and tested. The
``dedup_key`` makes a reminder impossible to queue twice. ``reason`` says why the
e-mail was sent: a code that an app registered (see ``reasons.py``).
"""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import reasons


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutgoingEmailQuerySet(models.QuerySet):
    def due(self) -> "OutgoingEmailQuerySet":
        return self.filter(status=Status.QUEUED)


class OutgoingEmail(models.Model):
    recipient = models.EmailField(_("recipient"))
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("text"))
    html_body = models.TextField(_("HTML version"), blank=True)
    # Small files sent with the message (e.g. a calendar file):
    # [{"filename": ..., "mimetype": ..., "content": base64}]
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    # No choices: each app registers its reasons (reasons.register_reason), without a migration.
    reason = models.CharField(_("reason"), max_length=reasons.MAX_LENGTH, default=reasons.OTHER, db_index=True)
    dedup_key = models.CharField(_("deduplication key"), max_length=255, unique=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("content type")
    )
    object_id = models.CharField(max_length=64, blank=True, verbose_name=_("object id"))
    related_object = GenericForeignKey("content_type", "object_id")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent on"), null=True, blank=True)

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["content_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient}"

    def reason_label(self):
        """The registered label of the reason (the code when no app registered it)."""
        return reasons.reason_label(self.reason)
