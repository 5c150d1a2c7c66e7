"""State changes of the events and the resources library, one function each.

Registrations take the event's row lock (``select_for_update``) so that places are
counted one registration at a time: when two people take the last place at the same
moment, one is confirmed and the other goes on the waiting list. A cancellation frees
a place that goes to the first person on the waiting list, who is told by e-mail.
E-mails are rows of the outbox, sent after the transaction commits.
"""

from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ais.core.errors import DomainError
from ais.core.uploads import store_upload
from ais.outbox.services import queue_templated_email

from .emails import EVENT_ALREADY_REGISTERED, EVENT_CANCELLATION, EVENT_REGISTRATION, EVENT_WAITLIST
from .models import (
    Event,
    Registration,
    RegistrationState,
    RegistrationStatus,
    Resource,
    ResourceDocument,
    Restitution,
    RestitutionDocument,
    Session,
    SessionChoice,
)


class EventError(DomainError):
    """A rule of the events refused the change; the message is for the user."""


# --------------------------------------------------------------------------
# Places
# --------------------------------------------------------------------------


def confirmed_count(event: Event) -> int:
    return event.registrations.confirmed().count()


def places_left(event: Event, confirmed: int | None = None) -> int:
    confirmed = confirmed_count(event) if confirmed is None else confirmed
    return max(event.capacity - confirmed, 0)


def session_taken(sessions) -> dict[int, int]:
    """``{session id: places taken}`` by confirmed registrations, in one query."""
    rows = (
        SessionChoice.objects.filter(session__in=sessions, registration__status=RegistrationStatus.CONFIRMED)
        .values("session_id")
        .annotate(n=Count("pk"))
    )
    return {row["session_id"]: row["n"] for row in rows}


def rounds(sessions) -> dict[int, list[Session]]:
    """The choosable sessions grouped by round number, in order."""
    grouped = defaultdict(list)
    for session in sessions:
        if session.round_number is not None:
            grouped[session.round_number].append(session)
    return dict(sorted(grouped.items()))


def _check_sessions(event: Event, sessions, *, counted: bool) -> list[Session]:
    """The chosen sessions, checked: of this event, choosable, one per round, and with a
    place left when ``counted`` (the registration will be confirmed)."""
    sessions = [s for s in sessions if s is not None]
    seen = set()
    for session in sessions:
        if session.event_id != event.pk or session.round_number is None:
            raise EventError(_("“%(title)s” cannot be chosen for this event.") % {"title": session.title})
        if session.round_number in seen:
            raise EventError(_("Choose only one session in round %(round)s.") % {"round": session.round_number})
        seen.add(session.round_number)
    if counted:
        taken = session_taken([s.pk for s in sessions])
        for session in sessions:
            if session.capacity is not None and taken.get(session.pk, 0) >= session.capacity:
                raise EventError(
                    _("“%(title)s” is full: choose another session for round %(round)s.")
                    % {"title": session.title, "round": session.round_number}
                )
    return sessions


def _locked(event: Event) -> Event:
    """The event's row, locked until the end of the transaction: registrations and
    cancellations of one event run one at a time."""
    return Event.objects.select_for_update().get(pk=event.pk)


# --------------------------------------------------------------------------
# Registering, cancelling, the waiting list
# --------------------------------------------------------------------------


def register(
    event: Event,
    *,
    full_name: str,
    email: str,
    organisation: str,
    job_title: str = "",
    sessions=(),
    by=None,
    now=None,
) -> Registration | None:
    """Register a person: confirmed while places are left, else on the waiting list.

    ``sessions``: the sessions chosen, at most one per round, each with a place left.
    Refused (``EventError``) when registration is not open or when a chosen session is
    full. Queues the confirmation e-mail (with the links to the calendar file and to
    cancel) and returns the registration.

    When the address is already registered (active registration), nothing changes and
    ``None`` is returned: that person is told by e-mail, with the link to their
    registration (``EVENT_ALREADY_REGISTERED``). The caller answers the same page as for
    a new registration, so the form never tells anyone who is registered (issue 18).
    """
    email = email.strip().lower()
    with transaction.atomic():
        event = _locked(event)
        if event.registration_state(now) != RegistrationState.OPEN:
            raise EventError(_("Registration for this event is closed."))
        confirmed = confirmed_count(event)
        status = RegistrationStatus.CONFIRMED if confirmed < event.capacity else RegistrationStatus.WAITING
        # The same checks in the same order whether the address is registered or not:
        # a refusal must not depend on who is registered.
        chosen = _check_sessions(event, list(sessions), counted=status == RegistrationStatus.CONFIRMED)
        existing = event.registrations.active().filter(email=email).first()
        if existing is not None:
            _already_registered_email(existing)
            return None
        registration = Registration(
            event=event,
            full_name=full_name.strip(),
            email=email,
            organisation=organisation.strip(),
            job_title=job_title.strip(),
            status=status,
            waiting_since=timezone.now() if status == RegistrationStatus.WAITING else None,
        )
        registration._history_user = by
        try:
            with transaction.atomic():
                registration.save()
        except IntegrityError:  # the same e-mail registered by a concurrent request: told once by its e-mail
            return None
        SessionChoice.objects.bulk_create(
            SessionChoice(registration=registration, session=session, round_number=session.round_number)
            for session in chosen
        )
        _email(registration, "registration", EVENT_REGISTRATION, key="registered", calendar=True)
    return registration


def _already_registered_email(registration: Registration) -> None:
    """Tell a person who registers again that they already are, with the link to their
    registration (at most once an hour per registration, however often the form is sent)."""
    _email(
        registration,
        "already_registered",
        EVENT_ALREADY_REGISTERED,
        key=f"already:{timezone.now():%Y%m%d%H}",
    )


def cancel_registration(registration: Registration, *, by=None) -> list[Registration]:
    """Cancel a registration (by the person through their link, or by a manager).

    The freed place goes to the first people on the waiting list. Returns those
    promoted. Cancelling twice changes nothing.
    """
    with transaction.atomic():
        event = _locked(registration.event)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.is_cancelled:
            return []
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_at = timezone.now()
        registration._history_user = by
        registration.save(update_fields=["status", "cancelled_at"])
        _email(registration, "cancellation", EVENT_CANCELLATION, key="cancelled")
        return _promote(event, by=by)


def promote_waiting(event: Event, *, by=None) -> list[Registration]:
    """Confirm people of the waiting list while places are left (after a cancellation or
    when a manager adds places). Each is told by e-mail."""
    with transaction.atomic():
        return _promote(_locked(event), by=by)


def _promote(event: Event, *, by=None) -> list[Registration]:
    free = places_left(event)
    promoted = []
    if free <= 0:
        return promoted
    for registration in event.registrations.waiting().select_for_update()[:free]:
        registration.status = RegistrationStatus.CONFIRMED
        registration._history_user = by
        registration.save(update_fields=["status"])
        dropped = _drop_full_choices(registration)
        _email(
            registration,
            "promoted",
            EVENT_WAITLIST,
            key="promoted",
            extra={"dropped": dropped},
            calendar=True,
        )
        promoted.append(registration)
    return promoted


def _drop_full_choices(registration: Registration) -> list[Session]:
    """A person leaving the waiting list keeps the sessions they chose that still have
    room; the others are dropped (they choose on the day)."""
    choices = list(registration.choices.select_related("session"))
    taken = session_taken([c.session_id for c in choices])
    dropped = []
    for choice in choices:
        capacity = choice.session.capacity
        # taken counts this (now confirmed) registration's own choice too
        if capacity is not None and taken.get(choice.session_id, 0) > capacity:
            dropped.append(choice.session)
            taken[choice.session_id] -= 1
            choice.delete()
    return dropped


def _email(
    registration: Registration, template: str, reason: str, *, key: str, extra=None, calendar: bool = False
) -> None:
    event = registration.event
    base = settings.SITE_URL.rstrip("/")
    context = {
        "registration": registration,
        "event": event,
        "sessions": [c.session for c in registration.choices.select_related("session").order_by("round_number")],
        "position": registration.waiting_position(),
        "page_url": base + reverse("events:registration_done", kwargs={"token": registration.token}),
        "ics_url": base
        + reverse("events:event_ics", kwargs={"slug": event.slug})
        + f"?inscription={registration.token}",
        "event_url": base + reverse("events:event_detail", kwargs={"slug": event.slug}),
        **(extra or {}),
    }
    attachments = []
    if calendar and registration.status == RegistrationStatus.CONFIRMED:
        from .ics import event_calendar

        attachments.append((f"{event.slug}.ics", event_calendar(event, registration), "text/calendar"))
    queue_templated_email(
        recipient=registration.email,
        template=f"events/email/{template}",
        context=context,
        reason=reason,
        dedup_key=f"event:{event.pk}:registration:{registration.pk}:{key}",
        related_object=registration,
        attachments=attachments,
    )


# --------------------------------------------------------------------------
# Capacity changes
# --------------------------------------------------------------------------


def save_event(event: Event, *, by) -> Event:
    """Save an event (form data already set on it); added places go to the waiting list."""
    with transaction.atomic():
        event._history_user = by
        event.save()
        promote_waiting(event, by=by)
    return event


def save_session(session: Session, *, innovations=None, by) -> Session:
    """Save a session of the programme (form data already set on it) with the
    innovations it presents."""
    with transaction.atomic():
        session._history_user = by
        session.save()
        if innovations is not None:
            session.innovations.set(innovations)
    return session


def delete_session(session: Session, *, by) -> None:
    """Remove a session from the programme. Refused once participants chose it or a
    restitution was written: change its title or room instead."""
    if session.choices.filter(registration__status=RegistrationStatus.CONFIRMED).exists():
        raise EventError(_("Participants chose this session: it cannot be deleted."))
    if Restitution.objects.filter(session=session).exists():
        raise EventError(_("This session has a restitution: it cannot be deleted."))
    session._history_user = by
    session.delete()


# --------------------------------------------------------------------------
# On the day
# --------------------------------------------------------------------------


def set_checked_in(registration: Registration, present: bool, *, by) -> Registration:
    """Record (or undo) a confirmed participant's arrival."""
    if registration.status != RegistrationStatus.CONFIRMED:
        raise EventError(_("Only confirmed participants can be checked in."))
    registration.checked_in_at = timezone.now() if present else None
    registration.checked_in_by = by if present else None
    registration._history_user = by
    registration.save(update_fields=["checked_in_at", "checked_in_by"])
    return registration


# --------------------------------------------------------------------------
# Restitutions
# --------------------------------------------------------------------------


def save_restitution(
    session: Session, *, text: str, is_published: bool, upload=None, document_title: str = "", by
) -> Restitution:
    """Write a session's restitution, optionally add a document, publish or withdraw it."""
    with transaction.atomic():
        restitution = Restitution.objects.filter(session=session).first() or Restitution(session=session)
        restitution.text = text
        if is_published and not restitution.published_at:
            restitution.published_at = timezone.now()
        if not is_published:
            restitution.published_at = None
        restitution.is_published = is_published
        restitution.updated_by = by
        restitution._history_user = by
        restitution.save()
        if upload is not None:
            document = RestitutionDocument(restitution=restitution, title=document_title or upload.name)
            store_upload(document, upload, by=by)
            document.save()
    return restitution


def delete_restitution_document(document: RestitutionDocument, *, by) -> None:
    document.file.delete(save=False)
    document.delete()


# --------------------------------------------------------------------------
# Resources library
# --------------------------------------------------------------------------


def save_resource(resource: Resource, *, innovations=None, events=None, upload=None, remove_document=False, by):
    """Save a resource with its links and its optional document (the search vector is a
    generated column: PostgreSQL keeps it up to date)."""
    with transaction.atomic():
        resource._history_user = by
        resource.save()
        if innovations is not None:
            resource.innovations.set(innovations)
        if events is not None:
            resource.events.set(events)
        current = ResourceDocument.objects.filter(resource=resource).first()
        if current is not None and (remove_document or upload is not None):
            current.file.delete(save=False)
            current.delete()
        if upload is not None:
            document = ResourceDocument(resource=resource)
            store_upload(document, upload, by=by)
            document.save()
    return resource


def search_resources(queryset, text: str):
    """Full-text search in French, ignoring accents and word endings, ranked."""
    from django.contrib.postgres.search import SearchQuery, SearchRank
    from django.db.models import F

    from .models import SEARCH_CONFIG

    query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
    return (
        queryset.annotate(rank=SearchRank(F("search_vector"), query))
        .filter(search_vector=query)
        .order_by("-rank", "-published_at", "title")
    )


def sessions_with_places(event: Event):
    """The event's sessions with ``taken`` (confirmed choices) annotated, in programme order."""
    return event.sessions.annotate(
        taken=Count("choices", filter=Q(choices__registration__status=RegistrationStatus.CONFIRMED))
    ).order_by("starts_at", "round_number", "room", "pk")
