"""The calendar file parses with ``icalendar`` and is in Paris time."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from icalendar import Calendar

from events import services
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def _calendar(client, event, token=""):
    url = reverse("events:event_ics", kwargs={"slug": event.slug})
    response = client.get(url, {"inscription": token} if token else {})
    assert response["Content-Type"].startswith("text/calendar")
    return response.content, Calendar.from_ical(response.content)


def test_ics_parses_with_paris_timezone_and_right_times(client):
    event = EventFactory(
        title="Journée d'été", slug="journee-ete", date=datetime.date(2030, 6, 12), starts_at=datetime.time(9, 30)
    )

    raw, calendar = _calendar(client, event)

    vevent = calendar.walk("VEVENT")[0]
    assert str(vevent["SUMMARY"]) == "Journée d'été"
    start = vevent.decoded("DTSTART")
    assert start == datetime.datetime(2030, 6, 12, 9, 30, tzinfo=PARIS)
    assert start.utcoffset() == datetime.timedelta(hours=2)  # summer time
    assert vevent.decoded("DTEND") == datetime.datetime(2030, 6, 12, 17, 0, tzinfo=PARIS)
    assert b"DTSTART;TZID=Europe/Paris:20300612T093000" in raw
    timezones = calendar.walk("VTIMEZONE")
    assert [str(tz["TZID"]) for tz in timezones] == ["Europe/Paris"]


def test_ics_winter_event_one_hour_from_utc(client):
    event = EventFactory(date=datetime.date(2030, 1, 15))

    _raw, calendar = _calendar(client, event)

    assert calendar.walk("VEVENT")[0].decoded("DTSTART").utcoffset() == datetime.timedelta(hours=1)


def test_ics_of_registration_includes_chosen_sessions(client, event, rounds):
    registration = services.register(
        event, full_name="Ana", email="ana@example.org", organisation="X", sessions=[rounds[2, "Curie"]]
    )

    _raw, calendar = _calendar(client, event, registration.token)

    events = calendar.walk("VEVENT")
    assert len(events) == 2
    assert str(events[1]["SUMMARY"]).startswith("Speed-dating 2 Curie")
    assert events[1].decoded("DTSTART").time() == datetime.time(11, 45)
    assert "Curie" in str(events[1]["LOCATION"])


def test_ics_of_draft_event_is_404(client):
    event = EventFactory(draft=True)

    response = client.get(reverse("events:event_ics", kwargs={"slug": event.slug}))

    assert response.status_code == 404
