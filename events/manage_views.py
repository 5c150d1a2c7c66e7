"""Managers' pages of the events: the list (drafts included) with counts, creating and
editing events and their programme, the registrations, the check-in on the day (works
on a phone), badges and attendance sheet as PDF, and the restitutions of the sessions.

Managers and administrators only (``events.manage_events``); every state change goes
through ``events/services.py``.
"""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from ais.core.documents import pdf_response, render_pdf
from ais.core.forms import form_action, perform, posted

from . import services
from .forms import CheckinSearchForm, EventForm, RegistrationFilterForm, RestitutionForm, SessionForm
from .models import Event, Registration, RegistrationStatus, Restitution, RestitutionDocument, Session, SessionChoice
from .views import programme

MANAGE_PER_PAGE = 25

manage_events = permission_required("events.manage_events", raise_exception=True)


def _counted(events):
    """Events with their registrations counted by status (one query)."""
    return events.annotate(
        confirmed=Count("registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)),
        waiting=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITING)),
        present=Count(
            "registrations",
            filter=Q(registrations__status=RegistrationStatus.CONFIRMED, registrations__checked_in_at__isnull=False),
        ),
    )


# --------------------------------------------------------------------------
# Events and programme
# --------------------------------------------------------------------------


@manage_events
def manage_list(request):
    """Every event, the newest first, ``MANAGE_PER_PAGE`` a page, with its counts."""
    page = Paginator(_counted(Event.objects.all()).order_by("-date", "-starts_at", "pk"), MANAGE_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "events/manage/list.html", {"events": page.object_list, "page": page})


@manage_events
def manage_event(request, pk):
    event = get_object_or_404(_counted(Event.objects.all()), pk=pk)
    sessions = list(services.sessions_with_places(event).select_related("restitution").prefetch_related("innovations"))
    for session in sessions:
        session.current_restitution = getattr(session, "restitution", None)
    return render(
        request,
        "events/manage/event.html",
        {"event": event, "slots": programme(sessions), "places_left": max(event.capacity - event.confirmed, 0)},
    )


def _event_url(event) -> str:
    return reverse("events:manage_event", kwargs={"pk": event.pk})


def _event_form(request, event):
    return form_action(
        request,
        EventForm(posted(request), instance=event),
        lambda form: services.save_event(form.save(commit=False), by=request.user),
        success_url=_event_url,
        success_message=lambda saved: _("The event “%(title)s” is saved.") % {"title": saved.title},
        template="events/manage/event_form.html",
        context={"event": event if event and event.pk else None},
    )


@manage_events
def event_create(request):
    return _event_form(request, None)


@manage_events
def event_edit(request, pk):
    return _event_form(request, get_object_or_404(Event, pk=pk))


def _session_form(request, event, session):
    return form_action(
        request,
        SessionForm(posted(request), instance=session, event=event),
        lambda form: services.save_session(
            form.save(commit=False), innovations=form.cleaned_data["innovations"], by=request.user
        ),
        success_url=_event_url(event),
        success_message=lambda saved: _("The session “%(title)s” is saved.") % {"title": saved.title},
        template="events/manage/session_form.html",
        context={"event": event, "session": session},
    )


@manage_events
def session_create(request, pk):
    return _session_form(request, get_object_or_404(Event, pk=pk), None)


@manage_events
def session_edit(request, pk):
    session = get_object_or_404(Session.objects.select_related("event"), pk=pk)
    return _session_form(request, session.event, session)


@require_POST
@manage_events
def session_delete(request, pk):
    session = get_object_or_404(Session.objects.select_related("event"), pk=pk)
    perform(
        request,
        lambda: services.delete_session(session, by=request.user),
        success_message=_("The session “%(title)s” is deleted.") % {"title": session.title},
    )
    return redirect("events:manage_event", pk=session.event_id)


# --------------------------------------------------------------------------
# Registrations
# --------------------------------------------------------------------------


def _choices_prefetch():
    return Prefetch("choices", queryset=SessionChoice.objects.select_related("session").order_by("round_number"))


@manage_events
def registration_list(request, pk):
    event = get_object_or_404(_counted(Event.objects.all()), pk=pk)
    form = RegistrationFilterForm(request.GET or None)
    registrations = event.registrations.prefetch_related(_choices_prefetch())
    if form.is_valid():
        text = form.cleaned_data["q"].strip()
        if text:
            registrations = registrations.filter(
                Q(full_name__icontains=text) | Q(email__icontains=text) | Q(organisation__icontains=text)
            )
        if form.cleaned_data["status"]:
            registrations = registrations.filter(status=form.cleaned_data["status"])
    registrations = registrations.order_by("status", "waiting_since", "full_name", "pk")
    return render(
        request,
        "events/manage/registrations.html",
        {"event": event, "form": form, "registrations": list(registrations)},
    )


@require_POST
@manage_events
def registration_cancel_manage(request, pk):
    registration = get_object_or_404(Registration.objects.select_related("event"), pk=pk)
    promoted = services.cancel_registration(registration, by=request.user)
    messages.success(request, _("The registration of %(name)s is cancelled.") % {"name": registration.full_name})
    for person in promoted:
        messages.info(request, _("%(name)s leaves the waiting list and is told.") % {"name": person.full_name})
    return redirect("events:registration_list", pk=registration.event_id)


# --------------------------------------------------------------------------
# On the day: check-in, badges, attendance sheet
# --------------------------------------------------------------------------


@manage_events
def checkin(request, pk):
    event = get_object_or_404(_counted(Event.objects.all()), pk=pk)
    form = CheckinSearchForm(request.GET or None)
    participants = event.registrations.confirmed().order_by("full_name", "pk")
    text = form.cleaned_data["q"].strip() if form.is_valid() else ""
    if text:
        participants = participants.filter(Q(full_name__icontains=text) | Q(organisation__icontains=text))
    return render(
        request,
        "events/manage/checkin.html",
        {"event": event, "form": form, "participants": list(participants), "q": text},
    )


@require_POST
@manage_events
def checkin_toggle(request, pk):
    """Mark a participant present (``present=1``) or not (``present=0``); answers JSON to
    the check-in page's script, else goes back to the list."""
    registration = get_object_or_404(Registration.objects.select_related("event"), pk=pk)
    present = request.POST.get("present") == "1"
    try:
        services.set_checked_in(registration, present, by=request.user)
    except services.EventError as error:
        if request.headers.get("X-Requested-With") == "fetch":
            return JsonResponse({"error": str(error)}, status=400)
        messages.error(request, str(error))
    else:
        if request.headers.get("X-Requested-With") == "fetch":
            return JsonResponse({"present": present})
        if present:
            messages.success(request, _("%(name)s is checked in.") % {"name": registration.full_name})
        else:
            messages.info(request, _("%(name)s is no longer marked present.") % {"name": registration.full_name})
    url = reverse("events:checkin", kwargs={"pk": registration.event_id})
    text = request.POST.get("q", "").strip()[:100]
    return redirect(f"{url}?{urlencode({'q': text})}" if text else url)


EVENTS_PDF_CSS = str(settings.BASE_DIR / "static" / "css" / "events-pdf.css")


def _pdf(template: str, context: dict) -> bytes:
    return render_pdf(template, context, stylesheets=[EVENTS_PDF_CSS])


def badges_pdf(event, participants) -> bytes:
    """Name badges, eight per A4 page."""
    pages = [participants[i : i + 8] for i in range(0, len(participants), 8)] or [[]]
    return _pdf("events/pdf/badges.html", {"event": event, "pages": pages})


def attendance_sheet_pdf(event, participants) -> bytes:
    """The sheet participants sign on arrival, with blank rows for people not registered."""
    return _pdf(
        "events/pdf/attendance_sheet.html",
        {"event": event, "participants": participants, "blank_rows": range(5)},
    )


@manage_events
def badges(request, pk):
    event = get_object_or_404(Event, pk=pk)
    participants = list(event.registrations.confirmed().order_by("full_name", "pk"))
    return pdf_response(badges_pdf(event, participants), f"badges-{event.slug[:60]}.pdf")


@manage_events
def attendance_sheet(request, pk):
    event = get_object_or_404(Event, pk=pk)
    participants = list(event.registrations.confirmed().order_by("organisation", "full_name", "pk"))
    return pdf_response(attendance_sheet_pdf(event, participants), f"emargement-{event.slug[:60]}.pdf")


# --------------------------------------------------------------------------
# Restitutions
# --------------------------------------------------------------------------


@manage_events
def restitution_edit(request, pk):
    session = get_object_or_404(Session.objects.select_related("event"), pk=pk)
    restitution = Restitution.objects.filter(session=session).first()
    initial = {"text": restitution.text, "is_published": restitution.is_published} if restitution else {}
    form = RestitutionForm(posted(request), request.FILES or None, initial=initial)

    def save(form):
        data = form.cleaned_data
        return services.save_restitution(
            session,
            text=data["text"],
            is_published=data["is_published"],
            upload=data["document"],
            document_title=data["document_title"],
            by=request.user,
        )

    return form_action(
        request,
        form,
        save,
        success_url=reverse("events:restitution_edit", kwargs={"pk": session.pk}),
        success_message=lambda saved: (
            _("The restitution is published on the event's page.")
            if saved.is_published
            else _("The restitution is saved (not published).")
        ),
        template="events/manage/restitution_form.html",
        context={
            "session": session,
            "event": session.event,
            "restitution": restitution,
            "documents": list(restitution.documents.all()) if restitution else [],
        },
    )


@require_POST
@manage_events
def restitution_document_delete(request, pk):
    document = get_object_or_404(RestitutionDocument.objects.select_related("restitution"), pk=pk)
    services.delete_restitution_document(document, by=request.user)
    messages.success(request, _("The document “%(title)s” is deleted.") % {"title": document.title})
    return redirect("events:restitution_edit", pk=document.restitution.session_id)
