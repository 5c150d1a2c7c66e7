"""Public pages of the events: the list, an event's page (programme, places left,
restitutions), registration, the participant's own page reached through the secret
link of the confirmation e-mail (calendar file, cancellation).

No account is needed to register. Drafts are seen by managers only (``for_user``);
anyone else gets a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ais.core.documents import attachment
from ais.core.forms import form_action, posted
from ais.core.uploads import download_response

from . import services
from .forms import RegistrationForm
from .ics import event_calendar
from .models import (
    Event,
    Registration,
    RegistrationState,
    RegistrationStatus,
    RestitutionDocument,
    SessionChoice,
)
from .rules import can_manage

PAST_PER_PAGE = 20
SENT_TO_KEY = "events_registration_email"


def _event(request, slug) -> Event:
    return get_object_or_404(Event.objects.for_user(request.user), slug=slug)


def programme(sessions) -> list[dict]:
    """The sessions grouped by time slot: ``[{starts_at, ends_at, sessions}]`` in order."""
    slots: dict = {}
    for session in sessions:
        slots.setdefault((session.starts_at, session.ends_at), []).append(session)
    return [
        {"starts_at": starts, "ends_at": ends, "sessions": items}
        for (starts, ends), items in sorted(slots.items(), key=lambda item: item[0])
    ]


def _with_places_left(sessions) -> list:
    for session in sessions:
        session.places_left = None if session.capacity is None else max(session.capacity - session.taken, 0)
    return sessions


# --------------------------------------------------------------------------
# List and page
# --------------------------------------------------------------------------


@login_not_required
def event_list(request):
    """Upcoming events as cards, then past events newest first, ``PAST_PER_PAGE`` a page
    (ten years of the programme hold about 200)."""
    today = timezone.localdate()
    published = Event.objects.published()
    upcoming = list(
        published.filter(date__gte=today)
        .annotate(confirmed=Count("registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)))
        .order_by("date", "starts_at")
    )
    for event in upcoming:
        event.places_left = max(event.capacity - event.confirmed, 0)
    past = Paginator(
        published.filter(date__lt=today).only("kind", "title", "slug", "date").order_by("-date", "-starts_at", "pk"),
        PAST_PER_PAGE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "events/event_list.html",
        {"upcoming": upcoming, "past": past, "can_manage": can_manage(request.user)},
    )


@login_not_required
def event_detail(request, slug):
    event = _event(request, slug)
    sessions = _with_places_left(
        list(
            services.sessions_with_places(event)
            .select_related("restitution")
            .prefetch_related("innovations", "restitution__documents")
        )
    )
    for session in sessions:
        restitution = getattr(session, "restitution", None)
        session.published_restitution = restitution if restitution and restitution.is_published else None
    confirmed = services.confirmed_count(event)
    innovations = {i.pk: i for s in sessions for i in s.innovations.all()}
    return render(
        request,
        "events/event_detail.html",
        {
            "event": event,
            "slots": programme(sessions),
            "restitutions": [s for s in sessions if s.published_restitution],
            "innovations": sorted(innovations.values(), key=lambda i: i.name),
            "places_left": services.places_left(event, confirmed),
            "state": event.registration_state(),
            "states": RegistrationState,
            "can_manage": can_manage(request.user),
        },
    )


@login_not_required
def event_ics(request, slug):
    """The event's calendar file; with ``?inscription=<token>``, the sessions chosen too."""
    event = _event(request, slug)
    token = request.GET.get("inscription", "")
    registration = None
    if token:
        registration = Registration.objects.filter(event=event, token=token).first()
    return attachment(event_calendar(event, registration), f"{event.slug[:80]}.ics", "text/calendar; charset=utf-8")


@login_not_required
def restitution_document_download(request, pk):
    """A document of a published restitution (any restitution's, for managers)."""
    documents = RestitutionDocument.objects.filter(restitution__session__event__in=Event.objects.for_user(request.user))
    if not can_manage(request.user):
        documents = documents.filter(restitution__is_published=True)
    return download_response(get_object_or_404(documents, pk=pk))


# --------------------------------------------------------------------------
# Registration
# --------------------------------------------------------------------------


@login_not_required
def register(request, slug):
    event = get_object_or_404(Event.objects.published(), slug=slug)
    state = event.registration_state()
    sessions = list(event.sessions.filter(round_number__isnull=False).order_by("round_number", "room", "pk"))
    taken = services.session_taken([s.pk for s in sessions])
    places_left = services.places_left(event)
    form = RegistrationForm(posted(request), rounds=services.rounds(sessions), taken=taken, waiting=places_left == 0)
    context = {"event": event, "state": state, "states": RegistrationState, "places_left": places_left}
    if state != RegistrationState.OPEN:  # the page says why; a post registers nobody
        return render(request, "events/register.html", {**context, "form": form}, status=400 if form.errors else 200)

    def register(form):
        data = form.cleaned_data
        services.register(
            event,
            full_name=data["full_name"],
            email=data["email"],
            organisation=data["organisation"],
            job_title=data["job_title"],
            sessions=form.chosen_sessions(),
        )
        request.session[SENT_TO_KEY] = data["email"].strip().lower()

    # The same page whether the address was registered already or not (issue 18): the
    # link to one's registration comes by e-mail only.
    return form_action(
        request,
        form,
        register,
        success_url=reverse("events:registration_sent", kwargs={"slug": event.slug}),
        template="events/register.html",
        context=context,
    )


@login_not_required
def registration_sent(request, slug):
    """After the form: "check your e-mail", for a new registration and a repeated one alike."""
    event = get_object_or_404(Event.objects.published(), slug=slug)
    context = {"event": event, "email": request.session.get(SENT_TO_KEY, "")}
    return render(request, "events/registration_sent.html", context)


def _registration(token) -> Registration | None:
    if not token or len(token) > 64:
        return None
    return (
        Registration.objects.select_related("event")
        .prefetch_related(Prefetch("choices", queryset=SessionChoice.objects.select_related("session")))
        .filter(token=token)
        .first()
    )


def _invalid_link(request):
    return render(request, "events/link_invalid.html", status=400)


@login_not_required
def registration_done(request, token):
    """The participant's page: their status, chosen sessions, calendar file, cancellation."""
    registration = _registration(token)
    if registration is None:
        return _invalid_link(request)
    event = registration.event
    return render(
        request,
        "events/registration_done.html",
        {
            "registration": registration,
            "event": event,
            "choices": list(registration.choices.all()),
            "position": registration.waiting_position(),
            "can_cancel": not registration.is_cancelled and not event.is_past,
        },
    )


@login_not_required
def registration_cancel(request, token):
    """Confirm (GET) and cancel (POST) one's registration; the place goes to the waiting list."""
    registration = _registration(token)
    if registration is None:
        return _invalid_link(request)
    if request.method == "POST" and not registration.is_cancelled and not registration.event.is_past:
        services.cancel_registration(registration)
        messages.success(request, _("Your registration is cancelled. Thank you for letting us know."))
        return redirect("events:registration_done", token=registration.token)
    return render(
        request,
        "events/registration_cancel.html",
        {"registration": registration, "event": registration.event},
    )
