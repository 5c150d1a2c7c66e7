"""Indicators, dashboards, reports and list exports.

- ``indicator_library``: the definitions of the standard indicators (every logged-in user);
- ``innovation_dashboard`` / ``programme_dashboard``: figures, charts and the same figures
  as tables;
- an innovation's reports: texts written by the programme manager (with their revision),
  HTML preview, generation in the background with its progress, downloads;
- the yearly programme report (administrators);
- the list exports (CSV / XLSX, only the rows the user may see).

Permissions are in ``reporting/rules.py``; objects are fetched through scoped
querysets so that another innovation's page or report is a 404.
"""

import datetime
from collections import defaultdict

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from ais.accounts.models import Role
from ais.core.figures_cache import cached
from ais.core.forms import FORM_ERRORS, add_domain_error, form_action
from ais.core.uploads import file_download
from ais.territories.models import Region
from essaimage.models import ACTIVE_STATUSES, SpreadStructure, StructureStatus
from evaluation.models import ANSWERED_STATUSES, PHASE_ORDER, Phase, Question, Response, ResponseStatus
from projects.models import Innovation

from . import definitions, indicators, list_exports, reports
from .forms import FIRST_YEAR, NarrativeForm, WaveFilterForm, YearFilterForm, YearlyReportForm
from .models import Report, ReportKind, ReportNarrative, ReportStatus
from .reports import ReportError

INNOVATION_KINDS = [ReportKind.INTERMEDIATE, ReportKind.FINAL]
PENDING = (ReportStatus.QUEUED, ReportStatus.RUNNING)
# The figures of the dashboards' tables, in order.
DASHBOARD_INDICATORS = [
    "people_accompanied",
    "people_deld",
    "exits_durable_employment",
    "exits_transitional_employment",
    "exits_qualifying_training",
    "exit_rate",
    "positive_exit_rate",
    "retention_6_months",
    "insertion_hours",
    "companies_mobilised",
    "professionals_trained",
]

view_reports = permission_required("reporting.view_reports", raise_exception=True)
manage_reports = permission_required("reporting.manage_reports", raise_exception=True)


def _is_staff(user) -> bool:
    # The rules alone: no query of Django's permission tables.
    return rules.has_perm("reporting.manage_reports", user)


def _innovation(request, pk) -> Innovation:
    """The innovation if the user may follow it: any for managers and administrators,
    their own for carriers (a structure or committee member never gets this far)."""
    innovations = Innovation.objects.select_related("carrier")
    if not _is_staff(request.user):
        innovations = innovations.for_user_as_carrier(request.user)
    return get_object_or_404(innovations, pk=pk)


def _kind(kind: str) -> str:
    if kind not in INNOVATION_KINDS:
        raise Http404
    return kind


def _visible_reports(user):
    """Reports of the innovations the user follows; the yearly reports for administrators."""
    allowed = Q(pk__in=[])
    if rules.has_perm("reporting.view_programme_report", user):
        allowed |= Q(kind=ReportKind.YEARLY)
    if _is_staff(user):
        allowed |= Q(innovation__isnull=False)
    elif user.has_role(Role.CARRIER):
        allowed |= Q(innovation__in=Innovation.objects.for_user_as_carrier(user).values("pk"))
    return Report.objects.filter(allowed).select_related("innovation", "requested_by")


def _number(value):
    """A figure for the charts (JSON numbers; None stays empty)."""
    return None if value is None else float(value)


def _figure_rows(codes, columns):
    """``[{indicator, values: [value per column]}]`` for the tables of the dashboards."""
    return [
        {"indicator": indicators.BY_CODE[code], "values": [column.get(code) for column in columns]} for code in codes
    ]


# --------------------------------------------------------------------------
# The indicators' definitions
# --------------------------------------------------------------------------


@permission_required("reporting.view_indicators", raise_exception=True)
def indicator_library(request):
    """What each indicator counts and from which questions (no figures)."""
    asked: dict[str, dict[str, str]] = defaultdict(dict)
    questions = (
        Question.objects.filter(code__in=indicators.QUESTION_CODES, version__published_at__isnull=False)
        .select_related("version__template")
        .order_by("-version__number", "pk")
    )
    for question in questions:  # the latest published version's wording, per phase
        asked[question.code].setdefault(question.version.template.phase, question.label)
    rows = []
    for indicator in indicators.INDICATORS:
        sources = []
        for code in indicator.codes:
            phases = [phase for phase in PHASE_ORDER if phase in asked[code]]
            sources.append(
                {
                    "code": code,
                    "label": asked[code][phases[-1]] if phases else "",  # the latest phase's wording
                    "phases": [Phase(phase).label for phase in phases],
                }
            )
        rows.append({"indicator": indicator, "sources": sources})
    return render(request, "reporting/reports/indicators.html", {"rows": rows})


# --------------------------------------------------------------------------
# Dashboards
# --------------------------------------------------------------------------


@permission_required("reporting.view_innovation_dashboard", raise_exception=True)
def innovation_dashboard(request, pk):
    innovation = _innovation(request, pk)
    today = timezone.localdate()
    waves = list(
        SpreadStructure.objects.filter(innovation=innovation).values_list("wave", flat=True).distinct().order_by("wave")
    )
    form = WaveFilterForm(request.GET or None, waves=waves)
    wave = form.chosen_wave()
    structures = SpreadStructure.objects.filter(innovation=innovation).select_related(
        "organisation__commune__department"
    )
    scope = Response.objects.filter(structure__innovation=innovation)
    if wave is not None:
        structures = structures.filter(wave=wave)
        scope = scope.filter(structure__wave=wave)
    structures = list(structures.order_by("wave", "organisation__name", "pk"))

    figures = cached(f"innovation:{innovation.pk}:{wave}", lambda: indicators.innovation_figures(scope))
    overall, per_phase, per_structure = figures["overall"], figures["per_phase"], figures["per_structure"]
    counts = scope.exclude(status=ResponseStatus.CANCELLED).aggregate(
        **{f"{phase}_due": Count("pk", filter=Q(phase=phase, opens_on__lte=today)) for phase in PHASE_ORDER},
        **{
            f"{phase}_answered": Count("pk", filter=Q(phase=phase, status__in=ANSWERED_STATUSES))
            for phase in PHASE_ORDER
        },
    )
    phase_labels = [str(Phase(phase).label) for phase in PHASE_ORDER]
    rates = []
    for phase, label in zip(PHASE_ORDER, phase_labels, strict=True):
        due, answered = counts[f"{phase}_due"], counts[f"{phase}_answered"]
        rates.append(
            {"label": label, "due": due, "answered": answered, "rate": round(100 * answered / due) if due else None}
        )
    due_total = sum(rate["due"] for rate in rates)
    answered_total = sum(rate["answered"] for rate in rates)

    structure_rows = [
        {
            "structure": s,
            "values": per_structure.get(s.pk) or indicators.aggregate([]),
            "withdrawn": s.status == StructureStatus.WITHDRAWN,
        }
        for s in structures
    ]
    charted = [row for row in structure_rows if row["values"]["exit_rate"] is not None]
    charts = [
        {
            "id": "chart-phases",
            "labels": phase_labels,
            "datasets": [
                {"label": str(indicators.BY_CODE[code].label), "data": [_number(p[code]) for p in per_phase]}
                for code in ("people_accompanied", "exits_durable_employment", "exits_transitional_employment")
            ],
        },
        {
            "id": "chart-structures",
            "horizontal": True,
            "unit": "%",
            "max": 100,
            "labels": [row["structure"].organisation.name[:40] for row in charted],
            "datasets": [
                {
                    "label": _("Exit rate to employment (%)"),
                    "data": [_number(r["values"]["exit_rate"]) for r in charted],
                }
            ],
        },
        {
            "id": "chart-responses",
            "unit": "%",
            "max": 100,
            "labels": phase_labels,
            "datasets": [{"label": _("Response rate (%)"), "data": [rate["rate"] for rate in rates]}],
        },
    ]
    return render(
        request,
        "reporting/reports/innovation_dashboard.html",
        {
            "innovation": innovation,
            "form": form,
            "wave": wave,
            "overall": overall,
            "targets": indicators.compare_with_targets(innovation, overall),
            "phase_labels": phase_labels,
            "phase_rows": [
                {**row, "overall": overall.get(row["indicator"].code)}
                for row in _figure_rows(DASHBOARD_INDICATORS, per_phase)
            ],
            "structure_rows": structure_rows,
            "charted_structures": len(charted),
            "active_count": sum(1 for s in structures if s.status in ACTIVE_STATUSES),
            "withdrawn_count": sum(1 for s in structures if s.status == StructureStatus.WITHDRAWN),
            "rates": rates,
            "response_rate": round(100 * answered_total / due_total) if due_total else None,
            "responses_due": due_total,
            "responses_answered": answered_total,
            "charts": charts,
            "can_manage": _is_staff(request.user),
        },
    )


def _programme_summary(as_of: datetime.date, years: list[int]) -> dict:
    """The programme's figures on ``as_of`` (``reporting.definitions``: overall, per
    innovation, per region of the structures' territory on that date, the key figures)
    and the totals on 31 December of the ``years`` before, in a constant number of
    queries. Cached by the view."""
    ends = {year: datetime.date(year, 12, 31) for year in years}
    per_date = definitions.structure_figures_by_date([*ends.values(), as_of], indicators.QUESTION_CODES)
    places = definitions.structure_places(as_of)
    by_innovation, by_region = defaultdict(list), defaultdict(list)
    for structure_id, values in per_date[as_of].items():
        by_innovation[places[structure_id]["innovation"]].append(values)
        by_region[places[structure_id]["region"]].append(values)
    figures = indicators.aggregate(list(per_date[as_of].values()))
    key = definitions.key_figures(as_of, figures=per_date[as_of])
    key.pop("department_list")
    return {
        "figures": figures,
        "key": key,
        "yearly": {
            **{year: indicators.aggregate(list(per_date[on].values())) for year, on in ends.items()},
            as_of.year: figures,
        },
        "by_innovation": {pk: indicators.aggregate(values) for pk, values in by_innovation.items()},
        "by_region": {code: indicators.aggregate(values) for code, values in by_region.items()},
        "departments": key["departments"],
    }


@permission_required("reporting.view_programme_dashboard", raise_exception=True)
def programme_dashboard(request):
    form = YearFilterForm(request.GET or None)
    year = form.chosen_year()
    as_of = definitions.report_date(year)  # 31 December of the year, today for the current one
    years = list(range(max(FIRST_YEAR, year - 4), year))
    summary = cached(f"programme:{as_of.isoformat()}", lambda: _programme_summary(as_of, years))
    figures, yearly = summary["figures"], summary["yearly"]
    innovations = list(Innovation.objects.select_related("carrier").order_by("name"))
    innovation_rows = [
        {"innovation": innovation, "values": summary["by_innovation"][innovation.pk]}
        for innovation in innovations
        if innovation.pk in summary["by_innovation"]
    ]
    by_region = summary["by_region"]
    names = dict(Region.objects.filter(pk__in=[key for key in by_region if key]).values_list("pk", "name"))
    region_rows = sorted(
        (
            {"name": names.get(key) or _("Municipality not given"), "values": values}
            for key, values in by_region.items()
        ),
        key=lambda row: (-(row["values"]["people_accompanied"] or 0), row["name"]),
    )
    year_labels = [str(y) for y in yearly]
    charts = [
        {
            "id": "chart-years",
            "labels": year_labels,
            "datasets": [
                {
                    "label": str(indicators.BY_CODE["people_accompanied"].label),
                    "data": [v["people_accompanied"] for v in yearly.values()],
                },
                {"label": _("Exits to employment"), "data": [v["exits_employment"] for v in yearly.values()]},
            ],
        },
        {
            "id": "chart-innovations",
            "horizontal": True,
            "unit": "%",
            "max": 100,
            "labels": [row["innovation"].name[:40] for row in innovation_rows],
            "datasets": [
                {
                    "label": _("Exit rate to employment (%)"),
                    "data": [_number(r["values"]["exit_rate"]) for r in innovation_rows],
                }
            ],
        },
        {
            "id": "chart-regions",
            "horizontal": True,
            "labels": [row["name"] for row in region_rows],
            "datasets": [
                {
                    "label": str(indicators.BY_CODE["people_accompanied"].label),
                    "data": [row["values"]["people_accompanied"] for row in region_rows],
                }
            ],
        },
    ]
    return render(
        request,
        "reporting/reports/programme_dashboard.html",
        {
            "form": form,
            "year": year,
            "as_of": as_of,
            "figures": figures,
            "key": summary["key"],
            "departments": summary["departments"],
            "year_labels": year_labels,
            "year_rows": _figure_rows(DASHBOARD_INDICATORS, list(yearly.values())),
            "innovation_rows": innovation_rows,
            "region_rows": region_rows,
            "charts": charts,
            "can_see_yearly_report": rules.has_perm("reporting.view_programme_report", request.user),
        },
    )


# --------------------------------------------------------------------------
# An innovation's reports
# --------------------------------------------------------------------------


def _report_list_context(request, innovation, *, bound_kind=None, bound_form=None, conflict=None) -> dict:
    can_manage = _is_staff(request.user)
    report_rows = list(innovation.reports.select_related("requested_by"))
    kinds = []
    if can_manage:
        candidates = list(reports.quote_candidates(innovation))
        narratives = {
            narrative.kind: narrative
            for narrative in ReportNarrative.objects.filter(innovation=innovation).select_related("updated_by")
        }
        for kind in INNOVATION_KINDS:
            narrative = narratives.get(kind)
            if kind == bound_kind:
                form = bound_form
            else:
                initial = {"revision": 0}
                if narrative is not None:
                    initial = {**reports.narrative_payload(narrative)}
                form = NarrativeForm(prefix=kind, candidates=candidates, initial=initial)
            try:
                reports.check_ready(innovation, kind)
                not_ready = ""
            except ReportError as error:
                not_ready = str(error)
            kinds.append(
                {
                    "kind": kind,
                    "label": ReportKind(kind).label,
                    "form": form,
                    "narrative": narrative,
                    "not_ready": not_ready,
                    "conflict": conflict if kind == bound_kind else None,
                }
            )
    return {"innovation": innovation, "reports": report_rows, "kinds": kinds, "can_manage": can_manage}


@view_reports
def report_list(request, pk):
    innovation = _innovation(request, pk)
    return render(request, "reporting/reports/report_list.html", _report_list_context(request, innovation))


@require_POST
@manage_reports
def report_narrative(request, pk, kind):
    innovation = _innovation(request, pk)
    kind = _kind(kind)
    candidates = list(reports.quote_candidates(innovation))
    form = NarrativeForm(request.POST, prefix=kind, candidates=candidates)
    if not form.is_valid():
        messages.error(request, FORM_ERRORS)
        context = _report_list_context(request, innovation, bound_kind=kind, bound_form=form)
        return render(request, "reporting/reports/report_list.html", context, status=400)
    data = form.cleaned_data
    try:
        reports.save_narrative(
            innovation,
            kind,
            summary=data["summary"],
            conclusions=data["conclusions"],
            recommendations=data["recommendations"],
            quotes=data["quotes"],
            revision=data["revision"],
            by=request.user,
        )
    except ReportError as error:
        # Someone saved in between: the typed text stays in the form, next to the saved one;
        # the form now carries the latest revision, so saving again replaces it knowingly.
        saved = ReportNarrative.objects.select_related("updated_by").get(innovation=innovation, kind=kind)
        posted = request.POST.copy()
        posted[f"{kind}-revision"] = str(saved.revision)
        form = NarrativeForm(posted, prefix=kind, candidates=candidates)
        form.is_valid()
        add_domain_error(form, error)
        context = _report_list_context(request, innovation, bound_kind=kind, bound_form=form, conflict=saved)
        return render(request, "reporting/reports/report_list.html", context, status=409)
    messages.success(
        request, _("The texts of the %(report)s are saved.") % {"report": str(ReportKind(kind).label).lower()}
    )
    return redirect("reporting:report_list", pk=innovation.pk)


@manage_reports
def report_preview(request, pk, kind):
    """The report as HTML, from the same template and figures as the PDF."""
    innovation = _innovation(request, pk)
    kind = _kind(kind)
    context = {**reports.innovation_context(innovation, kind), "report": None}
    document = render_to_string("reporting/pdf/innovation_report.html", context)
    head = format_html(
        '<link rel="stylesheet" href="{}"><link rel="stylesheet" href="{}">'
        '<link rel="icon" href="{}" type="image/svg+xml">',
        static("css/report-pdf.css"),
        static("css/reports.css"),
        static("img/favicon.svg"),
    )
    banner = render_to_string(
        "reporting/reports/_preview_banner.html", {"innovation": innovation, "kind_label": context["kind_label"]}
    )
    document = document.replace("</head>", f"{head}</head>", 1)
    document = document.replace("<body>", f'<body class="report-preview">{banner}', 1)
    return HttpResponse(document)


@require_POST
@manage_reports
def report_generate(request, pk, kind):
    innovation = _innovation(request, pk)
    kind = _kind(kind)
    try:
        report = reports.request_report(innovation, kind, by=request.user)
    except ReportError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Version %(version)s of the %(report)s is being generated: its progress shows below.")
            % {"version": report.version, "report": str(ReportKind(kind).label).lower()},
        )
    return redirect("reporting:report_list", pk=innovation.pk)


@view_reports
def report_status(request, pk):
    """The report's progress: an htmx partial polled while it is being generated,
    or a small page when opened directly."""
    report = get_object_or_404(_visible_reports(request.user), pk=pk)
    context = {"report": report, "can_retry": _can_retry(request.user, report)}
    if request.htmx:
        return render(request, "reporting/reports/_status.html", context)
    return render(request, "reporting/reports/status.html", context)


def _can_retry(user, report) -> bool:
    if report.kind == ReportKind.YEARLY:
        return rules.has_perm("reporting.view_programme_report", user)
    return _is_staff(user)


@view_reports
def report_download(request, pk, fmt):
    report = get_object_or_404(_visible_reports(request.user).filter(status=ReportStatus.DONE), pk=pk)
    files = {"pdf": (report.pdf, "application/pdf"), "xlsx": (report.xlsx, list_exports.CONTENT_TYPES["xlsx"])}
    if fmt not in files or not files[fmt][0]:
        raise Http404
    field, content_type = files[fmt]
    return file_download(field, f"{report.file_name}.{fmt}", content_type)


# --------------------------------------------------------------------------
# The yearly programme report (administrators)
# --------------------------------------------------------------------------


@permission_required("reporting.view_programme_report", raise_exception=True)
def yearly_report(request):
    form = YearlyReportForm(request.POST if request.method == "POST" else None)
    return form_action(
        request,
        form,
        lambda form: reports.request_yearly_report(form.cleaned_data["year"], by=request.user),
        success_url="reporting:yearly_report",
        success_message=lambda report: (
            _("Version %(version)s of the programme report is being generated: its progress shows below.")
            % {"version": report.version}
        ),
        template="reporting/reports/yearly_report.html",
        context=lambda: {"reports": list(Report.objects.filter(kind=ReportKind.YEARLY).select_related("requested_by"))},
    )


# --------------------------------------------------------------------------
# List exports
# --------------------------------------------------------------------------


@permission_required("reporting.view_exports", raise_exception=True)
def exports(request):
    rows = [
        {"export": export, "count": export.queryset(request.user).order_by().count()}
        for export in list_exports.EXPORTS
        if rules.has_perm(export.permission, request.user)
    ]
    return render(
        request,
        "reporting/reports/exports.html",
        {
            "rows": rows,
            "is_staff": _is_staff(request.user),
            "can_see_yearly_report": rules.has_perm("reporting.view_programme_report", request.user),
        },
    )


@permission_required("reporting.view_exports", raise_exception=True)
def export_list(request, name, fmt):
    export = list_exports.BY_NAME.get(name)
    if export is None or fmt not in list_exports.CONTENT_TYPES:
        raise Http404
    if not rules.has_perm(export.permission, request.user):
        raise PermissionDenied
    body = list_exports.export_file(export, request.user, fmt)
    response = HttpResponse(body, content_type=list_exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{list_exports.file_name(export, fmt)}"'
    return response
