"""Support pages: the hotline log, the site visits and the summary per innovation
and per structure.

Support is the work of Ansa's programme managers and of the carriers: managers and
administrators record and edit entries, a carrier reads its innovations' entries,
structure contacts and committee members do not see this log (403 on the lists,
404 on an entry, as for anyone else's entry).
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from rules.contrib.views import permission_required

from . import support_services
from .models import SiteVisit, SpreadStructure, StructureStatus, SupportRequest
from .support_forms import PeriodForm, SiteVisitForm, SupportFilter, SupportRequestForm, VisitFilter
from .support_services import SupportError, format_minutes

# Reading the support log: managers, administrators and carriers (scoped by ``for_user``).

view_support = permission_required("essaimage.view_support", raise_exception=True)
manage_spreading = permission_required("essaimage.manage_spreading", raise_exception=True)

PAGE_SIZE = 25


def _requests(user):
    return SupportRequest.objects.for_user(user).select_related(
        "innovation", "structure__organisation", "structure__innovation", "handled_by"
    )


def _visits(user):
    return SiteVisit.objects.for_user(user).select_related("innovation", "structure__organisation")


def _preselected_structure(request) -> dict:
    """``?structure=<pk>`` preselects the structure of a new entry."""
    value = request.GET.get("structure", "")
    return {"structure": int(value)} if value.isdigit() else {}


def _structure_counts(structure_id):
    """The support figures of one structure (one query)."""
    counts = support_services.support_counts_by_structure(SpreadStructure.objects.filter(pk=structure_id)).first()
    counts.duration = format_minutes(counts.support_minutes)
    return counts


def _invalid(request):
    messages.error(request, _("The form has errors: correct the fields marked in red."))


# --------------------------------------------------------------------------
# Hotline
# --------------------------------------------------------------------------


@view_support
def support_list(request):
    support_filter = SupportFilter(request.GET or None, queryset=_requests(request.user), request=request)
    entries = support_filter.qs
    overview = support_services.support_overview(entries)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page.object_list:
        entry.duration = format_minutes(entry.minutes_spent)
    overview["duration"] = format_minutes(overview["minutes"])
    for row in overview["by_innovation"]:
        row["duration"] = format_minutes(row["minutes"])
    chart = {
        "label": _("Hotline requests"),
        "innovations": {
            "labels": [row["name"] for row in overview["by_innovation"]],
            "values": [row["count"] for row in overview["by_innovation"]],
        },
        "topics": {
            "labels": [row["label"] for row in overview["by_topic"]],
            "values": [row["count"] for row in overview["by_topic"]],
        },
    }
    return render(
        request,
        "essaimage/support/support_list.html",
        {"filter": support_filter, "page": page, "overview": overview, "chart": chart},
    )


@view_support
def support_summary(request):
    """Per innovation, one table of its structures: hotline requests (and unresolved),
    time spent, site visits, last contact. Two queries whatever the number of rows."""
    period = PeriodForm(request.GET or None)
    requests, visits = SupportRequest.objects.all(), SiteVisit.objects.all()
    if period.is_valid():
        start, end = period.cleaned_data["date_from"], period.cleaned_data["date_to"]
        if start:
            requests, visits = requests.filter(date__gte=start), visits.filter(date__gte=start)
        if end:
            requests, visits = requests.filter(date__lte=end), visits.filter(date__lte=end)
    with_structures = SpreadStructure.objects.exclude(status=StructureStatus.CANDIDATE)
    innovations = list(
        support_services.support_counts_by_innovation(
            support_services.support_innovations_for(request.user).filter(pk__in=with_structures.values("innovation")),
            requests=requests,
            visits=visits,
        ).order_by("name")
    )
    structures = support_services.support_counts_by_structure(
        with_structures.filter(innovation__in=[innovation.pk for innovation in innovations]).select_related(
            "organisation"
        ),
        requests=requests,
        visits=visits,
    ).order_by("organisation__name")
    by_innovation: dict[int, list] = {innovation.pk: [] for innovation in innovations}
    for structure in structures:
        structure.duration = format_minutes(structure.support_minutes)
        by_innovation[structure.innovation_id].append(structure)
    for innovation in innovations:
        innovation.structure_rows = by_innovation[innovation.pk]
        innovation.duration = format_minutes(innovation.support_minutes)
    totals = {
        "requests": sum(i.support_count for i in innovations),
        "unresolved": sum(i.support_unresolved for i in innovations),
        "duration": format_minutes(sum(i.support_minutes for i in innovations)),
        "visits": sum(i.visit_count for i in innovations),
    }
    return render(
        request,
        "essaimage/support/summary.html",
        {"period": period, "innovations": innovations, "totals": totals},
    )


@manage_spreading
def support_create(request):
    form = SupportRequestForm(request.POST or None, initial=_preselected_structure(request))
    if request.method == "POST":
        if form.is_valid():
            try:
                entry = support_services.record_support_request(form.save(commit=False), by=request.user)
            except SupportError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The hotline entry is recorded."))
                return redirect("essaimage:support_detail", pk=entry.pk)
        _invalid(request)
    return render(
        request,
        "essaimage/support/support_form.html",
        {"form": form, "entry": None},
        status=400 if form.errors else 200,
    )


def support_detail(request, pk):
    entry = get_object_or_404(_requests(request.user), pk=pk)
    return render(
        request,
        "essaimage/support/support_detail.html",
        {
            "entry": entry,
            "duration": format_minutes(entry.minutes_spent),
            "counts": _structure_counts(entry.structure_id),
            "changes": list(entry.history.select_related("history_user").order_by("-history_date")[:5]),
        },
    )


@manage_spreading
def support_edit(request, pk):
    entry = get_object_or_404(_requests(request.user), pk=pk)
    form = SupportRequestForm(request.POST or None, instance=entry)
    if request.method == "POST":
        if form.is_valid():
            try:
                support_services.update_support_request(form.save(commit=False), by=request.user)
            except SupportError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The hotline entry is saved."))
                return redirect("essaimage:support_detail", pk=entry.pk)
        _invalid(request)
    return render(
        request,
        "essaimage/support/support_form.html",
        {"form": form, "entry": entry},
        status=400 if form.errors else 200,
    )


# --------------------------------------------------------------------------
# Site visits
# --------------------------------------------------------------------------


@view_support
def visit_list(request):
    visit_filter = VisitFilter(request.GET or None, queryset=_visits(request.user), request=request)
    page = Paginator(visit_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "essaimage/support/visit_list.html", {"filter": visit_filter, "page": page})


@manage_spreading
def visit_create(request):
    initial = {"visitors": request.user.get_full_name(), **_preselected_structure(request)}
    form = SiteVisitForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                visit = support_services.record_site_visit(form.save(commit=False), by=request.user)
            except SupportError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The site visit is recorded."))
                return redirect("essaimage:visit_detail", pk=visit.pk)
        _invalid(request)
    return render(
        request,
        "essaimage/support/visit_form.html",
        {"form": form, "visit": None},
        status=400 if form.errors else 200,
    )


def visit_detail(request, pk):
    visit = get_object_or_404(_visits(request.user), pk=pk)
    return render(
        request,
        "essaimage/support/visit_detail.html",
        {
            "visit": visit,
            "counts": _structure_counts(visit.structure_id),
            "changes": list(visit.history.select_related("history_user").order_by("-history_date")[:5]),
        },
    )


@manage_spreading
def visit_edit(request, pk):
    visit = get_object_or_404(_visits(request.user), pk=pk)
    form = SiteVisitForm(request.POST or None, instance=visit)
    if request.method == "POST":
        if form.is_valid():
            try:
                support_services.update_site_visit(form.save(commit=False), by=request.user)
            except SupportError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The site visit is saved."))
                return redirect("essaimage:visit_detail", pk=visit.pk)
        _invalid(request)
    return render(
        request,
        "essaimage/support/visit_form.html",
        {"form": form, "visit": visit},
        status=400 if form.errors else 200,
    )
