"""Evaluation of the spreading: questionnaires at 3, 9 and 18 months per structure.

A ``QuestionnaireTemplate`` per phase has numbered ``TemplateVersion``s; a version
holds ``Section``s, ``Question``s with stable codes, and ``ConsistencyRule``s
between figures. Once published a version never changes: editing means a new
draft version. Each spread structure gets one ``Response`` per phase, scheduled
from its start date of spreading, answered question by question (``Answer``, each
with its own version number so that two people never overwrite each other
silently), submitted, then validated or returned by a manager. Reminders are
``Reminder`` rows, one per (response, kind), so a sweep never sends one twice.
``AccessLink`` holds the hash of each e-mailed link's token.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ais.accounts.models import Role
from ais.core.history import HistoricalRecords
from essaimage.models import SpreadStructure


class Phase(models.TextChoices):
    APPROPRIATION = "appropriation", _("Appropriation (3 months)")
    IMPLEMENTATION = "implementation", _("Implementation (9 months)")
    IMPACT = "impact", _("Impact (18 months)")


PHASE_ORDER = [Phase.APPROPRIATION, Phase.IMPLEMENTATION, Phase.IMPACT]


class QuestionKind(models.TextChoices):
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    INTEGER = "integer", _("Whole number")
    PERCENTAGE = "percentage", _("Percentage")
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    SCALE = "scale", _("Scale from 1 to 5")
    YES_NO = "yes_no", _("Yes / no")
    DATE = "date", _("Date")


NUMERIC_KINDS = (QuestionKind.INTEGER, QuestionKind.PERCENTAGE, QuestionKind.SCALE)
CHOICE_KINDS = (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)


class QuestionnaireTemplate(models.Model):
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("introduction"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["phase"]
        verbose_name = _("questionnaire template")
        verbose_name_plural = _("questionnaire templates")

    def __str__(self) -> str:
        return self.title

    def current_version(self):
        return self.versions.filter(published_at__isnull=False).order_by("-number").first()


class TemplateVersion(models.Model):
    template = models.ForeignKey(
        QuestionnaireTemplate, on_delete=models.PROTECT, related_name="versions", verbose_name=_("template")
    )
    number = models.PositiveSmallIntegerField(_("version"))
    published_at = models.DateTimeField(_("published on"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    notes = models.TextField(_("what changed"), blank=True)
    created_at = models.DateTimeField(pgettext_lazy("feminine", "created on"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["template", "-number"]
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="template_version_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.template} – v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Section(models.Model):
    version = models.ForeignKey(
        TemplateVersion, on_delete=models.CASCADE, related_name="sections", verbose_name=_("version")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["version", "position", "pk"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    version = models.ForeignKey(
        TemplateVersion, on_delete=models.CASCADE, related_name="questions", verbose_name=_("version")
    )
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions", verbose_name=_("section"))
    code = models.SlugField(
        _("code"),
        max_length=60,
        help_text=_("Stable code of the question, the same from one version and one phase to the next."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label = models.CharField(_("question"), max_length=300)
    help_text = models.TextField(_("help text"), blank=True)
    kind = models.CharField(_("type"), max_length=20, choices=QuestionKind.choices)
    required = models.BooleanField(_("required"), default=True)
    min_value = models.IntegerField(_("minimum"), null=True, blank=True)
    max_value = models.IntegerField(_("maximum"), null=True, blank=True)
    choices = models.JSONField(
        _("choices"), default=list, blank=True, help_text=_("For choice questions: the list of possible answers.")
    )

    class Meta:
        ordering = ["version", "section__position", "position", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="question_unique_code_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.label}"

    @property
    def bounds(self) -> tuple[int | None, int | None]:
        if self.kind == QuestionKind.PERCENTAGE:
            return (0 if self.min_value is None else self.min_value, 100 if self.max_value is None else self.max_value)
        if self.kind == QuestionKind.SCALE:
            return (1, 5)
        return (self.min_value, self.max_value)


class Comparison(models.TextChoices):
    LTE = "lte", "≤"
    LT = "lt", "<"
    GTE = "gte", "≥"
    GT = "gt", ">"
    EQ = "eq", "="


class ConsistencyRule(models.Model):
    """``left`` compared with ``right`` (two numeric question codes), e.g. exits to
    employment ≤ people accompanied; checked when both are answered."""

    version = models.ForeignKey(
        TemplateVersion, on_delete=models.CASCADE, related_name="rules", verbose_name=_("version")
    )
    left_code = models.SlugField(_("figure"), max_length=60)
    comparison = models.CharField(_("comparison"), max_length=3, choices=Comparison.choices)
    right_code = models.SlugField(_("compared with"), max_length=60)
    message = models.CharField(_("message shown when the rule is broken"), max_length=300)

    class Meta:
        ordering = ["version", "pk"]
        verbose_name = _("consistency rule")
        verbose_name_plural = _("consistency rules")

    def __str__(self) -> str:
        return f"{self.left_code} {self.get_comparison_display()} {self.right_code}"

    def holds(self, left, right) -> bool:
        return {
            Comparison.LTE: left <= right,
            Comparison.LT: left < right,
            Comparison.GTE: left >= right,
            Comparison.GT: left > right,
            Comparison.EQ: left == right,
        }[self.comparison]


class ResponseStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    VALIDATED = "validated", _("Validated")
    RETURNED = "returned", _("Returned for correction")
    CANCELLED = "cancelled", _("Cancelled")


EDITABLE_STATUSES = (ResponseStatus.SCHEDULED, ResponseStatus.IN_PROGRESS, ResponseStatus.RETURNED)
ANSWERED_STATUSES = (ResponseStatus.SUBMITTED, ResponseStatus.VALIDATED)


class ResponseQuerySet(models.QuerySet):
    def for_user(self, user) -> "ResponseQuerySet":
        """Managers and administrators see every questionnaire; a structure contact
        those of its structures; a carrier those of its innovations."""
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.MANAGER, Role.ADMIN):
            return self
        query = models.Q(pk__in=[])
        if user.has_role(Role.STRUCTURE):
            query |= models.Q(
                structure__organisation__memberships__user=user,
                structure__organisation__memberships__role=Role.STRUCTURE,
            )
        if user.has_role(Role.CARRIER):
            query |= models.Q(
                structure__innovation__carrier__memberships__user=user,
                structure__innovation__carrier__memberships__role=Role.CARRIER,
            )
        return self.filter(pk__in=self.filter(query).values("pk"))

    def answerable_by(self, user) -> "ResponseQuerySet":
        """Those a user may fill in: their own structures' (managers may fill in for them)."""
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.MANAGER, Role.ADMIN):
            return self
        if not user.has_role(Role.STRUCTURE):
            return self.none()
        return self.filter(
            pk__in=self.filter(
                structure__organisation__memberships__user=user,
                structure__organisation__memberships__role=Role.STRUCTURE,
            ).values("pk")
        )

    def late(self, today=None) -> "ResponseQuerySet":
        today = today or timezone.localdate()
        return self.filter(status__in=EDITABLE_STATUSES, due_on__lt=today)


class Response(models.Model):
    """One structure's questionnaire for one phase."""

    structure = models.ForeignKey(
        SpreadStructure, on_delete=models.CASCADE, related_name="responses", verbose_name=_("structure")
    )
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    version = models.ForeignKey(
        TemplateVersion, on_delete=models.PROTECT, related_name="responses", verbose_name=_("questionnaire version")
    )
    opens_on = models.DateField(_("opens on"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=20, choices=ResponseStatus.choices, default=ResponseStatus.SCHEDULED
    )
    started_at = models.DateTimeField(_("started on"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted on"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    validated_at = models.DateTimeField(_("validated on"), null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("validated by"),
    )
    return_reason = models.TextField(_("reason for returning it"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled on"), null=True, blank=True)
    # The date of the figures the questionnaire reports, which the programme's figures at
    # a date count (``reporting.definitions``): set at the first submission; a
    # questionnaire returned and sent again keeps it unless one of its numeric answers
    # changed, then it takes the date of the new sending (``services.submit_response``).
    figures_on = models.DateField(_("date of the figures"), null=True, blank=True)
    # The numeric answers as last sent ({code: value}), to tell a sending that changes
    # the figures from one that does not.
    submitted_figures = models.JSONField(_("figures sent"), default=dict, blank=True)

    objects = ResponseQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [
            models.UniqueConstraint(fields=["structure", "phase"], name="response_unique_phase_per_structure"),
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("opens_on")), name="response_due_after_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.structure} – {self.get_phase_display()}"

    def is_open(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status in EDITABLE_STATUSES and self.opens_on <= today

    def is_late(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status in EDITABLE_STATUSES and self.due_on < today

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def status_label(self) -> str:
        """The status as the structure sees it: a scheduled questionnaire whose opening
        date has passed is "to fill in", not "scheduled"."""
        if self.status == ResponseStatus.SCHEDULED and self.opens_on <= timezone.localdate():
            return _("To fill in")
        return self.get_status_display()


class Answer(models.Model):
    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", verbose_name=_("questionnaire")
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers", verbose_name=_("question"))
    value = models.JSONField(_("answer"), null=True, blank=True)
    revision = models.PositiveIntegerField(_("revision"), default=0)
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
        ordering = ["response", "question__section__position", "question__position"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_unique_per_question"),
        ]

    def __str__(self) -> str:
        return f"{self.response} – {self.question.code}"


class ReminderKind(models.TextChoices):
    OPENING = "opening", _("Opening")
    BEFORE_DUE = "before_due", _("Seven days before the due date")
    DUE = "due", _("Due date")
    LATE_1 = "late_1", _("First reminder after the due date")
    LATE_2 = "late_2", _("Second reminder after the due date")
    LATE_3 = "late_3", _("Third reminder after the due date")
    MANAGER_ALERT = "manager_alert", _("Alert to the programme manager")
    MANUAL = "manual", _("Reminder sent by a programme manager")


class Reminder(models.Model):
    """A reminder sent (or being sent) for a questionnaire: at most one per kind of the
    sweep's; a manager's « Relancer » (``MANUAL``, ``sent_by``) may come back, not
    within ``MANUAL_REMINDER_INTERVAL``."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("questionnaire")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ReminderKind.choices)
    created_at = models.DateTimeField(_("sent on"), default=timezone.now)
    recipients = models.JSONField(_("recipients"), default=list)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )

    class Meta:
        ordering = ["response", "created_at", "pk"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "kind"],
                condition=~models.Q(kind="manual"),
                name="reminder_unique_kind_per_response",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.response} – {self.get_kind_display()}"


class AccessLink(models.Model):
    """An e-mailed link to one questionnaire. Only the SHA-256 of its token is kept;
    a link works until ``expires_at``, once, unless revoked."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="links", verbose_name=_("questionnaire")
    )
    token_hash = models.CharField(max_length=64, unique=True, verbose_name=_("token hash"))
    recipient = models.EmailField(_("recipient"))
    created_at = models.DateTimeField(pgettext_lazy("masculine", "created on"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires on"))
    used_at = models.DateTimeField(_("used on"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked on"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("access link")
        verbose_name_plural = _("access links")

    def __str__(self) -> str:
        return f"{self.response} → {self.recipient}"
