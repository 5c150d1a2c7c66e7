"""The ranking of the dossiers, on an example computed by hand.

Grid: criterion 1 weighs 2, criterion 2 weighs 1.

- A: three submitted reviews, criterion 1 → 4, 5, 3 (mean 4, pstdev √(2/3) = 0.8165),
  criterion 2 → 2, 2, 5 (mean 3, pstdev √2 = 1.4142); weighted (2×4 + 1×3) / 3 = 3.667.
  A fourth member's draft (0, 0) is ignored; a fifth member's conflict is not expected.
- B: one review, 5 and 5 → 5.0.
- C: criterion 1 → 0 and 5 (mean 2.5, pstdev 2.5 ≥ 1.5: disagreement), criterion 2 → 3, 3;
  weighted (2×2.5 + 3) / 3 = 2.667.
- D: eligible, not reviewed yet → no score, last.
- E: not eligible → not ranked.
"""

import re
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import load_workbook
from pypdf import PdfReader

from projects import committee
from projects.models import Recommendation
from tests.projects.committee.conftest import page
from tests.projects.factories import (
    CallFactory,
    CommitteeMemberFactory,
    DossierFactory,
    EligibleDossierFactory,
    ReviewAssignmentFactory,
    ReviewFactory,
    ScoreFactory,
    SelectionCriterionFactory,
    submitted_review,
)


@pytest.fixture
def graded(db):
    call = CallFactory(closed=True, grid=False, title="Appel à projets 2026 – Emploi")
    SelectionCriterionFactory(call=call, position=1, title="Efficacité", weight=2)
    SelectionCriterionFactory(call=call, position=2, title="Innovation", weight=1)
    members = [CommitteeMemberFactory(last_name=f"Membre {i}") for i in range(5)]
    call.committee_members.set(members)
    dossiers = {
        key: EligibleDossierFactory(call=call, innovation_name=name)
        for key, name in [("A", "Parcours Gardien"), ("B", "TAPAJ"), ("C", "VITA-Air"), ("D", "Soleni")]
    }
    dossiers["E"] = DossierFactory(call=call, submitted=True, innovation_name="Rallye pour l'emploi")

    def review(key, member, values, recommendation="select"):
        assignment = ReviewAssignmentFactory(dossier=dossiers[key], member=members[member], declared=True)
        return submitted_review(assignment, values, recommendation=recommendation)

    review("A", 0, [4, 2])
    review("A", 1, [5, 2], recommendation="discuss")
    review("A", 2, [3, 5])
    draft = ReviewFactory(assignment__dossier=dossiers["A"], assignment__member=members[3])
    for criterion in call.criteria.all():
        ScoreFactory(review=draft, criterion=criterion, value=0)
    ReviewAssignmentFactory(dossier=dossiers["A"], member=members[4], conflict=True)
    review("B", 0, [5, 5])
    review("C", 0, [0, 3], recommendation="reject")
    review("C", 1, [5, 3])
    ReviewAssignmentFactory(dossier=dossiers["D"], member=members[0])  # not declared yet
    return call, dossiers


def _row(rows, dossier):
    return next(row for row in rows if row.dossier == dossier)


def test_ranking_weighted_score_means_and_spreads_match_hand_computation(graded):
    call, dossiers = graded

    rows = committee.ranking(call)

    a = _row(rows, dossiers["A"])
    assert a.weighted == pytest.approx(11 / 3)
    assert [s.mean for s in a.criteria] == pytest.approx([4.0, 3.0])
    assert [s.spread for s in a.criteria] == pytest.approx([0.8165, 1.4142], abs=1e-4)
    assert [s.disagreement for s in a.criteria] == [False, False]
    assert a.disagreement is False
    assert a.recommendations == {"select": 2, "discuss": 1}


def test_ranking_ignores_drafts_and_conflicts_in_counts(graded):
    call, dossiers = graded

    rows = committee.ranking(call)

    a = _row(rows, dossiers["A"])
    assert (a.done, a.expected) == (3, 4)  # the draft is expected, the conflict is not
    d = _row(rows, dossiers["D"])
    assert (d.done, d.expected, d.weighted) == (0, 1, None)
    assert [s.mean for s in d.criteria] == [None, None]


def test_ranking_flags_disagreement_from_spread_of_one_and_a_half(graded):
    call, dossiers = graded

    c = _row(committee.ranking(call), dossiers["C"])

    assert c.criteria[0].spread == pytest.approx(2.5)
    assert [s.disagreement for s in c.criteria] == [True, False]
    assert c.disagreement is True
    assert c.weighted == pytest.approx(8 / 3)


def test_ranking_single_review_has_zero_spread(graded):
    call, dossiers = graded

    b = _row(committee.ranking(call), dossiers["B"])

    assert (b.weighted, b.done, b.expected) == (pytest.approx(5.0), 1, 1)
    assert [s.spread for s in b.criteria] == [0.0, 0.0]


def test_ranking_orders_best_first_unscored_last_and_skips_ineligible(graded):
    call, dossiers = graded

    rows = committee.ranking(call)

    assert [row.dossier for row in rows] == [dossiers[key] for key in "BACD"]


def test_ranking_disagreement_threshold_is_inclusive(db):
    call = CallFactory(closed=True, grid=False)
    SelectionCriterionFactory(call=call, weight=1)
    dossier = EligibleDossierFactory(call=call)
    for value in (1, 4):  # pstdev exactly 1.5
        submitted_review(ReviewAssignmentFactory(dossier=dossier, declared=True), [value])

    (row,) = committee.ranking(call)

    assert row.criteria[0].spread == pytest.approx(1.5)
    assert row.disagreement is True


def test_ranking_page_shows_the_figures_in_order(client, graded, manager):
    call, dossiers = graded
    client.force_login(manager)

    response = client.get(reverse("projects:ranking", args=[call.pk]))

    content = page(response)
    assert [row.dossier for row in response.context["rows"]] == [dossiers[key] for key in "BACD"]
    positions = [content.index(dossiers[key].innovation_name) for key in "BACD"]
    assert positions == sorted(positions)
    assert "3,67" in content  # A, French decimal comma
    assert "± 0,8" in content and "± 1,4" in content
    assert "3 / 4" in content
    assert "Rallye pour l'emploi" not in content
    assert content.count("table-warning") == 1  # C's first criterion
    a_row = next(row for row in response.context["rows"] if row.dossier == dossiers["A"])
    assert a_row.recommendation_summary == [(Recommendation.SELECT.label, 2), (Recommendation.DISCUSS.label, 1)]
    assert f"{Recommendation.SELECT.label} : 2" in content


def test_ranking_export_has_the_same_figures(client, graded, manager):
    call, dossiers = graded
    client.force_login(manager)

    response = client.get(reverse("projects:ranking_export", args=[call.pk]))

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f"classement-{call.slug}.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.content)).active
    lines = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert len(lines[0]) == 7 + 2 * 2
    assert [line[1] for line in lines[1:]] == [dossiers[key].innovation_name for key in "BACD"]
    yes, no = gettext("yes"), gettext("no")
    assert lines[1] == [1, "TAPAJ", dossiers["B"].organisation.name, 5, 1, 1, no, 5, 0, 5, 0]
    assert lines[2][:7] == [2, "Parcours Gardien", dossiers["A"].organisation.name, 3.67, 3, 4, no]
    assert lines[2][7:] == [4, 0.82, 3, 1.41]
    assert lines[3][:7] == [3, "VITA-Air", dossiers["C"].organisation.name, 2.67, 2, 2, yes]
    assert lines[3][7:] == [2.5, 2.5, 3, 0]
    assert lines[4][3:] == [None, 0, 1, no, None, None, None, None]


def test_ranking_export_writes_dossier_names_as_text_never_formulas(client, manager):
    call = CallFactory(closed=True)
    EligibleDossierFactory(call=call, innovation_name='=HYPERLINK("http://pirate.example","Voir")')
    client.force_login(manager)

    response = client.get(reverse("projects:ranking_export", args=[call.pk]))

    cell = load_workbook(BytesIO(response.content)).active["B2"]
    assert cell.value == '=HYPERLINK("http://pirate.example","Voir")'
    assert cell.data_type == "s"


def test_unscored_dossiers_have_no_rank_and_say_so(client, graded, manager):
    """D has no submitted review: listed after the scored ones, « non noté », never « 4 »
    (issue 16), on the page, in the spreadsheet and in the session's minutes."""
    call, dossiers = graded
    dossiers["F"] = EligibleDossierFactory(call=call, innovation_name="Bus de l'emploi")
    session = committee.open_session(call, held_on=timezone.now(), place="Paris", by=manager)
    client.force_login(manager)

    rows = committee.ranking(call)
    content = page(client.get(reverse("projects:ranking", args=[call.pk])))
    sheet = load_workbook(BytesIO(client.get(reverse("projects:ranking_export", args=[call.pk])).content)).active
    minutes = client.get(reverse("projects:session_minutes", args=[session.pk])).content
    minutes_text = " ".join(" ".join(p.extract_text() for p in PdfReader(BytesIO(minutes)).pages).split())

    assert [(row.dossier, row.rank) for row in rows] == [
        (dossiers["B"], 1),
        (dossiers["A"], 2),
        (dossiers["C"], 3),
        (dossiers["F"], None),
        (dossiers["D"], None),
    ]
    assert (
        re.findall(r"<tr>\s*<td>(.*?)</td>", content, re.S)[3:]
        == ['<span class="text-body-secondary small">non noté</span>'] * 2
    )
    assert [line[0] for line in sheet.iter_rows(values_only=True)][1:] == [1, 2, 3, "non noté", "non noté"]
    assert "4. Soleni" not in minutes_text and "5. Bus" not in minutes_text
    assert "Soleni" in minutes_text
    assert "1 évaluation sur 1" in minutes_text  # TAPAJ: one review, singular
    assert "1 évaluations" not in minutes_text
    assert "3 évaluations sur 4" in minutes_text
