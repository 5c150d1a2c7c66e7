"""Response rates and the late list, on a hand-built set with figures computed by hand.

Today is 15 June 2026; questionnaires open 3, 9 and 18 months after the start date and
are due 30 days later. Two innovations, two waves, six structures:

| structure | innovation | wave | start      | appropriation            | implementation           |
| --------- | ---------- | ---- | ---------- | ------------------------ | ------------------------ |
| S1        | A          | 1    | 2025-01-01 | validated                | submitted                |
| S2        | A          | 1    | 2025-01-01 | returned (due 01/05/25)  | in progress (due 31/10/25) |
| S3        | A          | 2    | 2026-02-01 | scheduled (due 31/05/26) | not open                 |
| S4        | B          | 1    | 2025-10-01 | submitted                | not open                 |
| S5        | B          | 2    | 2026-03-01 | in progress (due 01/07/26) | not open               |
| S6        | B          | 2    | 2025-10-01 | cancelled                | cancelled                |

No impact questionnaire is open yet (the earliest opens on 1 July 2026).
"""

import copy
import datetime
import html
import json
import re

import pytest
import time_machine
from django.urls import reverse

from evaluation.followup import awaiting_validation, describe_late, filtered_responses, late_responses, rate_rows
from evaluation.models import Phase, Reminder, ReminderKind, ResponseStatus
from evaluation.schedule import cancel_for_structure
from projects.models import Stage
from tests.evaluation.manage.conftest import rows_for_the_module_by
from tests.evaluation.manage.helpers import D, bring_to, questionnaire, structure_with_questionnaires
from tests.projects.factories import InnovationFactory

pytestmark = pytest.mark.django_db

TODAY = D(2026, 6, 15)
FROZEN = time_machine.travel(datetime.datetime(2026, 6, 15, 8, 0, tzinfo=datetime.UTC), tick=False)
A, B = Phase.APPROPRIATION, Phase.IMPLEMENTATION


def _programme(staff):
    with FROZEN:
        gardien = InnovationFactory(name="Parcours Gardien", stage=Stage.ESSAIMAGE)
        vita = InnovationFactory(name="VITA-Air", stage=Stage.ESSAIMAGE)
        s = {}
        s[1] = structure_with_questionnaires(innovation=gardien, start=D(2025, 1, 1), wave=1, name="Régie Nord")
        s[2] = structure_with_questionnaires(innovation=gardien, start=D(2025, 1, 1), wave=1, name="ACI Sud")
        s[3] = structure_with_questionnaires(innovation=gardien, start=D(2026, 2, 1), wave=2, name="EI Est")
        s[4] = structure_with_questionnaires(innovation=vita, start=D(2025, 10, 1), wave=1, name="AI Ouest")
        s[5] = structure_with_questionnaires(innovation=vita, start=D(2026, 3, 1), wave=2, name="CHRS Centre")
        s[6] = structure_with_questionnaires(innovation=vita, start=D(2025, 10, 1), wave=2, name="Mission locale")
        bring_to(questionnaire(s[1], A), "validated", by=staff)
        bring_to(questionnaire(s[1], B), "submitted", by=staff)
        bring_to(questionnaire(s[2], A), "returned", by=staff)
        bring_to(questionnaire(s[2], B), "in_progress", by=staff)
        bring_to(questionnaire(s[4], A), "submitted", by=staff)
        bring_to(questionnaire(s[5], A), "in_progress", by=staff)
        cancel_for_structure(s[6].pk)
        late_s3 = questionnaire(s[3], A)
        Reminder.objects.create(
            response=late_s3, kind=ReminderKind.OPENING, created_at=_at(2026, 5, 1), recipients=["a@eist.fr"]
        )
        Reminder.objects.create(
            response=late_s3, kind=ReminderKind.BEFORE_DUE, created_at=_at(2026, 5, 24), recipients=["a@eist.fr"]
        )
        # Recorded as skipped (nobody e-mailed): not a reminder sent.
        Reminder.objects.create(response=late_s3, kind=ReminderKind.DUE, created_at=_at(2026, 6, 1), recipients=[])
    return {"gardien": gardien, "vita": vita, "s": s}


@pytest.fixture(scope="module")
def _followup_rows(django_db_setup, django_db_blocker, tmp_path_factory):
    """The hand-built set, made once for the module rather than for each of its tests
    (tests/conftest.py: rows_for_the_module); the tests only read it."""
    with rows_for_the_module_by(django_db_blocker, tmp_path_factory, _programme) as (made, _media_root):
        yield made


@pytest.fixture
def programme(db, _followup_rows):
    """The module's hand-built set, with model instances of the test's own."""
    return copy.deepcopy(_followup_rows)


def _at(year, month, day):
    return datetime.datetime(year, month, day, 9, 0, tzinfo=datetime.UTC)


def _figures(rows, total):
    """{label: {phase: (answered, due, late, rate)}, "total": ...} for compact comparisons."""

    def cells(row):
        figures = {phase: (c.answered, c.due, c.late, c.rate) for phase, c in row.phase_cells}
        figures["all"] = (row.total.answered, row.total.due, row.total.late, row.total.rate)
        return figures

    return {**{row.label: cells(row) for row in rows}, "total": cells(total)}


def test_statuses_of_the_hand_built_set(programme):
    s = programme["s"]

    statuses = {(n, r.phase): r.status for n in s for r in s[n].responses.all()}

    assert statuses[(1, A)] == ResponseStatus.VALIDATED
    assert statuses[(1, B)] == ResponseStatus.SUBMITTED
    assert statuses[(2, A)] == ResponseStatus.RETURNED
    assert statuses[(2, B)] == ResponseStatus.IN_PROGRESS
    assert statuses[(3, A)] == ResponseStatus.SCHEDULED
    assert statuses[(4, A)] == ResponseStatus.SUBMITTED
    assert statuses[(5, A)] == ResponseStatus.IN_PROGRESS
    assert {statuses[(6, phase)] for phase in Phase.values} == {ResponseStatus.CANCELLED}


def test_rates_per_innovation_and_phase_computed_by_hand(programme):
    rows, total = rate_rows(filtered_responses(), today=TODAY, by="innovation")

    # (answered, due, late, rate %)
    assert _figures(rows, total) == {
        "Parcours Gardien": {
            A: (1, 3, 2, 33),  # S1 validated / S1, S2, S3 opened; S2 returned and S3 untouched are late
            B: (1, 2, 1, 50),  # S1 submitted / S1, S2 opened; S2 in progress is late
            Phase.IMPACT: (0, 0, 0, None),
            "all": (2, 5, 3, 40),
        },
        "VITA-Air": {
            A: (1, 2, 0, 50),  # S4 submitted / S4, S5 (S6 cancelled is not due)
            B: (0, 0, 0, None),
            Phase.IMPACT: (0, 0, 0, None),
            "all": (1, 2, 0, 50),
        },
        "total": {
            A: (2, 5, 2, 40),
            B: (1, 2, 1, 50),
            Phase.IMPACT: (0, 0, 0, None),
            "all": (3, 7, 3, 43),
        },
    }


def test_rates_per_wave_computed_by_hand(programme):
    rows, total = rate_rows(filtered_responses(), today=TODAY, by="wave")

    figures = _figures(rows, total)
    assert figures["1"] == {A: (2, 3, 1, 67), B: (1, 2, 1, 50), Phase.IMPACT: (0, 0, 0, None), "all": (3, 5, 2, 60)}
    assert figures["2"] == {A: (0, 2, 1, 0), B: (0, 0, 0, None), Phase.IMPACT: (0, 0, 0, None), "all": (0, 2, 1, 0)}
    assert figures["total"]["all"] == (3, 7, 3, 43)


def test_rates_per_wave_filtered_by_innovation(programme):
    rows, total = rate_rows(filtered_responses(innovation=programme["vita"]), today=TODAY, by="wave")

    figures = _figures(rows, total)
    assert figures["1"]["all"] == (1, 1, 0, 100)  # S4
    assert figures["2"]["all"] == (0, 1, 0, 0)  # S5 (S6 cancelled)
    assert figures["total"]["all"] == (1, 2, 0, 50)


def test_late_list_gives_days_late_and_last_reminder_sent(programme):
    late = describe_late(late_responses(filtered_responses(), today=TODAY), today=TODAY)

    assert [(r.structure.organisation.name, r.phase, r.due_on, r.days_late, r.last_reminder_kind) for r in late] == [
        ("ACI Sud", A, D(2025, 5, 1), 410, None),
        ("ACI Sud", B, D(2025, 10, 31), 227, None),
        ("EI Est", A, D(2026, 5, 31), 15, ReminderKind.BEFORE_DUE),  # the skipped "due" row is not a reminder sent
    ]
    assert late[2].last_reminder_at == _at(2026, 5, 24)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"phase": B}, [("ACI Sud", B)]),
        ({"wave": 2}, [("EI Est", A)]),
        ({"innovation": "vita"}, []),
    ],
)
def test_late_list_filters(programme, filters, expected):
    if filters.get("innovation"):
        filters = {"innovation": programme[filters["innovation"]]}

    late = late_responses(filtered_responses(**filters), today=TODAY)

    assert [(r.structure.organisation.name, r.phase) for r in late] == expected


@pytest.mark.parametrize("filters", [{}, {"phase": A}, {"wave": 2}, {"innovation": "gardien"}])
def test_rates_query_counts_the_late_and_submitted_lists(programme, filters):
    """The follow-up pages its lists with these totals (no COUNT query of their own)."""
    if filters.get("innovation"):
        filters = {"innovation": programme[filters["innovation"]]}
    responses = filtered_responses(**filters)

    _rows, total = rate_rows(responses, today=TODAY, by="innovation")

    assert total.total.late == late_responses(responses, today=TODAY).count()
    assert total.total.submitted == awaiting_validation(responses).count()


def _main(response) -> str:
    content = html.unescape(response.content.decode())
    return re.search(r"<main.*?</main>", content, re.S).group(0)


@FROZEN
def test_followup_page_shows_rates_chart_data_and_late_list(client, staff, programme):
    client.force_login(staff)

    response = client.get(reverse("evaluation:followup"))

    assert response.status_code == 200
    main = _main(response)
    assert "3 / 7" in main  # answered / due so far
    assert "43 %" in main
    chart = json.loads(re.search(r'id="eval-rate-data" type="application/json">(.*?)</script>', main, re.S).group(1))
    assert chart["labels"] == ["Parcours Gardien", "VITA-Air"]
    assert [d["data"] for d in chart["datasets"]] == [[33, 50], [50, None], [None, None]]
    late_table = main[main.index('class="table table-hover align-middle eval-late"') :]
    late_table = late_table[: late_table.index("</table>")]
    s = programme["s"]
    for n, phase, days in [(2, A, 410), (2, B, 227), (3, A, 15)]:
        url = reverse("evaluation:response_manage", kwargs={"pk": questionnaire(s[n], phase).pk})
        assert f'href="{url}"' in late_table
        assert f'<span class="eval-days-late">{days}</span>' in late_table
    assert "24/05/2026" in late_table  # when the last reminder was sent
    assert "AI Ouest" not in late_table and "CHRS Centre" not in late_table
    # Submitted and waiting for validation: S1 implementation and S4 appropriation
    validate = main[main.index('id="validate-title"') :]
    validate = validate[: validate.index("</table>")]
    assert validate.count("evaluation/questionnaires/") == 2
    assert "AI Ouest" in validate and "Régie Nord" in validate


@FROZEN
def test_followup_page_filters_by_wave_and_phase(client, staff, programme):
    client.force_login(staff)

    response = client.get(reverse("evaluation:followup"), {"wave": "2", "phase": A})

    main = _main(response)
    late_table = main[main.index("eval-late") : main.index('id="validate-title"')]
    assert "EI Est" in late_table
    assert "ACI Sud" not in late_table
    assert "0 / 2" in main  # wave 2, appropriation: S3 and S5 due, none answered


@FROZEN
def test_followup_page_ignores_an_unknown_filter_value(client, staff, programme):
    client.force_login(staff)

    response = client.get(reverse("evaluation:followup"), {"innovation": "999999", "wave": "1"})

    assert response.status_code == 200
    assert "3 / 5" in _main(response)  # the wave filter still applies: wave 1 answered / due
