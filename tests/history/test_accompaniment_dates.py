"""Dated facts of an innovation's accompaniment: its selection date, the date each
stage move took effect, and the end of the accompaniment (closure and reopening)."""

import datetime
import html

import pytest
from django.urls import reverse

from projects import accompaniment
from projects.accompaniment import StageError
from projects.models import ClosureKind, Innovation, Stage, StagePlan, StageTransition
from tests.projects.factories import InnovationFactory, StagePlanFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 6)


@pytest.fixture(autouse=True)
def _today(today):
    """Every test of this module runs on ``TODAY``."""


def _move(innovation, on, manager):
    return accompaniment.advance_stage(innovation, by=manager, exception_reason="Historique du programme", on=on)


def _at_stage(innovation, stage, manager, dates):
    for on in dates[: stage - 1]:
        _move(innovation, on, manager)
    innovation.refresh_from_db()
    return innovation


def _text(response) -> str:
    return html.unescape(response.content.decode())


# Selection date ---------------------------------------------------------------------


def test_selection_date_sets_the_year_selected(manager):
    innovation = InnovationFactory(year_selected=2020)

    accompaniment.update_settings(innovation, selected_on=datetime.date(2016, 6, 10), by=manager)

    innovation.refresh_from_db()
    assert (innovation.selected_on, innovation.year_selected) == (datetime.date(2016, 6, 10), 2016)
    assert innovation.history.first().history_user == manager


def test_selection_date_in_the_future_is_refused(manager):
    innovation = InnovationFactory()

    with pytest.raises(StageError, match="ne peut pas être dans le futur"):
        accompaniment.update_settings(innovation, selected_on=TODAY + datetime.timedelta(days=1), by=manager)


def test_settings_form_sets_the_selection_date(client, manager):
    innovation = InnovationFactory(summary="Un résumé")
    client.force_login(manager)

    response = client.post(
        reverse("projects:innovation_edit", kwargs={"pk": innovation.pk}),
        {
            "innovation-selected_on": "2017-06-12",
            "innovation-summary": "Un résumé",
            "targets-TOTAL_FORMS": "0",
            "targets-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    innovation.refresh_from_db()
    assert (innovation.selected_on, innovation.year_selected) == (datetime.date(2017, 6, 12), 2017)


# Stage moves --------------------------------------------------------------------------


def test_stage_move_takes_effect_on_the_date_given(manager):
    innovation = InnovationFactory(stage=Stage.FEASIBILITY)

    move = _move(innovation, datetime.date(2016, 3, 1), manager)

    assert move.effective_on == datetime.date(2016, 3, 1)
    assert move.moved_at.date() == TODAY  # recorded today, effective earlier
    assert StagePlan.objects.get(innovation=innovation, stage=Stage.MOBILISATION).actual_start == datetime.date(
        2016, 3, 1
    )


def test_stage_move_without_a_date_takes_effect_today(manager):
    innovation = InnovationFactory(stage=Stage.FEASIBILITY)

    move = accompaniment.advance_stage(innovation, by=manager, exception_reason="Test")

    assert move.effective_on == TODAY


def test_stage_move_in_the_future_is_refused(manager):
    innovation = InnovationFactory(stage=Stage.FEASIBILITY)

    with pytest.raises(StageError, match="ne peut pas être dans le futur"):
        _move(innovation, TODAY + datetime.timedelta(days=1), manager)
    assert not StageTransition.objects.exists()


def test_stage_move_before_the_previous_one_is_refused(manager):
    innovation = InnovationFactory(stage=Stage.FEASIBILITY)
    _move(innovation, datetime.date(2017, 5, 1), manager)

    with pytest.raises(StageError, match="ne peut pas précéder le changement d'étape précédent"):
        _move(innovation, datetime.date(2017, 4, 30), manager)


def test_stage_move_form_refuses_a_future_date_in_french(client, manager):
    innovation = InnovationFactory(stage=Stage.FEASIBILITY)
    client.force_login(manager)

    response = client.post(
        reverse("projects:stage_advance", kwargs={"pk": innovation.pk}),
        {
            "confirm": "yes",
            "advance-stage": "1",
            "advance-effective_on": "2027-01-04",
            "advance-exception_reason": "Rattrapage",
        },
    )

    assert response.status_code == 400
    assert "La date du changement d'étape ne peut pas être dans le futur." in _text(response)
    assert not StageTransition.objects.exists()


def test_stage_move_form_records_a_past_date(client, manager):
    innovation = InnovationFactory(stage=Stage.FEASIBILITY)
    client.force_login(manager)

    client.post(
        reverse("projects:stage_advance", kwargs={"pk": innovation.pk}),
        {
            "confirm": "yes",
            "advance-stage": "1",
            "advance-effective_on": "2016-09-01",
            "advance-exception_reason": "Rattrapage",
        },
    )

    move = StageTransition.objects.get(innovation=innovation)
    assert move.effective_on == datetime.date(2016, 9, 1)
    page = _text(client.get(reverse("projects:innovation_detail", kwargs={"pk": innovation.pk})))
    assert "En vigueur le 1er septembre 2016" in page


# Closure ------------------------------------------------------------------------------

DATES = [datetime.date(2016, 3, 1), datetime.date(2017, 2, 1), datetime.date(2018, 1, 15)]


def test_stopped_after_feasibility_only_from_stage_one(manager):
    at_one = InnovationFactory(stage=Stage.FEASIBILITY)
    at_two = _at_stage(InnovationFactory(stage=Stage.FEASIBILITY), Stage.MOBILISATION, manager, DATES)

    accompaniment.close_accompaniment(
        at_one, kind=ClosureKind.STOPPED, on=datetime.date(2016, 11, 30), reason="Étude négative", by=manager
    )
    with pytest.raises(StageError, match="Étape I"):
        accompaniment.close_accompaniment(
            at_two, kind=ClosureKind.STOPPED, on=datetime.date(2018, 11, 30), reason="Étude négative", by=manager
        )

    at_one.refresh_from_db()
    assert (at_one.closed_on, at_one.closure_kind, at_one.is_closed) == (
        datetime.date(2016, 11, 30),
        ClosureKind.STOPPED,
        True,
    )
    assert at_one.history.first().history_change_reason == "Accompagnement clos : Étude négative"


def test_completed_only_from_stage_four(manager):
    at_three = _at_stage(InnovationFactory(stage=Stage.FEASIBILITY), Stage.ESSAIMAGE, manager, DATES)
    at_four = _at_stage(InnovationFactory(stage=Stage.FEASIBILITY), Stage.EVALUATION, manager, DATES)

    with pytest.raises(StageError, match="Étape IV"):
        accompaniment.close_accompaniment(
            at_three, kind=ClosureKind.COMPLETED, on=datetime.date(2019, 6, 1), reason="Évaluée", by=manager
        )
    accompaniment.close_accompaniment(
        at_four, kind=ClosureKind.COMPLETED, on=datetime.date(2019, 6, 1), reason="Évaluée", by=manager
    )

    assert Innovation.objects.get(pk=at_four.pk).closure_kind == ClosureKind.COMPLETED
    assert not Innovation.objects.get(pk=at_three.pk).is_closed


def test_abandoned_from_any_stage(manager):
    innovation = _at_stage(InnovationFactory(stage=Stage.FEASIBILITY), Stage.ESSAIMAGE, manager, DATES)

    accompaniment.close_accompaniment(
        innovation, kind=ClosureKind.ABANDONED, on=datetime.date(2018, 3, 1), reason="Porteur dissous", by=manager
    )

    assert Innovation.objects.get(pk=innovation.pk).closure_kind == ClosureKind.ABANDONED


@pytest.mark.parametrize(
    ("on", "reason", "message"),
    [
        (TODAY + datetime.timedelta(days=1), "Raison", "ne peut pas être dans le futur"),
        (datetime.date(2016, 2, 29), "Raison", "ne peut pas précéder le dernier changement d'étape"),
        (datetime.date(2017, 6, 1), "  ", "motif"),
        (None, "Raison", "date"),
    ],
)
def test_closure_date_and_reason_rules(manager, on, reason, message):
    innovation = _at_stage(InnovationFactory(stage=Stage.FEASIBILITY), Stage.MOBILISATION, manager, DATES)

    with pytest.raises(StageError, match=message):
        accompaniment.close_accompaniment(innovation, kind=ClosureKind.ABANDONED, on=on, reason=reason, by=manager)
    assert not Innovation.objects.get(pk=innovation.pk).is_closed


def test_closed_innovation_cannot_move_nor_close_again_and_reopens_with_a_reason(manager):
    innovation = InnovationFactory(stage=Stage.FEASIBILITY)
    accompaniment.close_accompaniment(
        innovation, kind=ClosureKind.ABANDONED, on=datetime.date(2020, 1, 1), reason="Arrêt", by=manager
    )

    with pytest.raises(StageError, match="clos"):
        _move(innovation, TODAY, manager)
    with pytest.raises(StageError, match="déjà clos"):
        accompaniment.close_accompaniment(
            innovation, kind=ClosureKind.ABANDONED, on=datetime.date(2020, 1, 1), reason="Arrêt", by=manager
        )
    with pytest.raises(StageError, match="motif"):
        accompaniment.reopen_accompaniment(innovation, reason="", by=manager)

    accompaniment.reopen_accompaniment(innovation, reason="Clôture saisie par erreur", by=manager)

    innovation.refresh_from_db()
    assert (innovation.closed_on, innovation.closure_kind, innovation.closure_reason) == (None, "", "")
    assert innovation.history.first().history_change_reason == "Accompagnement rouvert : Clôture saisie par erreur"
    with pytest.raises(StageError, match="n'est pas clos"):
        accompaniment.reopen_accompaniment(innovation, reason="Encore", by=manager)


def test_closed_innovation_leaves_the_in_progress_views(client, manager):
    late = InnovationFactory(name="Innovation close", stage=Stage.FEASIBILITY)
    StagePlanFactory(innovation=late, stage=Stage.FEASIBILITY, planned_end=datetime.date(2025, 1, 1))
    InnovationFactory(name="Innovation en cours", stage=Stage.FEASIBILITY)
    assert accompaniment.late_stage_plans().filter(innovation=late).exists()
    accompaniment.close_accompaniment(
        late, kind=ClosureKind.STOPPED, on=datetime.date(2025, 3, 1), reason="Étude négative", by=manager
    )
    client.force_login(manager)

    default = _text(client.get(reverse("projects:innovation_list")))
    closed = _text(client.get(reverse("projects:innovation_list"), {"state": "closed"}))
    board = _text(client.get(reverse("portal:dashboard")))

    assert "Innovation en cours" in default and "Innovation close" not in default
    assert "Innovation close" in closed and "Innovation en cours" not in closed
    assert "Clos le 01/03/2025" in closed
    assert not accompaniment.late_stage_plans().filter(innovation=late).exists()
    assert "Innovation close" not in board


def test_closure_form_asks_for_confirmation_and_shows_the_closed_state(client, manager):
    innovation = InnovationFactory(stage=Stage.FEASIBILITY)
    url = reverse("projects:accompaniment_close", kwargs={"pk": innovation.pk})
    data = {"close-kind": "stopped_after_feasibility", "close-closed_on": "2017-04-03", "close-reason": "Étude"}
    client.force_login(manager)

    unconfirmed = client.post(url, data)
    confirmed = client.post(url, {**data, "close-confirm": "on"})

    assert unconfirmed.status_code == 400
    assert confirmed.status_code == 302
    page = _text(client.get(reverse("projects:innovation_detail", kwargs={"pk": innovation.pk})))
    assert "Accompagnement clos le 3 avril 2017" in page
    assert "Arrêtée après l'étude de faisabilité" in page
    assert 'name="reopen-reason"' in page


def test_closure_form_shows_the_rule_broken(client, manager):
    innovation = InnovationFactory(stage=Stage.FEASIBILITY)
    client.force_login(manager)

    response = client.post(
        reverse("projects:accompaniment_close", kwargs={"pk": innovation.pk}),
        {"close-kind": "completed", "close-closed_on": "2017-04-03", "close-reason": "Fin", "close-confirm": "on"},
    )

    assert response.status_code == 400
    assert "« Terminée après évaluation » n'est possible qu'à partir de « Étape IV – Évaluation »." in _text(response)
    assert not Innovation.objects.get(pk=innovation.pk).is_closed
