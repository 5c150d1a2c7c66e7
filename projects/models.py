"""Innovations and their four stages of accompaniment.

Calls for projects, dossiers and the committee's review come with the calls and
selection issues; the foundation holds what the other apps hang on: the
innovation, its carrier organisation and the stage it has reached.
"""

from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from ais.accounts.models import Organisation, Role
from ais.core.models import StoredDocument
from ais.core.uploads import RandomUploadPath
from ais.territories.models import Commune


class Stage(models.IntegerChoices):
    FEASIBILITY = 1, _("Stage I – Feasibility study")
    MOBILISATION = 2, _("Stage II – Stakeholder mobilisation")
    ESSAIMAGE = 3, _("Stage III – Spreading")
    EVALUATION = 4, _("Stage IV – Evaluation")


class SpreadingModel(models.TextChoices):
    FORMATION_ACTION = "formation_action", _("Formation-action (6 to 9 months)")
    INTENSIVE = "intensive", _("Intensive territorial spreading")
    PILOT_TOOLING = "pilot_tooling", _("Tooling of pilot sites")
    OTHER = "other", _("Other model")


class TargetPublic(models.TextChoices):
    DELD = "deld", _("Long-term jobseekers (DELD)")
    DECROCHEURS = "decrocheurs", _("Early school leavers")
    RSA = "rsa", _("RSA recipients")
    QPV = "qpv", _("QPV residents")
    SANS_DOMICILE = "sans_domicile", _("Homeless people")


class Keyword(models.TextChoices):
    FORMATION_QUALIFIANTE = "formation_qualifiante", _("Qualifying training")
    COMPETENCES_BASE = "competences_base", _("Basic skills training")
    ACCOMPAGNEMENT_INDIVIDUEL = "accompagnement_individuel", _("Individual support")
    ACCOMPAGNEMENT_COLLECTIF = "accompagnement_collectif", _("Group support")
    COACHING = "coaching", _("Coaching / mentoring")
    ENTREPRISES = "entreprises", _("Engaging private-sector employers")
    TRAVAIL_TEMPORAIRE = "travail_temporaire", _("Work integration temporary work")
    CHANTIER = "chantier", _("Work integration worksite")
    ACCES_DIRECT = "acces_direct", _("Direct access to employment")


class PublicsKeywordsMixin:
    """Labels of the ``publics`` and ``keywords`` array fields, for display."""

    @property
    def publics_display(self) -> list[str]:
        labels = dict(TargetPublic.choices)
        return [str(labels.get(code, code)) for code in self.publics]

    @property
    def keywords_display(self) -> list[str]:
        labels = dict(Keyword.choices)
        return [str(labels.get(code, code)) for code in self.keywords]


class InnovationQuerySet(models.QuerySet):
    def published(self) -> "InnovationQuerySet":
        return self.filter(is_published=True)

    def for_user_as_carrier(self, user) -> "InnovationQuerySet":
        return self.filter(
            pk__in=self.filter(carrier__memberships__user=user, carrier__memberships__role=Role.CARRIER).values("pk")
        )

    def for_user(self, user) -> "InnovationQuerySet":
        """Innovations a user may open in the private space: every one for managers
        and administrators, their own for carriers, those they spread for
        structure contacts, the published catalogue for committee members."""
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.MANAGER, Role.ADMIN):
            return self
        query = models.Q(pk__in=[])
        if user.has_role(Role.CARRIER):
            query |= models.Q(carrier__memberships__user=user, carrier__memberships__role=Role.CARRIER)
        if user.has_role(Role.STRUCTURE):
            query |= models.Q(
                spread_structures__organisation__memberships__user=user,
                spread_structures__organisation__memberships__role=Role.STRUCTURE,
            )
        if user.has_role(Role.COMMITTEE):
            query |= models.Q(is_published=True)
        return self.filter(pk__in=self.filter(query).values("pk"))


class Innovation(PublicsKeywordsMixin, models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("URL slug"), max_length=200, unique=True)
    summary = models.CharField(_("summary"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    carrier = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="innovations", verbose_name=_("lead organisation")
    )
    origin_commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("home territory"),
    )
    year_started = models.PositiveSmallIntegerField(_("year started"), null=True, blank=True)
    year_selected = models.PositiveSmallIntegerField(_("year selected"), null=True, blank=True)
    stage = models.PositiveSmallIntegerField(_("stage"), choices=Stage.choices, default=Stage.FEASIBILITY)
    publics = ArrayField(
        models.CharField(max_length=30, choices=TargetPublic.choices),
        verbose_name=_("target groups"),
        default=list,
        blank=True,
    )
    keywords = ArrayField(
        models.CharField(max_length=40, choices=Keyword.choices), verbose_name=_("keywords"), default=list, blank=True
    )
    is_published = models.BooleanField(_("published in the catalogue"), default=False)
    lead_manager = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_innovations",
        verbose_name=_("lead programme manager"),
        help_text=_("Receives the alerts about this innovation (late stages, late questionnaires)."),
    )
    team = models.ManyToManyField(
        "accounts.User", blank=True, related_name="innovation_teams", verbose_name=_("Ansa team")
    )
    spreading_model = models.CharField(_("spreading model"), max_length=30, choices=SpreadingModel.choices, blank=True)
    spreading_model_details = models.TextField(_("details of the spreading model"), blank=True)
    accompaniment_start = models.DateField(_("start of the accompaniment"), null=True, blank=True)
    created_at = models.DateTimeField(pgettext_lazy("feminine", "created on"), auto_now_add=True)

    objects = InnovationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("innovation")
        verbose_name_plural = _("innovations")

    def __str__(self) -> str:
        return self.name


# --------------------------------------------------------------------------
# Calls for projects and candidate dossiers
# --------------------------------------------------------------------------


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


class CallQuerySet(models.QuerySet):
    def published(self) -> "CallQuerySet":
        return self.filter(published_at__isnull=False)

    def open_now(self) -> "CallQuerySet":
        now = timezone.now()
        return self.published().filter(opens_at__lte=now, closes_at__gt=now)

    def upcoming(self) -> "CallQuerySet":
        return self.published().filter(opens_at__gt=timezone.now())

    def past(self) -> "CallQuerySet":
        return self.published().filter(closes_at__lte=timezone.now())


class Call(models.Model):
    """A yearly call for projects (appel à projets)."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address identifier"), max_length=200, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    theme = models.CharField(_("theme"), max_length=200, blank=True)
    description = models.TextField(_("description"))
    eligibility = models.TextField(_("eligibility conditions"))
    opens_at = models.DateTimeField(_("opening"))
    closes_at = models.DateTimeField(_("closing"))
    target_departments = models.ManyToManyField(
        "territories.Department",
        blank=True,
        related_name="calls",
        verbose_name=_("target departments"),
        help_text=_("Leave empty for a national call."),
    )
    required_questions = ArrayField(
        models.CharField(max_length=40), verbose_name=_("required questions"), default=list, blank=True
    )
    reviewers_per_dossier = models.PositiveSmallIntegerField(
        _("committee members per dossier"), default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    committee_members = models.ManyToManyField(
        "accounts.User", blank=True, related_name="committee_calls", verbose_name=_("committee members")
    )
    review_deadline = models.DateTimeField(
        _("reviews due by"),
        null=True,
        blank=True,
        help_text=_("Members with pending reviews are reminded before this date."),
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("reminder before closing (days)"),
        default=7,
        help_text=_("Carriers with an unsubmitted draft are reminded this many days before closing."),
    )
    published_at = models.DateTimeField(_("published on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)

    objects = CallQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("call for projects")
        verbose_name_plural = _("calls for projects")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")), name="call_closes_after_opening"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def is_open(self, at=None) -> bool:
        at = at or timezone.now()
        return self.is_published and self.opens_at <= at < self.closes_at

    @property
    def state(self) -> str:
        if not self.is_published:
            return "draft"
        now = timezone.now()
        if now < self.opens_at:
            return "upcoming"
        if now < self.closes_at:
            return "open"
        return "closed"

    STATE_LABELS = {
        "draft": _("Draft"),
        "upcoming": _("Upcoming"),
        "open": _("Open"),
        "closed": _("Closed"),
    }

    @property
    def state_label(self) -> str:
        return str(self.STATE_LABELS[self.state])


class SelectionCriterion(models.Model):
    """One criterion of a call's selection grid, scored 0–5 by committee members."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("call"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("criterion"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    weight = models.DecimalField(
        _("weight"), max_digits=4, decimal_places=1, default=1, validators=[MinValueValidator(Decimal("0.1"))]
    )
    rubric = models.JSONField(
        _("rubric"),
        default=list,
        blank=True,
        help_text=_("What each score from 0 to 5 means (six lines)."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["call", "position", "pk"]
        verbose_name = _("selection criterion")
        verbose_name_plural = _("selection criteria")

    def __str__(self) -> str:
        return self.title


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

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("call"))
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
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, related_name="+")
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


# --------------------------------------------------------------------------
# Steering committee: assignment, conflicts of interest, reviews, selection
# --------------------------------------------------------------------------


class Recommendation(models.TextChoices):
    SELECT = "select", _("Select")
    DISCUSS = "discuss", _("Discuss in session")
    REJECT = "reject", _("Do not select")


class AssignmentQuerySet(models.QuerySet):
    def for_member(self, user) -> "AssignmentQuerySet":
        """The member's own assignments, without the dossiers they declared a conflict on."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(member=user).exclude(has_conflict=True)


class ReviewAssignment(models.Model):
    """A dossier given to a committee member to review, with their conflict-of-interest declaration."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("dossier")
    )
    member = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="review_assignments", verbose_name=_("committee member")
    )
    has_conflict = models.BooleanField(_("conflict of interest"), null=True, blank=True)
    conflict_note = models.TextField(_("nature of the conflict"), blank=True)
    declared_at = models.DateTimeField(_("declared on"), null=True, blank=True)
    created_at = models.DateTimeField(_("assigned on"), auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["dossier", "member"]
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "member"], name="assignment_unique_member_per_dossier"),
        ]

    def __str__(self) -> str:
        return f"{self.member} – {self.dossier}"

    @property
    def own_review(self):
        """The member's review, or None (no query when fetched with select_related)."""
        try:
            return self.review
        except Review.DoesNotExist:
            return None

    @property
    def review_submitted(self) -> bool:
        review = self.own_review
        return review is not None and review.is_submitted


class Review(models.Model):
    """A committee member's scoring of one dossier on the call's grid."""

    assignment = models.OneToOneField(
        ReviewAssignment, on_delete=models.CASCADE, related_name="review", verbose_name=_("assignment")
    )
    recommendation = models.CharField(_("recommendation"), max_length=10, choices=Recommendation.choices, blank=True)
    comment = models.TextField(_("overall comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted on"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated on"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return str(self.assignment)

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class Score(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores", verbose_name=_("review"))
    criterion = models.ForeignKey(
        SelectionCriterion, on_delete=models.CASCADE, related_name="scores", verbose_name=_("criterion")
    )
    value = models.PositiveSmallIntegerField(_("score"), validators=[MaxValueValidator(5)])
    comment = models.TextField(_("comment"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["criterion__position"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="score_unique_per_criterion"),
            models.CheckConstraint(condition=models.Q(value__lte=5), name="score_at_most_five"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.value}"


class SessionStatus(models.TextChoices):
    OPEN = "open", _("In preparation")
    CLOSED = "closed", pgettext_lazy("session", "Closed")


class SelectionSession(models.Model):
    """The committee's selection session for a call: who attended, what was decided."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("call"))
    held_on = models.DateTimeField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    members_present = models.ManyToManyField(
        "accounts.User", blank=True, related_name="+", verbose_name=_("members present")
    )
    status = models.CharField(_("status"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.OPEN)
    closed_at = models.DateTimeField(_("closed on"), null=True, blank=True)
    released_at = models.DateTimeField(_("decisions released on"), null=True, blank=True)
    email_subject = models.CharField(
        _("subject of the e-mail to carriers"),
        max_length=200,
        default="Appel à projets : décision du comité de pilotage",
    )
    email_body = models.TextField(
        _("e-mail to carriers"),
        default=(
            "Bonjour,\n\nLe comité de pilotage d'AIS#Emploi s'est réuni le {date} pour l'appel « {call} ».\n\n"
            "Décision pour le dossier « {dossier} » : {decision}.\n\n{motivation}\n\n"
            "L'équipe AIS#Emploi"
        ),
        help_text=_("Placeholders: {call}, {date}, {dossier}, {decision}, {motivation}."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on"]
        verbose_name = _("selection session")
        verbose_name_plural = _("selection sessions")

    def __str__(self) -> str:
        return f"{self.call} – {self.held_on:%d/%m/%Y}"

    @property
    def is_closed(self) -> bool:
        return self.status == SessionStatus.CLOSED


class Decision(models.TextChoices):
    PENDING = "pending", _("To be decided")
    SELECTED = "selected", pgettext_lazy("decision", "Selected")
    WAITING = "waiting", _("Waiting list")
    NOT_SELECTED = "not_selected", _("Not selected")


class SessionDecision(models.Model):
    session = models.ForeignKey(
        SelectionSession,
        on_delete=models.CASCADE,
        related_name="decisions",
        verbose_name=pgettext_lazy("committee", "session"),
    )
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("dossier"))
    decision = models.CharField(_("decision"), max_length=15, choices=Decision.choices, default=Decision.PENDING)
    motivation = models.TextField(_("motivation"), blank=True)
    innovation = models.OneToOneField(
        Innovation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="selection",
        verbose_name=_("innovation created"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["session", "dossier__innovation_name"]
        verbose_name = _("session decision")
        verbose_name_plural = _("session decisions")
        constraints = [
            models.UniqueConstraint(fields=["session", "dossier"], name="decision_unique_per_session"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier}: {self.get_decision_display()}"


# --------------------------------------------------------------------------
# Accompaniment: targets, stage plans, deliverables, governance, stage moves
# --------------------------------------------------------------------------


class TargetKind(models.TextChoices):
    QUANTITATIVE = "quantitative", _("Quantitative")
    QUALITATIVE = "qualitative", _("Qualitative")


class InnovationTarget(models.Model):
    """What the innovation aims at, e.g. "+10 % insertion hours" or "90 % retention"."""

    innovation = models.ForeignKey(
        Innovation, on_delete=models.CASCADE, related_name="targets", verbose_name=_("innovation")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=TargetKind.choices, default=TargetKind.QUANTITATIVE)
    label = models.CharField(_("target"), max_length=200)
    value = models.DecimalField(_("value"), max_digits=10, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True, help_text=_("For example: %, people, hours."))
    indicator_code = models.SlugField(
        _("indicator code"),
        max_length=60,
        blank=True,
        help_text=_("Code of the standard indicator this target is compared with, if any."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self) -> str:
        return self.label


class StagePlan(models.Model):
    """Planned and actual dates of one stage of an innovation."""

    innovation = models.ForeignKey(
        Innovation, on_delete=models.CASCADE, related_name="stage_plans", verbose_name=_("innovation")
    )
    stage = models.PositiveSmallIntegerField(_("stage"), choices=Stage.choices)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["innovation", "stage"]
        verbose_name = _("stage plan")
        verbose_name_plural = _("stage plans")
        constraints = [
            models.UniqueConstraint(fields=["innovation", "stage"], name="stage_plan_unique_per_innovation"),
        ]

    def __str__(self) -> str:
        return f"{self.innovation} – {self.get_stage_display()}"

    def is_late(self, today=None) -> bool:
        """The stage should have ended while the innovation is still in it, or should
        have started while the innovation has not reached it."""
        today = today or timezone.localdate()
        current = self.innovation.stage
        if self.stage == current:
            return bool(self.planned_end and self.planned_end < today)
        if self.stage > current:
            return bool(self.planned_start and self.planned_start < today)
        return False


class DeliverableKind(models.TextChoices):
    FEASIBILITY_STUDY = "feasibility_study", _("Feasibility study")
    CHARTER = "charter", _("Commitment charter")
    PARTNERSHIP_TEMPLATE = "partnership_template", _("Partnership agreement template")
    COMMUNICATION = "communication", _("Communication tools")
    TOOLING = "tooling", _("Tooling delivered")
    GUIDE = "guide", _("Guide de l'essaimage")
    OTHER = "other", _("Other document")


# The stage each kind of deliverable belongs to, for display and for the stage rules.
DELIVERABLE_STAGE = {
    DeliverableKind.FEASIBILITY_STUDY: Stage.FEASIBILITY,
    DeliverableKind.CHARTER: Stage.FEASIBILITY,
    DeliverableKind.PARTNERSHIP_TEMPLATE: Stage.MOBILISATION,
    DeliverableKind.COMMUNICATION: Stage.MOBILISATION,
    DeliverableKind.TOOLING: Stage.ESSAIMAGE,
    DeliverableKind.GUIDE: Stage.ESSAIMAGE,
}


class FeasibilityConclusion(models.TextChoices):
    GO = "go", pgettext_lazy("feasibility conclusion", "Go")
    GO_WITH_CONDITIONS = "go_conditions", _("Go with conditions")
    STOP = "stop", _("Stop")


class Deliverable(StoredDocument):
    """A document produced during the accompaniment: the feasibility study (with its
    conclusion), the signed charter (with its signature date), the guide…"""

    innovation = models.ForeignKey(
        Innovation, on_delete=models.CASCADE, related_name="deliverables", verbose_name=_("innovation")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=DeliverableKind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=RandomUploadPath("deliverables"), max_length=255)
    dated = models.DateField(
        _("date"), help_text=_("Date of the document: signature date for a charter, conclusion date for a study.")
    )
    conclusion = models.CharField(_("conclusion"), max_length=20, choices=FeasibilityConclusion.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True, help_text=_("Conditions, remarks, what the document contains."))

    history = HistoricalRecords()

    class Meta:
        ordering = ["innovation", "kind", "-dated", "-pk"]
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="feasibility_study") | models.Q(conclusion=""),
                name="deliverable_conclusion_only_for_study",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class GovernanceMember(models.Model):
    """A seat on the innovation's own steering committee (stage II)."""

    innovation = models.ForeignKey(
        Innovation, on_delete=models.CASCADE, related_name="governance", verbose_name=_("innovation")
    )
    full_name = models.CharField(_("name"), max_length=150)
    organisation_name = models.CharField(_("organisation"), max_length=200)
    function = models.CharField(_("role on the committee"), max_length=150, blank=True)
    joined_on = models.DateField(_("member since"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation_name", "full_name"]
        verbose_name = _("governance member")
        verbose_name_plural = _("governance members")

    def __str__(self) -> str:
        return f"{self.full_name} ({self.organisation_name})"


class AwarenessChannel(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    WEBINAR = "webinar", _("Webinar")
    EVENT = "event", _("Event or conference")
    MAILING = "mailing", _("Mailing or newsletter")
    PRESS = "press", _("Press or social media")
    OTHER = "other", _("Other")


class AwarenessAction(models.Model):
    """An action making the innovation known to networks and territories (stage II)."""

    innovation = models.ForeignKey(
        Innovation, on_delete=models.CASCADE, related_name="awareness_actions", verbose_name=_("innovation")
    )
    held_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    audience = models.CharField(_("audience"), max_length=200, help_text=_("Networks, territories, partners reached."))
    channel = models.CharField(_("channel"), max_length=20, choices=AwarenessChannel.choices)
    people_reached = models.PositiveIntegerField(_("people reached"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("awareness action")
        verbose_name_plural = _("awareness actions")

    def __str__(self) -> str:
        return self.title


class StageTransition(models.Model):
    """One move of an innovation from a stage to the next: who, when, and, for a move
    made without the stage's deliverables, the exception and its reason."""

    innovation = models.ForeignKey(
        Innovation, on_delete=models.CASCADE, related_name="stage_transitions", verbose_name=_("innovation")
    )
    from_stage = models.PositiveSmallIntegerField(_("from stage"), choices=Stage.choices)
    to_stage = models.PositiveSmallIntegerField(_("to stage"), choices=Stage.choices)
    moved_at = models.DateTimeField(_("moved on"), default=timezone.now)
    moved_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("moved by")
    )
    is_exception = models.BooleanField(_("exception"), default=False)
    reason = models.TextField(_("reason of the exception"), blank=True)
    missing = models.JSONField(_("missing deliverables"), default=list, blank=True)

    class Meta:
        ordering = ["innovation", "moved_at", "pk"]
        verbose_name = _("stage move")
        verbose_name_plural = _("stage moves")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(is_exception=True, reason=""), name="stage_exception_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.innovation}: {self.from_stage} → {self.to_stage}"
