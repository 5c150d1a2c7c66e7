"""Helpers of the answer pages' tests (also used by the access matrix)."""

import datetime

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from essaimage.models import StructureStatus
from evaluation.models import Phase, Response
from evaluation.schedule import schedule_for_structure
from tests.essaimage.factories import SpreadStructureFactory
from tests.projects.factories import InnovationFactory


def schedule(structure, *, opened_days_ago: int = 5, phase: str = Phase.IMPLEMENTATION) -> dict:
    """Give ``structure`` a start date such that ``phase`` opened ``opened_days_ago``
    days ago, schedule its questionnaires and return them by phase."""
    months = {Phase.APPROPRIATION: 3, Phase.IMPLEMENTATION: 9, Phase.IMPACT: 18}[phase]
    start = timezone.localdate() - datetime.timedelta(days=opened_days_ago) - relativedelta(months=months)
    structure.start_date = start
    structure.save(update_fields=["start_date"])
    schedule_for_structure(structure.pk)
    return {r.phase: r for r in Response.objects.filter(structure=structure)}


def structure_of(organisation, *, innovation=None, **kwargs):
    return SpreadStructureFactory(
        organisation=organisation,
        innovation=innovation or InnovationFactory(spreading=True),
        status=StructureStatus.SPREADING,
        **kwargs,
    )
