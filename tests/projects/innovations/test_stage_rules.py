"""The stage rules: an innovation leaves a stage only with the stage's deliverables,
or as a recorded exception with a reason; every move says who and when — through
the domain function and through the page's "move to the next stage" form."""

import datetime

import pytest
from django.urls import reverse

from ais.accounts.models import Role
from projects import accompaniment
from projects.accompaniment import StageError
from projects.models import Stage, StagePlan, StageTransition
from tests.conftest import make_user
from tests.projects.factories import DeliverableFactory, InnovationFactory, StagePlanFactory
from tests.projects.innovations.conftest import COMPLETE, advance_url, complete_stage_one, detail_url, text

LEAVABLE = [Stage.FEASIBILITY, Stage.MOBILISATION, Stage.ESSAIMAGE]
MISSING_CODES = {
    Stage.FEASIBILITY: ["feasibility_study", "charter"],
    Stage.MOBILISATION: ["governance", "awareness", "structure_call", "structures_selected", "agreements"],
    Stage.ESSAIMAGE: ["spreading_model", "trainings", "tooling", "guide"],
}


def _innovation_at(stage):
    return InnovationFactory(name=f"Innovation à l'étape {stage}", stage=stage)


# Through the domain function ---------------------------------------------------------


@pytest.mark.parametrize("stage", LEAVABLE)
def test_advance_without_deliverables_is_refused(db, manager, stage):
    innovation = _innovation_at(stage)

    with pytest.raises(StageError) as refused:
        accompaniment.advance_stage(innovation, by=manager)

    innovation.refresh_from_db()
    assert innovation.stage == stage
    assert refused.value.code == "missing"
    assert not StageTransition.objects.filter(innovation=innovation).exists()
    assert [r.code for r in accompaniment.missing(innovation)] == MISSING_CODES[stage]


@pytest.mark.parametrize("stage", LEAVABLE)
def test_advance_with_exception_reason_records_exception_and_what_was_missing(db, manager, stage):
    innovation = _innovation_at(stage)
    reason = "Le comité de pilotage a validé la suite malgré le retard des documents."

    move = accompaniment.advance_stage(innovation, by=manager, exception_reason=reason)

    innovation.refresh_from_db()
    assert innovation.stage == stage + 1
    assert (move.from_stage, move.to_stage, move.moved_by) == (stage, stage + 1, manager)
    assert move.is_exception is True
    assert move.reason == reason
    assert move.missing == MISSING_CODES[stage]


@pytest.mark.parametrize("stage", LEAVABLE)
def test_advance_with_deliverables_passes_without_exception(db, manager, stage):
    innovation = _innovation_at(stage)
    COMPLETE[stage](innovation)

    move = accompaniment.advance_stage(innovation, by=manager, on=datetime.date(2026, 3, 2))

    innovation.refresh_from_db()
    assert innovation.stage == stage + 1
    assert move.is_exception is False
    assert (move.reason, move.missing) == ("", [])
    left = StagePlan.objects.get(innovation=innovation, stage=stage)
    reached = StagePlan.objects.get(innovation=innovation, stage=stage + 1)
    assert left.actual_end == datetime.date(2026, 3, 2)
    assert (reached.actual_start, reached.actual_end) == (datetime.date(2026, 3, 2), None)


def test_advance_at_last_stage_is_refused_even_with_a_reason(db, manager):
    innovation = _innovation_at(Stage.EVALUATION)

    with pytest.raises(StageError) as refused:
        accompaniment.advance_stage(innovation, by=manager, exception_reason="Pour voir")

    innovation.refresh_from_db()
    assert innovation.stage == Stage.EVALUATION
    assert refused.value.code == "last_stage"
    assert accompaniment.requirements(innovation) == []


def test_feasibility_study_concluded_stop_blocks_the_move(db, manager):
    innovation = _innovation_at(Stage.FEASIBILITY)
    DeliverableFactory(innovation=innovation, kind="feasibility_study", conclusion="stop")
    DeliverableFactory(innovation=innovation, kind="charter")

    with pytest.raises(StageError):
        accompaniment.advance_stage(innovation, by=manager)

    study = next(r for r in accompaniment.requirements(innovation) if r.code == "feasibility_study")
    assert study.met is False
    innovation.refresh_from_db()
    assert innovation.stage == Stage.FEASIBILITY


def test_later_stop_overrides_an_earlier_go(db, manager):
    innovation = _innovation_at(Stage.FEASIBILITY)
    DeliverableFactory(
        innovation=innovation, kind="feasibility_study", conclusion="go", dated=datetime.date(2025, 1, 10)
    )
    DeliverableFactory(
        innovation=innovation, kind="feasibility_study", conclusion="stop", dated=datetime.date(2025, 4, 2)
    )
    DeliverableFactory(innovation=innovation, kind="charter")

    assert [r.code for r in accompaniment.missing(innovation)] == ["feasibility_study"]


def test_moves_are_listed_with_who_and_when_in_transitions_and_history(db, manager):
    innovation = _innovation_at(Stage.FEASIBILITY)
    complete_stage_one(innovation)
    other_manager = make_user(Role.MANAGER, first_name="Inès", last_name="Robert")

    accompaniment.advance_stage(innovation, by=manager)
    accompaniment.advance_stage(innovation, by=other_manager, exception_reason="Gouvernance en cours")

    moves = list(StageTransition.objects.filter(innovation=innovation).order_by("moved_at", "pk"))
    assert [(m.from_stage, m.to_stage, m.moved_by, m.is_exception) for m in moves] == [
        (Stage.FEASIBILITY, Stage.MOBILISATION, manager, False),
        (Stage.MOBILISATION, Stage.ESSAIMAGE, other_manager, True),
    ]
    assert all(m.moved_at is not None for m in moves)
    stage_changes = [
        (h.stage, h.history_user) for h in innovation.history.order_by("history_date", "history_id") if h.stage > 1
    ]
    assert stage_changes == [(Stage.MOBILISATION, manager), (Stage.ESSAIMAGE, other_manager)]
    last = innovation.history.latest("history_date")
    assert "Gouvernance en cours" in last.history_change_reason


def test_expected_stage_refuses_a_second_move(db, manager):
    innovation = _innovation_at(Stage.FEASIBILITY)
    complete_stage_one(innovation)
    accompaniment.advance_stage(innovation, by=manager, expected_stage=Stage.FEASIBILITY)

    with pytest.raises(StageError) as refused:
        accompaniment.advance_stage(innovation, by=manager, exception_reason="Double clic", expected_stage=1)

    assert refused.value.code == "moved"
    innovation.refresh_from_db()
    assert innovation.stage == Stage.MOBILISATION


# Through the page -------------------------------------------------------------------------


@pytest.mark.parametrize("stage", LEAVABLE)
def test_view_refuses_move_without_deliverables_and_keeps_the_page(manager_client, stage):
    innovation = _innovation_at(stage)

    response = manager_client.post(
        advance_url(innovation), {"confirm": "yes", "advance-stage": stage, "advance-exception_reason": ""}
    )

    assert response.status_code == 400
    form = response.context["advance_form"]
    assert "exception_reason" in form.errors
    innovation.refresh_from_db()
    assert innovation.stage == stage
    assert innovation.name in text(response)


@pytest.mark.parametrize("stage", LEAVABLE)
def test_view_records_exception_with_reason(manager_client, manager, stage):
    innovation = _innovation_at(stage)
    reason = "Décision du comité de pilotage du 12 mars : on avance."

    response = manager_client.post(
        advance_url(innovation),
        {"confirm": "yes", "advance-stage": stage, "advance-exception_reason": reason},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == detail_url(innovation) + "#etapes"
    move = StageTransition.objects.get(innovation=innovation)
    assert (move.is_exception, move.reason, move.moved_by) == (True, reason, manager)
    assert move.missing == MISSING_CODES[stage]
    page = text(response)
    assert reason in page  # the history of moves shows the reason
    assert str(accompaniment.REQUIREMENT_LABELS[MISSING_CODES[stage][0]]) in page  # and what was missing


@pytest.mark.parametrize("stage", LEAVABLE)
def test_view_moves_with_deliverables(manager_client, manager, stage):
    innovation = _innovation_at(stage)
    COMPLETE[stage](innovation)

    response = manager_client.post(advance_url(innovation), {"confirm": "yes", "advance-stage": stage})

    assert response.status_code == 302
    innovation.refresh_from_db()
    assert innovation.stage == stage + 1
    move = StageTransition.objects.get(innovation=innovation)
    assert (move.is_exception, move.moved_by) == (False, manager)
    assert innovation.history.latest("history_date").history_user == manager


def test_view_blank_reason_is_no_reason_and_shows_the_domain_message(manager_client, manager):
    innovation = _innovation_at(Stage.FEASIBILITY)
    with pytest.raises(StageError) as expected:
        accompaniment.advance_stage(innovation, by=manager)

    response = manager_client.post(
        advance_url(innovation),
        {"confirm": "yes", "advance-stage": Stage.FEASIBILITY, "advance-exception_reason": "   "},
    )

    assert response.status_code == 400
    assert response.context["advance_form"].errors["exception_reason"] == [str(expected.value)]
    assert str(expected.value) in text(response)
    assert not StageTransition.objects.filter(innovation=innovation).exists()


def test_view_invalid_reason_is_kept_in_the_textarea(manager_client):
    innovation = _innovation_at(Stage.FEASIBILITY)
    reason = "Le comité a tranché. " * 100  # over the 2,000 characters allowed

    response = manager_client.post(
        advance_url(innovation),
        {"confirm": "yes", "advance-stage": Stage.FEASIBILITY, "advance-exception_reason": reason},
    )

    assert response.status_code == 400
    assert "exception_reason" in response.context["advance_form"].errors
    assert reason.strip() in text(response)
    innovation.refresh_from_db()
    assert innovation.stage == Stage.FEASIBILITY


def test_view_at_last_stage_changes_nothing(manager_client):
    innovation = _innovation_at(Stage.EVALUATION)

    response = manager_client.post(
        advance_url(innovation),
        {"confirm": "yes", "advance-stage": Stage.EVALUATION, "advance-exception_reason": "Pour voir"},
    )

    assert response.status_code == 302
    innovation.refresh_from_db()
    assert innovation.stage == Stage.EVALUATION
    assert not StageTransition.objects.filter(innovation=innovation).exists()


def test_view_second_click_does_not_skip_a_stage(manager_client):
    innovation = _innovation_at(Stage.FEASIBILITY)
    complete_stage_one(innovation)
    data = {"confirm": "yes", "advance-stage": Stage.FEASIBILITY, "advance-exception_reason": "Au cas où"}

    manager_client.post(advance_url(innovation), data)
    manager_client.post(advance_url(innovation), data)

    innovation.refresh_from_db()
    assert innovation.stage == Stage.MOBILISATION
    assert StageTransition.objects.filter(innovation=innovation).count() == 1


@pytest.mark.parametrize(("role", "status"), [(Role.CARRIER, 403), (Role.STRUCTURE, 403), (Role.COMMITTEE, 403)])
def test_view_refuses_other_roles(client, innovation, role, status):
    complete_stage_one(innovation)
    client.force_login(make_user(role))

    response = client.post(
        advance_url(innovation), {"confirm": "yes", "advance-stage": 1, "advance-exception_reason": "Je force"}
    )

    assert response.status_code == status
    innovation.refresh_from_db()
    assert innovation.stage == Stage.FEASIBILITY


def test_view_refuses_the_innovations_own_carrier_and_structure_contact(client, innovation, carrier, structure_contact):
    complete_stage_one(innovation)
    for user in (carrier, structure_contact):
        client.force_login(user)
        response = client.post(advance_url(innovation), {"confirm": "yes", "advance-stage": 1})
        assert response.status_code == 403
    innovation.refresh_from_db()
    assert innovation.stage == Stage.FEASIBILITY


def test_detail_page_shows_checklist_and_history_to_the_manager(manager_client, manager):
    innovation = _innovation_at(Stage.FEASIBILITY)
    DeliverableFactory(innovation=innovation, kind="charter", dated=datetime.date(2025, 2, 14))
    StagePlanFactory(innovation=innovation, stage=Stage.FEASIBILITY, planned_end=datetime.date(2020, 1, 1))

    page = text(manager_client.get(detail_url(innovation)))

    assert 'name="advance-exception_reason"' in page
    assert "14/02/2025" in page  # the charter's signature date, in the checklist's detail
    assert "requirement-missing" in page and "requirement-met" in page
    assert 'aria-current="step"' in page
    assert "stage-step-late" in page  # planned end is past: the current stage is flagged late


def test_checklist_links_to_the_stage_plan_calendar(manager_client):
    innovation = _innovation_at(Stage.MOBILISATION)

    page = text(manager_client.get(detail_url(innovation)))

    assert reverse("projects:stage_plans", kwargs={"pk": innovation.pk}) in page


# A stage move is confirmed first (without JavaScript: a page) ---------------------------


def test_stage_move_get_shows_what_it_will_do(manager_client):
    innovation = _innovation_at(Stage.FEASIBILITY)
    complete_stage_one(innovation)

    response = manager_client.get(advance_url(innovation))

    content = text(response)
    assert response.status_code == 200
    assert f"{innovation.name} passe de «\u00a0Étape I – Étude de faisabilité\u00a0»" in content
    assert 'name="advance-stage" value="1"' in content
    assert 'name="confirm" value="yes"' in content
    innovation.refresh_from_db()
    assert innovation.stage == Stage.FEASIBILITY


def test_stage_move_unconfirmed_post_moves_nothing_and_confirmed_moves(manager_client):
    innovation = _innovation_at(Stage.FEASIBILITY)
    complete_stage_one(innovation)
    data = {"advance-stage": Stage.FEASIBILITY, "advance-exception_reason": ""}

    asked = manager_client.post(advance_url(innovation), data)
    innovation.refresh_from_db()
    stage_after_asking = innovation.stage
    done = manager_client.post(advance_url(innovation), {**data, "confirm": "yes"})

    assert asked.status_code == 200
    assert "Passer à «\u00a0Étape II – Mobilisation des parties prenantes\u00a0»" in text(asked)
    assert stage_after_asking == Stage.FEASIBILITY
    assert done.status_code == 302
    innovation.refresh_from_db()
    assert innovation.stage == Stage.MOBILISATION


def test_stage_two_checklist_without_structures_does_not_say_all_signed(manager_client):
    """« Manquant — Toutes les structures sélectionnées ont signé » with 0 structures
    contradicted itself (issue 16)."""
    innovation = _innovation_at(Stage.MOBILISATION)

    agreements = next(r for r in accompaniment.requirements(innovation) if r.code == "agreements")
    page = text(manager_client.get(detail_url(innovation)))

    assert not agreements.met
    assert "Toutes les structures sélectionnées ont signé" not in page
    assert "Aucune structure sélectionnée pour l'instant : aucune convention à signer." in page
