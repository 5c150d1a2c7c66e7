"""Programme managers' side: calls, screening of dossiers, decisions, exports."""

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from ais.core.documents import csv_response, xlsx_response
from ais.core.forms import form_action, perform, posted, returned_message

from . import services
from .display import dossier_sections
from .exports import dossier_rows
from .filters import DossierFilter
from .forms import CallForm, CorrectionRequestForm, CriterionFormSet, EligibilityForm, InternalNoteForm
from .models import DEFAULT_REQUIRED_QUESTIONS, Call, Dossier, DossierStatus

manage_calls = permission_required("projects.manage_calls", raise_exception=True)
screen_dossiers = permission_required("projects.screen_dossiers", raise_exception=True)


@manage_calls
def call_manage_list(request):
    calls = Call.objects.annotate(
        dossier_count=Count("dossiers"),
        submitted_count=Count("dossiers", filter=~Q(dossiers__status=DossierStatus.DRAFT)),
    ).order_by("-year", "-opens_at")
    return render(request, "projects/manage/calls.html", {"calls": calls})


def _unique_slug(title: str, year: int, exclude_pk=None) -> str:
    base = slugify(f"{title}-{year}")[:180] or f"appel-{year}"
    slug, index = base, 2
    while Call.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, index = f"{base}-{index}", index + 1
    return slug


def _call_edit_url(call) -> str:
    return reverse("projects:call_edit", kwargs={"pk": call.pk})


@manage_calls
def call_create(request):
    form = CallForm(posted(request), initial={"required_questions": DEFAULT_REQUIRED_QUESTIONS, "reminder_days": 7})

    def create(form):
        call = form.save(commit=False)
        call.slug = _unique_slug(call.title, call.year)
        call.save()
        form.save_m2m()
        services.add_default_grid(call)
        return call

    return form_action(
        request,
        form,
        create,
        atomic=True,
        success_url=_call_edit_url,
        success_message=_(
            "The call is created with the default selection grid. Check the grid, then publish the call."
        ),
        template="projects/manage/call_form.html",
        context={"call": None},
    )


@manage_calls
def call_edit(request, pk):
    call = get_object_or_404(Call, pk=pk)
    form = CallForm(posted(request), instance=call, prefix="call")
    formset = CriterionFormSet(posted(request), instance=call, prefix="criteria")

    def save(form):
        call = form.save(commit=False)
        call._history_user = request.user
        call.save()
        form.save_m2m()
        formset.save()
        return call

    return form_action(
        request,
        form,
        save,
        also=[formset],
        atomic=True,
        success_url=_call_edit_url,
        success_message=_("The call is saved."),
        template="projects/manage/call_form.html",
        context={"formset": formset, "call": call},
    )


@require_POST
@manage_calls
def call_publish(request, pk):
    call = get_object_or_404(Call, pk=pk)
    perform(
        request,
        lambda: services.publish_call(call, by=request.user),
        success_message=_("The call is published: it is visible on the public calls page."),
    )
    return redirect("projects:call_edit", pk=call.pk)


def _screening_queryset(call):
    return (
        Dossier.objects.filter(call=call)
        .select_related("organisation", "origin_commune__department", "call")
        .annotate(attachment_count=Count("attachments"))
        .order_by("status", "organisation__name")
    )


@screen_dossiers
def screening(request, pk):
    call = get_object_or_404(Call, pk=pk)
    dossier_filter = DossierFilter(request.GET or None, queryset=_screening_queryset(call))
    dossiers = list(dossier_filter.qs)
    counts = dict(Dossier.objects.filter(call=call).values_list("status").annotate(n=Count("pk")).order_by())
    status_counts = [(value, label, counts.get(value, 0)) for value, label in DossierStatus.choices]
    return render(
        request,
        "projects/manage/screening.html",
        {
            "call": call,
            "filter": dossier_filter,
            "dossiers": dossiers,
            "status_counts": status_counts,
            "query": request.GET.urlencode(),
        },
    )


@screen_dossiers
def screening_export(request, pk, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    call = get_object_or_404(Call, pk=pk)
    dossiers = DossierFilter(request.GET or None, queryset=_screening_queryset(call)).qs
    header, rows = dossier_rows(dossiers)
    filename = f"dossiers-{call.slug}.{fmt}"
    if fmt == "csv":
        return csv_response(filename, header, rows)
    return xlsx_response(filename, [(_("Dossiers"), header, rows)], title=call.title)


def _decision_initial(dossier) -> dict:
    if dossier.status in (DossierStatus.ELIGIBLE, DossierStatus.INELIGIBLE):
        return {"decision": dossier.status, "reason": dossier.eligibility_reason}
    return {}


def _review_context(dossier, **forms):
    attachments = list(dossier.attachments.all())
    state = services.completeness(dossier, attachment_count=len(attachments))
    return {
        "dossier": dossier,
        "call": dossier.call,
        "sections": dossier_sections(dossier, missing=state["missing"]),
        "completeness": state,
        "attachments": attachments,
        "notes": list(dossier.internal_notes.select_related("author")),
        "note_form": forms.get("note_form") or InternalNoteForm(),
        "eligibility_form": forms.get("eligibility_form") or EligibilityForm(initial=_decision_initial(dossier)),
        "corrections_form": forms.get("corrections_form") or CorrectionRequestForm(),
        "can_decide": dossier.status in (DossierStatus.SUBMITTED, DossierStatus.ELIGIBLE, DossierStatus.INELIGIBLE),
    }


def _dossier(pk):
    return get_object_or_404(
        Dossier.objects.select_related(
            "call", "organisation__commune__department", "origin_commune__department", "decided_by"
        ),
        pk=pk,
    )


@screen_dossiers
def dossier_review(request, pk):
    return render(request, "projects/manage/dossier.html", _review_context(_dossier(pk)))


def _post_action(request, pk, form_class, form_key, action):
    """``action(dossier, data)`` returns the success message."""
    dossier = _dossier(pk)
    form = form_class(request.POST)
    return form_action(
        request,
        form,
        lambda form: action(dossier, form.cleaned_data),
        success_url=reverse("projects:dossier_review", kwargs={"pk": dossier.pk}),
        success_message=returned_message,
        template="projects/manage/dossier.html",
        context=lambda: _review_context(dossier, **{form_key: form}),
        form_name=form_key,
    )


@require_POST
@screen_dossiers
def dossier_note(request, pk):
    def action(dossier, data):
        services.add_internal_note(dossier, text=data["text"], by=request.user)
        return _("Note added.")

    return _post_action(request, pk, InternalNoteForm, "note_form", action)


@require_POST
@screen_dossiers
def dossier_eligibility(request, pk):
    def action(dossier, data):
        eligible = data["decision"] == "eligible"
        services.decide_eligibility(dossier, eligible=eligible, reason=data["reason"], by=request.user)
        return _("Decision recorded; the carrier is informed by e-mail.")

    return _post_action(request, pk, EligibilityForm, "eligibility_form", action)


@require_POST
@screen_dossiers
def dossier_corrections(request, pk):
    def action(dossier, data):
        services.request_corrections(dossier, sections=data["sections"], reason=data["reason"], by=request.user)
        return _("Corrections requested; the carrier is informed by e-mail.")

    return _post_action(request, pk, CorrectionRequestForm, "corrections_form", action)
