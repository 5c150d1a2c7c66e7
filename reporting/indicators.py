"""The programme's standard indicators, computed from the questionnaires' answers.

Two uses. ``aggregate`` turns per-structure figures into totals and rates everywhere.
The rest follows the innovations' structures as they are now (an innovation's
dashboard and reports), by the rules below. The programme's figures *at a date*
(yearly report, programme dashboard, public pages) are not these: they come from
``reporting.definitions`` (validated figures dated by then, withdrawn structures
keeping theirs; ``docs/indicators.md``), then ``aggregate``.

Every indicator is defined from question codes (``evaluation/defaults.py``) and the
definitions are shown to users (``INDICATORS``: label, unit, what is counted).

What counts, the same way every time:

* only questionnaires **submitted or validated** (a questionnaire returned for
  correction, in progress or cancelled does not count until it is sent again);
* structures that **withdrew** are left out: their figures are not followed to the end;
* the questionnaires' figures are cumulative since the structure's start, so for each
  structure and code the value of its **latest phase** answered is taken
  (impact, else implementation, else appropriation), never a sum across phases;
* ``as_of`` limits to the questionnaires submitted up to that date (a year's figures
  are the totals as of its 31 December);
* totals add up the structures; rates divide totals (never an average of rates);
  the retention rate is averaged over structures weighted by their exits to employment.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from essaimage.models import StructureStatus
from evaluation.models import ANSWERED_STATUSES, PHASE_ORDER, Answer


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    unit: str
    definition: str
    codes: tuple[str, ...]


SUMS = {
    "people_accompanied": "people_accompanied",
    "people_deld": "people_deld",
    "exits_durable_employment": "exits_durable_employment",
    "exits_transitional_employment": "exits_transitional_employment",
    "exits_qualifying_training": "exits_qualifying_training",
    "insertion_hours": "insertion_hours",
    "companies_mobilised": "companies_mobilised",
    "professionals_trained": "professionals_trained",
}

INDICATORS = [
    Indicator(
        "people_accompanied",
        _("People accompanied"),
        _("people"),
        _("Sum over the structures of the people accompanied since their start (latest questionnaire answered)."),
        ("people_accompanied",),
    ),
    Indicator(
        "people_deld",
        _("Long-term jobseekers (DELD) accompanied"),
        _("people"),
        _("Sum of the people out of work for over a year among those accompanied."),
        ("people_deld",),
    ),
    Indicator(
        "exits_durable_employment",
        _("Exits to durable employment"),
        _("people"),
        _("Permanent contracts, fixed-term or temporary work of six months or more, business creation."),
        ("exits_durable_employment",),
    ),
    Indicator(
        "exits_transitional_employment",
        _("Exits to transitional employment"),
        _("people"),
        _("Fixed-term or temporary work under six months, subsidised contracts, work integration structures."),
        ("exits_transitional_employment",),
    ),
    Indicator(
        "exits_qualifying_training",
        _("Exits to qualifying training"),
        _("people"),
        _("People who went on to a qualifying training."),
        ("exits_qualifying_training",),
    ),
    Indicator(
        "exit_rate",
        _("Exit rate to employment"),
        "%",
        _("Exits to durable and transitional employment divided by the people accompanied, over the same structures."),
        ("exits_durable_employment", "exits_transitional_employment", "people_accompanied"),
    ),
    Indicator(
        "positive_exit_rate",
        _("Positive exit rate"),
        "%",
        _("Exits to employment and to qualifying training divided by the people accompanied."),
        (
            "exits_durable_employment",
            "exits_transitional_employment",
            "exits_qualifying_training",
            "people_accompanied",
        ),
    ),
    Indicator(
        "retention_6_months",
        _("Retention in employment at six months"),
        "%",
        _("Average of the structures' retention rates, weighted by their exits to employment."),
        ("retention_6_months", "exits_durable_employment", "exits_transitional_employment"),
    ),
    Indicator(
        "insertion_hours",
        _("Insertion hours worked"),
        _("hours"),
        _("Sum of the hours of work in insertion reported by the structures."),
        ("insertion_hours",),
    ),
    Indicator(
        "companies_mobilised",
        _("Companies mobilised"),
        _("companies"),
        _("Sum of the companies that hosted, hired or met people accompanied."),
        ("companies_mobilised",),
    ),
    Indicator(
        "professionals_trained",
        _("Professionals trained"),
        _("people"),
        _("Sum of the structures' professionals trained in the model (appropriation questionnaire)."),
        ("professionals_trained",),
    ),
]
BY_CODE = {indicator.code: indicator for indicator in INDICATORS}
QUESTION_CODES = sorted({code for indicator in INDICATORS for code in indicator.codes})

GROUPS = {
    None: None,
    "structure": "response__structure_id",
    "innovation": "response__structure__innovation_id",
    "wave": "response__structure__wave",
    "department": "response__structure__organisation__commune__department_id",
    "region": "response__structure__organisation__commune__department__region_id",
    "innovation_wave": None,  # (innovation, wave)
}
PHASE_RANK = {phase: rank for rank, phase in enumerate(PHASE_ORDER)}


def _rows(responses=None, *, as_of=None):
    """One row per answer that counts: the structure, its groups, the phase, the code, the value."""
    answers = Answer.objects.filter(response__status__in=ANSWERED_STATUSES, question__code__in=QUESTION_CODES).exclude(
        response__structure__status=StructureStatus.WITHDRAWN
    )
    if responses is not None:
        answers = answers.filter(response__in=responses)
    if as_of is not None:
        end = timezone.make_aware(datetime.datetime.combine(as_of, datetime.time.max))
        answers = answers.filter(response__submitted_at__lte=end)
    return answers.values_list(
        "response__structure_id",
        "response__structure__innovation_id",
        "response__structure__wave",
        "response__structure__organisation__commune__department_id",
        "response__structure__organisation__commune__department__region_id",
        "response__phase",
        "response__submitted_at",
        F("question__code"),
        "value",
    )


def _add_latest(structures: dict, ranks: dict, row) -> None:
    """Record one answer row in ``structures`` if it is the structure's latest phase for its code."""
    structure_id, innovation_id, wave, department, region, phase, submitted_at, code, value = row
    entry = structures.setdefault(
        structure_id,
        {
            "groups": {
                "structure": structure_id,
                "innovation": innovation_id,
                "wave": wave,
                "department": department,
                "region": region,
                "innovation_wave": (innovation_id, wave),
            },
            "values": {},
        },
    )
    rank = (PHASE_RANK[phase], submitted_at)
    if ranks.get((structure_id, code), (-1, None))[0] < rank[0]:
        ranks[(structure_id, code)] = rank
        entry["values"][code] = value


def _counts(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def latest_values(responses=None, *, as_of=None) -> dict[int, dict]:
    """``{structure_id: {"groups": {...}, "values": {code: value}}}`` with, for each code,
    the value of the structure's latest phase answered."""
    structures: dict[int, dict] = {}
    ranks: dict[tuple[int, str], tuple] = {}
    for row in _rows(responses, as_of=as_of):
        if _counts(row[-1]):
            _add_latest(structures, ranks, row)
    return structures


def latest_values_by_phase(responses) -> tuple[dict[int, dict], dict[str, dict[int, dict]]]:
    """``latest_values(responses)`` and, for each phase, ``latest_values`` of that phase's
    questionnaires only, from one query."""
    overall: dict[int, dict] = {}
    ranks: dict[tuple[int, str], tuple] = {}
    phases = {phase: ({}, {}) for phase in PHASE_ORDER}
    for row in _rows(responses):
        if _counts(row[-1]):
            _add_latest(overall, ranks, row)
            _add_latest(*phases[row[5]], row)
    return overall, {phase: structures for phase, (structures, _ranks) in phases.items()}


def innovation_figures(responses) -> dict:
    """The figures of an innovation's dashboard for ``responses`` (its questionnaires,
    or a wave's): ``overall``, ``per_phase`` (a list in ``PHASE_ORDER``) and
    ``per_structure`` (``{structure_id: {...}}``), the same as ``compute`` would give
    for each, from one query."""
    overall, phases = latest_values_by_phase(responses)
    return {
        "overall": aggregate([entry["values"] for entry in overall.values()]),
        "per_phase": [aggregate([entry["values"] for entry in phases[phase].values()]) for phase in PHASE_ORDER],
        "per_structure": {structure_id: aggregate([entry["values"]]) for structure_id, entry in overall.items()},
    }


def _percent(numerator, denominator):
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def aggregate(structure_values: list[dict]) -> dict:
    """The indicators of a set of structures (each a ``{code: value}`` dict)."""
    totals = dict.fromkeys(SUMS, 0)
    answered = dict.fromkeys(SUMS, 0)
    for values in structure_values:
        for code in SUMS:
            if code in values:
                totals[code] += values[code]
                answered[code] += 1
    result = {code: (totals[code] if answered[code] else None) for code in SUMS}
    if result["exits_durable_employment"] is not None or result["exits_transitional_employment"] is not None:
        result["exits_employment"] = (result["exits_durable_employment"] or 0) + (
            result["exits_transitional_employment"] or 0
        )
    else:
        result["exits_employment"] = None
    # Rates over the structures that gave both the exits and the people.
    people = exits = positive = 0
    for values in structure_values:
        if "people_accompanied" in values and "exits_durable_employment" in values:
            people += values["people_accompanied"]
            employment = values["exits_durable_employment"] + values.get("exits_transitional_employment", 0)
            exits += employment
            positive += employment + values.get("exits_qualifying_training", 0)
    result["exit_rate"] = _percent(exits, people)
    result["positive_exit_rate"] = _percent(positive, people)
    weighted = weights = 0
    for values in structure_values:
        if "retention_6_months" in values:
            weight = values.get("exits_durable_employment", 0) + values.get("exits_transitional_employment", 0)
            weighted += Decimal(str(values["retention_6_months"])) * weight
            weights += weight
    result["retention_6_months"] = (
        (weighted / weights).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if weights else None
    )
    result["structures_reporting"] = len(structure_values)
    return result


def compute(responses=None, *, group_by: str | None = None, as_of=None) -> dict:
    """Indicators for everything (``group_by=None``: ``{None: {...}}``) or per structure,
    innovation, wave, department, region or (innovation, wave): ``{key: {code: value}}``."""
    if group_by not in GROUPS:
        raise ValueError(f"Unknown grouping {group_by!r}")
    groups: dict = defaultdict(list)
    for entry in latest_values(responses, as_of=as_of).values():
        key = entry["groups"][group_by] if group_by else None
        groups[key].append(entry["values"])
    if group_by is None and not groups:
        groups[None] = []
    return {key: aggregate(values) for key, values in groups.items()}


def by_year(years, responses=None) -> dict[int, dict]:
    """The programme's totals as of the 31 December of each year."""
    return {year: compute(responses, as_of=datetime.date(year, 12, 31))[None] for year in years}


def compare_with_targets(innovation, values: dict) -> list[dict]:
    """The innovation's targets with the value reached when an indicator code matches."""
    rows = []
    for target in innovation.targets.all():
        reached = values.get(target.indicator_code) if target.indicator_code else None
        met = None
        if reached is not None and target.value is not None:
            met = Decimal(str(reached)) >= target.value
        rows.append({"target": target, "indicator": BY_CODE.get(target.indicator_code), "reached": reached, "met": met})
    return rows
