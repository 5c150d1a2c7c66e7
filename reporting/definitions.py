"""The programme's figures at a date: one function per figure, one rule each.

"Figures are true at their date" (docs/indicators.md): every function takes a date ``on``
(D) and counts what was true on D from the *dated* facts alone (a selection date,
the date a stage move took effect, a start of spreading, a withdrawal date, the
date of a structure's location, the date of a questionnaire's figures), never from
today's statuses. So the report of 2017 generated in 2026 gives the figures of 31
December 2017, and nothing that happens later rewrites an earlier date (a
withdrawal in 2018, a move in 2019, a questionnaire returned and sent again in
2026 with the same figures).

Each function's docstring gives the French label and the exact rule, and
``docs/indicators.md`` repeats them with what counts and what does not. Each issues
a constant number of queries, whatever the number of innovations, structures or
answers. ``structures`` (a ``SpreadStructure`` queryset) narrows a structure figure
to some structures (one innovation, the published innovations); by default every
structure of the programme counts.

Structures are counted as *spread structures*, one per (organisation, innovation):
an organisation spreading two innovations counts as two structures.

Who uses them: the yearly and since-the-start reports (``reporting.reports``), the
programme dashboard (``reporting.views``), the public home, catalogue and map
(``portal``, ``essaimage.geo.public_figures`` through ``portal``).
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, DateField, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast, Coalesce, ExtractYear, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ais.territories.models import Department
from essaimage.geo import with_territory
from essaimage.models import SpreadStructure, StructureApplication, active_on, spread_on
from evaluation.models import PHASE_ORDER, Answer, ResponseStatus
from projects.models import Innovation, SpreadingModel, Stage, StageTransition

# Question codes of the published questionnaires (evaluation/defaults.py).
PEOPLE = "people_accompanied"
LONG_TERM_UNEMPLOYED = "people_deld"
EXITS_TO_EMPLOYMENT = ("exits_durable_employment", "exits_transitional_employment")
PHASE_RANK = {phase: rank for rank, phase in enumerate(PHASE_ORDER)}


def end_of(on: datetime.date) -> datetime.datetime:
    """The last moment of ``on`` in the programme's time zone (for date-time facts)."""
    return timezone.make_aware(datetime.datetime.combine(on, datetime.time.max))


def report_date(year: int | None, *, today: datetime.date | None = None) -> datetime.date:
    """The date a report describes: 31 December of ``year`` (today for the current
    year, which has not ended), or today "since the start" (``year`` None)."""
    today = today or timezone.localdate()
    if year is None:
        return today
    return min(datetime.date(year, 12, 31), today)


# --------------------------------------------------------------------------
# Innovations
# --------------------------------------------------------------------------


def _selected(on) -> Q:
    """Selected on or before ``on``: by the selection date, or, when only the year is
    known, from 1 January of that year."""
    return Q(selected_on__lte=on) | Q(selected_on__isnull=True, year_selected__lte=on.year)


def innovations_selected(on: datetime.date) -> int:
    """« Innovations sélectionnées »: innovations whose selection date is on or before D
    (when only the year of selection is known, from 1 January of that year). Closed
    ones included: a closure ends an accompaniment, not the selection. One query."""
    return counted("innovations_selected", on).count()


def _entered_spreading(on) -> Exists:
    return Exists(
        StageTransition.objects.filter(innovation=OuterRef("pk"), to_stage=Stage.ESSAIMAGE, effective_on__lte=on)
    )


def innovations_accompanied_to_spreading(on: datetime.date) -> int:
    """« Innovations accompagnées jusqu'à l'essaimage »: innovations whose recorded move
    into stage III (spreading) took effect on or before D, whatever came after
    (stage IV, closure). One query."""
    return counted("innovations_accompanied_to_spreading", on).count()


def _in_progress(on) -> Q:
    return _selected(on) & ~Q(closed_on__lte=on)


def innovations_in_progress(on: datetime.date) -> int:
    """« Innovations en cours d'accompagnement »: innovations selected on or before D
    whose accompaniment was not closed on or before D. One query."""
    return counted("innovations_in_progress", on).count()


def innovation_counts(on: datetime.date) -> dict[str, int]:
    """``innovations_selected``, ``innovations_accompanied_to_spreading`` and
    ``innovations_in_progress`` on D, by their rules, in one query."""
    return Innovation.objects.aggregate(
        innovations_selected=Count("pk", filter=_selected(on)),
        innovations_accompanied_to_spreading=Count("pk", filter=_entered_spreading(on)),
        innovations_in_progress=Count("pk", filter=_in_progress(on)),
    )


def innovation_stages(on: datetime.date) -> dict[int, tuple[int, bool]]:
    """``{innovation_id: (stage, closed)}`` for the innovations selected on or before D:
    the stage each was in on D (the last move that had taken effect by then, stage I
    before any) and whether its accompaniment was closed on or before D. Two queries."""
    selected = list(Innovation.objects.filter(_selected(on)).values_list("pk", "closed_on"))
    moves = (
        StageTransition.objects.filter(
            effective_on__lte=on, innovation__in=Innovation.objects.filter(_selected(on)).values("pk")
        )
        .order_by()
        .values_list("innovation_id", "to_stage")
    )
    reached: dict[int, int] = {}
    for innovation_id, to_stage in moves:
        reached[innovation_id] = max(reached.get(innovation_id, Stage.FEASIBILITY), to_stage)
    return {
        pk: (reached.get(pk, Stage.FEASIBILITY), closed_on is not None and closed_on <= on)
        for pk, closed_on in selected
    }


def stages(on: datetime.date, *, found: dict | None = None) -> dict:
    """« Innovations par étape »: the innovations selected on or before D by the stage
    they were in on D (the last move that had taken effect by then, stage I before
    any), and apart, those whose accompaniment was closed on or before D.
    ``{"stages": {stage: count}, "closed": count}``. Two queries (none with ``found``,
    the result of ``innovation_stages`` for D)."""
    found = found if found is not None else innovation_stages(on)
    counts = dict.fromkeys(Stage.values, 0)
    closed = 0
    for stage, is_closed in found.values():
        if is_closed:
            closed += 1
        else:
            counts[stage] += 1
    return {"stages": counts, "closed": closed}


# --------------------------------------------------------------------------
# Structures
# --------------------------------------------------------------------------


def _structures(structures: QuerySet | None) -> QuerySet:
    return (structures if structures is not None else SpreadStructure.objects.all()).order_by()


_spread = spread_on  # the rules are written once, beside the model (essaimage.models)
_active = active_on


def structures_spread(on: datetime.date, *, structures: QuerySet | None = None) -> int:
    """« Structures essaimées »: structures whose spreading start date is on or before
    D, withdrawn or not (a withdrawal ends the activity, not the fact that the
    innovation was spread there). Candidates and structures selected but not started
    are not counted. One query."""
    return counted("structures_spread", on, structures=structures).count()


def structures_active(on: datetime.date, *, structures: QuerySet | None = None) -> int:
    """« Structures en activité »: structures started on or before D and not withdrawn
    on or before D. One query."""
    return counted("structures_active", on, structures=structures).count()


def _selected_not_started(on) -> Q:
    return Q(selected_on__lte=on) & ~Q(start_date__lte=on) & ~Q(withdrawn_on__lte=on)


def structures_selected_not_started(on: datetime.date, *, structures: QuerySet | None = None) -> int:
    """« Structures retenues, pas encore démarrées »: structures selected on or before D
    that had not started spreading on D (no start date, or a later one) and had not
    withdrawn by then. One query."""
    return counted("structures_selected_not_started", on, structures=structures).count()


def structure_counts(on: datetime.date, *, structures: QuerySet | None = None) -> dict[str, int]:
    """``structures_spread``, ``structures_active`` and ``structures_selected_not_started``
    on D, by their rules, in one query."""
    return _structures(structures).aggregate(
        structures_spread=Count("pk", filter=_spread(on)),
        structures_active=Count("pk", filter=_active(on)),
        structures_selected_not_started=Count("pk", filter=_selected_not_started(on)),
    )


def structures_started_between(start: datetime.date, on: datetime.date, *, structures=None) -> int:
    """« Nouvelles structures essaimées »: structures whose spreading started between
    ``start`` and D (both included), withdrawn since or not. One query."""
    return _structures(structures).filter(start_date__gte=start, start_date__lte=on).count()


def structure_counts_by_innovation(on: datetime.date) -> dict[int, dict[str, int]]:
    """``{innovation_id: {"spread": n, "active": m}}`` by the rules of
    ``structures_spread`` and ``structures_active``. One query."""
    rows = (
        SpreadStructure.objects.filter(_spread(on))
        .order_by()
        .values("innovation_id")
        .annotate(spread=Count("pk"), active=Count("pk", filter=_active(on)))
    )
    return {row["innovation_id"]: {"spread": row["spread"], "active": row["active"]} for row in rows}


@dataclass(frozen=True)
class DepartmentCount:
    code: str
    name: str
    region_code: str
    region: str
    structures: int


@dataclass(frozen=True)
class Territories:
    """Where the counted structures were on a date."""

    departments: list[DepartmentCount] = field(default_factory=list)
    regions: list[tuple[str, str]] = field(default_factory=list)  # (code, name)
    unlocated: int = 0  # counted structures whose organisation has no commune

    @property
    def department_count(self) -> int:
        return len(self.departments)

    @property
    def region_count(self) -> int:
        return len(self.regions)

    @property
    def structures(self) -> int:
        return sum(d.structures for d in self.departments) + self.unlocated

    def counts(self) -> dict[str, int]:
        """``{department code: structures}`` (for the maps)."""
        return {d.code: d.structures for d in self.departments}


def territories(on: datetime.date, *, structures: QuerySet | None = None, active: bool = False) -> Territories:
    """« Départements atteints » (and their list) and « Régions atteintes »: the distinct
    departments and regions of the structures counted by ``structures_spread`` (or
    ``structures_active`` with ``active``), each structure in the territory it had on
    D: the commune of its latest location from on or before D, else its organisation's
    commune (``essaimage.geo.with_territory``). A structure that moved later is
    counted where it was; one whose organisation has no commune is counted apart
    (``unlocated``). Two queries."""
    rows = (
        with_territory(_structures(structures).filter(_active(on) if active else _spread(on)), on)
        .values("territory_department", "territory_region")
        .annotate(n=Count("pk"))
    )
    per_department: Counter = Counter()
    unlocated = 0
    for row in rows:
        if row["territory_department"] is None:
            unlocated += row["n"]
        else:
            per_department[row["territory_department"]] += row["n"]
    departments = Department.objects.filter(code__in=list(per_department)).select_related("region")
    found = [
        DepartmentCount(d.code, d.name, d.region_id or "", d.region.name if d.region else "", per_department[d.code])
        for d in departments
    ]
    found.sort(key=lambda d: d.code)
    regions = sorted({(d.region_code, d.region) for d in found if d.region_code})
    return Territories(departments=found, regions=regions, unlocated=unlocated)


# --------------------------------------------------------------------------
# Questionnaire figures: people reached, long-term unemployed, exits
# --------------------------------------------------------------------------


def _figures_date():
    """The date of a questionnaire's figures; for one sent before that date was
    recorded, the day it was submitted."""
    return Coalesce("response__figures_on", Cast(TruncDate("response__submitted_at"), DateField()))


def _answers(last: datetime.date, codes=None, *, structures: QuerySet | None = None) -> QuerySet:
    answers = (
        Answer.objects.filter(response__status=ResponseStatus.VALIDATED)
        .annotate(figures_date=_figures_date())
        .filter(figures_date__lte=last)
        .order_by()
    )
    if codes is not None:
        answers = answers.filter(question__code__in=codes)
    if structures is not None:
        answers = answers.filter(response__structure__in=structures.values("pk"))
    return answers


def _numeric(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _keep_latest(latest: dict, structure_id, code, rank, value) -> None:
    key = (structure_id, code)
    if key not in latest or latest[key][0] < rank:
        latest[key] = (rank, value)


def structure_figures(on: datetime.date, codes=None, *, structures: QuerySet | None = None) -> dict[int, dict]:
    """Per structure, its figures on D: ``{structure_id: {code: value}}``.

    For each structure and question code, the value of its latest *validated*
    questionnaire whose figures are dated on or before D (``Response.figures_on``):
    the latest phase (impact, else implementation, else appropriation; the figures
    are cumulative since the structure's start), then the latest date. Submitted but
    not validated, returned, in progress or cancelled questionnaires do not count. A
    structure that withdrew keeps what it had reported. One query."""
    latest: dict = {}
    rows = _answers(on, codes, structures=structures).values_list(
        "response__structure_id", "response__phase", "figures_date", "question__code", "value"
    )
    for structure_id, phase, day, code, value in rows:
        if _numeric(value):
            _keep_latest(latest, structure_id, code, (PHASE_RANK[phase], day), value)
    result: dict[int, dict] = defaultdict(dict)
    for (structure_id, code), (_rank, value) in latest.items():
        result[structure_id][code] = value
    return dict(result)


def structure_figures_by_date(dates, codes=None) -> dict[datetime.date, dict[int, dict]]:
    """``{D: structure_figures(D, codes)}`` for several dates, from one query."""
    dates = sorted(set(dates))
    latest = {day: {} for day in dates}
    rows = _answers(dates[-1], codes).values_list(
        "response__structure_id", "response__phase", "figures_date", "question__code", "value"
    )
    for structure_id, phase, day, code, value in rows:
        if not _numeric(value):
            continue
        for on in dates:
            if day <= on:
                _keep_latest(latest[on], structure_id, code, (PHASE_RANK[phase], day), value)
    result = {}
    for on, found in latest.items():
        per_structure: dict[int, dict] = defaultdict(dict)
        for (structure_id, code), (_rank, value) in found.items():
            per_structure[structure_id][code] = value
        result[on] = dict(per_structure)
    return result


def structure_places(on: datetime.date) -> dict[int, dict]:
    """Per structure, its innovation and its territory on D (``{structure_id:
    {"innovation": id, "department": code, "region": code}}``), to group the
    questionnaire figures by innovation, department or region. One query."""
    rows = with_territory(SpreadStructure.objects.order_by(), on).values_list(
        "pk", "innovation_id", "territory_department", "territory_region"
    )
    return {
        pk: {"innovation": innovation, "department": department, "region": region}
        for pk, innovation, department, region in rows
    }


def _total(figures: dict[int, dict], codes) -> int | None:
    values = [values[code] for values in figures.values() for code in codes if code in values]
    return sum(values) if values else None


def people_reached(on: datetime.date, *, figures: dict | None = None, structures: QuerySet | None = None):
    """« Personnes accompagnées »: per structure, its latest validated figure of people
    accompanied (question ``people_accompanied``) dated on or before D
    (``structure_figures``), summed over the structures; a withdrawn structure keeps
    what it had reported. None when no structure has a figure. One query (none with
    ``figures``, the result of ``structure_figures`` for D)."""
    figures = figures if figures is not None else structure_figures(on, [PEOPLE], structures=structures)
    return _total(figures, [PEOPLE])


def long_term_unemployed_reached(on: datetime.date, *, figures: dict | None = None, structures=None):
    """« Dont demandeurs d'emploi de longue durée (DELD) »: the same rule as
    ``people_reached`` on the question ``people_deld``. One query (none with ``figures``)."""
    figures = figures if figures is not None else structure_figures(on, [LONG_TERM_UNEMPLOYED], structures=structures)
    return _total(figures, [LONG_TERM_UNEMPLOYED])


def exits_to_employment(on: datetime.date, *, figures: dict | None = None, structures=None):
    """« Sorties vers l'emploi »: the same rule as ``people_reached`` on the exits to
    durable employment plus the exits to transitional employment (questions
    ``exits_durable_employment`` and ``exits_transitional_employment``); exits to a
    qualifying training are not exits to employment. One query (none with ``figures``)."""
    figures = figures if figures is not None else structure_figures(on, EXITS_TO_EMPLOYMENT, structures=structures)
    return _total(figures, EXITS_TO_EMPLOYMENT)


# --------------------------------------------------------------------------
# Methods and applications
# --------------------------------------------------------------------------


def spreading_methods(on: datetime.date) -> list[tuple[str, int]]:
    """« Modalités d'essaimage mobilisées »: the spreading models (formation-action,
    intensive territorial spreading, tooling of pilot sites, other) of the
    innovations with at least one structure active on D (``structures_active``), with
    the number of those innovations each; an innovation whose model is not chosen is
    left out. The model is the innovation's current choice (it is not dated).
    ``[(label, innovations)]`` in the models' order. One query."""
    active = SpreadStructure.objects.filter(_active(on), innovation=OuterRef("pk"))
    rows = (
        Innovation.objects.filter(Exists(active))
        .exclude(spreading_model="")
        .order_by()
        .values("spreading_model")
        .annotate(n=Count("pk"))
    )
    counts = {row["spreading_model"]: row["n"] for row in rows}
    return [(str(label), counts[value]) for value, label in SpreadingModel.choices if value in counts]


def structure_applications(on: datetime.date) -> int:
    """« Candidatures reçues aux appels à structures »: applications of organisations to
    the calls for structures submitted on or before D, whatever the decision. One query."""
    return counted("structure_applications", on).count()


# The rows each count figure counts on D, as a queryset: ``counted(code, on).count()`` is
# the figure. A page that gathers several figures in one query (``portal.dashboard``)
# takes them from here, so that the rule stays written once.
_COUNTED = {
    "innovations_selected": lambda on, structures: Innovation.objects.filter(_selected(on)),
    "innovations_accompanied_to_spreading": lambda on, structures: Innovation.objects.filter(_entered_spreading(on)),
    "innovations_in_progress": lambda on, structures: Innovation.objects.filter(_in_progress(on)),
    "structures_spread": lambda on, structures: _structures(structures).filter(_spread(on)),
    "structures_active": lambda on, structures: _structures(structures).filter(_active(on)),
    "structures_selected_not_started": lambda on, structures: _structures(structures).filter(_selected_not_started(on)),
    "structure_applications": lambda on, structures: StructureApplication.objects.filter(submitted_at__lte=end_of(on)),
}


def counted(code: str, on: datetime.date, *, structures: QuerySet | None = None) -> QuerySet:
    """The rows the count figure ``code`` counts on D (innovations, structures or
    applications, unordered): the figure is their number. ``structures`` narrows a
    structure figure. No query until evaluated."""
    return _COUNTED[code](on, structures).order_by()


def counted_territories(
    on: datetime.date, level: str = "department", *, active: bool = False, structures: QuerySet | None = None
) -> QuerySet:
    """The distinct departments (``level="department"``) or regions (``"region"``) of
    ``territories(D)``, as a queryset of codes: its number is « Départements atteints »
    or « Régions atteintes ». No query until evaluated."""
    key = f"territory_{level}"
    rows = with_territory(
        counted("structures_active" if active else "structures_spread", on, structures=structures), on
    )
    return rows.filter(**{f"{key}__isnull": False}).values(key).distinct()


def structures_started_per_year(on: datetime.date, *, structures: QuerySet | None = None) -> list[tuple[int, int]]:
    """« Nouvelles structures essaimées » of each year up to D: ``[(year, n)]`` in
    chronological order, ``n`` being ``structures_started_between(1 January of the year,
    D or 31 December)``; years with none are left out. One query."""
    return sorted(structures_started_per_year_rows(on, structures=structures).values_list("year", "n"))


def structures_started_per_year_rows(on: datetime.date, *, structures: QuerySet | None = None) -> QuerySet:
    """The rows of ``structures_started_per_year`` (``year``, ``n``), unevaluated."""
    return (
        _structures(structures)
        .filter(start_date__lte=on)
        .annotate(year=ExtractYear("start_date"))
        .values("year")
        .annotate(n=Count("pk"))
        .order_by()
    )


# --------------------------------------------------------------------------
# The list (docs/indicators.md describes each)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Definition:
    code: str
    label: str
    function: object
    rule: str = ""  # what is counted on D, in one sentence (shown on the indicators' page)


DEFINITIONS = [
    Definition(
        "innovations_selected",
        _("Innovations selected"),
        innovations_selected,
        _("Innovations whose selection date is on or before the date (from 1 January when only the year is known)."),
    ),
    Definition(
        "innovations_accompanied_to_spreading",
        _("Innovations accompanied to spreading"),
        innovations_accompanied_to_spreading,
        _("Innovations whose move into stage III (spreading) took effect on or before the date."),
    ),
    Definition(
        "innovations_in_progress",
        _("Innovations in progress"),
        innovations_in_progress,
        _("Innovations selected on or before the date whose accompaniment was not closed by then."),
    ),
    Definition(
        "structures_spread",
        _("Adopting structures"),
        structures_spread,
        _("Structures whose spreading started on or before the date, withdrawn since or not."),
    ),
    Definition(
        "structures_active",
        _("Active adopting structures"),
        structures_active,
        _("Structures whose spreading started on or before the date and that had not withdrawn by then."),
    ),
    Definition(
        "structures_selected_not_started",
        _("Structures selected, not started yet"),
        structures_selected_not_started,
        _("Structures selected on or before the date that had neither started spreading nor withdrawn by then."),
    ),
    Definition(
        "structures_started_between",
        _("New adopting structures"),
        structures_started_between,
        _("Structures whose spreading started during the period (a year), withdrawn since or not."),
    ),
    Definition(
        "departments",
        _("Departments reached"),
        territories,
        _("Distinct departments of the structures counted, each where it was on the date."),
    ),
    Definition(
        "regions",
        _("Regions reached"),
        territories,
        _("Distinct regions of the structures counted, each where it was on the date."),
    ),
    Definition(
        "people_reached",
        _("People accompanied"),
        people_reached,
        _(
            "Per structure, the figure of its latest validated questionnaire dated on or before the date, "
            "summed over the structures (withdrawn ones keep theirs)."
        ),
    ),
    Definition(
        "long_term_unemployed_reached",
        _("of whom long-term jobseekers (DELD)"),
        long_term_unemployed_reached,
        _("The same rule as the people accompanied, on the long-term jobseekers."),
    ),
    Definition(
        "exits_to_employment",
        _("Exits to employment"),
        exits_to_employment,
        _("The same rule, on the exits to durable and to transitional employment (not to a training)."),
    ),
    Definition(
        "spreading_methods",
        _("Spreading methods in use"),
        spreading_methods,
        _("The spreading models of the innovations with at least one structure active on the date."),
    ),
    Definition(
        "structure_applications",
        _("Applications to the calls for structures"),
        structure_applications,
        _("Applications to the calls for structures submitted on or before the date, whatever the decision."),
    ),
]
BY_CODE = {definition.code: definition for definition in DEFINITIONS}


def key_figures(on: datetime.date, *, figures: dict | None = None) -> dict:
    """Every figure of ``DEFINITIONS`` on D, by code (the departments' list under
    ``department_list``), in six queries (seven without ``figures``, the result of
    ``structure_figures`` for D with the codes of people and exits)."""
    if figures is None:
        figures = structure_figures(on, [PEOPLE, LONG_TERM_UNEMPLOYED, *EXITS_TO_EMPLOYMENT])
    places = territories(on)
    return {
        "on": on,
        **innovation_counts(on),
        **structure_counts(on),
        "departments": places.department_count,
        "department_list": places.departments,
        "regions": places.region_count,
        "people_reached": people_reached(on, figures=figures),
        "long_term_unemployed_reached": long_term_unemployed_reached(on, figures=figures),
        "exits_to_employment": exits_to_employment(on, figures=figures),
        "spreading_methods": spreading_methods(on),
        "structure_applications": structure_applications(on),
    }
