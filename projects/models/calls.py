"""Calls for projects: the yearly call and its selection grid.

The aggregate: a ``Call`` (dates, target departments, the dossier questions it makes
required, its committee members and review deadline, its draft reminder) and the
``SelectionCriterion`` lines of its grid, each scored 0 to 5 by committee members
with a weight and a rubric.

Rules held by the models: a call closes after it opens; it is a draft until
published, then upcoming, open or closed (``Call.state``, ``Call.is_open``);
``Call.objects`` lists the published, open, upcoming and past calls. The questions a
call can make required are the dossier's (``dossiers.DOSSIER_QUESTIONS``). Publishing
and the default grid are in ``projects.services``.
"""

from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ais.core.history import HistoricalRecords


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
