"""Checking a history workbook against itself and against the database: the plan.

``build_plan(sheets)`` reads every row of the four sheets (``archive.workbook``),
checks each cell (``archive.sheets``), then the rules between cells, rows and sheets,
and matches each row with what the platform already holds by natural keys:

- an organisation by its SIRET, else by its name (case and accents ignored) and its
  municipality code;
- an innovation by its identifier (slug);
- a structure by its innovation and its organisation;
- a questionnaire by its structure and its phase;
- a training by its innovation and its title.

The plan says, per sheet, what would be created, updated or left unchanged, and holds
every issue found (each naming its sheet, row and column, and what was expected).
Nothing is written here: ``archive.writer`` applies a plan without issues.

Rules checked beyond each cell's format (the messages say them to the person):

- Innovations: one row per identifier and per name (and no other innovation of the
  platform with that name); a carrier with a SIRET, or a name and a municipality; a
  year or a date of selection (the same year when both are given); stage dates in
  order, each stage after the previous one is reached, stage I not before the
  selection; an innovation of the platform already further than the file says is not
  moved back; a closure with its date, kind and reason together, "stopped after the
  feasibility study" in stage I only and "completed after evaluation" from stage IV
  only, not before the last stage reached nor the selection.
- Structures: a known innovation (in the sheet or the platform); one row per
  structure and innovation; selection ≤ agreement, selection ≤ start ≤ withdrawal; a
  withdrawal has both a date and a reason; not selected before its innovation's year
  of selection; moves of its premises after its selection, each to another
  municipality of the referential.
- Questionnaires: a known structure (in the sheet or the platform) with a start date;
  one row per structure and phase; submitted on or after the start date and not after
  the withdrawal, validated on or after the submission, figures dated between the
  start and the submission (the submission date by default); each question code part of the
  questionnaire's version and each value of the question's type and bounds
  (``evaluation.services.clean_value``); the version's consistency rules (exits and
  long-term jobseekers ≤ people accompanied…) on the answers once merged with those
  already recorded (``evaluation.services.consistency_errors``).
- Trainings: a known innovation; one row per innovation and title; the structures
  present are structures of that innovation; at least one trainee per structure
  present, and trainees need structures.
- Everywhere: municipality codes of the referential, dates neither in the future nor
  before 2015, an organisation described the same way on every row.
"""

import datetime
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ais.accounts.models import Organisation
from ais.territories.models import Commune
from essaimage.models import SpreadStructure, StructureLocation, StructureStatus, Training, TrainingKind
from evaluation.models import NUMERIC_KINDS, PHASE_ORDER, QuestionKind, Response, ResponseStatus
from evaluation.schedule import current_version, phase_dates
from evaluation.services import InvalidAnswer, clean_value
from projects.models import ClosureKind, Innovation, Stage, StagePlan, StageTransition

from .sheets import (
    INNOVATIONS,
    PHASE_NAMES,
    QUESTIONNAIRES,
    SHEETS,
    STRUCTURES,
    TRAININGS,
    CellError,
    date_text,
    example_row,
    is_blank,
    normalise,
    read_siret,
    show,
)
from .workbook import Issue, SheetData

# Issues kept for the preview; all of them are counted.
MAX_ISSUES = 500
STAGES = (Stage.FEASIBILITY, Stage.MOBILISATION, Stage.ESSAIMAGE, Stage.EVALUATION)
NOON = datetime.time(12, 0)


def at_noon(day: datetime.date) -> datetime.datetime:
    """A date of the history as a moment (noon, Paris time): never the day before in UTC."""
    return timezone.make_aware(datetime.datetime.combine(day, NOON))


def local_date(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localtime(moment).date() if moment else None


# --------------------------------------------------------------------------
# What the plan holds
# --------------------------------------------------------------------------


@dataclass(eq=False)
class Row:
    sheet: str
    number: int
    values: dict  # key → parsed value (None when blank)
    headers: dict  # key → header as typed
    answers: dict = field(default_factory=dict)  # question code → raw cell (Questionnaires)
    valid: bool = True
    error_columns: set = field(default_factory=set)  # the columns already found wrong
    present: frozenset = frozenset()  # the keys of the columns the sheet has

    def has_error(self, key: str) -> bool:
        return self.headers.get(key, key) in self.error_columns


@dataclass(eq=False)
class OrgPlan:
    instance: Organisation | None
    siret: str
    name: str
    commune: str | None
    kind: str | None
    row: Row | None  # the first row describing it (None: only referred to)
    changes: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.name


@dataclass(eq=False)
class InnovationPlan:
    slug: str
    instance: Innovation | None
    row: Row | None
    values: dict = field(default_factory=dict)
    carrier: OrgPlan | None = None
    stage_dates: dict = field(default_factory=dict)  # stage → date
    changed: bool = False

    @property
    def year_selected(self):
        return self.values.get("year_selected") if self.row else getattr(self.instance, "year_selected", None)


@dataclass(eq=False)
class StructurePlan:
    innovation: InnovationPlan
    organisation: OrgPlan
    instance: SpreadStructure | None
    row: Row | None
    values: dict = field(default_factory=dict)
    changed: bool = False
    phases: dict = field(default_factory=dict)  # phase → ResponsePlan
    locations: list | None = None  # [(valid_from, commune code)]; None: the sheet has no column for them

    def value(self, name):
        if self.row is not None:
            return self.values.get(name)
        return getattr(self.instance, name, None)


@dataclass(eq=False)
class ResponsePlan:
    structure: StructurePlan
    phase: str
    instance: Response | None
    row: Row
    version: Any
    values: dict = field(default_factory=dict)  # fields of the response
    answers: dict = field(default_factory=dict)  # code → cleaned value
    questions: dict = field(default_factory=dict)  # code → Question of the version
    changed: bool = False


@dataclass(eq=False)
class TrainingPlan:
    innovation: InnovationPlan
    title: str
    instance: Training | None
    row: Row
    values: dict = field(default_factory=dict)
    days: list = field(default_factory=list)
    structures: list = field(default_factory=list)  # StructurePlan
    trainees: int = 0
    changed: bool = False


@dataclass
class Plan:
    issues: list = field(default_factory=list)
    issue_count: int = 0
    organisations: list = field(default_factory=list)
    innovations: list = field(default_factory=list)
    structures: list = field(default_factory=list)
    responses: list = field(default_factory=list)
    trainings: list = field(default_factory=list)
    examples: int = 0
    rows: int = 0
    # Existing rows the writer needs, read once here.
    stage_plans: dict = field(default_factory=dict)  # innovation pk → {stage: StagePlan}
    transitions: dict = field(default_factory=dict)  # innovation pk → {to_stage: StageTransition}
    existing_answers: dict = field(default_factory=dict)  # response pk → {code: Answer}
    other_responses: dict = field(default_factory=dict)  # structure pk → {phase: Response} not in the file
    locations: dict = field(default_factory=dict)  # structure pk → [StructureLocation] (the file's structures)

    @property
    def ok(self) -> bool:
        return self.issue_count == 0

    def add(self, message, row: Row | None = None, column: str = "", *, sheet: str = "") -> None:
        self.issue_count += 1
        if row is not None:
            row.valid = False
            row.error_columns.add(column)
        if len(self.issues) < MAX_ISSUES:
            self.issues.append(
                Issue(str(message), sheet=row.sheet if row else sheet, row=row.number if row else None, column=column)
            )

    def counts(self) -> dict:
        """Per sheet: rows to create, to update, unchanged; and the organisations."""

        def count(plans, defined=lambda plan: plan.row is not None):
            counter = Counter(create=0, update=0, unchanged=0)
            for plan in plans:
                if not defined(plan):
                    continue
                if plan.instance is None:
                    counter["create"] += 1
                elif getattr(plan, "changed", False) or getattr(plan, "changes", None):
                    counter["update"] += 1
                else:
                    counter["unchanged"] += 1
            return dict(counter)

        return {
            INNOVATIONS: count(self.innovations),
            STRUCTURES: count(self.structures),
            QUESTIONNAIRES: count(self.responses),
            TRAININGS: count(self.trainings),
            "organisations": count(self.organisations),
        }


# --------------------------------------------------------------------------
# Reading the rows
# --------------------------------------------------------------------------


def _rows(sheet: SheetData, plan: Plan, question_codes: list[str]) -> list[Row]:
    spec = SHEETS[sheet.name]
    example = _example(sheet.name, question_codes)
    rows = []
    present = frozenset(column.key for column in sheet.columns if not isinstance(column, str))
    first_key = (
        (sheet.columns[0] if isinstance(sheet.columns[0], str) else sheet.columns[0].header) if sheet.columns else None
    )
    for number, cells in sheet.rows:
        if first_key is not None and _shown(cells[0]) == example.get(first_key) and _is_example(sheet, cells, example):
            plan.examples += 1
            continue
        plan.rows += 1
        row = Row(sheet.name, number, {}, {}, present=present)
        for header, column, value in zip(sheet.headers, sheet.columns, cells, strict=False):
            if isinstance(column, str):  # a question code
                if value is not None:
                    row.answers[column] = value
                row.headers[column] = header
                continue
            row.headers[column.key] = header
            if is_blank(value):
                row.values[column.key] = None
                if column.required:
                    plan.add(_("a value is required here."), row, header)
                continue
            try:
                row.values[column.key] = column.read(value)
            except CellError as error:
                row.values[column.key] = None
                plan.add(
                    _("%(expected)s; found “%(value)s”.") % {"expected": error.message, "value": show(value)},
                    row,
                    header,
                )
        for column in spec.columns:
            row.values.setdefault(column.key, None)
            row.headers.setdefault(column.key, column.header)
        rows.append(row)
    return rows


def _shown(value) -> str:
    return "" if value is None else show(value)


def _is_example(sheet: SheetData, cells, example: dict) -> bool:
    """The row is the template's example row, left as it was (its cells compared as shown)."""
    shown = {}
    for column, value in zip(sheet.columns, cells, strict=False):
        shown[column if isinstance(column, str) else column.header] = _shown(value)
    return all(shown.get(key, "") == text for key, text in example.items()) and all(
        text == "" for key, text in shown.items() if key not in example
    )


def _example(sheet_name: str, question_codes: list[str]) -> dict:
    spec = SHEETS[sheet_name]
    values = example_row(spec, question_codes)
    keys = [column.header for column in spec.columns] + (list(question_codes) if spec.open_columns else [])
    return {key: ("" if value in (None, "") else show(value)) for key, value in zip(keys, values, strict=True)}


# --------------------------------------------------------------------------
# Organisations
# --------------------------------------------------------------------------


class Organisations:
    """The organisations of the file, matched with the platform's."""

    def __init__(self, plan: Plan, sirets: set[str], communes: set[str]):
        self.plan = plan
        self.by_siret: dict[str, OrgPlan] = {}
        self.by_name: dict[tuple, OrgPlan] = {}
        existing = Organisation.objects.filter(siret__in=sirets) | Organisation.objects.filter(commune_id__in=communes)
        self.db_siret = {}
        self.db_name = defaultdict(list)
        for organisation in existing.order_by("pk"):
            if organisation.siret:
                self.db_siret[organisation.siret] = organisation
            self.db_name[(normalise(organisation.name), organisation.commune_id)].append(organisation)
        self.plans_by_pk: dict[int, OrgPlan] = {}

    def _plan_for(self, instance: Organisation | None, **values) -> OrgPlan:
        if instance is not None and instance.pk in self.plans_by_pk:
            return self.plans_by_pk[instance.pk]
        plan = OrgPlan(instance=instance, **values)
        if instance is not None:
            self.plans_by_pk[instance.pk] = plan
        self.plan.organisations.append(plan)
        return plan

    def _register(self, org: OrgPlan) -> None:
        if org.siret:
            self.by_siret[org.siret] = org
        if org.commune:
            self.by_name.setdefault((normalise(org.name), org.commune), org)

    def _db_by_name(self, name: str, commune: str | None, row: Row, column: str):
        if not commune:
            return None
        candidates = list(self.db_name.get((normalise(name), commune), []))
        if len(candidates) > 1:
            self.plan.add(
                _(
                    "several organisations of the platform are named “%(name)s” in this municipality: "
                    "give the SIRET to say which one."
                )
                % {"name": name},
                row,
                column,
            )
            return None
        return candidates[0] if candidates else None

    def define(self, row: Row, *, siret, name, commune, kind, columns: dict) -> OrgPlan | None:
        """The organisation a row describes (created when the platform does not have it)."""
        if not name:
            return None
        if not siret and not commune:
            if columns["commune"] not in row.error_columns and columns["siret"] not in row.error_columns:
                self.plan.add(
                    _("without a SIRET, the municipality code is required to identify the organisation."),
                    row,
                    columns["commune"],
                )
            return None
        org = self.by_siret.get(siret) if siret else None
        if org is None and commune:
            candidate = self.by_name.get((normalise(name), commune))
            if candidate is not None and (not siret or not candidate.siret):
                org = candidate
        if org is None:
            if siret:
                instance = self.db_siret.get(siret)
                if instance is None:
                    match = self._db_by_name(name, commune, row, columns["name"])
                    instance = match if match is not None and not match.siret else None
            else:
                instance = self._db_by_name(name, commune, row, columns["name"])
            if instance is not None and instance.pk in self.plans_by_pk:
                org = self.plans_by_pk[instance.pk]
        if org is not None:
            self._check_same(org, row, siret=siret, name=name, commune=commune, kind=kind, columns=columns)
            return org
        org = self._plan_for(instance, siret=siret or "", name=name, commune=commune, kind=kind, row=row)
        org.siret = siret or (instance.siret if instance else "")
        org.commune = commune or (instance.commune_id if instance else None)
        if instance is not None:
            changes = {}
            if name != instance.name:
                changes["name"] = name
            if commune and commune != instance.commune_id:
                changes["commune_id"] = commune
            if siret and siret != instance.siret:
                changes["siret"] = siret
            if kind and kind != instance.kind:
                changes["kind"] = kind
            org.changes = changes
        self._register(org)
        return org

    def _check_same(self, org: OrgPlan, row: Row, *, siret, name, commune, kind, columns) -> None:
        first = org.row
        where = {"sheet": first.sheet, "row": first.number}
        if normalise(name) != normalise(org.name):
            self.plan.add(
                _("this organisation is named “%(name)s” in sheet “%(sheet)s”, row %(row)s: use the same name.")
                % {"name": org.name, **where},
                row,
                columns["name"],
            )
        elif commune and org.commune and commune != org.commune:
            self.plan.add(
                _("this organisation is in municipality %(commune)s in sheet “%(sheet)s”, row %(row)s.")
                % {"commune": org.commune, **where},
                row,
                columns["commune"],
            )
        elif siret and org.siret and siret != org.siret:
            self.plan.add(
                _("this organisation has SIRET %(siret)s in sheet “%(sheet)s”, row %(row)s.")
                % {"siret": org.siret, **where},
                row,
                columns["siret"],
            )
        elif kind and org.kind and kind != org.kind:
            self.plan.add(
                _("this organisation has another type in sheet “%(sheet)s”, row %(row)s.") % where,
                row,
                columns.get("kind", ""),
            )
        else:
            if kind and not org.kind:
                org.kind = kind
                if org.instance is not None and kind != org.instance.kind:
                    org.changes["kind"] = kind
            if siret and not org.siret:
                org.siret = siret
                if org.instance is not None and siret != org.instance.siret:
                    org.changes["siret"] = siret
                self.by_siret[siret] = org

    def find(self, *, siret, name, commune) -> OrgPlan | None:
        """The organisation a row refers to (in the file or the platform), never created."""
        if siret:
            org = self.by_siret.get(siret)
            if org is None and siret in self.db_siret:
                instance = self.db_siret[siret]
                org = self._plan_for(
                    instance, siret=siret, name=instance.name, commune=instance.commune_id, kind=None, row=None
                )
            return org
        if not commune:
            return None
        org = self.by_name.get((normalise(name), commune))
        if org is None:
            candidates = self.db_name.get((normalise(name), commune), [])
            if len(candidates) == 1:
                instance = candidates[0]
                org = self._plan_for(
                    instance, siret=instance.siret, name=instance.name, commune=instance.commune_id, kind=None, row=None
                )
        return org


# --------------------------------------------------------------------------
# The plan
# --------------------------------------------------------------------------


def question_codes() -> list[str]:
    """The question codes of the published templates, in the order of the phases."""
    codes = []
    for phase in PHASE_ORDER:
        for question in current_version(phase).questions.all():
            if question.code not in codes:
                codes.append(question.code)
    return codes


def build_plan(sheets: dict[str, SheetData], *, progress=None) -> Plan:
    plan = Plan()
    codes = question_codes()
    rows = {name: _rows(sheet, plan, codes) for name, sheet in sheets.items()}
    _check_communes(plan, rows)
    if progress:
        progress(_("Checking the innovations and the structures"))
    sirets = {r.values.get(k) for rs in rows.values() for r in rs for k in ("siret", "carrier_siret")} - {None}
    communes = {r.values.get(k) for rs in rows.values() for r in rs for k in ("commune", "carrier_commune")} - {None}
    organisations = Organisations(plan, sirets, communes)
    innovations = _innovations(plan, rows[INNOVATIONS], organisations)
    structures = _structures(plan, rows[STRUCTURES], innovations, organisations)
    if progress:
        progress(_("Checking the questionnaires"))
    _responses(plan, rows[QUESTIONNAIRES], innovations, structures, organisations)
    _structure_statuses(plan)
    if progress:
        progress(_("Checking the trainings"))
    _trainings(plan, rows[TRAININGS], innovations, structures, organisations)
    return plan


def _check_communes(plan: Plan, rows: dict) -> None:
    wanted = defaultdict(list)
    for sheet_rows in rows.values():
        for row in sheet_rows:
            for key in ("commune", "carrier_commune", "origin_commune"):
                if row.values.get(key):
                    wanted[row.values[key]].append((row, key))
            for _day, code in row.values.get("moves") or []:
                wanted[code].append((row, "moves"))
    known = set(Commune.objects.filter(code__in=list(wanted)).values_list("code", flat=True))
    for code, places in wanted.items():
        if code in known:
            continue
        for row, key in places:
            plan.add(
                _("%(code)s is not an INSEE municipality code of the referential (5 characters, for example 75056).")
                % {"code": code},
                row,
                row.headers[key],
            )
            row.values[key] = None if key != "moves" else []


def _innovations(plan: Plan, rows: list[Row], organisations: Organisations) -> dict[str, InnovationPlan]:
    slugs = {row.values["slug"] for row in rows if row.values["slug"]}
    names = {row.values["name"] for row in rows if row.values["name"]}
    existing = {i.slug: i for i in Innovation.objects.filter(slug__in=slugs)}
    named = {i.name.casefold(): i for i in Innovation.objects.filter(name__in=names)}
    result: dict[str, InnovationPlan] = {}
    seen_names: dict[str, Row] = {}
    for row in rows:
        values = row.values
        slug, name = values["slug"], values["name"]
        if slug in result:
            plan.add(
                _("the innovation “%(slug)s” is already on row %(row)s.")
                % {"slug": slug, "row": result[slug].row.number},
                row,
                row.headers["slug"],
            )
            continue
        if name:
            other = named.get(name.casefold())
            if name.casefold() in seen_names:
                plan.add(
                    _("another row (%(row)s) has this name: each innovation has its own.")
                    % {"row": seen_names[name.casefold()].number},
                    row,
                    row.headers["name"],
                )
            elif other is not None and other.slug != slug:
                plan.add(
                    _("the innovation “%(slug)s” of the platform has this name already.") % {"slug": other.slug},
                    row,
                    row.headers["name"],
                )
            seen_names[name.casefold()] = row
        carrier = organisations.define(
            row,
            siret=values["carrier_siret"],
            name=values["carrier_name"],
            commune=values["carrier_commune"],
            kind=None,
            columns={
                "siret": row.headers["carrier_siret"],
                "name": row.headers["carrier_name"],
                "commune": row.headers["carrier_commune"],
            },
        )
        dates = {stage: values[f"stage_{stage}"] for stage in STAGES if values.get(f"stage_{stage}")}
        for stage in STAGES[1:]:
            if stage in dates and stage - 1 not in dates:
                plan.add(
                    _("%(stage)s has a start date but %(previous)s has none: give every stage reached.")
                    % {"stage": Stage(stage).label, "previous": Stage(stage - 1).label},
                    row,
                    row.headers[f"stage_{stage}"],
                )
            elif stage in dates and dates[stage] < dates[stage - 1]:
                plan.add(
                    _(
                        "%(stage)s starts on %(date)s, before %(previous)s (%(previous_date)s): "
                        "a date from %(previous_date)s is expected."
                    )
                    % {
                        "stage": Stage(stage).label,
                        "date": date_text(dates[stage]),
                        "previous": Stage(stage - 1).label,
                        "previous_date": date_text(dates[stage - 1]),
                    },
                    row,
                    row.headers[f"stage_{stage}"],
                )
        year, selected_on = values["year_selected"], values["selected_on"]
        if selected_on and year and selected_on.year != year:
            plan.add(
                _("the selection date is in %(date_year)s and the year of selection is %(year)s: give the same year.")
                % {"date_year": selected_on.year, "year": year},
                row,
                row.headers["year_selected"],
            )
        year = selected_on.year if selected_on else year
        if not year and not row.has_error("year_selected") and not row.has_error("selected_on"):
            plan.add(_("give the year or the date of selection."), row, row.headers["year_selected"])
        if selected_on and Stage.FEASIBILITY in dates and dates[Stage.FEASIBILITY] < selected_on:
            plan.add(
                _("stage I starts on %(start)s, before the selection (%(date)s).")
                % {"start": date_text(dates[Stage.FEASIBILITY]), "date": date_text(selected_on)},
                row,
                row.headers["stage_1"],
            )
        elif year and Stage.FEASIBILITY in dates and dates[Stage.FEASIBILITY].year < year:
            plan.add(
                _("stage I starts in %(start)s, before the year of selection (%(year)s).")
                % {"start": dates[Stage.FEASIBILITY].year, "year": year},
                row,
                row.headers["stage_1"],
            )
        stage = max(dates) if dates else Stage.FEASIBILITY
        _check_closure(plan, row, stage, dates, selected_on)
        instance = existing.get(slug)
        if selected_on is None and instance is not None and instance.selected_on and instance.selected_on.year == year:
            selected_on = instance.selected_on  # the file gives the year only: the platform's date stays
        innovation = InnovationPlan(slug=slug, instance=instance, row=row, carrier=carrier, stage_dates=dates)
        innovation.values = {
            "name": name,
            "summary": values["summary"] or "",
            "origin_commune_id": values["origin_commune"],
            "year_selected": year,
            "selected_on": selected_on,
            "spreading_model": values["spreading_model"] or "",
            "stage": stage,
            "accompaniment_start": dates.get(Stage.FEASIBILITY),
            "closed_on": values["closed_on"],
            "closure_kind": values["closure_kind"] or "",
            "closure_reason": values["closure_reason"] or "",
        }
        if instance is not None and instance.stage > innovation.values["stage"]:
            plan.add(
                _(
                    "the innovation is at %(current)s in the platform: the file cannot move it back to %(stage)s "
                    "(give the start dates of the stages reached)."
                )
                % {"current": Stage(instance.stage).label, "stage": Stage(innovation.values["stage"]).label},
                row,
                row.headers[f"stage_{instance.stage}"],
            )
        if slug:
            result[slug] = innovation
            plan.innovations.append(innovation)
    _compare_innovations(plan, result)
    return result


def _check_closure(plan: Plan, row: Row, stage: int, dates: dict, selected_on) -> None:
    """The end of an accompaniment: date, kind and reason together; "stopped after the
    feasibility study" in stage I only, "completed after evaluation" from stage IV only
    (as ``projects.accompaniment.close_accompaniment``); not before the last stage
    reached nor before the selection."""
    values, headers = row.values, row.headers
    closed_on, kind, reason = values["closed_on"], values["closure_kind"], values["closure_reason"]
    if not (closed_on or kind or reason):
        return
    for key, given in (("closed_on", closed_on), ("closure_kind", kind), ("closure_reason", reason)):
        if not given and not row.has_error(key):
            plan.add(_("a closure needs its date, its kind and its reason."), row, headers[key])
    required = {ClosureKind.STOPPED: Stage.FEASIBILITY, ClosureKind.COMPLETED: Stage.EVALUATION}.get(kind)
    if required is not None and stage != required:
        plan.add(
            _("“%(kind)s” is only possible from “%(stage)s”; the innovation is at “%(current)s”.")
            % {"kind": ClosureKind(kind).label, "stage": Stage(required).label, "current": Stage(stage).label},
            row,
            headers["closure_kind"],
        )
    last = max(dates.values()) if dates else None
    if closed_on and last and closed_on < last:
        plan.add(
            _("the closure (%(date)s) comes before the start of the last stage reached (%(last)s).")
            % {"date": date_text(closed_on), "last": date_text(last)},
            row,
            headers["closed_on"],
        )
    elif closed_on and selected_on and closed_on < selected_on:
        plan.add(
            _("the closure (%(date)s) comes before the selection (%(selected)s).")
            % {"date": date_text(closed_on), "selected": date_text(selected_on)},
            row,
            headers["closed_on"],
        )


def _compare_innovations(plan: Plan, innovations: dict[str, InnovationPlan]) -> None:
    pks = [i.instance.pk for i in innovations.values() if i.instance is not None]
    for stage_plan in StagePlan.objects.filter(innovation_id__in=pks):
        plan.stage_plans.setdefault(stage_plan.innovation_id, {})[stage_plan.stage] = stage_plan
    for transition in StageTransition.objects.filter(innovation_id__in=pks).order_by("effective_on", "moved_at", "pk"):
        plan.transitions.setdefault(transition.innovation_id, {})[transition.to_stage] = transition
    for innovation in innovations.values():
        instance = innovation.instance
        if instance is None:
            continue
        values = dict(innovation.values)
        if values["accompaniment_start"] is None:
            values.pop("accompaniment_start")
        if not values["origin_commune_id"]:
            values.pop("origin_commune_id")
        changed = any(getattr(instance, name) != value for name, value in values.items())
        changed = changed or instance.carrier_id != getattr(innovation.carrier.instance, "pk", None)
        stage_plans = plan.stage_plans.get(instance.pk, {})
        transitions = plan.transitions.get(instance.pk, {})
        for stage, start in innovation.stage_dates.items():
            end = innovation.stage_dates.get(stage + 1)
            stage_plan = stage_plans.get(stage)
            if stage_plan is None or stage_plan.actual_start != start or (end and stage_plan.actual_end != end):
                changed = True
            if stage > Stage.FEASIBILITY:
                transition = transitions.get(stage)
                if transition is None or transition.effective_on != start:
                    changed = True
        innovation.changed = changed


def _org_columns(row: Row) -> dict:
    return {key: row.headers.get(key, "") for key in ("siret", "name", "commune", "kind")}


def _innovation(plan: Plan, row: Row, innovations: dict, cache: dict) -> InnovationPlan | None:
    slug = row.values["innovation"]
    if not slug:
        return None
    if slug in innovations:
        return innovations[slug]
    if slug not in cache:
        instance = Innovation.objects.filter(slug=slug).first()
        cache[slug] = InnovationPlan(slug=slug, instance=instance, row=None) if instance else None
    if cache[slug] is None:
        plan.add(
            _("unknown innovation “%(slug)s”: it is neither in the sheet “Innovations” nor in the platform.")
            % {"slug": slug},
            row,
            row.headers["innovation"],
        )
    return cache[slug]


def _structures(plan: Plan, rows: list[Row], innovations: dict, organisations: Organisations) -> dict:
    """Structures of the file by (innovation slug, organisation plan)."""
    result: dict[tuple, StructurePlan] = {}
    cache: dict = {}
    for row in rows:
        values = row.values
        innovation = _innovation(plan, row, innovations, cache)
        organisation = organisations.define(
            row,
            siret=values["siret"],
            name=values["name"],
            commune=values["commune"],
            kind=values["kind"],
            columns=_org_columns(row),
        )
        selected, agreement, start = values["selected_on"], values["agreement_signed_on"], values["start_date"]
        withdrawn, reason = values["withdrawn_on"], values["withdrawal_reason"]
        headers = row.headers
        if selected and agreement and agreement < selected:
            plan.add(
                _("the agreement is signed on %(date)s, before the selection (%(selected)s).")
                % {"date": date_text(agreement), "selected": date_text(selected)},
                row,
                headers["agreement_signed_on"],
            )
        if selected and start and start < selected:
            plan.add(
                _("the spreading starts on %(date)s, before the selection (%(selected)s).")
                % {"date": date_text(start), "selected": date_text(selected)},
                row,
                headers["start_date"],
            )
        if withdrawn and ((start and withdrawn < start) or (selected and withdrawn < selected)):
            plan.add(
                _("the withdrawal (%(date)s) comes before the selection or the start.")
                % {"date": date_text(withdrawn)},
                row,
                headers["withdrawn_on"],
            )
        if withdrawn and not reason:
            plan.add(_("a withdrawal needs its reason."), row, headers["withdrawal_reason"])
        if reason and not withdrawn and not row.has_error("withdrawn_on"):
            plan.add(_("a reason of withdrawal needs the date of the withdrawal."), row, headers["withdrawn_on"])
        if (
            innovation is not None
            and selected
            and innovation.year_selected
            and selected.year < innovation.year_selected
        ):
            plan.add(
                _("the structure is selected in %(year)s, before its innovation (selected in %(innovation_year)s).")
                % {"year": selected.year, "innovation_year": innovation.year_selected},
                row,
                headers["selected_on"],
            )
        moves = values["moves"] if "moves" in row.present else None
        if moves:
            territory = organisation.commune if organisation is not None else None
            for day, commune in moves:
                if selected and day < selected:
                    plan.add(
                        _(
                            "the move of %(date)s comes before the selection (%(selected)s): give the municipality "
                            "of then in the column “code commune”."
                        )
                        % {"date": date_text(day), "selected": date_text(selected)},
                        row,
                        headers["moves"],
                    )
                elif commune == territory:
                    plan.add(
                        _("on %(date)s the structure is already in %(commune)s.")
                        % {"date": date_text(day), "commune": commune},
                        row,
                        headers["moves"],
                    )
                territory = commune
        if innovation is None or organisation is None:
            continue
        key = (innovation.slug, id(organisation))
        if key in result:
            plan.add(
                _("this structure already appears on row %(row)s for the innovation “%(slug)s”.")
                % {"row": result[key].row.number, "slug": innovation.slug},
                row,
                headers["name"],
            )
            continue
        structure = StructurePlan(innovation=innovation, organisation=organisation, instance=None, row=row)
        structure.values = {
            "wave": values["wave"] or 1,
            "selected_on": selected,
            "agreement_signed_on": agreement,
            "start_date": start,
            "withdrawn_on": withdrawn,
            "withdrawal_reason": reason or "",
        }
        structure.locations = moves
        result[key] = structure
        plan.structures.append(structure)
    # The platform's structures of these innovations and organisations.
    innovation_pks = {s.innovation.instance.pk for s in result.values() if s.innovation.instance}
    org_pks = {s.organisation.instance.pk for s in result.values() if s.organisation.instance}
    existing = {
        (s.innovation_id, s.organisation_id): s
        for s in SpreadStructure.objects.filter(innovation_id__in=innovation_pks, organisation_id__in=org_pks)
    }
    for structure in result.values():
        if structure.innovation.instance and structure.organisation.instance:
            structure.instance = existing.get((structure.innovation.instance.pk, structure.organisation.instance.pk))
    located = [s.instance.pk for s in result.values() if s.instance is not None and s.locations is not None]
    for location in StructureLocation.objects.filter(structure_id__in=located).order_by("valid_from"):
        plan.locations.setdefault(location.structure_id, []).append(location)
    return result


class StructureFinder:
    """The structure a Questionnaires or Formations row refers to: in the sheet Structures,
    else in the platform."""

    def __init__(self, plan: Plan, innovations: dict, structures: dict, organisations: Organisations):
        self.plan, self.innovations, self.structures, self.organisations = plan, innovations, structures, organisations
        self.cache: dict = {}
        self.innovation_cache: dict = {}
        self.db: dict = {}

    def load(self, innovation_slugs: set[str]) -> None:
        """Read the platform's structures of these innovations at once."""
        queryset = SpreadStructure.objects.filter(innovation__slug__in=innovation_slugs).select_related("organisation")
        for structure in queryset:
            self.db[(structure.innovation_id, structure.organisation_id)] = structure

    def innovation(self, row: Row) -> InnovationPlan | None:
        return _innovation(self.plan, row, self.innovations, self.innovation_cache)

    def find(self, innovation: InnovationPlan, *, siret, name, commune) -> StructurePlan | None:
        organisation = self.organisations.find(siret=siret, name=name, commune=commune)
        if organisation is None:
            return None
        key = (innovation.slug, id(organisation))
        if key in self.structures:
            return self.structures[key]
        if key not in self.cache:
            instance = None
            if innovation.instance is not None and organisation.instance is not None:
                instance = self.db.get((innovation.instance.pk, organisation.instance.pk))
            self.cache[key] = StructurePlan(innovation, organisation, instance, None) if instance else None
        return self.cache[key]


def _responses(plan: Plan, rows: list[Row], innovations: dict, structures: dict, organisations: Organisations) -> None:
    finder = StructureFinder(plan, innovations, structures, organisations)
    finder.load({row.values["innovation"] for row in rows if row.values["innovation"]})
    versions = {phase: current_version(phase) for phase in PHASE_ORDER}
    questions = {}  # version pk → {code: Question}
    rules = {}

    def version_questions(version):
        if version.pk not in questions:
            questions[version.pk] = {q.code: q for q in version.questions.all()}
            rules[version.pk] = list(version.rules.all())
        return questions[version.pk]

    found: dict[tuple, ResponsePlan] = {}
    pending = []
    for row in rows:
        values = row.values
        innovation = finder.innovation(row)
        if innovation is None or not values["name"]:
            continue
        if not values["siret"] and not values["commune"]:
            if row.has_error("commune") or row.has_error("siret"):
                continue
            plan.add(
                _("without a SIRET, the municipality code is required to find the structure."),
                row,
                row.headers["commune"],
            )
            continue
        structure = finder.find(innovation, siret=values["siret"], name=values["name"], commune=values["commune"])
        if structure is None:
            plan.add(
                _("no structure “%(name)s” spreads “%(slug)s”, neither in the sheet “Structures” nor in the platform.")
                % {"name": values["name"], "slug": innovation.slug},
                row,
                row.headers["name"],
            )
            continue
        phase = values["phase"]
        if phase is None:
            continue
        key = (id(structure), phase)
        if key in found:
            plan.add(
                _("the questionnaire “%(phase)s” of this structure is already on row %(row)s.")
                % {"phase": PHASE_NAMES[phase], "row": found[key].row.number},
                row,
                row.headers["phase"],
            )
            continue
        response = ResponsePlan(structure=structure, phase=phase, instance=None, row=row, version=versions[phase])
        found[key] = response
        pending.append(response)
    # The platform's questionnaires of the structures concerned, with their answers.
    structure_pks = {r.structure.instance.pk for r in pending if r.structure.instance}
    structure_pks |= {s.instance.pk for s in plan.structures if s.instance}
    existing = {}
    for response in Response.objects.filter(structure_id__in=structure_pks).select_related("version"):
        existing[(response.structure_id, response.phase)] = response
    answer_rows = defaultdict(dict)
    if existing:
        from evaluation.models import Answer

        for answer in Answer.objects.filter(response_id__in=[r.pk for r in existing.values()]).select_related(
            "question"
        ):
            answer_rows[answer.response_id][answer.question.code] = answer
    plan.existing_answers = answer_rows
    in_file = set()
    for response in pending:
        structure = response.structure
        if structure.instance is not None:
            response.instance = existing.get((structure.instance.pk, response.phase))
            in_file.add((structure.instance.pk, response.phase))
        if response.instance is not None:
            response.version = response.instance.version
        response.questions = version_questions(response.version)
        _check_response(plan, response, version_questions(response.version), rules[response.version.pk], answer_rows)
        if response.row.valid:
            structure.phases[response.phase] = response
            plan.responses.append(response)
    for (structure_pk, phase), response in existing.items():
        if (structure_pk, phase) not in in_file:
            plan.other_responses.setdefault(structure_pk, {})[phase] = response


def _cell_to_raw(question, value):
    """A cell as the text (or list) ``clean_value`` reads."""
    if question.kind == QuestionKind.YES_NO:
        if isinstance(value, bool):
            return "yes" if value else "no"
        word = normalise(value)
        return {
            "oui": "yes",
            "yes": "yes",
            "1": "yes",
            "vrai": "yes",
            "non": "no",
            "no": "no",
            "0": "no",
            "faux": "no",
        }.get(word, str(value))
    if question.kind == QuestionKind.DATE:
        if isinstance(value, datetime.datetime):
            return value.date().isoformat()
        if isinstance(value, datetime.date):
            return value.isoformat()
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        return [part.strip() for part in re.split(r"[;\n]", str(value)) if part.strip()]
    if (
        question.kind == QuestionKind.PERCENTAGE
        and isinstance(value, float)
        and 0 < value <= 1
        and not value.is_integer()
    ):
        return str(round(value * 100, 2))  # a cell formatted as a percentage holds 0.85 for 85 %
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.date | datetime.datetime):
        return show(value)
    return str(value)


def _check_response(plan: Plan, response: ResponsePlan, questions: dict, rules, answer_rows) -> None:
    row, values, structure = response.row, response.row.values, response.structure
    submitted, validated = values["submitted_on"], values["validated_on"]
    start = structure.value("start_date")
    withdrawn = structure.value("withdrawn_on")
    phase_label = PHASE_NAMES[response.phase]
    if start is None:
        if not (structure.row and not structure.row.valid):
            plan.add(
                _(
                    "the structure has no start date of spreading (sheet “Structures” or platform): "
                    "a questionnaire needs one."
                ),
                row,
                row.headers["phase"],
            )
        return
    if submitted and submitted < start:
        plan.add(
            _("submitted on %(date)s, before the start of the spreading (%(start)s).")
            % {"date": date_text(submitted), "start": date_text(start)},
            row,
            row.headers["submitted_on"],
        )
    if submitted and withdrawn and submitted > withdrawn:
        plan.add(
            _("submitted on %(date)s, after the structure withdrew (%(withdrawn)s).")
            % {"date": date_text(submitted), "withdrawn": date_text(withdrawn)},
            row,
            row.headers["submitted_on"],
        )
    if submitted and validated and validated < submitted:
        plan.add(
            _("validated on %(date)s, before it was submitted (%(submitted)s).")
            % {"date": date_text(validated), "submitted": date_text(submitted)},
            row,
            row.headers["validated_on"],
        )
    figures_on = values["figures_on"] or submitted
    if values["figures_on"] and submitted and not start <= figures_on <= submitted:
        plan.add(
            _(
                "the figures are dated %(date)s: a date from the start of the spreading (%(start)s) to the "
                "submission (%(submitted)s) is expected."
            )
            % {"date": date_text(figures_on), "start": date_text(start), "submitted": date_text(submitted)},
            row,
            row.headers["figures_on"],
        )
    for code, value in row.answers.items():
        question = questions.get(code)
        if question is None:
            plan.add(
                _(
                    "this question is not part of the questionnaire “%(phase)s” (version %(version)s): "
                    "leave the cell empty."
                )
                % {"phase": phase_label, "version": response.version.number},
                row,
                row.headers[code],
            )
            continue
        try:
            cleaned = clean_value(question, _cell_to_raw(question, value))
        except InvalidAnswer as error:
            plan.add(
                _("%(expected)s; found “%(value)s”.")
                % {"expected": str(error.message).rstrip(".").lower(), "value": show(value)},
                row,
                row.headers[code],
            )
            continue
        if cleaned is not None:
            response.answers[code] = cleaned
    if not row.valid:
        return
    merged = {}
    if response.instance is not None:
        merged = {code: answer.value for code, answer in answer_rows.get(response.instance.pk, {}).items()}
    merged.update(response.answers)
    for rule in rules:
        left, right = merged.get(rule.left_code), merged.get(rule.right_code)
        if consistency_errors_for(rule, left, right):
            plan.add(
                _("%(message)s (%(left)s = %(left_value)s, %(right)s = %(right_value)s)")
                % {
                    "message": rule.message.rstrip("."),
                    "left": rule.left_code,
                    "left_value": left,
                    "right": rule.right_code,
                    "right_value": right,
                },
                row,
                row.headers.get(rule.left_code, rule.left_code),
            )
    if not row.valid:
        return
    opens_on, due_on = phase_dates(start, response.phase)
    status = ResponseStatus.VALIDATED if validated else ResponseStatus.SUBMITTED
    figures = {
        code: value
        for code, value in merged.items()
        if code in questions
        and questions[code].kind in NUMERIC_KINDS
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    }
    response.values = {
        "opens_on": opens_on,
        "due_on": due_on,
        "status": status,
        "submitted_on": submitted,
        "validated_on": validated,
        "figures_on": figures_on,
        "submitted_figures": figures,
    }
    instance = response.instance
    if instance is not None:
        existing = answer_rows.get(instance.pk, {})
        response.changed = (
            instance.opens_on != opens_on
            or instance.due_on != due_on
            or instance.status != status
            or local_date(instance.submitted_at) != submitted
            or local_date(instance.validated_at) != validated
            or instance.figures_on != figures_on
            or instance.submitted_figures != figures
            or any(code not in existing or existing[code].value != value for code, value in response.answers.items())
        )


def consistency_errors_for(rule, left, right) -> bool:
    """Whether ``rule`` is broken by these two values (both numbers)."""
    return bool(
        isinstance(left, int | float)
        and isinstance(right, int | float)
        and not isinstance(left, bool)
        and not isinstance(right, bool)
        and not rule.holds(left, right)
    )


def _structure_statuses(plan: Plan) -> None:
    """Each structure of the file: its status from its dates, and what changes."""
    for structure in plan.structures:
        values = structure.values
        instance = structure.instance
        impact = structure.phases.get("impact")
        if values["withdrawn_on"]:
            status = StructureStatus.WITHDRAWN
        elif values["start_date"]:
            evaluated = (impact is not None and impact.values.get("status") == ResponseStatus.VALIDATED) or (
                instance is not None and instance.status == StructureStatus.EVALUATED
            )
            status = StructureStatus.EVALUATED if evaluated else StructureStatus.SPREADING
        elif instance is not None and instance.status in (StructureStatus.SELECTED, StructureStatus.TRAINING):
            status = instance.status
        else:
            status = StructureStatus.SELECTED
        values["status"] = status
        if instance is not None:
            structure.changed = any(getattr(instance, name) != value for name, value in values.items())
            if structure.locations is not None:
                current = [(loc.valid_from, loc.commune_id) for loc in plan.locations.get(instance.pk, [])]
                structure.changed = structure.changed or current != structure.locations


def _structure_ref(text: str):
    """``(siret, name, commune)`` of an item of the list of structures present."""
    compact = re.sub(r"[\s\u00a0\u202f]", "", text)
    if compact.isdigit():
        return read_siret(compact), None, None
    match = re.fullmatch(r"(.+?)\s*\(\s*((?:\d{5})|(?:2[AaBb]\d{3}))\s*\)", text)
    if not match:
        raise CellError(
            _("“%(item)s”: a SIRET, or a name followed by its municipality code in brackets, is expected")
            % {"item": text}
        )
    return None, match.group(1), match.group(2).upper()


def _trainings(plan: Plan, rows: list[Row], innovations: dict, structures: dict, organisations: Organisations) -> None:
    finder = StructureFinder(plan, innovations, structures, organisations)
    finder.load({row.values["innovation"] for row in rows if row.values["innovation"]})
    found: dict[tuple, TrainingPlan] = {}
    for row in rows:
        values = row.values
        innovation = finder.innovation(row)
        if innovation is None or not values["title"]:
            continue
        key = (innovation.slug, values["title"].casefold())
        if key in found:
            plan.add(
                _("the training “%(title)s” of this innovation is already on row %(row)s.")
                % {"title": values["title"], "row": found[key].row.number},
                row,
                row.headers["title"],
            )
            continue
        present = []
        for item in values["structures"] or []:
            try:
                siret, name, commune = _structure_ref(item)
            except CellError as error:
                plan.add(error.message, row, row.headers["structures"])
                continue
            structure = finder.find(innovation, siret=siret, name=name or "", commune=commune)
            if structure is None:
                plan.add(
                    _("“%(item)s” is not a structure of the innovation “%(slug)s” (sheet “Structures” or platform).")
                    % {"item": item, "slug": innovation.slug},
                    row,
                    row.headers["structures"],
                )
            elif structure in present:
                plan.add(_("“%(item)s” is listed twice.") % {"item": item}, row, row.headers["structures"])
            else:
                present.append(structure)
        trainees = values["trainees"] or 0
        if trainees and not values["structures"]:
            plan.add(
                _("trainees need the structures they come from (column “structures présentes”)."),
                row,
                row.headers["trainees"],
            )
        elif values["structures"] and trainees < len(values["structures"]):
            plan.add(
                _("%(count)s structures were present: at least one trainee each (%(count)s) is expected.")
                % {"count": len(values["structures"])},
                row,
                row.headers["trainees"],
            )
        if not row.valid:
            continue
        training = TrainingPlan(innovation=innovation, title=values["title"], instance=None, row=row)
        training.values = {
            "kind": values["kind"] or TrainingKind.FORMATION_ACTION,
            "trainers": values["trainers"] or "",
            "wave": values["wave"],
        }
        training.days = values["days"] or []
        training.structures = present
        training.trainees = trainees
        found[key] = training
        plan.trainings.append(training)
    pks = [t.innovation.instance.pk for t in plan.trainings if t.innovation.instance]
    existing = {
        (t.innovation_id, t.title.casefold()): t
        for t in Training.objects.filter(innovation_id__in=pks).prefetch_related("days", "structures", "participants")
    }
    for training in plan.trainings:
        if training.innovation.instance is None:
            continue
        instance = existing.get((training.innovation.instance.pk, training.title.casefold()))
        training.instance = instance
        if instance is None:
            continue
        wanted_structures = {s.instance.pk if s.instance else None for s in training.structures}
        wanted_participants = set(trainee_names(training))
        training.changed = (
            any(getattr(instance, name) != value for name, value in training.values.items())
            or instance.title != training.title
            or sorted(day.date for day in instance.days.all()) != training.days
            or {s.pk for s in instance.structures.all()} != wanted_structures
            or {(p.structure_id, p.full_name) for p in instance.participants.all()}
            != {(s.instance.pk if s.instance else None, name) for s, name in wanted_participants}
        )


def trainee_names(training: TrainingPlan) -> list[tuple]:
    """The trainees of an imported training: ``(structure plan, name)``, spread over the
    structures present in turn (the history knows how many, not who)."""
    if not training.structures:
        return []
    return [
        (training.structures[index % len(training.structures)], _("Trainee %(number)s") % {"number": index + 1})
        for index in range(training.trainees)
    ]
