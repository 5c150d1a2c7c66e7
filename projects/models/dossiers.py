"""Candidate dossiers: a carrier organisation's answer to a call.

The aggregate: a ``Dossier`` (its answers, section by section, its status and
version), its ``DossierAttachment`` files and the programme managers'
``InternalNote`` on it. ``DossierSection`` orders the steps; ``DOSSIER_QUESTIONS``
names the questions a call may make required and the section holding each;
``DEFAULT_REQUIRED_QUESTIONS`` is what a new call requires.

Rules held by the models: one dossier per call and organisation; who may open a
dossier (``Dossier.objects.for_user``: managers and administrators all, carriers
those of their organisations, nobody else); internal notes are never shown to the
carrier. The workflow (sections, optimistic versioning, submission, corrections,
eligibility) is in ``projects.services``.
"""

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ais.accounts.models import Organisation, Role
from ais.core.history import HistoricalRecords
from ais.core.uploads import RandomUploadPath

from .vocabulary import Keyword, PublicsKeywordsMixin, TargetPublic


class DossierSection(models.TextChoices):
    """The steps of a dossier, in order. Each groups questions (model fields)."""

    ORGANISATION = "organisation", _("Organisation")
    INNOVATION = "innovation", _("The innovation")
    TERRITORY = "territory", _("Territory of origin")
    PUBLICS = "publics", _("Target publics and keywords")
    RESULTS = "results", _("Results already obtained")
    PROCESS = "process", _("Formalised process")
    TRANSPOSITION = "transposition", _("Will and capacity to transpose")
    RESOURCES = "resources", _("Resources")
    ATTACHMENTS = "attachments", _("Attachments")


# Questions a call can make required, with the section that holds them.
DOSSIER_QUESTIONS = {
    "innovation_name": DossierSection.INNOVATION,
    "summary": DossierSection.INNOVATION,
    "description": DossierSection.INNOVATION,
    "year_started": DossierSection.INNOVATION,
    "origin_commune": DossierSection.TERRITORY,
    "territory_description": DossierSection.TERRITORY,
    "publics": DossierSection.PUBLICS,
    "keywords": DossierSection.PUBLICS,
    "people_accompanied": DossierSection.RESULTS,
    "exits_to_employment": DossierSection.RESULTS,
    "job_retention_rate": DossierSection.RESULTS,
    "results_period": DossierSection.RESULTS,
    "results_comment": DossierSection.RESULTS,
    "formalisation_level": DossierSection.PROCESS,
    "process_description": DossierSection.PROCESS,
    "transposition_will": DossierSection.TRANSPOSITION,
    "transposition_capacity": DossierSection.TRANSPOSITION,
    "resources": DossierSection.RESOURCES,
    "attachments": DossierSection.ATTACHMENTS,
}
DEFAULT_REQUIRED_QUESTIONS = [
    "innovation_name",
    "summary",
    "description",
    "year_started",
    "origin_commune",
    "publics",
    "people_accompanied",
    "exits_to_employment",
    "results_period",
    "formalisation_level",
    "process_description",
    "transposition_will",
    "transposition_capacity",
]


class DossierStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    CORRECTIONS = "corrections", _("Corrections requested")
    ELIGIBLE = "eligible", _("Eligible")
    INELIGIBLE = "ineligible", _("Not eligible")


class FormalisationLevel(models.TextChoices):
    ORAL = "oral", _("Mostly oral: the practice lives with the team")
    PARTIAL = "partial", _("Partly written: some procedures and tools")
    DOCUMENTED = "documented", _("Documented: a written method, tools and training material")
    MODELISED = "modelised", _("Modelled: already transferred or ready to transfer")


class DossierQuerySet(models.QuerySet):
    def for_user(self, user) -> "DossierQuerySet":
        """Dossiers a user may open: all for managers and administrators, those of
        their carrier organisations for carriers; none for anyone else."""
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.MANAGER, Role.ADMIN):
            return self
        if user.has_role(Role.CARRIER):
            return self.filter(
                organisation__in=Organisation.objects.filter(
                    memberships__user=user, memberships__role=Role.CARRIER
                ).values("pk")
            )
        return self.none()


class Dossier(PublicsKeywordsMixin, models.Model):
    """A candidate dossier (dossier de candidature) answering a call."""

    call = models.ForeignKey("projects.Call", on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("call"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("carrier organisation")
    )
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="dossiers_created", verbose_name=_("created by")
    )
    status = models.CharField(_("status"), max_length=20, choices=DossierStatus.choices, default=DossierStatus.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=1)
    # The innovation
    innovation_name = models.CharField(_("name of the innovation"), max_length=200, blank=True)
    summary = models.CharField(_("summary in one sentence"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    year_started = models.PositiveSmallIntegerField(
        _("year started"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1950), MaxValueValidator(2100)],
    )
    # Territory
    origin_commune = models.ForeignKey(
        "territories.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune of origin"),
    )
    territory_description = models.TextField(_("the territory in a few words"), blank=True)
    # Publics
    publics = ArrayField(
        models.CharField(max_length=30, choices=TargetPublic.choices),
        verbose_name=_("target publics"),
        default=list,
        blank=True,
    )
    keywords = ArrayField(
        models.CharField(max_length=40, choices=Keyword.choices), verbose_name=_("keywords"), default=list, blank=True
    )
    # Results
    people_accompanied = models.PositiveIntegerField(_("people accompanied"), null=True, blank=True)
    exits_to_employment = models.PositiveIntegerField(_("exits to employment"), null=True, blank=True)
    job_retention_rate = models.PositiveSmallIntegerField(
        _("job retention (%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    results_period = models.CharField(_("period measured"), max_length=100, blank=True)
    results_comment = models.TextField(_("other results"), blank=True)
    # Process
    formalisation_level = models.CharField(
        _("how formalised the process is"), max_length=20, choices=FormalisationLevel.choices, blank=True
    )
    process_description = models.TextField(_("the process, step by step"), blank=True)
    # Transposition
    transposition_will = models.TextField(_("why you want to spread it"), blank=True)
    transposition_capacity = models.TextField(_("your capacity to support other structures"), blank=True)
    # Resources
    resources = models.TextField(_("team, budget and partners"), blank=True)
    # Workflow
    submitted_at = models.DateTimeField(_("submitted on"), null=True, blank=True)
    reopened_sections = ArrayField(
        models.CharField(max_length=20, choices=DossierSection.choices),
        verbose_name=_("sections reopened"),
        default=list,
        blank=True,
    )
    correction_reason = models.TextField(_("corrections requested"), blank=True)
    eligibility_reason = models.TextField(_("eligibility reason"), blank=True)
    decided_at = models.DateTimeField(_("eligibility decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated on"), auto_now=True)

    objects = DossierQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        constraints = [
            models.UniqueConstraint(fields=["call", "organisation"], name="dossier_one_per_call_and_organisation"),
        ]
        indexes = [models.Index(fields=["call", "status"])]

    def __str__(self) -> str:
        return self.innovation_name or str(_("Dossier no. %(pk)s") % {"pk": self.pk})

    @property
    def exit_rate(self):
        if self.people_accompanied and self.exits_to_employment is not None:
            return round(100 * self.exits_to_employment / self.people_accompanied)
        return None


class DossierAttachment(models.Model):
    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("dossier")
    )
    file = models.FileField(_("file"), upload_to=RandomUploadPath("dossiers"), max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    mime_type = models.CharField(_("type"), max_length=120)
    size = models.PositiveIntegerField(_("size"))
    description = models.CharField(_("description"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded on"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class InternalNote(models.Model):
    """A programme manager's note on a dossier. Never shown to the carrier."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="internal_notes", verbose_name=_("dossier")
    )
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("author"))
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("written on"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")

    def __str__(self) -> str:
        return f"{self.author} – {self.created_at:%Y-%m-%d}"
