"""Fixtures of the reports pages' tests: an innovation whose structures answered their
questionnaires, carriers and structure contacts, a client per role."""

import datetime
import itertools

import pytest
from django.utils import timezone

from ais.accounts.models import Role
from evaluation.models import Answer, Phase, Response, ResponseStatus
from evaluation.schedule import current_version, schedule_for_structure
from tests.ais.factories import CommuneFactory, DepartmentFactory, OrganisationFactory, RegionFactory, UserFactory
from tests.essaimage.factories import SpreadStructureFactory
from tests.projects.factories import InnovationFactory, InnovationTargetFactory

_numbers = itertools.count(1)
SUBMITTED_AT = timezone.make_aware(datetime.datetime(2026, 3, 10, 12))


@pytest.fixture(autouse=True)
def _default_templates(request):
    """The three default questionnaires (a transactional test elsewhere may have flushed them)."""
    if "db" in request.fixturenames or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
        for phase in Phase.values:
            current_version(phase)


def answer(structure, phase, values, *, status=ResponseStatus.VALIDATED, when=SUBMITTED_AT) -> Response:
    """The structure's questionnaire of ``phase`` answered with ``values`` ({code: value})."""
    response = Response.objects.get(structure=structure, phase=phase)
    questions = {q.code: q for q in response.version.questions.all()}
    Answer.objects.bulk_create(
        Answer(response=response, question=questions[code], value=value, revision=1) for code, value in values.items()
    )
    Response.objects.filter(pk=response.pk).update(status=status, submitted_at=when)
    return response


def structure(innovation, *, name=None, commune=None, wave=1, **kwargs):
    """A structure that started spreading in September 2024, its questionnaires scheduled."""
    spread = SpreadStructureFactory(
        innovation=innovation,
        organisation=OrganisationFactory(
            name=name or f"Structure n°{next(_numbers)}", **({"commune": commune} if commune else {})
        ),
        start_date=datetime.date(2024, 9, 2),
        wave=wave,
        **kwargs,
    )
    schedule_for_structure(spread.pk)
    return spread


def answered_structure(innovation, *, people=40, durable=20, transitional=5, name=None, commune=None, wave=1):
    spread = structure(innovation, name=name, commune=commune, wave=wave)
    answer(spread, Phase.APPROPRIATION, {"political_support": 4, "professionals_trained": 3})
    answer(
        spread,
        Phase.IMPACT,
        {
            "people_accompanied": people,
            "exits_durable_employment": durable,
            "exits_transitional_employment": transitional,
            "retention_6_months": 90,
            "testimony": f"Témoignage de {spread.organisation.name}",
        },
    )
    return spread


def nimes():
    occitanie = RegionFactory(code="76", name="Occitanie")
    return CommuneFactory(
        code="30189", name="Nîmes", department=DepartmentFactory(code="30", name="Gard", region=occitanie)
    )


@pytest.fixture
def gard():
    return nimes()


@pytest.fixture
def innovation(db, gard):
    """Parcours Gardien: two structures answered up to the impact phase (90 people,
    50 exits to employment: 55.6 %, above the 50 % target)."""
    return parcours_gardien(gard)


def parcours_gardien(gard):
    """The ``innovation`` fixture's innovation, its second structure in the commune ``gard``."""
    innovation = InnovationFactory(name="Parcours Gardien", summary="Devenir gardien d'immeuble.")
    InnovationTargetFactory(
        innovation=innovation, label="Taux de sortie vers l'emploi", value=50, indicator_code="exit_rate"
    )
    answered_structure(innovation, name="Régie de quartier Saint-Nicaise", people=40)
    answered_structure(innovation, name="Chantier Nîmes Solidarité", people=50, commune=gard, wave=2)
    return innovation


@pytest.fixture
def carrier_of(db):
    """``carrier_of(innovation)``: a user carrying the innovation."""

    def make(innovation):
        return UserFactory(roles=[(Role.CARRIER, innovation.carrier)])

    return make
