"""The managers' forms: settings and targets, the stage calendar, governance members
and awareness actions — saved with the acting user, refused with the typed values
kept."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from ais.accounts.models import Role
from projects.models import AwarenessAction, GovernanceMember, InnovationTarget, Stage, StagePlan
from tests.conftest import make_user
from tests.projects.factories import AwarenessActionFactory, GovernanceMemberFactory, InnovationTargetFactory
from tests.projects.innovations.conftest import detail_url, text


def _edit_url(innovation):
    return reverse("projects:innovation_edit", kwargs={"pk": innovation.pk})


def _settings_data(innovation, targets=(), **overrides):
    """The edit form's POST data: settings plus target rows ``(id, kind, label, value, unit, delete)``."""
    data = {
        "innovation-summary": "Former des gardiens d'immeuble parmi les DELD du quartier.",
        "innovation-description": "Douze semaines de formation-action, puis un emploi chez un bailleur.",
        "innovation-publics": ["deld", "qpv"],
        "innovation-keywords": ["formation_qualifiante"],
        "innovation-lead_manager": "",
        "innovation-spreading_model": "formation_action",
        "innovation-spreading_model_details": "Deux structures par région, une journée par mois.",
        "innovation-accompaniment_start": "2026-01-05",
        "innovation-is_published": "on",
        "targets-TOTAL_FORMS": str(len(targets)),
        "targets-INITIAL_FORMS": str(sum(1 for t in targets if t[0])),
        "targets-MIN_NUM_FORMS": "0",
        "targets-MAX_NUM_FORMS": "1000",
    }
    for index, (pk, kind, label, value, unit, delete) in enumerate(targets):
        data.update(
            {
                f"targets-{index}-id": pk or "",
                f"targets-{index}-innovation": innovation.pk,
                f"targets-{index}-kind": kind,
                f"targets-{index}-label": label,
                f"targets-{index}-value": value,
                f"targets-{index}-unit": unit,
                f"targets-{index}-indicator_code": "",
            }
        )
        if delete:
            data[f"targets-{index}-DELETE"] = "on"
    data.update(overrides)
    return data


# Settings and targets ------------------------------------------------------------------


def test_edit_saves_settings_team_and_targets(manager_client, manager, innovation):
    lead = make_user(Role.MANAGER, first_name="Inès", last_name="Robert")
    old = InnovationTargetFactory(innovation=innovation, label="Ancienne cible")
    data = _settings_data(
        innovation,
        targets=[
            (old.pk, "quantitative", "Ancienne cible", "70", "%", True),
            ("", "quantitative", "Taux de sortie vers l'emploi", "72.5", "%", False),
            ("", "qualitative", "Les bailleurs recrutent directement", "", "", False),
            ("", "quantitative", "", "", "", False),  # an empty extra row: ignored
        ],
        **{"innovation-lead_manager": lead.pk, "innovation-team": [lead.pk, manager.pk]},
    )

    response = manager_client.post(_edit_url(innovation), data)

    assert response.status_code == 302
    innovation.refresh_from_db()
    assert innovation.lead_manager == lead
    assert set(innovation.team.all()) == {lead, manager}
    assert innovation.publics == ["deld", "qpv"]
    assert innovation.spreading_model == "formation_action"
    assert innovation.accompaniment_start == datetime.date(2026, 1, 5)
    assert innovation.history.latest("history_date").history_user == manager
    targets = list(innovation.targets.order_by("position"))
    assert [(t.label, t.value, t.position) for t in targets] == [
        ("Taux de sortie vers l'emploi", Decimal("72.50"), 0),
        ("Les bailleurs recrutent directement", None, 1),
    ]
    assert not InnovationTarget.objects.filter(pk=old.pk).exists()
    page = text(manager_client.get(detail_url(innovation)))
    assert "72,5" in page or "72.5" in page
    assert "Inès Robert" in page


def test_edit_refuses_quantitative_target_without_value_and_keeps_rows(manager_client, innovation):
    data = _settings_data(innovation, targets=[("", "quantitative", "Heures d'insertion en plus", "", "%", False)])

    response = manager_client.post(_edit_url(innovation), data)

    assert response.status_code == 400
    assert "value" in response.context["formset"].forms[0].errors
    page = text(response)
    assert 'value="Heures d\'insertion en plus"' in page
    assert 'value="Former des gardiens d\'immeuble parmi les DELD du quartier."' in page
    assert not innovation.targets.exists()


def test_edit_lead_manager_must_be_a_programme_manager(manager_client, innovation, carrier):
    data = _settings_data(innovation, **{"innovation-lead_manager": carrier.pk})

    response = manager_client.post(_edit_url(innovation), data)

    assert response.status_code == 400
    assert "lead_manager" in response.context["form"].errors
    innovation.refresh_from_db()
    assert innovation.lead_manager is None


def test_edit_page_offers_extra_target_rows_without_javascript(manager_client, innovation):
    InnovationTargetFactory(innovation=innovation, label="Taux de maintien en emploi")

    response = manager_client.get(_edit_url(innovation))

    page = text(response)
    assert 'value="Taux de maintien en emploi"' in page
    assert 'name="targets-2-label"' in page  # one existing row plus two empty ones
    assert 'name="targets-TOTAL_FORMS"' in page and 'value="3"' in page
    assert "__prefix__" in page  # the row template the script clones


# Stage calendar --------------------------------------------------------------------------


def _plans_url(innovation):
    return reverse("projects:stage_plans", kwargs={"pk": innovation.pk})


def _plans_data(plans, **dates):
    data = {
        "plans-TOTAL_FORMS": str(len(plans)),
        "plans-INITIAL_FORMS": str(len(plans)),
        "plans-MIN_NUM_FORMS": "0",
        "plans-MAX_NUM_FORMS": "1000",
    }
    for index, plan in enumerate(plans):
        data[f"plans-{index}-id"] = plan.pk
        for field in ("planned_start", "planned_end", "actual_start", "actual_end"):
            data[f"plans-{index}-{field}"] = dates.get(f"{plan.stage}-{field}", "")
    return data


def test_stage_plans_page_creates_the_four_plans(manager_client, innovation):
    response = manager_client.get(_plans_url(innovation))

    assert response.status_code == 200
    assert list(StagePlan.objects.filter(innovation=innovation).values_list("stage", flat=True)) == [1, 2, 3, 4]
    assert 'name="plans-3-planned_end"' in text(response)


def test_stage_plans_are_saved(manager_client, manager, innovation):
    manager_client.get(_plans_url(innovation))
    plans = list(StagePlan.objects.filter(innovation=innovation).order_by("stage"))
    data = _plans_data(
        plans,
        **{"1-planned_start": "2026-01-05", "1-planned_end": "2026-06-30", "2-planned_start": "2026-07-01"},
    )

    response = manager_client.post(_plans_url(innovation), data)

    assert response.status_code == 302
    assert response.url == detail_url(innovation) + "#etapes"
    first = StagePlan.objects.get(innovation=innovation, stage=Stage.FEASIBILITY)
    assert (first.planned_start, first.planned_end) == (datetime.date(2026, 1, 5), datetime.date(2026, 6, 30))
    assert first.history.latest("history_date").history_user == manager
    page = text(manager_client.get(detail_url(innovation)))
    assert "05/01/2026" in page and "30/06/2026" in page


def test_stage_plan_end_before_start_is_refused_with_dates_kept(manager_client, innovation):
    manager_client.get(_plans_url(innovation))
    plans = list(StagePlan.objects.filter(innovation=innovation).order_by("stage"))
    data = _plans_data(plans, **{"2-planned_start": "2026-09-01", "2-planned_end": "2026-03-31"})

    response = manager_client.post(_plans_url(innovation), data)

    assert response.status_code == 400
    errors = response.context["formset"].forms[1].errors
    assert "planned_end" in errors
    page = text(response)
    assert errors["planned_end"][0] in page
    assert 'value="2026-09-01"' in page and 'value="2026-03-31"' in page
    assert StagePlan.objects.get(innovation=innovation, stage=Stage.MOBILISATION).planned_start is None


def test_stage_plans_of_another_innovation_cannot_be_posted(manager_client, innovation):
    from tests.projects.factories import InnovationFactory

    other = InnovationFactory()
    manager_client.get(_plans_url(other))
    manager_client.get(_plans_url(innovation))
    foreign = list(StagePlan.objects.filter(innovation=other).order_by("stage"))

    response = manager_client.post(_plans_url(innovation), _plans_data(foreign, **{"1-planned_start": "2026-01-01"}))

    assert response.status_code == 302
    assert response.url == _plans_url(innovation)
    assert StagePlan.objects.filter(innovation=other).count() == 4
    assert StagePlan.objects.count() == 8  # no orphan plan created
    assert not StagePlan.objects.filter(planned_start__isnull=False).exists()


# Governance and awareness actions --------------------------------------------------------


def test_governance_member_added_and_removed(manager_client, manager, innovation):
    url = reverse("projects:governance_add", kwargs={"pk": innovation.pk})

    response = manager_client.post(
        url,
        {
            "governance-full_name": "Hélène Gardin",
            "governance-organisation_name": "Union sociale pour l'habitat",
            "governance-function": "Présidente",
            "governance-joined_on": "2026-02-01",
        },
    )

    assert response.status_code == 302
    assert response.url == detail_url(innovation) + "#gouvernance"
    member = GovernanceMember.objects.get(innovation=innovation)
    assert (member.full_name, member.joined_on) == ("Hélène Gardin", datetime.date(2026, 2, 1))
    assert member.history.latest("history_date").history_user == manager

    delete = reverse("projects:governance_delete", kwargs={"pk": innovation.pk, "member_pk": member.pk})
    assert manager_client.post(delete).status_code == 302
    assert not GovernanceMember.objects.filter(pk=member.pk).exists()


def test_governance_invalid_keeps_typed_values_on_the_page(manager_client, innovation):
    url = reverse("projects:governance_add", kwargs={"pk": innovation.pk})

    response = manager_client.post(
        url, {"governance-full_name": "", "governance-organisation_name": "Fédération des acteurs de la solidarité"}
    )

    assert response.status_code == 400
    assert "full_name" in response.context["governance_form"].errors
    page = text(response)
    assert 'value="Fédération des acteurs de la solidarité"' in page
    assert '<details class="add-form" open>' in page
    assert not GovernanceMember.objects.exists()


def test_governance_member_of_another_innovation_is_not_found(manager_client, innovation):
    foreign = GovernanceMemberFactory()
    url = reverse("projects:governance_delete", kwargs={"pk": innovation.pk, "member_pk": foreign.pk})

    assert manager_client.post(url).status_code == 404
    assert GovernanceMember.objects.filter(pk=foreign.pk).exists()


def test_awareness_action_added_and_removed(manager_client, manager, innovation):
    url = reverse("projects:awareness_add", kwargs={"pk": innovation.pk})

    response = manager_client.post(
        url,
        {
            "awareness-held_on": "2026-03-12",
            "awareness-title": "Présentation aux têtes de réseau de l'IAE",
            "awareness-channel": "meeting",
            "awareness-audience": "COORACE, FAS, CNLRQ",
            "awareness-people_reached": "38",
            "awareness-notes": "",
        },
    )

    assert response.status_code == 302
    assert response.url == detail_url(innovation) + "#sensibilisation"
    action = AwarenessAction.objects.get(innovation=innovation)
    assert (action.people_reached, action.channel) == (38, "meeting")
    assert action.history.latest("history_date").history_user == manager
    assert "Présentation aux têtes de réseau de l'IAE" in text(manager_client.get(detail_url(innovation)))

    delete = reverse("projects:awareness_delete", kwargs={"pk": innovation.pk, "action_pk": action.pk})
    assert manager_client.post(delete).status_code == 302
    assert not AwarenessAction.objects.exists()


def test_awareness_invalid_keeps_typed_values(manager_client, innovation):
    url = reverse("projects:awareness_add", kwargs={"pk": innovation.pk})

    response = manager_client.post(
        url, {"awareness-title": "Webinaire des bailleurs sociaux", "awareness-people_reached": "-4"}
    )

    assert response.status_code == 400
    errors = response.context["awareness_form"].errors
    assert {"held_on", "channel", "audience", "people_reached"} <= set(errors)
    assert 'value="Webinaire des bailleurs sociaux"' in text(response)


@pytest.mark.parametrize("name", ["governance_add", "awareness_add"])
def test_governance_and_awareness_are_for_managers(client, innovation, carrier, name):
    client.force_login(carrier)

    response = client.post(reverse(f"projects:{name}", kwargs={"pk": innovation.pk}), {})

    assert response.status_code == 403


def test_awareness_action_delete_of_another_innovation_is_not_found(manager_client, innovation):
    foreign = AwarenessActionFactory()
    url = reverse("projects:awareness_delete", kwargs={"pk": innovation.pk, "action_pk": foreign.pk})

    assert manager_client.post(url).status_code == 404
