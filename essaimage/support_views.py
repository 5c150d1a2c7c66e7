"""Support pages: the hotline log, the site visits and the summary per innovation
and per structure.

Support is the work of Ansa's programme managers and of the carriers: managers and
administrators record and edit entries, a carrier reads its innovations' entries,
structure contacts and committee members do not see this log (403 on the lists,
404 on an entry, as for anyone else's entry).

The structure fields of the filters and forms are searched (``support_structure_search``,
JSON, same scope and rights as the lists) rather than listed: a page builds at most the
chosen structure, whatever the size of the programme.
"""

from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from rules.contrib.views import permission_required

from ais.core.forms import form_action, posted

from . import support_services
from .models import SiteVisit, SpreadStructure, StructureStatus, SupportRequest
from .support_forms import (
    PeriodForm,
    SiteVisitForm,
    SupportFilter,
    SupportRequestForm,
    VisitFilter,
    structure_choice,
)
from .support_services import format_minutes

# Reading the support log: managers, administrators and carriers (scoped by ``for_user``).

view_support = permission_required("essaimage.view_support", raise_exception=True)
manage_spreading = permission_required("essaimage.manage_spreading", raise_exception=True)

PAGE_SIZE = 25
# Structure rows per page of the summary (the innovations' sections are cut accordingly).
SUMMARY_PAGE_SIZE = 50


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


class _Counted:
    """A queryset whose number of rows is already known, paged without a COUNT query."""

    def __init__(self, queryset, count):
        self.queryset, self._count = queryset, count

    def count(self):
        return self._count

    def __len__(self):
        return self._count

    def __getitem__(self, key):
        return self.queryset[key]


def _sections_of_page(innovations: list, page) -> list:
    """The innovations to show on ``page`` of the summary's rows, each with its
    ``structure_rows`` on this page, ``rows_from`` and ``rows_to`` (their ranks among the
    innovation's rows) and ``rows_cut`` (some of its rows are on other pages).

    The rows follow the innovations' order, ``supported_count`` rows each; an innovation
    without any row is shown where its rows would be (on the last page at the end)."""
    by_innovation: dict[int, list] = {innovation.pk: [] for innovation in innovations}
    for structure in page.object_list:
        structure.duration = format_minutes(structure.support_minutes)
        by_innovation[structure.innovation_id].append(structure)
    bottom = (page.number - 1) * page.paginator.per_page
    top = bottom + page.paginator.per_page
    shown, first = [], 0
    for innovation in innovations:
        last = first + innovation.supported_count
        if innovation.supported_count:
            on_page = first < top and last > bottom
        else:
            on_page = bottom <= first < top or (not page.has_next() and first >= bottom)
        if on_page:
            innovation.structure_rows = by_innovation[innovation.pk]
            innovation.rows_from = max(first, bottom) - first + 1
            innovation.rows_to = min(last, top) - first
            innovation.rows_cut = innovation.rows_from > 1 or innovation.rows_to < innovation.supported_count
            shown.append(innovation)
        first = last
    return shown


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
    """Per innovation, its totals and one row per structure that had support (a hotline
    request or a site visit) over the period: requests (and unresolved), time spent,
    site visits, last contact; the others are only counted. The rows are paged
    (``SUMMARY_PAGE_SIZE``), the totals are the whole period's. Two queries whatever
    the number of structures."""
    period = PeriodForm(request.GET or None)
    requests, visits = SupportRequest.objects.all(), SiteVisit.objects.all()
    if period.is_valid():
        start, end = period.cleaned_data["date_from"], period.cleaned_data["date_to"]
        if start:
            requests, visits = requests.filter(date__gte=start), visits.filter(date__gte=start)
        if end:
            requests, visits = requests.filter(date__lte=end), visits.filter(date__lte=end)
    counted = {"requests": requests, "visits": visits}
    adopting = SpreadStructure.objects.exclude(status=StructureStatus.CANDIDATE)
    innovations = list(
        support_services.support_coverage_by_innovation(
            support_services.support_counts_by_innovation(
                support_services.support_innovations_for(request.user).filter(pk__in=adopting.values("innovation")),
                **counted,
            ),
            adopting,
            **counted,
        ).order_by("name", "pk")
    )
    # The rows in the innovations' order: each innovation's rows start where the
    # previous innovation's end (``supported_count`` each), so no COUNT query is needed.
    rows = support_services.support_counts_by_structure(
        support_services.structures_with_support(
            adopting.filter(innovation__in=[innovation.pk for innovation in innovations]), **counted
        ).select_related("organisation"),
        **counted,
    ).order_by("innovation__name", "innovation_id", "organisation__name", "pk")
    total_rows = sum(innovation.supported_count for innovation in innovations)
    page = Paginator(_Counted(rows, total_rows), SUMMARY_PAGE_SIZE).get_page(request.GET.get("page"))
    for innovation in innovations:
        innovation.duration = format_minutes(innovation.support_minutes)
    shown = _sections_of_page(innovations, page)
    totals = {
        "requests": sum(i.support_count for i in innovations),
        "unresolved": sum(i.support_unresolved for i in innovations),
        "duration": format_minutes(sum(i.support_minutes for i in innovations)),
        "visits": sum(i.visit_count for i in innovations),
        "structures": total_rows,
        "unsupported": sum(i.unsupported_count for i in innovations),
    }
    return render(
        request,
        "essaimage/support/summary.html",
        {"period": period, "innovations": shown, "totals": totals, "page": page},
    )


@manage_spreading
def support_create(request):
    return form_action(
        request,
        SupportRequestForm(posted(request), initial=_preselected_structure(request), user=request.user),
        lambda form: support_services.record_support_request(form.save(commit=False), by=request.user),
        success_url=lambda entry: reverse("essaimage:support_detail", kwargs={"pk": entry.pk}),
        success_message=_("The hotline entry is recorded."),
        template="essaimage/support/support_form.html",
        context={"entry": None},
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
    return form_action(
        request,
        SupportRequestForm(posted(request), instance=entry, user=request.user),
        lambda form: support_services.update_support_request(form.save(commit=False), by=request.user),
        success_url=reverse("essaimage:support_detail", kwargs={"pk": entry.pk}),
        success_message=_("The hotline entry is saved."),
        template="essaimage/support/support_form.html",
        context={"entry": entry},
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
    return form_action(
        request,
        SiteVisitForm(posted(request), initial=initial, user=request.user),
        lambda form: support_services.record_site_visit(form.save(commit=False), by=request.user),
        success_url=lambda visit: reverse("essaimage:visit_detail", kwargs={"pk": visit.pk}),
        success_message=_("The site visit is recorded."),
        template="essaimage/support/visit_form.html",
        context={"visit": None},
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
    return form_action(
        request,
        SiteVisitForm(posted(request), instance=visit, user=request.user),
        lambda form: support_services.update_site_visit(form.save(commit=False), by=request.user),
        success_url=reverse("essaimage:visit_detail", kwargs={"pk": visit.pk}),
        success_message=_("The site visit is saved."),
        template="essaimage/support/visit_form.html",
        context={"visit": visit},
    )


# --------------------------------------------------------------------------
# Structure picker
# --------------------------------------------------------------------------


@view_support
@require_GET
def support_structure_search(request):
    """Search of the structure pickers: ``?q=alpha`` (2 characters or more), optionally
    ``&innovation=<pk>`` and ``&open=1`` (only the structures an entry may be recorded
    for) → at most 20 structures of the user's support scope, as
    ``{"results": [{"id", "text", "innovation", "commune"}]}``."""
    innovation = request.GET.get("innovation", "")
    structures = support_services.search_structures(
        request.user,
        request.GET.get("q", "")[:100],
        innovation=int(innovation) if innovation.isdigit() else None,
        open_to_support=request.GET.get("open") == "1",
    )
    return JsonResponse({"results": [structure_choice(structure) for structure in structures]})
