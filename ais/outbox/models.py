"""The outbox: every e-mail the product sends is first a row here.

A Celery task sends each row through Django's e-mail backend; the row keeps its
status, attempts and error so that it can be shown, retried and tested. The
``dedup_key`` makes a reminder impossible to queue twice.
"""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    QUEUED = "queued", _("En attente")
    SENDING = "sending", _("En cours d'envoi")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Échec")


class Reason(models.TextChoices):
    PASSWORD_RESET = "password_reset", _("Réinitialisation du mot de passe")
    WELCOME = "welcome", _("Bienvenue")
    TEST = "test", _("Message de test")
    OTHER = "other", _("Autre")


class OutgoingEmailQuerySet(models.QuerySet):
    def due(self) -> "OutgoingEmailQuerySet":
        return self.filter(status=Status.QUEUED)


class OutgoingEmail(models.Model):
    recipient = models.EmailField(_("destinataire"))
    subject = models.CharField(_("objet"), max_length=255)
    body = models.TextField(_("texte"))
    html_body = models.TextField(_("version HTML"), blank=True)
    reason = models.CharField(_("motif"), max_length=50, choices=Reason.choices, default=Reason.OTHER)
    dedup_key = models.CharField(_("clé d'unicité"), max_length=255, unique=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.SET_NULL, null=True, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    related_object = GenericForeignKey("content_type", "object_id")
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("courriel sortant")
        verbose_name_plural = _("courriels sortants")
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["content_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient}"
