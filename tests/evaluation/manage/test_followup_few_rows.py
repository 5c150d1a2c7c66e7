"""The follow-up with a few rows of its own, beside the programme of test_followup_pages.py
(whose rows are made once for that module): no pagination with few rows, a constant number
of queries with one and many rows, and the status managers see for a questionnaire past its
opening date that nobody opened ("To fill in", as the structure sees it).

Today is 15 June 2026. A structure started on 1 January 2025 has its appropriation
questionnaire due on 1 May 2025 (late unless answered) and its implementation one due on
31 October 2025.
"""

import re

import pytest
from django.urls import reverse

from evaluation.models import Phase
from projects.models import Stage
from tests.evaluation.manage.helpers import D, bring_to, questionnaire, structure_with_questionnaires
from tests.evaluation.manage.test_followup_pages import (
    FOLLOWUP_QUERIES,
    FROZEN,
    A,
    B,
    _late_names,
    _main,
    _regie,
    _structures,
    _table,
)
from tests.projects.factories import InnovationFactory

pytestmark = pytest.mark.django_db


# Paging ---------------------------------------------------------------------------------


@FROZEN
def test_few_rows_show_no_pagination(english, staff):
    _structures(staff, InnovationFactory(stage=Stage.ESSAIMAGE), 2, prefix="Régie")
    english.force_login(staff)

    main = _main(english.get(reverse("evaluation:followup")))

    assert _late_names(main) == _regie(1, 2)
    assert "Late questionnaires (2)" in main and "To validate (2)" in main
    assert '<nav aria-label="Pages of' not in main
    assert "2 questionnaires past their due date and not submitted</caption>" in main  # no "rows 1 to 2"


# Query budget ---------------------------------------------------------------------------


@FROZEN
def test_followup_queries_constant_with_one_and_many_rows(client, staff, assert_constant_queries):
    client.force_login(staff)
    innovation = InnovationFactory(name="Parcours Gardien", stage=Stage.ESSAIMAGE)
    numbers = iter(range(1, 100))

    def make_rows(n):
        for _ in range(n):
            number = next(numbers)
            structure = structure_with_questionnaires(
                innovation=innovation, start=D(2025, 1, 1), name=f"Régie {number:02d}"
            )
            bring_to(questionnaire(structure, B), "submitted", by=staff)

    one, many = assert_constant_queries(client, reverse("evaluation:followup"), make_rows, FOLLOWUP_QUERIES)

    assert "Questionnaires en retard (1)" in one and "À valider (1)" in one
    assert "Questionnaires en retard (20)" in many and "À valider (20)" in many


# The status managers see ----------------------------------------------------------------


@pytest.fixture
def never_opened(staff):
    """A questionnaire past its opening and due dates that nobody opened (still "scheduled")."""
    with FROZEN:
        structure = structure_with_questionnaires(
            innovation=InnovationFactory(name="Parcours Gardien", stage=Stage.ESSAIMAGE),
            start=D(2025, 1, 1),
            name="Régie 01",
        )
        not_open_yet = questionnaire(structure, Phase.IMPACT)  # opens on 1 July 2026
    return questionnaire(structure, A), not_open_yet


def _badge(main) -> list[str]:
    """The text of the status badges (evaluation/manage/_status.html)."""
    badge = r'<span class="badge eval-status eval-status-\w+"><i class="bi bi-[\w-]+" aria-hidden="true"></i> ([^<]+)<'
    return re.findall(badge, main)


@FROZEN
def test_followup_shows_an_overdue_questionnaire_nobody_opened_as_to_fill_in(english, staff, never_opened):
    english.force_login(staff)

    main = _main(english.get(reverse("evaluation:followup")))

    assert _badge(_table(main, "late-title")) == ["To fill in", "To fill in"]  # appropriation, implementation
    assert "Scheduled" not in _table(main, "late-title")


@FROZEN
def test_manager_questionnaire_page_shows_the_status_the_structure_sees(client, staff, never_opened):
    late, not_open_yet = never_opened
    client.force_login(staff)  # in French, the product's language

    late_page = _main(client.get(reverse("evaluation:response_manage", kwargs={"pk": late.pk})))
    not_open_page = _main(client.get(reverse("evaluation:response_manage", kwargs={"pk": not_open_yet.pk})))

    assert _badge(late_page) == ["À remplir"]
    assert "bi-hourglass-split" in late_page
    assert _badge(not_open_page) == ["Programmé"]  # not open yet: still scheduled


@FROZEN
def test_compare_page_shows_the_status_the_structure_sees(english, staff, never_opened):
    late, _not_open_yet = never_opened
    english.force_login(staff)

    main = _main(english.get(reverse("evaluation:structure_compare", kwargs={"pk": late.structure_id})))

    # Appropriation and implementation are open (and late), impact opens on 1 July 2026.
    assert _badge(main) == ["To fill in", "To fill in", "Scheduled"]
