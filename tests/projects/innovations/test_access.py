"""Who sees which innovation, and what of it: someone else's innovation is a 404;
carriers read their own page whole; structure contacts and committee members read
a page without the accompaniment's internals."""

import datetime

import pytest
from django.urls import reverse

from ais.accounts.models import Role
from projects import accompaniment
from projects.models import Stage, StagePlan
from tests.ais.factories import OrganisationFactory, UserFactory
from tests.conftest import make_user
from tests.essaimage.factories import SpreadStructureFactory
from tests.projects.factories import DeliverableFactory, GovernanceMemberFactory, InnovationFactory, StagePlanFactory
from tests.projects.innovations.conftest import detail_url, text

PAST = datetime.date(2020, 6, 30)
REASON = "Raison interne : la charte sera signée au prochain comité."


@pytest.fixture
def rich(innovation, manager):
    """The innovation with internal and shared documents, a governance member and an exception move."""
    DeliverableFactory(innovation=innovation, kind="charter", title="Charte d'engagement signée")
    DeliverableFactory(innovation=innovation, kind="guide", title="Guide de l'essaimage 2026")
    GovernanceMemberFactory(innovation=innovation, full_name="Hélène Gardin")
    accompaniment.advance_stage(innovation, by=manager, exception_reason=REASON)
    StagePlan.objects.filter(innovation=innovation, stage=Stage.MOBILISATION).update(planned_end=PAST)
    innovation.refresh_from_db()
    return innovation


# Object scoping -----------------------------------------------------------------------


def test_carrier_of_another_innovation_gets_404(client, innovation):
    other_carrier = make_user(Role.CARRIER)
    InnovationFactory(carrier=other_carrier.organisations_for(Role.CARRIER).get(), name="Autre innovation")
    guide = DeliverableFactory(innovation=innovation, kind="guide")
    client.force_login(other_carrier)

    assert client.get(detail_url(innovation)).status_code == 404
    url = reverse("projects:deliverable_download", kwargs={"pk": innovation.pk, "deliverable_pk": guide.pk})
    assert client.get(url).status_code == 404


def test_structure_contact_of_another_innovation_gets_404(client, innovation):
    organisation = OrganisationFactory()
    SpreadStructureFactory(organisation=organisation)  # spreads another innovation
    contact = UserFactory(roles=[(Role.STRUCTURE, organisation)])
    client.force_login(contact)

    assert client.get(detail_url(innovation)).status_code == 404


def test_committee_member_gets_404_for_an_unpublished_innovation(client, db):
    hidden = InnovationFactory(unpublished=True)
    client.force_login(make_user(Role.COMMITTEE))

    assert client.get(detail_url(hidden)).status_code == 404


def test_unknown_innovation_is_404_for_managers(manager_client, db):
    assert manager_client.get(reverse("projects:innovation_detail", kwargs={"pk": 999999})).status_code == 404
    assert manager_client.get(reverse("projects:innovation_edit", kwargs={"pk": 999999})).status_code == 404


# What each one reads ------------------------------------------------------------------


def test_manager_reads_everything_and_acts(manager_client, rich):
    page = text(manager_client.get(detail_url(rich)))

    assert "Charte d'engagement signée" in page and "Guide de l'essaimage 2026" in page
    assert "Hélène Gardin" in page
    assert REASON in page
    assert 'name="advance-exception_reason"' in page
    assert reverse("projects:governance_add", kwargs={"pk": rich.pk}) in page


def test_carrier_reads_its_innovation_read_only(client, rich, carrier):
    client.force_login(carrier)

    page = text(client.get(detail_url(rich)))

    assert "Charte d'engagement signée" in page and "Guide de l'essaimage 2026" in page
    assert "Hélène Gardin" in page
    assert REASON in page
    assert "requirement-" in page  # the checklist of the current stage
    assert "stage-step-late" in page
    assert 'name="advance-exception_reason"' not in page
    assert reverse("projects:governance_add", kwargs={"pk": rich.pk}) not in page
    assert reverse("projects:innovation_edit", kwargs={"pk": rich.pk}) not in page
    assert "/supprimer/" not in page


def test_structure_contact_reads_shared_part_only(client, rich, structure_contact):
    client.force_login(structure_contact)

    page = text(client.get(detail_url(rich)))

    assert rich.name in page
    assert "Guide de l'essaimage 2026" in page
    assert "Charte d'engagement signée" not in page
    assert "Hélène Gardin" not in page
    assert REASON not in page
    assert "requirement-" not in page
    assert "stage-step-late" not in page and "late-badge" not in page  # lateness is for the team
    assert "/supprimer/" not in page


def test_committee_member_reads_shared_part_of_a_published_innovation(client, rich):
    client.force_login(make_user(Role.COMMITTEE))

    page = text(client.get(detail_url(rich)))

    assert "Guide de l'essaimage 2026" in page
    assert "Charte d'engagement signée" not in page and REASON not in page


@pytest.mark.parametrize("name", ["innovation_edit", "stage_plans", "deliverable_add"])
def test_manage_pages_are_forbidden_to_the_innovations_carrier(client, innovation, carrier, name):
    client.force_login(carrier)

    assert client.get(reverse(f"projects:{name}", kwargs={"pk": innovation.pk})).status_code == 403


# The list -----------------------------------------------------------------------------


def _listed(client):
    return {i.name for i in client.get(reverse("projects:innovation_list")).context["innovations"]}


def test_list_is_scoped_per_user(client, innovation, carrier, structure_contact):
    InnovationFactory(name="Innovation publiée d'un autre")
    InnovationFactory(name="Innovation confidentielle", unpublished=True)

    client.force_login(carrier)
    assert _listed(client) == {"Parcours Gardien"}
    client.force_login(structure_contact)
    assert _listed(client) == {"Parcours Gardien"}
    client.force_login(make_user(Role.COMMITTEE))
    assert _listed(client) == {"Parcours Gardien", "Innovation publiée d'un autre"}
    client.force_login(make_user(Role.MANAGER))
    assert _listed(client) == {"Parcours Gardien", "Innovation publiée d'un autre", "Innovation confidentielle"}


def test_list_filters_by_stage_and_late(manager_client, innovation):
    late = InnovationFactory(name="Innovation en retard", stage=Stage.MOBILISATION)
    StagePlanFactory(innovation=late, stage=Stage.MOBILISATION, planned_end=datetime.date(2020, 6, 30))
    InnovationFactory(name="Innovation à l'heure", stage=Stage.MOBILISATION)
    url = reverse("projects:innovation_list")

    by_stage = manager_client.get(url, {"stage": Stage.MOBILISATION})
    late_only = manager_client.get(url, {"late": "on"})

    assert {i.name for i in by_stage.context["innovations"]} == {"Innovation en retard", "Innovation à l'heure"}
    assert {i.name for i in late_only.context["innovations"]} == {"Innovation en retard"}
    assert "late-badge" in text(late_only)


def test_list_late_filter_is_for_managers_only(client, innovation, carrier):
    client.force_login(carrier)

    response = client.get(reverse("projects:innovation_list"), {"late": "on"})

    assert "late" not in response.context["filters"].fields
    assert 'name="late"' not in text(response)
    assert {i.name for i in response.context["innovations"]} == {"Parcours Gardien"}
