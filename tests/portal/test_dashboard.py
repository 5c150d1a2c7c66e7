"""The role-aware dashboard: the manager's stage board and what carriers and
structure contacts see of their own innovations and structures only."""

import datetime
import html
import re

from django.urls import reverse

from ais.accounts.models import Role
from essaimage.models import StructureStatus
from projects.models import Stage
from tests.ais.factories import OrganisationFactory, UserFactory
from tests.conftest import make_user
from tests.essaimage.factories import SpreadStructureFactory
from tests.projects.factories import InnovationFactory


def _dashboard(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def _section(page: str, role: str) -> str:
    match = re.search(rf'<section[^>]*aria-labelledby="section-{role}">(.*?)</section>', page, re.S)
    assert match, f"no {role} section on the dashboard"
    return match.group(1)


def _board(page: str) -> dict[str, list[str]]:
    """Stage column title → names of the innovations in it."""
    columns = page.split('<div class="stage-column h-100">')[1:]
    board = {}
    for column in columns:
        title = re.search(r'<h4 class="h6 stage-title">(.*?) <span', column, re.S).group(1).strip()
        board[title] = re.findall(r'<p class="fw-semibold mb-0"><a [^>]*>(.*?)</a></p>', column)
    return board


def test_manager_board_puts_each_innovation_in_its_stage_column(client, db):
    InnovationFactory(name="Rallye pour l'emploi", stage=Stage.FEASIBILITY)
    InnovationFactory(name="Soleni", stage=Stage.MOBILISATION)
    InnovationFactory(name="Parcours Gardien", stage=Stage.ESSAIMAGE)
    InnovationFactory(name="TAPAJ", stage=Stage.ESSAIMAGE)
    InnovationFactory(name="VITA-Air", stage=Stage.EVALUATION, is_published=False)

    page = _dashboard(client, make_user(Role.MANAGER))

    assert _board(_section(page, Role.MANAGER)) == {
        "Étape I – Étude de faisabilité": ["Rallye pour l'emploi"],
        "Étape II – Mobilisation des parties prenantes": ["Soleni"],
        "Étape III – Essaimage": ["Parcours Gardien", "TAPAJ"],
        "Étape IV – Évaluation": ["VITA-Air"],
    }


def test_manager_board_counts_active_structures_only(client, db):
    innovation = InnovationFactory(name="Parcours Gardien", stage=Stage.ESSAIMAGE)
    started = datetime.date(2024, 9, 1)
    SpreadStructureFactory(innovation=innovation, start_date=started)
    SpreadStructureFactory(innovation=innovation, status=StructureStatus.TRAINING, start_date=started)
    SpreadStructureFactory(innovation=innovation, status=StructureStatus.SELECTED)  # not started yet
    SpreadStructureFactory(innovation=innovation, withdrawn=True, start_date=started)  # withdrew in 2025
    SpreadStructureFactory(innovation=innovation, candidate=True)

    section = _section(_dashboard(client, make_user(Role.MANAGER)), Role.MANAGER)

    # "2 active structures" until the French catalogue holds "2 structures actives"
    assert re.search(rf"{re.escape(innovation.carrier.name)} · 2 (active structures|structures actives)", section)
    assert '<p class="stat-value" data-figure="structures">2</p>' in section


def test_manager_board_card_links_to_the_innovation(client, db):
    innovation = InnovationFactory(name="Parcours Gardien", stage=Stage.ESSAIMAGE)

    section = _section(_dashboard(client, make_user(Role.MANAGER)), Role.MANAGER)

    assert f'href="/suivi/innovations/{innovation.pk}/">Parcours Gardien</a>' in section


def test_manager_board_empty_stage_says_so(client, db):
    InnovationFactory(name="Parcours Gardien", stage=Stage.ESSAIMAGE)

    section = _section(_dashboard(client, make_user(Role.MANAGER)), Role.MANAGER)

    assert section.count("Aucune innovation à cette étape.") == 3


def test_carrier_dashboard_shows_only_own_innovations(client, db):
    carrier = make_user(Role.CARRIER)
    own = carrier.organisations_for(Role.CARRIER).get()
    InnovationFactory(name="Parcours Gardien", carrier=own, stage=Stage.ESSAIMAGE)
    InnovationFactory(name="Projet pas encore publié", carrier=own, is_published=False)
    InnovationFactory(name="TAPAJ", carrier=OrganisationFactory(name="Association Oppelia"))

    page = _dashboard(client, carrier)

    section = _section(page, Role.CARRIER)
    assert re.findall(r'<span class="fw-semibold">(.*?)</span>', section) == [
        "Parcours Gardien",
        "Projet pas encore publié",
    ]
    assert "TAPAJ" not in page
    assert "Étape III – Essaimage" in section


def test_carrier_of_other_organisation_sees_empty_state(client, db):
    InnovationFactory(name="TAPAJ")

    page = _dashboard(client, make_user(Role.CARRIER))

    assert "Aucune de vos innovations n'est encore accompagnée par le programme." in page
    assert "TAPAJ" not in page


def test_structure_dashboard_shows_only_own_structures(client, db):
    contact = make_user(Role.STRUCTURE)
    own = contact.organisations_for(Role.STRUCTURE).get()
    SpreadStructureFactory(innovation=InnovationFactory(name="Parcours Gardien"), organisation=own)
    SpreadStructureFactory(innovation=InnovationFactory(name="TAPAJ"), organisation=own, status="training")
    other = OrganisationFactory(name="CAARUD La Case – Toulouse")
    SpreadStructureFactory(innovation=InnovationFactory(name="VITA-Air"), organisation=other)

    page = _dashboard(client, contact)

    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td>", _section(page, Role.STRUCTURE))
    assert rows == [("Parcours Gardien", own.name, "En essaimage"), ("TAPAJ", own.name, "En formation")]
    assert "CAARUD La Case – Toulouse" not in page
    assert "VITA-Air" not in page


def test_structure_contact_of_other_role_in_same_organisation_sees_nothing(client, db):
    """A carrier membership of an organisation does not show its structures."""
    organisation = OrganisationFactory()
    SpreadStructureFactory(innovation=InnovationFactory(name="Parcours Gardien"), organisation=organisation)
    user = UserFactory(roles=[(Role.STRUCTURE, OrganisationFactory()), (Role.CARRIER, organisation)])

    page = _dashboard(client, user)

    assert "Votre structure n'essaime encore aucune innovation." in _section(page, Role.STRUCTURE)


def test_dashboard_of_user_with_several_roles_shows_one_section_per_role_in_order(client, db):
    user = UserFactory(roles=[Role.ADMIN, (Role.CARRIER, OrganisationFactory()), Role.MANAGER])

    page = _dashboard(client, user)

    titles = re.findall(r'<h2 class="h4 mb-3" id="section-\w+">(.*?)</h2>', page)
    assert titles == ["Suivi du programme", "Porteur de projet", "Administration"]


def test_structure_counts_say_which_definition_they_follow(client, db):
    """The catalogue, the dashboard and the list count structures differently: each says
    which definition it follows (issue 16)."""
    manager = make_user(Role.MANAGER)
    SpreadStructureFactory(start_date=datetime.date(2025, 1, 6))  # active, in its organisation's commune

    catalogue = html.unescape(client.get(reverse("portal:catalogue")).content.decode())
    board = _dashboard(client, manager)
    listing = html.unescape(client.get(reverse("essaimage:structure_list")).content.decode())

    assert "en activité aujourd'hui, innovations publiées" in catalogue
    assert "démarrées et non retirées, toutes innovations" in board
    assert "tous états : retenues, en formation, en essaimage, évaluées, retirées" in listing
