"""The steering committee: reviews of the dossiers and the selection session.

The aggregate: ``ReviewAssignment`` (a dossier given to a committee member, with
their conflict-of-interest declaration), the member's ``Review`` and its ``Score``
on each criterion of the call's grid, then the ``SelectionSession`` for the call and
its ``SessionDecision`` on each dossier (with the ``Innovation`` created from a
selected one).

Rules held by the models: a member is assigned a dossier once and their list leaves
out the dossiers they declared a conflict on (``ReviewAssignment.objects.for_member``);
one score per criterion, from 0 to 5; one decision per dossier and session. The
committee's work (assignment, reviews, ranking, closing and releasing a session) is
in ``projects.committee``.
"""

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ais.core.history import HistoricalRecords


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
        "projects.Dossier", on_delete=models.CASCADE, related_name="assignments", verbose_name=_("dossier")
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
        "projects.SelectionCriterion", on_delete=models.CASCADE, related_name="scores", verbose_name=_("criterion")
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

    call = models.ForeignKey("projects.Call", on_delete=models.PROTECT, related_name="sessions", verbose_name=_("call"))
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
    dossier = models.ForeignKey(
        "projects.Dossier", on_delete=models.PROTECT, related_name="decisions", verbose_name=_("dossier")
    )
    decision = models.CharField(_("decision"), max_length=15, choices=Decision.choices, default=Decision.PENDING)
    motivation = models.TextField(_("motivation"), blank=True)
    innovation = models.OneToOneField(
        "projects.Innovation",
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
