"""Reports: an innovation's intermediate (after the 9-month phase) and final (after
the 18-month phase) report, and the programme's yearly report, as PDF (WeasyPrint)
and, for the yearly one, XLSX.

A report is requested (``request_report`` / ``request_yearly_report``), which
records a ``Report`` row and queues ``reporting.generate_report`` after commit;
the task calls ``generate``, which writes its progress on the row as it goes, so
that the page can show it, and keeps the file with its date and version. The
HTML preview uses the same context and template as the PDF.
"""

import datetime
import io
import logging
import time
from collections import Counter, defaultdict

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ais.core.errors import DomainError
from essaimage.models import ACTIVE_STATUSES, SpreadStructure, StructureStatus, Training, TrainingParticipant
from evaluation.models import ANSWERED_STATUSES, PHASE_ORDER, Answer, Phase, Response
from projects.models import Call, Dossier, DossierStatus, Innovation, Stage

from . import charts, definitions, indicators
from .models import Report, ReportKind, ReportNarrative, ReportStatus

logger = logging.getLogger(__name__)

PROGRAMME_START = datetime.date(2015, 1, 1)  # "since the start" counts from here

PDF_CSS = settings.BASE_DIR / "static" / "css" / "report-pdf.css"
REPORT_PHASES = {
    ReportKind.INTERMEDIATE: [Phase.APPROPRIATION, Phase.IMPLEMENTATION],
    ReportKind.FINAL: PHASE_ORDER,
}
# The phase whose answers make a report possible.
REQUIRED_PHASE = {ReportKind.INTERMEDIATE: Phase.IMPLEMENTATION, ReportKind.FINAL: Phase.IMPACT}
KEY_INDICATORS = [
    "people_accompanied",
    "people_deld",
    "exits_durable_employment",
    "exits_transitional_employment",
    "exits_qualifying_training",
    "exit_rate",
    "retention_6_months",
    "insertion_hours",
    "companies_mobilised",
]
QUOTE_CODES = ("testimony", "success_conditions", "structure_effects", "territory_effects", "local_adaptations")


class ReportError(DomainError):
    """The report cannot be generated yet; the message says why."""


# --------------------------------------------------------------------------
# Narrative
# --------------------------------------------------------------------------


def narrative_for(innovation: Innovation, kind: str) -> ReportNarrative:
    narrative, _created = ReportNarrative.objects.get_or_create(innovation=innovation, kind=kind)
    return narrative


def save_narrative(
    innovation: Innovation,
    kind: str,
    *,
    summary: str,
    conclusions: str,
    recommendations: str,
    quotes,
    revision: int,
    by,
) -> ReportNarrative:
    """Save the manager's texts; refused (``ReportError``) if someone saved since ``revision``."""
    with transaction.atomic():
        narrative = narrative_for(innovation, kind)
        narrative = ReportNarrative.objects.select_for_update().get(pk=narrative.pk)
        if narrative.revision != revision:
            raise ReportError(
                _(
                    "Someone else saved these texts since you opened the page: "
                    "your text is kept below, compare before saving."
                )
            )
        allowed = set(quote_candidates(innovation).values_list("pk", flat=True))
        narrative.summary = summary
        narrative.conclusions = conclusions
        narrative.recommendations = recommendations
        narrative.quotes = [int(pk) for pk in quotes if int(pk) in allowed]
        narrative.revision += 1
        narrative.updated_by = by
        narrative._history_user = by
        narrative.save()
    return narrative


def quote_candidates(innovation: Innovation):
    """Long answers that may be quoted in the report (submitted or validated questionnaires)."""
    return (
        Answer.objects.filter(
            response__structure__innovation=innovation,
            response__status__in=ANSWERED_STATUSES,
            question__code__in=QUOTE_CODES,
        )
        .exclude(value=None)
        .exclude(value="")
        .select_related("question", "response__structure__organisation")
        .order_by("question__code", "response__structure__organisation__name")
    )


# --------------------------------------------------------------------------
# Contexts (shared by the HTML preview and the PDF)
# --------------------------------------------------------------------------


def _department_counts(structures) -> dict[str, int]:
    counts = Counter()
    for structure in structures:
        commune = structure.organisation.commune
        if commune and structure.status in ACTIVE_STATUSES:
            counts[commune.department_id] += 1
    return dict(counts)


def _mean(values):
    values = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    return round(sum(values) / len(values), 1) if values else None


def _appropriation(responses) -> dict:
    """The appropriation analysis: political, internal and external dimensions, fidelity, obstacles."""
    answers = defaultdict(list)
    for response in responses:
        if response.phase != Phase.APPROPRIATION:
            continue
        for answer in response.answers.all():
            answers[answer.question.code].append(answer.value)
    yes = [v for v in answers.get("local_authorities_informed", []) if isinstance(v, bool)]
    obstacles = Counter(o for values in answers.get("obstacles", []) if isinstance(values, list) for o in values)
    fidelity = Counter(v for v in answers.get("fidelity", []) if isinstance(v, str))
    return {
        "answered": sum(1 for r in responses if r.phase == Phase.APPROPRIATION),
        "political_support": _mean(answers.get("political_support", [])),
        "authorities_informed": round(100 * sum(yes) / len(yes)) if yes else None,
        "team_appropriation": _mean(answers.get("team_appropriation", [])),
        "professionals_trained": sum(v for v in answers.get("professionals_trained", []) if isinstance(v, int)),
        "training_satisfaction": _mean(answers.get("training_satisfaction", [])),
        "partners_informed": sum(v for v in answers.get("partners_informed", []) if isinstance(v, int)),
        "companies_contacted": sum(v for v in answers.get("companies_contacted", []) if isinstance(v, int)),
        "fidelity": fidelity.most_common(),
        "obstacles": obstacles.most_common(6),
    }


def innovation_context(innovation: Innovation, kind: str, narrative: dict | None = None) -> dict:
    """Everything an innovation's report shows, in a fixed number of queries."""
    phases = REPORT_PHASES[kind]
    structures = list(
        SpreadStructure.objects.filter(innovation=innovation)
        .select_related("organisation__commune__department__region")
        .order_by("wave", "organisation__name")
    )
    responses = list(
        Response.objects.filter(structure__innovation=innovation, phase__in=phases, status__in=ANSWERED_STATUSES)
        .exclude(structure__status=StructureStatus.WITHDRAWN)
        .prefetch_related("answers__question")
    )
    scope = Response.objects.filter(structure__innovation=innovation, phase__in=phases)
    overall = indicators.compute(scope)[None]
    per_structure = indicators.compute(scope, group_by="structure")
    per_phase = {phase: indicators.compute(scope.filter(phase=phase))[None] for phase in phases}
    phase_labels = [str(Phase(phase).label) for phase in phases]
    if narrative is None:
        stored = ReportNarrative.objects.filter(innovation=innovation, kind=kind).first()
        narrative = narrative_payload(stored) if stored else {}
    quotes = []
    if narrative.get("quotes"):
        quotes = [
            {"text": a.value, "structure": a.response.structure.organisation.name, "question": a.question.label}
            for a in quote_candidates(innovation).filter(pk__in=narrative["quotes"])
        ]
    rows = []
    for structure in structures:
        values = per_structure.get(structure.pk) or indicators.aggregate([])
        rows.append({"structure": structure, "values": values, "answered": structure.pk in per_structure})
    due = (
        Response.objects.filter(structure__innovation=innovation, phase__in=phases)
        .exclude(status="cancelled")
        .aggregate(
            due=Count("pk", filter=Q(opens_on__lte=timezone.localdate())),
            answered=Count("pk", filter=Q(status__in=ANSWERED_STATUSES)),
        )
    )
    departments = _department_counts(structures)
    return {
        "innovation": innovation,
        "kind": kind,
        "kind_label": ReportKind(kind).label,
        "generated_on": timezone.localdate(),
        "phases": phase_labels,
        "overall": overall,
        "per_phase": [(Phase(phase).label, per_phase[phase]) for phase in phases],
        "targets": indicators.compare_with_targets(innovation, overall),
        "definitions": [indicators.BY_CODE[code] for code in KEY_INDICATORS],
        "structures": rows,
        "active_count": sum(1 for s in structures if s.status in ACTIVE_STATUSES),
        "withdrawn_count": sum(1 for s in structures if s.status == StructureStatus.WITHDRAWN),
        "department_count": len(departments),
        "response_rate": round(100 * due["answered"] / due["due"]) if due["due"] else None,
        "responses_due": due["due"],
        "responses_answered": due["answered"],
        "appropriation": _appropriation(responses),
        "quotes": quotes,
        "narrative": narrative,
        "chart_phases": charts.grouped_bars(
            phase_labels,
            [
                (_("People accompanied"), [per_phase[p]["people_accompanied"] for p in phases]),
                (_("Exits to durable employment"), [per_phase[p]["exits_durable_employment"] for p in phases]),
                (
                    _("Exits to transitional employment"),
                    [per_phase[p]["exits_transitional_employment"] for p in phases],
                ),
            ],
        ),
        **_structures_chart(rows),
        "map": charts.france_map(departments, title=_("Adopting structures per department")),
    }


STRUCTURE_CHART_LIMIT = 20
EXIT_RATE_BANDS = [(0, 20), (20, 40), (40, 60), (60, 80), (80, 100)]


def _structures_chart(rows) -> dict:
    """The exit rate per structure, or, beyond ``STRUCTURE_CHART_LIMIT`` structures (the
    bars would not fit on a page), the number of structures per band of exit rate."""
    rates = [
        (row["structure"].organisation.name, row["values"].get("exit_rate"))
        for row in rows
        if row["values"] and row["values"].get("exit_rate") is not None
    ]
    if len(rates) <= STRUCTURE_CHART_LIMIT:
        return {
            "chart_structures_title": _("Exit rate per structure"),
            "chart_structures": charts.bar_chart(
                [(name if len(name) <= 24 else name[:23] + "…", rate) for name, rate in rates],
                unit=" %",
                width=330,
                label_width=150,
            ),
        }
    bands = []
    for low, high in EXIT_RATE_BANDS:
        inside = [rate for _name, rate in rates if low <= rate < high or (high == 100 and rate == 100)]
        bands.append((_("%(low)s to %(high)s %%") % {"low": low, "high": high}, len(inside)))
    return {
        "chart_structures_title": _("Structures per band of exit rate"),
        "chart_structures": charts.bar_chart(bands, width=330, label_width=110),
    }


def narrative_payload(narrative: ReportNarrative) -> dict:
    return {
        "summary": narrative.summary,
        "conclusions": narrative.conclusions,
        "recommendations": narrative.recommendations,
        "quotes": list(narrative.quotes),
        "revision": narrative.revision,
    }


def programme_context(year: int | None, *, today: datetime.date | None = None) -> dict:
    """The programme report: of ``year``, or since the start when None.

    The programme's figures are those of ``reporting.definitions`` on the date the
    report describes (``as_of``): 31 December of ``year`` (today for the current
    year), or today since the start; a later change never rewrites them. The
    period's own counts (calls, dossiers, trainings, new structures, innovations
    selected during the year) cover 1 January of ``year`` (of 2015) to that date."""
    today = today or timezone.localdate()
    end = definitions.report_date(year, today=today)
    start = datetime.date(year, 1, 1) if year else PROGRAMME_START

    def in_period(field):
        return Q(**{f"{field}__date__gte": start, f"{field}__date__lte": end})

    calls = Call.objects.filter(published_at__isnull=False).filter(
        Q(opens_at__date__lte=end) & Q(closes_at__date__gte=start)
    )
    dossiers = Dossier.objects.filter(in_period("submitted_at")).exclude(status=DossierStatus.DRAFT)
    stage_of = definitions.innovation_stages(end)
    innovations = list(Innovation.objects.filter(pk__in=list(stage_of)).select_related("carrier").order_by("name"))
    selected = [
        i
        for i in innovations
        if (start <= i.selected_on <= end if i.selected_on else start.year <= (i.year_selected or 0) <= end.year)
    ]
    training_days = Training.objects.filter(days__date__gte=start, days__date__lte=end).distinct()
    trained = (
        TrainingParticipant.objects.filter(
            attendances__present=True, attendances__day__date__gte=start, attendances__day__date__lte=end
        )
        .distinct()
        .count()
    )
    # The questionnaire figures of each structure on the report's date, and on 31 December
    # of the years before (one query), grouped by innovation with the structures' places.
    year_ends = [datetime.date(y, 12, 31) for y in range(max(PROGRAMME_START.year, end.year - 5), end.year)]
    per_date = definitions.structure_figures_by_date([*year_ends, end], indicators.QUESTION_CODES)
    per_structure = per_date[end]
    places = definitions.structure_places(end)
    figures = indicators.aggregate(list(per_structure.values()))
    by_innovation: dict = defaultdict(list)
    for structure_id, values in per_structure.items():
        by_innovation[places[structure_id]["innovation"]].append(values)
    counts = definitions.structure_counts_by_innovation(end)
    territories = definitions.territories(end)
    found = definitions.stages(end, found=stage_of)
    stage_rows = [(label, found["stages"][value]) for value, label in Stage.choices]
    stage_rows.append((_("Accompaniment closed"), found["closed"]))
    innovation_rows = []
    for innovation in innovations:
        values = indicators.aggregate(by_innovation.get(innovation.pk, []))
        stage, closed = stage_of[innovation.pk]
        innovation_rows.append(
            {
                "innovation": innovation,
                "stage": _("Accompaniment closed") if closed else Stage(stage).label,
                "structures": counts.get(innovation.pk, {}).get("spread", 0),
                "active": counts.get(innovation.pk, {}).get("active", 0),
                "people": values["people_accompanied"],
                "exit_rate": values["exit_rate"],
            }
        )
    yearly = [
        (on.year, indicators.aggregate(list(per_date[on].values()))["people_accompanied"]) for on in [*year_ends, end]
    ]
    key = {
        **definitions.innovation_counts(end),
        **definitions.structure_counts(end),
        "structures_new": definitions.structures_started_between(start, end),
        "departments": territories.department_count,
        "regions": territories.region_count,
        "people_reached": definitions.people_reached(end, figures=per_structure),
        "long_term_unemployed_reached": definitions.long_term_unemployed_reached(end, figures=per_structure),
        "exits_to_employment": definitions.exits_to_employment(end, figures=per_structure),
        "structure_applications": definitions.structure_applications(end),
    }
    events = events_figures(start, end)
    return {
        "year": year,
        "as_of": end,
        "period_label": str(year) if year else _("since the start of the programme"),
        "generated_on": today,
        "calls": calls.count(),
        "dossiers": dossiers.count(),
        "selected": selected,
        "innovations": innovations,
        "key": key,
        "stage_rows": stage_rows,
        "structures_total": key["structures_spread"],
        "structures_new": key["structures_new"],
        "departments": key["departments"],
        "regions": key["regions"],
        "methods": definitions.spreading_methods(end),
        "trainings": training_days.count(),
        "people_trained": trained,
        "figures": figures,
        "events": events,
        "innovation_rows": innovation_rows,
        "department_table": [(d.code, d.name, d.structures) for d in territories.departments],
        "department_rows": _in_columns([(d.code, d.name, d.structures) for d in territories.departments]),
        "yearly_people": yearly,
        "chart_stages": charts.bar_chart([(str(label), n) for label, n in stage_rows], label_width=270),
        "chart_years": charts.bar_chart([(str(y), people) for y, people in yearly]),
        "chart_innovations": charts.bar_chart(
            sorted(
                ((r["innovation"].name[:30], r["structures"]) for r in innovation_rows if r["structures"]),
                key=lambda item: -item[1],
            )[:STRUCTURE_CHART_LIMIT]
        ),
        "innovations_charted": min(STRUCTURE_CHART_LIMIT, sum(1 for r in innovation_rows if r["structures"])),
        "map": charts.france_map(territories.counts(), title=_("Adopting structures per department")),
    }


def _in_columns(items: list, columns: int = 3) -> list[list]:
    """``items`` as table rows of ``columns`` cells, read along each row (so that the
    order survives a page break); the last row's missing cells are ``("", "", "")``."""
    padded = [*items, *[("", "", "")] * (-len(items) % columns)]
    return [padded[start : start + columns] for start in range(0, len(padded), columns)]


def events_figures(start, end) -> dict | None:
    """Events, registrations and attendance of the period, once the events app records them."""
    try:
        from events.reporting import figures
    except ImportError:
        return None
    return figures(start, end)


# --------------------------------------------------------------------------
# Requesting and generating
# --------------------------------------------------------------------------


def check_ready(innovation: Innovation, kind: str) -> None:
    """An intermediate report needs answers to the 9-month phase; a final one to the 18-month phase."""
    phase = REQUIRED_PHASE[kind]
    if not Response.objects.filter(
        structure__innovation=innovation, phase=phase, status__in=ANSWERED_STATUSES
    ).exists():
        raise ReportError(
            _("No structure has answered the “%(phase)s” questionnaire yet: the report would have no figures.")
            % {"phase": Phase(phase).label}
        )


def _next_version(**lookup) -> int:
    last = Report.objects.filter(**lookup).order_by("-version").values_list("version", flat=True).first()
    return (last or 0) + 1


def request_report(innovation: Innovation, kind: str, *, by) -> Report:
    """Queue the generation of an innovation's report with the texts as they are now."""
    check_ready(innovation, kind)
    stored = narrative_for(innovation, kind)
    with transaction.atomic():
        Innovation.objects.select_for_update().get(pk=innovation.pk)  # one version number at a time
        report = Report.objects.create(
            innovation=innovation,
            kind=kind,
            version=_next_version(innovation=innovation, kind=kind),
            narrative=narrative_payload(stored),
            requested_by=by,
        )
        _queue(report)
    return report


def request_yearly_report(year: int | None, *, by) -> Report:
    with transaction.atomic():
        report = Report.objects.create(
            kind=ReportKind.YEARLY,
            year=year,
            version=_next_version(kind=ReportKind.YEARLY, year=year, innovation=None),
            requested_by=by,
        )
        _queue(report)
    return report


def _queue(report: Report) -> None:
    from .tasks import generate_report

    report_id = report.pk

    def enqueue():
        try:
            generate_report.apply_async(kwargs={"report_id": report_id}, retry=False)
        except Exception as error:  # broker down: the periodic sweep picks queued reports up
            logger.warning("Could not enqueue report %s: %s", report_id, error)

    transaction.on_commit(enqueue)


def _progress(report: Report, progress: int, step: str) -> None:
    report.progress, report.step = progress, step
    Report.objects.filter(pk=report.pk).update(progress=progress, step=step)


def generate(report_id: int) -> Report | None:
    """Build the report's files; the row shows the progress and, at the end, the files
    or the error. A report already being generated or done is left alone."""
    with transaction.atomic():
        report = (
            Report.objects.select_for_update(skip_locked=True)
            .filter(pk=report_id, status__in=[ReportStatus.QUEUED, ReportStatus.FAILED])
            .first()
        )
        if report is None:
            return None
        report.status = ReportStatus.RUNNING
        report.save(update_fields=["status"])
    started = time.monotonic()
    try:
        with translation.override(settings.LANGUAGE_CODE):
            _progress(report, 10, _("Computing the indicators"))
            if report.kind == ReportKind.YEARLY:
                pdf, xlsx = programme_documents(
                    report.year, report=report, progress=lambda *step: _progress(report, *step)
                )
            else:
                context = innovation_context(report.innovation, report.kind, report.narrative)
                context["report"] = report
                _progress(report, 50, _("Laying out the document"))
                pdf = render_pdf(render_to_string("reporting/pdf/innovation_report.html", context))
                xlsx = None
            _progress(report, 85, _("Saving the files"))
            report.pdf.save(f"{report.file_name}.pdf", ContentFile(pdf), save=False)
            if xlsx is not None:
                report.xlsx.save(f"{report.file_name}.xlsx", ContentFile(xlsx), save=False)
    except Exception as error:
        logger.exception("Report %s failed", report_id)
        Report.objects.filter(pk=report.pk).update(status=ReportStatus.FAILED, error=str(error)[:2000], progress=0)
        raise
    report.status = ReportStatus.DONE
    report.progress = 100
    report.step = ""
    report.finished_at = timezone.now()
    report.duration_ms = int((time.monotonic() - started) * 1000)
    report.save(update_fields=["status", "progress", "step", "finished_at", "duration_ms", "pdf", "xlsx"])
    return report


def programme_documents(year: int | None, *, report=None, progress=None, today=None) -> tuple[bytes, bytes]:
    """The programme report of ``year`` (since the start when None) as PDF and XLSX
    bytes, the same whether generated for the page (``generate``) or by
    ``manage.py programme_report``. ``report`` (the ``Report`` row, if any) prints its
    version; ``progress(percent, step)`` is told how far it got."""
    context = programme_context(year, today=today)
    context["report"] = report
    if progress:
        progress(50, _("Laying out the document"))
    pdf = render_pdf(render_to_string("reporting/pdf/programme_report.html", context))
    return pdf, programme_xlsx(context)


def render_pdf(html: str) -> bytes:
    from weasyprint import CSS, HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(stylesheets=[CSS(filename=str(PDF_CSS))])


# The definitions in the report's key figures, in order (docs/indicators.md).
KEY_DEFINITION_CODES = [
    "innovations_selected",
    "innovations_accompanied_to_spreading",
    "innovations_in_progress",
    "structures_spread",
    "structures_active",
    "structures_selected_not_started",
    "departments",
    "regions",
    "people_reached",
    "long_term_unemployed_reached",
    "structure_applications",
]
KEY_DEFINITIONS = [(code, definitions.BY_CODE[code]) for code in KEY_DEFINITION_CODES]


def programme_xlsx(context: dict) -> bytes:
    """The programme report's tables, one sheet each; the key figures first, with the
    date they describe."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from ais.core.documents import neutralise

    workbook = Workbook()
    sheets = [
        (
            _("Key figures"),
            [_("Figure"), _("Value")],
            [
                (_("Figures as of"), context["as_of"]),
                *[(str(definition.label), context["key"][code]) for code, definition in KEY_DEFINITIONS],
                (_("Exits to employment"), context["key"]["exits_to_employment"]),
                (_("New adopting structures"), context["structures_new"]),
                (_("Innovations selected during the period"), len(context["selected"])),
                (_("Calls for projects"), context["calls"]),
                (_("Dossiers received"), context["dossiers"]),
                (_("Trainings"), context["trainings"]),
                (_("People trained"), context["people_trained"]),
                *[(str(label), n) for label, n in context["methods"]],
                *[
                    (str(indicator.label), context["figures"].get(indicator.code))
                    for indicator in indicators.INDICATORS
                    if indicator.code not in ("people_accompanied", "people_deld")
                ],
                *(
                    [(str(label), value) for label, value in context["events"].get("rows", [])]
                    if context.get("events")
                    else []
                ),
            ],
        ),
        (_("Stages"), [_("Stage"), _("Innovations")], [(str(label), n) for label, n in context["stage_rows"]]),
        (
            _("Innovations"),
            [
                _("Innovation"),
                _("Lead organisation"),
                _("Stage"),
                _("Structures"),
                _("Active structures"),
                _("People accompanied"),
                _("Exit rate (%)"),
            ],
            [
                (
                    r["innovation"].name,
                    r["innovation"].carrier.name,
                    str(r["stage"]),
                    r["structures"],
                    r["active"],
                    r["people"],
                    float(r["exit_rate"]) if r["exit_rate"] is not None else None,
                )
                for r in context["innovation_rows"]
            ],
        ),
        (_("Departments"), [_("Code"), _("Department"), _("Structures")], context["department_table"]),
        (_("Years"), [_("Year"), _("People accompanied")], context["yearly_people"]),
    ]
    first = True
    for title, header, rows in sheets:
        sheet = workbook.active if first else workbook.create_sheet()
        first = False
        sheet.title = str(title)[:31]
        sheet.append([str(h) for h in header])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([neutralise(v) if isinstance(v, str) else v for v in row])
        for column in sheet.columns:
            sheet.column_dimensions[column[0].column_letter].width = max(
                12, min(50, max(len(str(c.value or "")) for c in column) + 2)
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def retry_stale(older_than=datetime.timedelta(minutes=5)) -> int:
    """Reports left queued (broker down) or running (worker died) are queued again."""
    stale = list(
        Report.objects.filter(
            Q(status=ReportStatus.QUEUED) | Q(status=ReportStatus.RUNNING),
            requested_at__lt=timezone.now() - older_than,
        ).values_list("pk", flat=True)
    )
    Report.objects.filter(pk__in=stale, status=ReportStatus.RUNNING).update(status=ReportStatus.QUEUED)
    for report in Report.objects.filter(pk__in=stale):
        _queue(report)
    return len(stale)
