"""Scheduling of the 3, 9 and 18-month questionnaires from a structure's start date."""

import datetime

import pytest
import time_machine

from essaimage import services as essaimage_services
from essaimage.models import StructureStatus
from evaluation.models import Phase, QuestionnaireTemplate, Response, ResponseStatus
from evaluation.schedule import phase_dates, schedule_for_structure
from evaluation.services import save_answer
from tests.essaimage.factories import SpreadStructureFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def _dates(structure):
    return {
        r.phase: (r.opens_on, r.due_on, r.status) for r in Response.objects.filter(structure=structure).order_by("pk")
    }


def _set_start(structure, start, django_capture_on_commit_callbacks, by=None):
    with django_capture_on_commit_callbacks(execute=True):
        essaimage_services.set_start_date(structure, start, by=by)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (
            D(2026, 1, 15),
            {"appropriation": D(2026, 4, 15), "implementation": D(2026, 10, 15), "impact": D(2027, 7, 15)},
        ),
        # End of month: clamped to the last day of shorter months.
        (
            D(2026, 8, 31),
            {"appropriation": D(2026, 11, 30), "implementation": D(2027, 5, 31), "impact": D(2028, 2, 29)},
        ),
        (
            D(2025, 11, 30),
            {"appropriation": D(2026, 2, 28), "implementation": D(2026, 8, 30), "impact": D(2027, 5, 30)},
        ),
    ],
)
def test_phase_dates_add_months_and_clamp_end_of_month(start, expected, settings):
    settings.EVALUATION_ANSWER_DAYS = 30

    for phase, opens_on in expected.items():
        assert phase_dates(start, phase) == (opens_on, opens_on + datetime.timedelta(days=30))


@time_machine.travel(datetime.datetime(2026, 9, 1, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_setting_start_date_schedules_three_questionnaires(django_capture_on_commit_callbacks, settings):
    settings.EVALUATION_ANSWER_DAYS = 30
    structure = SpreadStructureFactory(status=StructureStatus.SELECTED)

    _set_start(structure, D(2026, 8, 31), django_capture_on_commit_callbacks)

    assert _dates(structure) == {
        "appropriation": (D(2026, 11, 30), D(2026, 12, 30), ResponseStatus.SCHEDULED),
        "implementation": (D(2027, 5, 31), D(2027, 6, 30), ResponseStatus.SCHEDULED),
        "impact": (D(2028, 2, 29), D(2028, 3, 30), ResponseStatus.SCHEDULED),
    }
    versions = {r.phase: r.version for r in Response.objects.filter(structure=structure)}
    for phase in Phase.values:
        assert versions[phase] == QuestionnaireTemplate.objects.get(phase=phase).current_version()


@time_machine.travel(datetime.datetime(2026, 9, 1, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_changing_start_date_moves_unanswered_questionnaires_only(
    django_capture_on_commit_callbacks, settings, manager
):
    settings.EVALUATION_ANSWER_DAYS = 30
    structure = SpreadStructureFactory(status=StructureStatus.SELECTED)
    _set_start(structure, D(2026, 3, 2), django_capture_on_commit_callbacks)
    started = Response.objects.get(structure=structure, phase=Phase.APPROPRIATION)  # opened on 2 June
    question = started.version.questions.get(code="political_support")
    save_answer(started, question, "4", revision=0, by=manager)

    _set_start(structure, D(2026, 4, 1), django_capture_on_commit_callbacks)

    dates = _dates(structure)
    assert dates["appropriation"] == (D(2026, 6, 2), D(2026, 7, 2), ResponseStatus.IN_PROGRESS)  # kept: started
    assert dates["implementation"] == (D(2027, 1, 1), D(2027, 1, 31), ResponseStatus.SCHEDULED)
    assert dates["impact"] == (D(2027, 10, 1), D(2027, 10, 31), ResponseStatus.SCHEDULED)
    assert Response.objects.filter(structure=structure).count() == 3


def test_scheduling_twice_creates_nothing_more(django_capture_on_commit_callbacks):
    structure = SpreadStructureFactory(status=StructureStatus.SELECTED)
    _set_start(structure, D(2026, 1, 5), django_capture_on_commit_callbacks)

    schedule_for_structure(structure.pk)
    schedule_for_structure(structure.pk)

    assert Response.objects.filter(structure=structure).count() == 3


def test_withdrawal_cancels_what_was_not_submitted(django_capture_on_commit_callbacks, manager):
    structure = SpreadStructureFactory(status=StructureStatus.SELECTED)
    _set_start(structure, D(2025, 1, 6), django_capture_on_commit_callbacks)
    submitted = Response.objects.get(structure=structure, phase=Phase.APPROPRIATION)
    submitted.status = ResponseStatus.SUBMITTED
    submitted.save(update_fields=["status"])

    with django_capture_on_commit_callbacks(execute=True):
        essaimage_services.withdraw_structure(structure, on=D(2025, 9, 1), reason="Fermeture du chantier", by=manager)

    statuses = dict(Response.objects.filter(structure=structure).values_list("phase", "status"))
    assert statuses == {
        "appropriation": ResponseStatus.SUBMITTED,
        "implementation": ResponseStatus.CANCELLED,
        "impact": ResponseStatus.CANCELLED,
    }
    assert (
        Response.objects.filter(structure=structure, status=ResponseStatus.CANCELLED).exclude(cancelled_at=None).count()
        == 2
    )


def test_clearing_start_date_cancels_unstarted_questionnaires(django_capture_on_commit_callbacks):
    structure = SpreadStructureFactory(status=StructureStatus.SELECTED)
    _set_start(structure, D(2026, 1, 5), django_capture_on_commit_callbacks)

    _set_start(structure, None, django_capture_on_commit_callbacks)

    assert set(Response.objects.filter(structure=structure).values_list("status", flat=True)) == {
        ResponseStatus.CANCELLED
    }

    _set_start(structure, D(2026, 2, 2), django_capture_on_commit_callbacks)

    assert _dates(structure)["appropriation"][2] == ResponseStatus.SCHEDULED
    assert _dates(structure)["appropriation"][0] == D(2026, 5, 2)
