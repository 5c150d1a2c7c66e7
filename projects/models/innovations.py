"""Innovations and their accompaniment through the four stages.

The aggregate: an ``Innovation`` (its carrier organisation, the stage it has reached,
its catalogue entry, the Ansa team that follows it) and what the accompaniment
records about it: ``InnovationTarget`` (what it aims at), ``StagePlan`` (planned and
actual dates of each stage), ``Deliverable`` (documents, the feasibility study's
conclusion), ``GovernanceMember`` and ``AwarenessAction`` (stage II) and
``StageTransition`` (each move from a stage to the next).

Rules held by the models: who may open an innovation (``Innovation.objects.for_user``:
managers and administrators all, carriers their own, structure contacts those they
spread, committee members the published catalogue); one stage plan per stage, late
when the stage should have ended or started (``StagePlan.is_late``); only a
feasibility study carries a conclusion; the stage each kind of deliverable belongs
to (``DELIVERABLE_STAGE``); a move made as an exception keeps its reason. The rules
for moving on are in ``projects.accompaniment``.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ais.accounts.models import Organisation, Role
from ais.core.history import HistoricalRecords
from ais.core.models import StoredDocument
from ais.core.uploads import RandomUploadPath
from ais.territories.models import Commune

from .vocabulary import Keyword, PublicsKeywordsMixin, TargetPublic


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


class ClosureKind(models.TextChoices):
    """How an innovation's accompaniment ended (``projects.accompaniment.close_accompaniment``)."""

    COMPLETED = "completed", _("Completed after evaluation")
    STOPPED = "stopped_after_feasibility", _("Stopped after the feasibility study")
    ABANDONED = "abandoned", _("Abandoned")


class InnovationQuerySet(models.QuerySet):
    def published(self) -> "InnovationQuerySet":
        return self.filter(is_published=True)

    def in_progress(self) -> "InnovationQuerySet":
        """Innovations whose accompaniment is not closed (today's state; for a past
        date see ``reporting.definitions.innovations_in_progress``)."""
        return self.filter(closed_on__isnull=True)

    def closed(self) -> "InnovationQuerySet":
        return self.filter(closed_on__isnull=False)

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
    selected_on = models.DateField(
        _("selected on"),
        null=True,
        blank=True,
        help_text=_("Date of the steering committee that selected the innovation; the year selected follows it."),
    )
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
    closed_on = models.DateField(_("accompaniment closed on"), null=True, blank=True)
    closure_kind = models.CharField(
        _("end of the accompaniment"), max_length=30, choices=ClosureKind.choices, blank=True
    )
    closure_reason = models.TextField(_("reason of the closure"), blank=True)
    created_at = models.DateTimeField(pgettext_lazy("feminine", "created on"), auto_now_add=True)

    objects = InnovationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("innovation")
        verbose_name_plural = _("innovations")
        constraints = [
            # Open: no date, kind or reason. Closed: all three.
            models.CheckConstraint(
                condition=(models.Q(closed_on__isnull=True) & models.Q(closure_kind="") & models.Q(closure_reason=""))
                | (models.Q(closed_on__isnull=False) & ~models.Q(closure_kind="") & ~models.Q(closure_reason="")),
                name="innovation_closure_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        """The accompaniment has ended (completed, stopped or abandoned)."""
        return self.closed_on is not None


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
    made without the stage's deliverables, the exception and its reason.

    ``moved_at`` is when the move was recorded; ``effective_on`` the date it took
    effect, which the figures count (a manager recording the history sets it in the
    past; new rows default to today, the date of ``moved_at``)."""

    innovation = models.ForeignKey(
        Innovation, on_delete=models.CASCADE, related_name="stage_transitions", verbose_name=_("innovation")
    )
    from_stage = models.PositiveSmallIntegerField(_("from stage"), choices=Stage.choices)
    to_stage = models.PositiveSmallIntegerField(_("to stage"), choices=Stage.choices)
    moved_at = models.DateTimeField(_("moved on"), default=timezone.now)
    effective_on = models.DateField(_("effective on"), default=timezone.localdate)
    moved_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("moved by")
    )
    is_exception = models.BooleanField(_("exception"), default=False)
    reason = models.TextField(_("reason of the exception"), blank=True)
    missing = models.JSONField(_("missing deliverables"), default=list, blank=True)

    class Meta:
        ordering = ["innovation", "effective_on", "moved_at", "pk"]
        verbose_name = _("stage move")
        verbose_name_plural = _("stage moves")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(is_exception=True, reason=""), name="stage_exception_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.innovation}: {self.from_stage} → {self.to_stage}"
