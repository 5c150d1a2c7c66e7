"""Generated reports and the texts managers write for them.

An innovation's intermediate and final reports and the programme's yearly report are
``Report`` rows (one per version, with their PDF and XLSX files and the progress of the
task that builds them); ``ReportNarrative`` keeps what the manager writes before
generating an innovation's report.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ais.core.history import HistoricalRecords
from ais.core.uploads import RandomUploadPath


class ReportKind(models.TextChoices):
    INTERMEDIATE = "intermediate", _("Intermediate report")
    FINAL = "final", _("Final report")
    YEARLY = "yearly", _("Programme report")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Being generated")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ReportNarrative(models.Model):
    """What the programme manager writes for an innovation's report before generating it."""

    innovation = models.ForeignKey(
        "projects.Innovation", on_delete=models.CASCADE, related_name="report_narratives", verbose_name=_("innovation")
    )
    kind = models.CharField(_("report"), max_length=20, choices=ReportKind.choices)
    summary = models.TextField(_("summary"), blank=True)
    conclusions = models.TextField(_("conclusions"), blank=True)
    recommendations = models.TextField(_("recommendations"), blank=True)
    quotes = models.JSONField(_("selected quotes"), default=list, blank=True)
    revision = models.PositiveIntegerField(default=0, verbose_name=_("revision"))
    updated_at = models.DateTimeField(_("updated on"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("report text")
        verbose_name_plural = _("report texts")
        constraints = [
            models.UniqueConstraint(fields=["innovation", "kind"], name="narrative_unique_per_report"),
        ]

    def __str__(self) -> str:
        return f"{self.innovation} – {self.get_kind_display()}"


class Report(models.Model):
    """A generated document, kept with its date and version: an innovation's
    intermediate or final report, or the programme's yearly report (``year`` None:
    since the start)."""

    innovation = models.ForeignKey(
        "projects.Innovation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("innovation"),
    )
    kind = models.CharField(_("report"), max_length=20, choices=ReportKind.choices)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    step = models.CharField(_("step"), max_length=120, blank=True)
    pdf = models.FileField(_("PDF"), upload_to=RandomUploadPath("reports"), max_length=255, blank=True)
    xlsx = models.FileField(_("spreadsheet"), upload_to=RandomUploadPath("reports"), max_length=255, blank=True)
    narrative = models.JSONField(_("texts"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested on"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished on"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("generation time (ms)"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        subject = self.innovation or (self.year or _("since the start"))
        return f"{self.get_kind_display()} – {subject} – v{self.version}"

    @property
    def file_name(self) -> str:
        from django.utils.text import slugify

        subject = slugify(self.innovation.name) if self.innovation_id else str(self.year or "depuis-2015")
        return f"ais-emploi-{self.kind}-{subject}-v{self.version}"
