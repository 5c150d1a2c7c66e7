"""An uploaded workbook of the programme's history and what became of it.

A ``HistoryImport`` row keeps the file (under a random name), its checking (the
preview: what would be created or updated per sheet, and the errors found, each
naming its sheet, row and column), then the import itself (who confirmed it, when,
what was done). The Celery tasks take its id; the page polls its status.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ais.core.uploads import RandomUploadPath


class ImportStatus(models.TextChoices):
    CHECKING = "checking", _("Being checked")
    INVALID = "invalid", _("Errors to correct")
    READY = "ready", _("Ready to import")
    IMPORTING = "importing", _("Being imported")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


PENDING_STATUSES = (ImportStatus.CHECKING, ImportStatus.IMPORTING)


class HistoryImport(models.Model):
    file = models.FileField(_("workbook"), upload_to=RandomUploadPath("imports"), max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size"), default=0)
    status = models.CharField(_("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.CHECKING)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    step = models.CharField(_("step"), max_length=200, blank=True)
    # {"sheets": {sheet: {"create": n, "update": n, "unchanged": n}}, "rows": n, "examples": n, "notes": [...]}
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    # The first errors: [{"sheet": …, "row": …, "column": …, "message": …}], and how many in all.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("number of errors"), default=0)
    # What the import did (same shape as the preview), once done.
    report = models.JSONField(_("report"), default=dict, blank=True)
    failure = models.TextField(_("failure"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded on"), default=timezone.now)
    checked_at = models.DateTimeField(_("checked on"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed on"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished on"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("import time (ms)"), null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("import of the history")
        verbose_name_plural = _("imports of the history")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.uploaded_at:%d/%m/%Y %H:%M})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("archive:detail", kwargs={"pk": self.pk})

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING_STATUSES
