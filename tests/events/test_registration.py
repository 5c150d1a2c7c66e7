"""Registrations: capacity, waiting list, promotion, per-round session choice."""

import pytest

from ais.outbox.models import OutgoingEmail
from events import services
from events.emails import EVENT_ALREADY_REGISTERED, EVENT_CANCELLATION, EVENT_REGISTRATION, EVENT_WAITLIST
from events.models import RegistrationStatus
from tests.events.factories import EventFactory, SessionFactory

pytestmark = pytest.mark.django_db


def _register(event, n, **kwargs):
    return services.register(
        event, full_name=f"Personne {n}", email=f"personne{n}@example.org", organisation=f"Structure {n}", **kwargs
    )


def test_register_confirms_while_places_are_left_then_waiting_list(event):
    first, second, third, fourth = (_register(event, n) for n in range(4))

    assert [r.status for r in (first, second)] == [RegistrationStatus.CONFIRMED] * 2
    assert [r.status for r in (third, fourth)] == [RegistrationStatus.WAITING] * 2
    assert (third.waiting_position(), fourth.waiting_position()) == (1, 2)
    assert services.places_left(event) == 0


def test_register_queues_confirmation_email_with_links(event):
    registration = _register(event, 1)

    email = OutgoingEmail.objects.get(reason=EVENT_REGISTRATION)
    assert email.recipient == "personne1@example.org"
    assert "Journée nationale d'échanges" in email.subject
    assert f"/inscriptions/{registration.token}/" in email.body
    assert f"/evenements/journee-nationale/calendrier.ics?inscription={registration.token}" in email.body


def test_confirmation_email_carries_the_calendar_file_and_sends_it(event, mailoutbox):
    from icalendar import Calendar

    from ais.outbox.services import send_outgoing_email

    _register(event, 1)
    email = OutgoingEmail.objects.get(reason=EVENT_REGISTRATION)

    assert [a["filename"] for a in email.attachments] == ["journee-nationale.ics"]
    assert send_outgoing_email(email.pk) == "sent"
    ((name, content, mimetype),) = mailoutbox[-1].attachments
    assert (name, mimetype) == ("journee-nationale.ics", "text/calendar")
    calendar = Calendar.from_ical(content)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")][0] == event.title


def test_waiting_list_email_has_no_calendar_file_until_promoted(event):
    _register(event, 1)
    _register(event, 2)
    waiting = _register(event, 3)

    assert OutgoingEmail.objects.get(recipient=waiting.email).attachments == []
    services.cancel_registration(event.registrations.get(email="personne1@example.org"))
    promoted = OutgoingEmail.objects.get(recipient=waiting.email, reason=EVENT_WAITLIST)
    assert [a["filename"] for a in promoted.attachments] == ["journee-nationale.ics"]


def test_register_waiting_email_gives_position(event):
    _register(event, 1)
    _register(event, 2)

    waiting = _register(event, 3)

    email = OutgoingEmail.objects.get(recipient=waiting.email)
    assert "1" in email.body and "calendrier.ics" not in email.body


def test_register_same_email_twice_changes_nothing_and_emails_the_link(event):
    first = _register(event, 1)

    again = services.register(event, full_name="Autre nom", email="PERSONNE1@example.org ", organisation="Autre")

    assert again is None
    assert list(event.registrations.values_list("full_name", flat=True)) == ["Personne 1"]
    email = OutgoingEmail.objects.get(reason=EVENT_ALREADY_REGISTERED)
    assert email.recipient == "personne1@example.org"
    assert f"/inscriptions/{first.token}/" in email.body
    assert "Autre nom" not in email.body


def test_register_same_email_many_times_sends_one_reminder_an_hour(event):
    _register(event, 1)

    for _ in range(5):
        _register(event, 1)

    assert OutgoingEmail.objects.filter(reason=EVENT_ALREADY_REGISTERED).count() == 1


def test_register_again_with_a_full_session_is_refused_like_a_new_address(event, rounds):
    _register(event, 1, sessions=[rounds[1, "Jaurès"]])
    full = rounds[1, "Jaurès"]  # one place, now taken

    for n in (1, 2):  # registered already, and new
        with pytest.raises(services.EventError, match="Speed-dating 1 Jaurès"):
            _register(event, n, sessions=[full])
    assert not OutgoingEmail.objects.filter(reason=EVENT_ALREADY_REGISTERED).exists()


def test_register_closed_for_past_or_draft_event():
    for event in (EventFactory(past=True), EventFactory(draft=True)):
        with pytest.raises(services.EventError):
            _register(event, 1)


def test_cancel_promotes_first_waiting_and_tells_them(event):
    first = _register(event, 1)
    _register(event, 2)
    waiting_first = _register(event, 3)
    waiting_second = _register(event, 4)

    promoted = services.cancel_registration(first)

    waiting_first.refresh_from_db()
    waiting_second.refresh_from_db()
    assert promoted == [waiting_first]
    assert waiting_first.status == RegistrationStatus.CONFIRMED
    assert waiting_second.status == RegistrationStatus.WAITING
    assert waiting_second.waiting_position() == 1
    promoted_email = OutgoingEmail.objects.get(recipient=waiting_first.email, reason=EVENT_WAITLIST)
    assert "Journée nationale d'échanges" in promoted_email.subject
    assert OutgoingEmail.objects.filter(recipient=first.email, reason=EVENT_CANCELLATION).count() == 1


def test_cancel_twice_changes_nothing(event):
    registration = _register(event, 1)
    services.cancel_registration(registration)

    assert services.cancel_registration(registration) == []
    assert OutgoingEmail.objects.filter(reason=EVENT_CANCELLATION).count() == 1


def test_more_places_promote_waiting_list(event):
    _register(event, 1)
    _register(event, 2)
    waiting = _register(event, 3)

    event.capacity = 3
    services.save_event(event, by=None)

    waiting.refresh_from_db()
    assert waiting.is_confirmed


def test_register_choice_per_round_within_room_capacity(event, rounds):
    chosen = [rounds[1, "Jaurès"], rounds[2, "Curie"]]

    registration = _register(event, 1, sessions=chosen)

    assert [c.session for c in registration.choices.order_by("round_number")] == chosen
    assert services.session_taken([s.pk for s in rounds.values()]) == {
        rounds[1, "Jaurès"].pk: 1,
        rounds[2, "Curie"].pk: 1,
    }


def test_register_full_room_refused_and_nothing_saved(event, rounds):
    _register(event, 1, sessions=[rounds[1, "Jaurès"]])

    with pytest.raises(services.EventError, match="Speed-dating 1 Jaurès"):
        _register(event, 2, sessions=[rounds[1, "Jaurès"], rounds[2, "Curie"]])

    assert event.registrations.count() == 1


def test_register_two_sessions_of_same_round_refused(event, rounds):
    with pytest.raises(services.EventError, match="1"):
        _register(event, 1, sessions=[rounds[1, "Jaurès"], rounds[1, "Curie"]])


def test_register_session_of_another_event_refused(event):
    other = SessionFactory(speed_dating=True)

    with pytest.raises(services.EventError):
        _register(event, 1, sessions=[other])


def test_promotion_drops_choices_whose_room_is_full(event, rounds):
    first = _register(event, 1)
    _register(event, 2, sessions=[rounds[1, "Jaurès"]])
    waiting = _register(event, 3, sessions=[rounds[1, "Jaurès"], rounds[2, "Curie"]])  # not counted while waiting

    services.cancel_registration(first)

    waiting.refresh_from_db()
    assert waiting.is_confirmed
    assert [c.session for c in waiting.choices.all()] == [rounds[2, "Curie"]]
    email = OutgoingEmail.objects.get(recipient=waiting.email, reason=EVENT_WAITLIST)
    assert "Speed-dating 1 Jaurès" in email.body


def test_confirmation_email_writes_rounds_and_hours_the_french_way(event, rounds):
    session = rounds[(1, "Jaurès")]

    _register(event, 1, sessions=[session])

    body = OutgoingEmail.objects.get(reason=EVENT_REGISTRATION).body
    assert "- Tour 1, 11\u00a0h\u00a015\u00a0: Speed-dating 1 Jaurès (Jaurès)" in body
    assert "11:15" not in body
