"""Calendar files (RFC 5545) of the events, built with ``icalendar``.

Times are written in Paris time with ``TZID=Europe/Paris`` and the matching
``VTIMEZONE`` (limited to the years around the event, to keep the file small), so
that a calendar shows 09:30 in Paris whatever the season and the reader's zone.
"""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as VEvent

from .models import Event, Registration

PRODID = "-//Ansa//AIS#Emploi//FR"
UID_DOMAIN = "ais-emploi.fr"


def _location(event: Event, room: str = "", *, online: bool = False) -> str:
    place = event.place or (event.online_link if online else "")
    return f"{room} – {place}" if room and place else room or place


def _vevent(uid: str, summary: str, starts, ends, *, location="", description="", url="") -> VEvent:
    vevent = VEvent()
    vevent.add("uid", f"{uid}@{UID_DOMAIN}")
    vevent.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    vevent.add("dtstart", starts)
    vevent.add("dtend", ends)
    vevent.add("summary", summary)
    if location:
        vevent.add("location", location)
    if description:
        vevent.add("description", description)
    if url:
        vevent.add("url", url)
    return vevent


def event_calendar(event: Event, registration: Registration | None = None) -> bytes:
    """One VEVENT for the event; with a registration, one more per session it chose."""
    base = settings.SITE_URL.rstrip("/")
    url = base + reverse("events:event_detail", kwargs={"slug": event.slug})
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", event.title)
    # The video-call link only in a registered person's file (their secret token).
    online = registration is not None
    link = event.online_link if online else ""
    description = "\n\n".join(part for part in (event.description, link, url) if part)
    calendar.add_component(
        _vevent(
            f"event-{event.pk}",
            event.title,
            event.starts,
            event.ends,
            location=_location(event, online=online),
            description=description,
            url=url,
        )
    )
    if registration is not None:
        for choice in registration.choices.select_related("session").order_by("session__starts_at"):
            session = choice.session
            session.event = event
            calendar.add_component(
                _vevent(
                    f"event-{event.pk}-session-{session.pk}-registration-{registration.pk}",
                    f"{session.title} – {event.title}",
                    session.starts,
                    session.ends,
                    location=_location(event, session.room, online=True),
                    description=session.description,
                    url=url,
                )
            )
    calendar.add_missing_timezones(
        first_date=datetime.date(event.date.year - 1, 1, 1), last_date=datetime.date(event.date.year + 1, 12, 31)
    )
    return calendar.to_ical()
