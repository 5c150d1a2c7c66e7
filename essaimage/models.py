"""Spread structures: the organisations that adopt an innovation.

The accompaniment issue adds applications, waves, trainings and support; the
foundation holds the link between an organisation and the innovation it spreads,
which scopes what a structure contact may see.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from ais.accounts.models import Organisation, Role
from projects.models import Innovation


class StructureStatus(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate")
    SELECTED = "selected", _("Selected")
    TRAINING = "training", _("In training")
    SPREADING = "spreading", _("Spreading")
    EVALUATED = "evaluated", _("Evaluated")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class SpreadStructureQuerySet(models.QuerySet):
    def for_user(self, user) -> "SpreadStructureQuerySet":
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.MANAGER, Role.ADMIN):
            return self
        query = models.Q(pk__in=[])
        if user.has_role(Role.STRUCTURE):
            query |= models.Q(organisation__memberships__user=user, organisation__memberships__role=Role.STRUCTURE)
        if user.has_role(Role.CARRIER):
            query |= models.Q(
                innovation__carrier__memberships__user=user, innovation__carrier__memberships__role=Role.CARRIER
            )
        return self.filter(pk__in=self.filter(query).values("pk"))


class SpreadStructure(models.Model):
    innovation = models.ForeignKey(
        Innovation, on_delete=models.PROTECT, related_name="spread_structures", verbose_name=_("innovation")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="spread_structures", verbose_name=_("structure")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=StructureStatus.choices, default=StructureStatus.CANDIDATE
    )
    wave = models.PositiveSmallIntegerField(_("wave"), default=1)
    start_date = models.DateField(_("spreading start date"), null=True, blank=True)
    is_qpv = models.BooleanField(_("in a priority neighbourhood (QPV)"), default=False)
    is_rural = models.BooleanField(_("in a rural area"), default=False)
    created_at = models.DateTimeField(pgettext_lazy("feminine", "created on"), auto_now_add=True)

    objects = SpreadStructureQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["innovation__name", "organisation__name"]
        verbose_name = _("adopting structure")
        verbose_name_plural = _("adopting structures")
        constraints = [
            models.UniqueConstraint(fields=["innovation", "organisation"], name="structure_unique_per_innovation"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.innovation}"
