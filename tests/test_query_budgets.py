"""Query budgets: each list or detail page issues the same number of queries with
1 row as with 20. The literal budget of each page is the number it issues today;
a page whose count grows with the data is a bug (an N+1), not a budget to raise."""

import datetime

from django.urls import reverse

from ais.accounts.models import Role
from essaimage.models import StructureStatus
from projects.models import Stage
from tests.ais.factories import CommuneFactory, OrganisationFactory, OutgoingEmailFactory, UserFactory
from tests.conftest import MANY, make_user
from tests.essaimage.factories import SpreadStructureFactory
from tests.projects.factories import InnovationFactory


def _counter():
    count = 0

    def next_number():
        nonlocal count
        count += 1
        return count

    return next_number


def _logged_in(client, role, **kwargs):
    user = make_user(role, **kwargs)
    client.force_login(user)
    return user


# Public pages -------------------------------------------------------------------------


def test_home_queries_constant_with_many_innovations(client, db, assert_constant_queries):
    number = _counter()

    def make_rows(n):
        for _ in range(n):
            innovation = InnovationFactory(name=f"Innovation d'accueil {number():02d}", year_selected=2020)
            SpreadStructureFactory(innovation=innovation)

    # The latest innovations, the open calls, and the programme's figures of today
    # (reporting.definitions: innovations, structures, departments and their names).
    one, many = assert_constant_queries(client, "/", make_rows, 5)

    assert "Innovation d'accueil 01" in one
    assert many.count("innovation-card") == 6  # the home page shows the 6 latest


def test_catalogue_queries_constant_with_many_innovations(client, db, assert_constant_queries):
    number = _counter()

    def make_rows(n):
        for _ in range(n):
            innovation = InnovationFactory(name=f"Innovation du catalogue {number():02d}")
            SpreadStructureFactory(innovation=innovation)

    one, many = assert_constant_queries(client, reverse("portal:catalogue"), make_rows, 2)

    assert one.count("innovation-card") == 1
    assert many.count("innovation-card") == MANY
    assert "Innovation du catalogue 20" in many


def test_innovation_public_queries_constant_with_many_structures(client, db, assert_constant_queries):
    innovation = InnovationFactory(name="Parcours Gardien", stage=Stage.ESSAIMAGE)
    number = _counter()

    def make_rows(n):
        for _ in range(n):
            organisation = OrganisationFactory(name=f"Structure essaimée {number():02d}")
            # Started: the public page shows the structures active today (reporting.definitions).
            SpreadStructureFactory(
                innovation=innovation, organisation=organisation, start_date=datetime.date(2024, 1, 8)
            )

    url = reverse("portal:innovation_public", kwargs={"slug": innovation.slug})
    one, many = assert_constant_queries(client, url, make_rows, 2)

    assert "Structure essaimée 01" in one
    assert "Structure essaimée 20" in many


def test_commune_search_queries_constant_with_many_communes(client, db, assert_constant_queries):
    number = _counter()

    def make_rows(n):
        for _ in range(n):
            i = number()
            CommuneFactory(code=f"76{i:03d}", name=f"Roumare {i:02d}", postal_codes="76480", population=1000 + i)

    url = reverse("territories:commune_search") + "?q=roum"
    one, many = assert_constant_queries(client, url, make_rows, 1)

    assert one.count('"id"') == 1
    assert many.count('"id"') == MANY
    assert "Seine-Maritime" in many


# Private pages ------------------------------------------------------------------------


def test_history_queries_constant_with_many_changes(client, db, assert_constant_queries):
    _logged_in(client, Role.MANAGER)
    number = _counter()

    def make_rows(n):
        for _ in range(n):
            innovation = InnovationFactory(name=f"Innovation suivie {number():02d}")
            innovation.stage = Stage.MOBILISATION
            innovation.save()

    one, many = assert_constant_queries(client, reverse("portal:history"), make_rows, 21)

    assert "Innovation suivie 01" in one
    assert "Étape II – Mobilisation des parties prenantes" in many
    assert "Innovation suivie 20" in many


def test_outbox_list_queries_constant_with_many_emails(client, db, assert_constant_queries):
    _logged_in(client, Role.ADMIN)
    number = _counter()

    def make_rows(n):
        for _ in range(n):
            OutgoingEmailFactory(subject=f"Message n°{number():02d}")

    one, many = assert_constant_queries(client, reverse("outbox:list"), make_rows, 5)

    assert "Message n°01" in one
    assert "Message n°20" in many


# Dashboards ---------------------------------------------------------------------------


def test_manager_dashboard_queries_constant_with_many_innovations(client, db, assert_constant_queries):
    _logged_in(client, Role.MANAGER)
    number = _counter()

    def make_rows(n):
        for _ in range(n):
            i = number()
            innovation = InnovationFactory(name=f"Innovation {i:02d}", stage=Stage.values[i % 4])
            SpreadStructureFactory(innovation=innovation)

    one, many = assert_constant_queries(client, reverse("portal:dashboard"), make_rows, 8)

    assert "Suivi du programme" in one
    assert "Innovation 01" in one
    assert "Innovation 20" in many


def test_carrier_dashboard_queries_constant_with_many_innovations(client, db, assert_constant_queries):
    carrier = _logged_in(client, Role.CARRIER)
    organisation = carrier.organisations_for(Role.CARRIER).get()
    number = _counter()

    def make_rows(n):
        for _ in range(n):
            innovation = InnovationFactory(name=f"Mon innovation {number():02d}", carrier=organisation)
            SpreadStructureFactory(innovation=innovation)

    one, many = assert_constant_queries(client, reverse("portal:dashboard"), make_rows, 6)

    assert "Mon innovation 01" in one
    assert "Mon innovation 20" in many
    assert "1 structure essaimée" in many


def test_structure_dashboard_queries_constant_with_many_structures(client, db, assert_constant_queries):
    contact = _logged_in(client, Role.STRUCTURE)
    organisation = contact.organisations_for(Role.STRUCTURE).get()
    number = _counter()

    def make_rows(n):
        for _ in range(n):
            innovation = InnovationFactory(name=f"Innovation essaimée {number():02d}")
            SpreadStructureFactory(innovation=innovation, organisation=organisation)

    one, many = assert_constant_queries(client, reverse("portal:dashboard"), make_rows, 5)

    assert "Innovation essaimée 01" in one
    assert "Innovation essaimée 20" in many


def test_admin_dashboard_queries_constant_with_many_users_and_emails(client, db, assert_constant_queries):
    _logged_in(client, Role.ADMIN)

    def make_rows(n):
        for _ in range(n):
            UserFactory(roles=[Role.COMMITTEE])
            OutgoingEmailFactory(failed=True)

    one, many = assert_constant_queries(client, reverse("portal:dashboard"), make_rows, 4)

    assert "2 comptes actifs" in one
    assert f"{MANY + 1} comptes actifs" in many


def test_committee_dashboard_queries_constant_with_many_innovations(client, db, assert_constant_queries):
    _logged_in(client, Role.COMMITTEE)

    def make_rows(n):
        InnovationFactory.create_batch(n)

    one, many = assert_constant_queries(client, reverse("portal:dashboard"), make_rows, 4)

    assert "Comité de pilotage" in one
    assert "Aucun dossier ne vous est attribué pour le moment." in many


def test_dashboard_with_every_role_queries_constant_with_many_rows(client, db, assert_constant_queries):
    carrier_org, structure_org = OrganisationFactory(), OrganisationFactory()
    user = UserFactory(
        roles=[Role.MANAGER, Role.COMMITTEE, (Role.CARRIER, carrier_org), (Role.STRUCTURE, structure_org), Role.ADMIN]
    )
    client.force_login(user)
    number = _counter()

    def make_rows(n):
        for _ in range(n):
            i = number()
            innovation = InnovationFactory(name=f"Innovation portée {i:02d}", carrier=carrier_org)
            SpreadStructureFactory(innovation=innovation, organisation=structure_org, status=StructureStatus.TRAINING)
            OutgoingEmailFactory()

    one, many = assert_constant_queries(client, reverse("portal:dashboard"), make_rows, 15)

    for title in [
        "Suivi du programme",
        "Comité de pilotage",
        "Porteur de projet",
        "Structure essaimée",
        "Administration",
    ]:
        assert title in many
    assert "Innovation portée 20" in many
