"""Figures of the events for the yearly report."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import EventKind, RegistrationStatus
from events.reporting import figures
from tests.events.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db
YEAR = (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))


def test_figures_on_hand_built_set():
    national = EventFactory(date=datetime.date(2025, 6, 12))
    thematic = EventFactory(date=datetime.date(2025, 10, 3), kind=EventKind.THEMATIC_DAY)
    EventFactory(date=datetime.date(2024, 6, 12))  # another year
    EventFactory(date=datetime.date(2025, 3, 1), draft=True)  # never published
    now = timezone.now()
    RegistrationFactory(event=national, organisation="Ansa", checked_in_at=now)
    RegistrationFactory(event=national, organisation=" ansa ", checked_in_at=now)
    RegistrationFactory(event=national, organisation="Régie de quartier")
    RegistrationFactory(event=national, organisation="Autre", status=RegistrationStatus.WAITING)
    RegistrationFactory(event=national, organisation="Partie", status=RegistrationStatus.CANCELLED)
    RegistrationFactory(event=thematic, organisation="Mission locale", checked_in_at=now)

    with CaptureQueriesContext(connection) as queries:
        result = figures(*YEAR)

    assert result["events"] == 2
    assert result["per_kind"] == {EventKind.NATIONAL_DAY: 1, EventKind.THEMATIC_DAY: 1}
    assert result["registrations"] == 5  # the cancelled one left out
    assert result["attendance"] == 3
    assert result["organisations"] == 3  # "Ansa" and " ansa " are one
    assert [value for _label, value in result["rows"]][:4] == [2, 5, 3, 3]
    assert len(result["rows"]) == 6
    assert len(queries) == 2


def test_figures_of_an_empty_period():
    result = figures(*YEAR)

    assert [value for _label, value in result["rows"]] == [0, 0, 0, 0]
