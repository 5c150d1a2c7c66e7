"""The data generator (``manage.py generate_data``): counts as scaled, the same data
for the same seed, refusal on a real programme, and coherent data."""

from collections import defaultdict
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q

from devtools import datagen
from essaimage.models import SpreadStructure, StructureStatus
from evaluation.models import Answer, Response, ResponseStatus
from events.models import Event, Registration, RegistrationStatus, SessionChoice
from projects.models import Call, Decision, Dossier, DossierStatus, Innovation, Review, SessionDecision
from projects.services import completeness
from tests.projects.factories import CallFactory

pytestmark = pytest.mark.usefixtures("territories")

SCALE = 0.01


def _generate(*args, **options):
    out = StringIO()
    call_command("generate_data", *args, scale=SCALE, stdout=out, **options)
    return out.getvalue()


def test_generate_data_creates_the_scaled_counts(db):
    output = _generate(seed=3)

    expected = datagen.scaled_counts(SCALE)
    counts = datagen.generated_counts()
    for name in ("calls", "dossiers", "reviews", "innovations", "structures", "questionnaires", "events"):
        assert counts[name] == expected[name], name
    assert counts["registrations"] == expected["registrations"] == 100
    assert expected["structures"] == 20 and expected["questionnaires"] == 60
    assert counts["answers"] > 0 and counts["trainings"] > 0
    assert Call.objects.count() == expected["calls"]
    assert "Generated in" in output and "questionnaires" in output


def test_generate_data_same_seed_gives_the_same_data(db):
    _generate(seed=7)
    first = datagen.digest()

    _generate("--flush", seed=7)  # the command's own cleanup, then the same seed again
    second = datagen.digest()
    _generate("--flush", seed=8)
    other_seed = datagen.digest()

    assert first == second
    assert other_seed != first
    assert Call.objects.count() == datagen.scaled_counts(SCALE)["calls"]


def test_generate_data_refuses_a_database_with_calls(db):
    CallFactory(title="Appel à projets réel")

    with pytest.raises(CommandError, match="not generated"):
        _generate(seed=1)
    with pytest.raises(CommandError, match="not generated"):
        _generate("--flush", seed=1)

    assert Call.objects.count() == 1
    assert not datagen.generated_users().exists()


def test_generate_data_twice_needs_flush(db):
    _generate(seed=1)

    with pytest.raises(CommandError, match="--flush"):
        _generate(seed=1)


def test_flush_keeps_real_data(db, manager):
    _generate(seed=1)
    innovations = Innovation.objects.count()

    deleted = datagen.flush()

    assert deleted["calls"] and deleted["users"]
    assert not Call.objects.exists()
    assert Innovation.objects.count() == innovations - datagen.scaled_counts(SCALE)["innovations"]
    assert manager.__class__.objects.filter(pk=manager.pk).exists()


def test_generated_data_is_coherent(db):
    _generate(seed=5)

    # Every answer belongs to a question of its questionnaire's version.
    assert not Answer.objects.exclude(question__version=F("response__version")).exists()
    # Figures: exits and long-term jobseekers never exceed the people accompanied.
    values = defaultdict(dict)
    for response_id, code, value in Answer.objects.values_list("response_id", "question__code", "value"):
        values[response_id][code] = value
    checked = 0
    for answers in values.values():
        people = answers.get("people_accompanied")
        if people is None:
            continue
        for code in ("people_deld", "exits_durable_employment", "exits_transitional_employment"):
            if code in answers:
                assert answers[code] <= people, code
                checked += 1
    assert checked
    # Submitted and validated questionnaires answer every question; future ones nothing.
    for response in Response.objects.annotate(n=Count("answers")):
        if response.status in (ResponseStatus.SUBMITTED, ResponseStatus.VALIDATED):
            assert response.n == response.version.questions.count()
        if response.status == ResponseStatus.SCHEDULED and response.opens_on.year > 2025:
            assert response.n == 0
    # Registrations within capacity; a waiting list only when the event is full.
    for event in Event.objects.annotate(
        confirmed=Count("registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)),
        waiting=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITING)),
    ):
        assert event.confirmed <= event.capacity
        if event.waiting:
            assert event.confirmed == event.capacity
    for session_id, taken, capacity in (
        SessionChoice.objects.filter(registration__status=RegistrationStatus.CONFIRMED)
        .values("session_id")
        .annotate(taken=Count("pk"))
        .values_list("session_id", "taken", "session__capacity")
    ):
        assert capacity is None or taken <= capacity, session_id
    assert not SessionChoice.objects.exclude(registration__status=RegistrationStatus.CONFIRMED).exists()
    # Withdrawn structures have a date and a reason, and answer nothing after it.
    for structure in SpreadStructure.objects.filter(status=StructureStatus.WITHDRAWN):
        assert structure.withdrawn_on and structure.withdrawal_reason
    assert not Response.objects.filter(
        structure__status=StructureStatus.WITHDRAWN,
        status__in=[ResponseStatus.SCHEDULED, ResponseStatus.IN_PROGRESS, ResponseStatus.RETURNED],
    ).exists()
    # Submitted dossiers answer every required question of their call.
    for dossier in Dossier.objects.exclude(status=DossierStatus.DRAFT).select_related("call"):
        assert completeness(dossier, attachment_count=0)["complete"], dossier
        assert dossier.exits_to_employment <= dossier.people_accompanied
    # Reviews: every criterion scored; innovations born of the selected dossiers.
    for review in Review.objects.annotate(n=Count("scores")).select_related("assignment__dossier__call"):
        assert review.n == review.assignment.dossier.call.criteria.count()
        assert review.assignment.has_conflict is False
    selected = SessionDecision.objects.filter(decision=Decision.SELECTED)
    assert selected.count() == Innovation.objects.count() == datagen.scaled_counts(SCALE)["innovations"]
    assert not selected.filter(innovation__isnull=True).exists()
    assert Registration.objects.filter(status=RegistrationStatus.WAITING, waiting_since__isnull=True).count() == 0


def test_scaled_counts_at_full_scale_are_the_ten_year_programme():
    counts = datagen.scaled_counts(1.0)

    assert counts == {**datagen.TARGETS, "questionnaires": 6000}
    assert (counts["calls"], counts["dossiers"], counts["reviews"], counts["innovations"]) == (10, 600, 2400, 40)
    assert (counts["structures"], counts["events"], counts["registrations"]) == (2000, 200, 10000)
