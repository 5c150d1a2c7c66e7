"""Scheduling of the three questionnaires of each spread structure.

Hung on ``essaimage.signals``: when a structure's start date of spreading is set
its questionnaires are created (opening at start + 3, 9 and 18 months, due
``EVALUATION_ANSWER_DAYS`` later); when it changes, those nobody has started yet
move; when it is cleared they are cancelled unless started; when the structure
withdraws, every questionnaire not submitted is cancelled.
"""

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from essaimage.models import SpreadStructure, StructureStatus

from .models import PHASE_ORDER, QuestionnaireTemplate, Response, ResponseStatus, TemplateVersion

UNSTARTED = (ResponseStatus.SCHEDULED, ResponseStatus.CANCELLED)


def phase_dates(start: date, phase: str) -> tuple[date, date]:
    """Opening and due dates of a phase for a structure that started on ``start``.
    Month arithmetic clamps to the end of the month: a start on 31 August opens its
    3-month questionnaire on 30 November."""
    opens_on = start + relativedelta(months=settings.EVALUATION_PHASE_MONTHS[phase])
    return opens_on, opens_on + timedelta(days=settings.EVALUATION_ANSWER_DAYS)


def current_version(phase: str) -> TemplateVersion:
    """The latest published version of the phase's template (the defaults are created
    when the database has none, e.g. after a test flushed it)."""
    template = QuestionnaireTemplate.objects.filter(phase=phase).first()
    version = template.current_version() if template else None
    if version is None:
        from .defaults import create_default_templates
        from .models import ConsistencyRule, Question, Section

        create_default_templates(
            QuestionnaireTemplate, TemplateVersion, Section, Question, ConsistencyRule, published_at=timezone.now()
        )
        version = QuestionnaireTemplate.objects.get(phase=phase).current_version()
    return version


def schedule_for_structure(structure_id: int) -> list[Response]:
    """Bring a structure's questionnaires in line with its start date (idempotent)."""
    with transaction.atomic():
        structure = SpreadStructure.objects.select_for_update().filter(pk=structure_id).first()
        if structure is None:
            return []
        existing = {
            response.phase: response for response in Response.objects.select_for_update().filter(structure=structure)
        }
        if structure.status == StructureStatus.WITHDRAWN:
            _cancel(existing.values())
            return list(existing.values())
        if structure.start_date is None:
            _cancel(r for r in existing.values() if r.status == ResponseStatus.SCHEDULED and not r.answers.exists())
            return list(existing.values())
        result = []
        for phase in PHASE_ORDER:
            opens_on, due_on = phase_dates(structure.start_date, phase)
            response = existing.get(phase)
            if response is None:
                response = Response.objects.create(
                    structure=structure, phase=phase, version=current_version(phase), opens_on=opens_on, due_on=due_on
                )
            elif response.status in UNSTARTED and not response.answers.exists():
                response.opens_on, response.due_on = opens_on, due_on
                response.status = ResponseStatus.SCHEDULED
                response.cancelled_at = None
                response.save(update_fields=["opens_on", "due_on", "status", "cancelled_at"])
            result.append(response)
        return result


def _cancel(responses) -> None:
    now = timezone.now()
    for response in responses:
        if response.status in (ResponseStatus.SUBMITTED, ResponseStatus.VALIDATED, ResponseStatus.CANCELLED):
            continue
        response.status = ResponseStatus.CANCELLED
        response.cancelled_at = now
        response.save(update_fields=["status", "cancelled_at"])
        response.links.filter(revoked_at__isnull=True).update(revoked_at=now)


def cancel_for_structure(structure_id: int) -> None:
    """A withdrawn structure answers nothing more: cancel what it has not submitted."""
    with transaction.atomic():
        _cancel(Response.objects.select_for_update().filter(structure_id=structure_id))


def on_start_date_changed(sender, *, structure_id, **kwargs) -> None:
    schedule_for_structure(structure_id)


def on_structure_withdrawn(sender, *, structure_id, **kwargs) -> None:
    cancel_for_structure(structure_id)
