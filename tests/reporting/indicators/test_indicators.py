"""Indicators computed on a hand-built data set whose totals were computed by hand.

Innovation A
  S1 (wave 1, Seine-Maritime): appropriation validated (professionals trained 3, people 10),
     implementation submitted (people 30…), impact validated in 2026:
     people 40, DELD 33, durable 14, transitional 6, training 4, retention 80 %, hours 5,000, companies 9.
  S2 (wave 2, Gard): appropriation validated (professionals 2, people 8), implementation validated:
     people 20, DELD 18, durable 5, transitional 3, training 1, companies 4;
     impact RETURNED for correction (people 25…): does not count.
  S3 withdrew (Seine-Maritime): implementation validated, people 15: left out.
Innovation B
  S4 (wave 1, Gard): impact submitted in 2025: people 50, DELD 45, durable 20, transitional 10, training 5,
     retention 60 %, hours 8,000, companies 12; appropriation in progress (professionals 4): does not count.

By hand: people 40 + 20 + 50 = 110; DELD 96; durable 39; transitional 19; training 10; hours 13,000;
companies 25; professionals 5; exit rate (39 + 19) / 110 = 52.7 %; positive exits 68 / 110 = 61.8 %;
retention (80 × 20 + 60 × 30) / 50 = 68.0 %.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from ais.territories.models import Commune
from essaimage.models import StructureStatus
from evaluation.models import Answer, Phase, Response, ResponseStatus
from evaluation.schedule import schedule_for_structure
from reporting import indicators
from tests.ais.factories import CommuneFactory, DepartmentFactory, OrganisationFactory, RegionFactory
from tests.essaimage.factories import SpreadStructureFactory
from tests.projects.factories import InnovationFactory, InnovationTargetFactory

pytestmark = pytest.mark.django_db


def _at(year, month, day):
    return timezone.make_aware(datetime.datetime(year, month, day, 12, 0))


def _answer(structure, phase, status, submitted_at, values):
    response = Response.objects.get(structure=structure, phase=phase)
    questions = {q.code: q for q in response.version.questions.all()}
    for code, value in values.items():
        Answer.objects.create(response=response, question=questions[code], value=value, revision=1)
    Response.objects.filter(pk=response.pk).update(status=status, submitted_at=submitted_at)


def _structure(innovation, commune, wave, status=StructureStatus.SPREADING):
    structure = SpreadStructureFactory(
        innovation=innovation,
        organisation=OrganisationFactory(commune=commune),
        wave=wave,
        start_date=datetime.date(2024, 1, 8),
    )
    schedule_for_structure(structure.pk)
    if status == StructureStatus.WITHDRAWN:
        type(structure).objects.filter(pk=structure.pk).update(
            status=status, withdrawn_on=datetime.date(2025, 6, 1), withdrawal_reason="Fermeture"
        )
    return structure


@pytest.fixture
def data_set():
    rouen = CommuneFactory()  # Seine-Maritime (76), Normandie
    occitanie = RegionFactory(code="76", name="Occitanie")
    nimes = CommuneFactory(
        code="30189", name="Nîmes", department=DepartmentFactory(code="30", name="Gard", region=occitanie)
    )
    a = InnovationFactory(name="Innovation A")
    b = InnovationFactory(name="Innovation B")
    s1 = _structure(a, rouen, 1)
    s2 = _structure(a, nimes, 2)
    s3 = _structure(a, rouen, 1, status=StructureStatus.WITHDRAWN)
    s4 = _structure(b, nimes, 1)
    v, s, r = ResponseStatus.VALIDATED, ResponseStatus.SUBMITTED, ResponseStatus.RETURNED
    _answer(s1, Phase.APPROPRIATION, v, _at(2024, 4, 20), {"professionals_trained": 3, "people_accompanied": 10})
    _answer(
        s1,
        Phase.IMPLEMENTATION,
        s,
        _at(2024, 10, 20),
        {
            "people_accompanied": 30,
            "people_deld": 25,
            "exits_durable_employment": 6,
            "exits_transitional_employment": 4,
            "exits_qualifying_training": 2,
            "companies_mobilised": 5,
        },
    )
    _answer(
        s1,
        Phase.IMPACT,
        v,
        _at(2026, 3, 10),
        {
            "people_accompanied": 40,
            "people_deld": 33,
            "exits_durable_employment": 14,
            "exits_transitional_employment": 6,
            "exits_qualifying_training": 4,
            "retention_6_months": 80,
            "insertion_hours": 5000,
            "companies_mobilised": 9,
        },
    )
    _answer(s2, Phase.APPROPRIATION, v, _at(2024, 4, 22), {"professionals_trained": 2, "people_accompanied": 8})
    _answer(
        s2,
        Phase.IMPLEMENTATION,
        v,
        _at(2024, 10, 25),
        {
            "people_accompanied": 20,
            "people_deld": 18,
            "exits_durable_employment": 5,
            "exits_transitional_employment": 3,
            "exits_qualifying_training": 1,
            "companies_mobilised": 4,
        },
    )
    _answer(s2, Phase.IMPACT, r, _at(2025, 8, 1), {"people_accompanied": 25, "exits_durable_employment": 9})
    _answer(s3, Phase.IMPLEMENTATION, v, _at(2024, 10, 2), {"people_accompanied": 15})
    _answer(
        s4,
        Phase.IMPACT,
        s,
        _at(2025, 11, 5),
        {
            "people_accompanied": 50,
            "people_deld": 45,
            "exits_durable_employment": 20,
            "exits_transitional_employment": 10,
            "exits_qualifying_training": 5,
            "retention_6_months": 60,
            "insertion_hours": 8000,
            "companies_mobilised": 12,
        },
    )
    _answer(s4, Phase.APPROPRIATION, ResponseStatus.IN_PROGRESS, None, {"professionals_trained": 4})
    return {"a": a, "b": b, "s1": s1, "s2": s2, "s3": s3, "s4": s4, "rouen": rouen, "nimes": nimes}


def test_programme_totals_match_the_hand_computed_figures(data_set):
    result = indicators.compute()[None]

    assert result["people_accompanied"] == 110
    assert result["people_deld"] == 96
    assert result["exits_durable_employment"] == 39
    assert result["exits_transitional_employment"] == 19
    assert result["exits_qualifying_training"] == 10
    assert result["insertion_hours"] == 13000
    assert result["companies_mobilised"] == 25
    assert result["professionals_trained"] == 5
    assert result["exit_rate"] == Decimal("52.7")
    assert result["positive_exit_rate"] == Decimal("61.8")
    assert result["retention_6_months"] == Decimal("68.0")
    assert result["structures_reporting"] == 3  # the withdrawn structure is left out


def test_indicators_per_innovation(data_set):
    result = indicators.compute(group_by="innovation")

    a, b = result[data_set["a"].pk], result[data_set["b"].pk]
    assert (a["people_accompanied"], a["exits_durable_employment"], a["exits_transitional_employment"]) == (60, 19, 9)
    assert a["exit_rate"] == Decimal("46.7")  # 28 / 60
    assert a["positive_exit_rate"] == Decimal("55.0")  # 33 / 60
    assert a["retention_6_months"] == Decimal("80.0")  # only S1 answered it
    assert (b["people_accompanied"], b["exit_rate"], b["retention_6_months"]) == (50, Decimal("60.0"), Decimal("60.0"))
    assert b["professionals_trained"] is None  # its appropriation questionnaire is still in progress


def test_indicators_per_structure_take_the_latest_phase(data_set):
    result = indicators.compute(group_by="structure")

    assert result[data_set["s1"].pk]["people_accompanied"] == 40  # impact, not 10 + 30 + 40
    assert result[data_set["s1"].pk]["professionals_trained"] == 3  # only asked at appropriation
    assert result[data_set["s2"].pk]["people_accompanied"] == 20  # its impact questionnaire was returned
    assert data_set["s3"].pk not in result


def test_indicators_per_department_and_wave(data_set):
    by_department = indicators.compute(group_by="department")
    by_wave = indicators.compute(group_by="wave")

    assert by_department["76"]["people_accompanied"] == 40
    assert by_department["30"]["people_accompanied"] == 70
    assert by_wave[1]["people_accompanied"] == 90
    assert by_wave[2]["people_accompanied"] == 20


def test_indicators_as_of_a_year_end(data_set):
    years = indicators.by_year([2024, 2025, 2026])

    # End of 2024: S1 had answered up to implementation (30), S2 20, S4 nothing yet.
    assert years[2024]["people_accompanied"] == 50
    assert years[2025]["people_accompanied"] == 100  # S4's impact came in November 2025
    assert years[2026]["people_accompanied"] == 110


def test_returned_questionnaire_counts_again_once_submitted(data_set):
    Response.objects.filter(structure=data_set["s2"], phase=Phase.IMPACT).update(status=ResponseStatus.SUBMITTED)

    result = indicators.compute(group_by="structure")

    assert result[data_set["s2"].pk]["people_accompanied"] == 25


def test_targets_compared_with_reached_values(data_set):
    target = InnovationTargetFactory(
        innovation=data_set["a"], label="Taux de sortie", value=45, indicator_code="exit_rate"
    )
    InnovationTargetFactory(
        innovation=data_set["a"], label="Qualitatif", value=None, indicator_code="", kind="qualitative"
    )

    rows = indicators.compare_with_targets(data_set["a"], indicators.compute(group_by="innovation")[data_set["a"].pk])

    assert rows[0]["target"] == target
    assert rows[0]["reached"] == Decimal("46.7")
    assert rows[0]["met"] is True
    assert rows[1]["reached"] is None and rows[1]["met"] is None


def test_every_indicator_is_defined_from_question_codes_of_the_default_questionnaires():
    from evaluation.defaults import DEFAULT_TEMPLATES

    codes = {
        question["code"]
        for template in DEFAULT_TEMPLATES
        for _title, _description, questions in template["sections"]
        for question in questions
    }
    for indicator in indicators.INDICATORS:
        assert set(indicator.codes) <= codes, indicator.code
        assert str(indicator.definition)


def test_no_answer_gives_empty_indicators(db):
    result = indicators.compute()[None]

    assert result["people_accompanied"] is None
    assert result["exit_rate"] is None
    assert result["structures_reporting"] == 0
    assert Commune.objects.count() == 0
