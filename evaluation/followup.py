"""What managers count and list to follow the evaluation, in a fixed number of queries.

- ``rate_rows``: response rates per innovation (or per wave) and phase. A questionnaire
  is *due* once it has opened and unless it was cancelled; it is *answered* once
  submitted or validated. The rate is answered / due.
- ``late_responses``: questionnaires past their due date and not submitted, with the
  last reminder actually sent (rows recorded as skipped have no recipient).
- ``awaiting_validation``: submitted questionnaires a manager has not validated yet.
- ``late_page`` / ``validation_page``: one page of each of these lists (``PAGE_SIZE``
  rows): a ten-year programme has hundreds of them. Their totals are those the rates
  query already counts (``Cell.late``, ``Cell.submitted``), so paging costs one query
  per list, whatever the number of rows.
- ``comparison``: one structure's three phases side by side, by question code.
"""

import datetime
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from .models import (
    ANSWERED_STATUSES,
    EDITABLE_STATUSES,
    PHASE_ORDER,
    Answer,
    Phase,
    Question,
    Reminder,
    ReminderKind,
    Response,
    ResponseStatus,
)
from .services import display_value


@dataclass
class Cell:
    """Counts of one group of questionnaires."""

    due: int = 0
    answered: int = 0
    late: int = 0
    submitted: int = 0  # waiting for validation

    @property
    def rate(self) -> int | None:
        """Answered / due in whole percent, None when nothing is due yet."""
        return round(100 * self.answered / self.due) if self.due else None

    def add(self, other: "Cell") -> None:
        self.due += other.due
        self.answered += other.answered
        self.late += other.late
        self.submitted += other.submitted


@dataclass
class RateRow:
    key: object
    label: str
    cells: dict = field(default_factory=lambda: {phase: Cell() for phase in PHASE_ORDER})
    total: Cell = field(default_factory=Cell)
    pk: int | None = None

    @property
    def phase_cells(self) -> list[tuple[str, Cell]]:
        return [(phase, self.cells[phase]) for phase in PHASE_ORDER]


def filtered_responses(*, innovation=None, phase=None, wave=None):
    """The questionnaires the follow-up page looks at."""
    responses = Response.objects.all()
    if innovation is not None:
        responses = responses.filter(structure__innovation=innovation)
    if phase:
        responses = responses.filter(phase=phase)
    if wave is not None:
        responses = responses.filter(structure__wave=wave)
    return responses


def _counts(responses, today: datetime.date, keys: list[str]):
    opened = Q(opens_on__lte=today) & ~Q(status=ResponseStatus.CANCELLED)
    return (
        responses.values(*keys, "phase")
        .annotate(
            due=Count("pk", filter=opened),
            answered=Count("pk", filter=opened & Q(status__in=ANSWERED_STATUSES)),
            # The same conditions as ``Response.objects.late`` and ``awaiting_validation``.
            late=Count("pk", filter=Q(status__in=EDITABLE_STATUSES, due_on__lt=today)),
            submitted=Count("pk", filter=Q(status=ResponseStatus.SUBMITTED)),
        )
        .order_by()
    )


def rate_rows(responses, *, today: datetime.date, by: str) -> tuple[list[RateRow], RateRow]:
    """Rows (one per innovation, or per wave when ``by == "wave"``) and the total row,
    in one query."""
    keys = ["structure__wave"] if by == "wave" else ["structure__innovation_id", "structure__innovation__name"]
    rows: dict = {}
    total = RateRow(key=None, label="")
    for entry in _counts(responses, today, keys):
        if by == "wave":
            key = entry["structure__wave"]
            row = rows.setdefault(key, RateRow(key=key, label=str(key)))
        else:
            key = entry["structure__innovation_id"]
            row = rows.setdefault(key, RateRow(key=key, label=entry["structure__innovation__name"], pk=key))
        cell = Cell(due=entry["due"], answered=entry["answered"], late=entry["late"], submitted=entry["submitted"])
        row.cells[entry["phase"]].add(cell)
        row.total.add(cell)
        total.cells[entry["phase"]].add(cell)
        total.total.add(cell)
    ordered = sorted(rows.values(), key=(lambda r: r.key) if by == "wave" else (lambda r: r.label.lower()))
    return ordered, total


def chart_data(rows: list[RateRow], *, axis_label: str) -> dict:
    """The rates per innovation and phase for Chart.js (None where nothing is due)."""
    return {
        "labels": [row.label for row in rows],
        "axis": str(axis_label),
        "datasets": [
            {"phase": phase, "label": str(Phase(phase).label), "data": [row.cells[phase].rate for row in rows]}
            for phase in PHASE_ORDER
        ],
    }


def _last_sent_reminder():
    return Reminder.objects.filter(response=OuterRef("pk")).exclude(recipients=[]).order_by("-created_at", "-pk")


def late_responses(responses, *, today: datetime.date) -> QuerySet:
    """Questionnaires past their due date, not submitted, most late first, each annotated
    with ``last_reminder_kind`` and ``last_reminder_at`` (see ``describe_late`` for the
    rest)."""
    last = _last_sent_reminder()
    return (
        responses.late(today)
        .select_related("structure__organisation", "structure__innovation")
        .annotate(
            last_reminder_kind=Subquery(last.values("kind")[:1]),
            last_reminder_at=Subquery(last.values("created_at")[:1]),
        )
        .order_by("due_on", "structure__organisation__name", "pk")
    )


def describe_late(late, *, today: datetime.date) -> list[Response]:
    """The rows of ``late_responses`` (all or a slice), each given ``days_late`` and the
    label of its last reminder (``last_reminder_label``)."""
    late = list(late)
    for response in late:
        response.days_late = (today - response.due_on).days
        kind = response.last_reminder_kind
        response.last_reminder_label = ReminderKind(kind).label if kind in ReminderKind.values else ""
    return late


def awaiting_validation(responses) -> QuerySet:
    """Submitted questionnaires not validated yet, the oldest first."""
    return (
        responses.filter(status=ResponseStatus.SUBMITTED)
        .select_related("structure__organisation", "structure__innovation")
        .order_by("submitted_at", "pk")
    )


PAGE_SIZE = 25


def _page(rows: QuerySet, number, count: int | None) -> Page:
    """Page ``number`` of ``rows`` (the last one when beyond, the first one when not a
    number). ``count``, when the caller already counted the rows, spares a COUNT query."""
    paginator = Paginator(rows, PAGE_SIZE)
    if count is not None:
        paginator.count = count  # a cached property: set, it is not computed
    return paginator.get_page(number)


def late_page(responses, *, today: datetime.date, number=None, count: int | None = None) -> Page:
    """One page of ``late_responses``, its rows described (``describe_late``)."""
    page = _page(late_responses(responses, today=today), number, count)
    page.object_list = describe_late(page.object_list, today=today)
    return page


def validation_page(responses, *, number=None, count: int | None = None) -> Page:
    """One page of ``awaiting_validation``."""
    page = _page(awaiting_validation(responses), number, count)
    page.object_list = list(page.object_list)
    return page


@dataclass
class ComparisonRow:
    code: str
    label: str
    # One display string per phase: "" when asked but unanswered, None when the phase does not ask it.
    values: list = field(default_factory=list)


def comparison(structure) -> tuple[list[dict], list[ComparisonRow]]:
    """One structure's three questionnaires side by side, in three queries.

    Columns: one per phase (``response`` is None when the phase has none). Rows: every
    question code of the versions its questionnaires use, in phase then question order;
    the label is that of the latest phase that asks it. A value is "" when the phase
    asks the question but it has no answer, None when the phase does not ask it.
    """
    responses = {
        response.phase: response
        for response in Response.objects.filter(structure=structure).select_related("version", "submitted_by")
    }
    columns = [{"phase": phase, "label": Phase(phase).label, "response": responses.get(phase)} for phase in PHASE_ORDER]
    version_phase = {response.version_id: response.phase for response in responses.values()}
    questions = list(
        Question.objects.filter(version_id__in=version_phase).order_by("section__position", "position", "pk")
    )
    by_phase: dict = {phase: [] for phase in PHASE_ORDER}
    for question in questions:
        by_phase[version_phase[question.version_id]].append(question)
    rows: dict[str, ComparisonRow] = {}
    question_by_id = {question.pk: question for question in questions}
    for phase in PHASE_ORDER:
        for question in by_phase[phase]:
            row = rows.setdefault(question.code, ComparisonRow(code=question.code, label=question.label))
            row.label = question.label  # the latest phase's wording
    index = {phase: position for position, phase in enumerate(PHASE_ORDER)}
    asked = {(phase, question.code) for phase in PHASE_ORDER for question in by_phase[phase]}
    for row in rows.values():
        row.values = [("" if (phase, row.code) in asked else None) for phase in PHASE_ORDER]
    response_phase = {response.pk: response.phase for response in responses.values()}
    answers = Answer.objects.filter(response_id__in=response_phase).values_list("response_id", "question_id", "value")
    for response_id, question_id, value in answers:
        question = question_by_id.get(question_id)
        if question is None:
            continue
        rows[question.code].values[index[response_phase[response_id]]] = display_value(question, value)
    return columns, list(rows.values())
