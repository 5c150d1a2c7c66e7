"""Query budgets of the spreading pages: the same number of queries with 1 and 20 rows."""

import pytest
from django.urls import reverse

from ais.accounts.models import Role
from tests.ais.factories import NetworkFactory, OrganisationFactory, UserFactory
from tests.conftest import MANY, make_user
from tests.essaimage.factories import SpreadStructureFactory, StructureApplicationFactory, StructureCallFactory
from tests.projects.factories import InnovationFactory

pytestmark = pytest.mark.django_db


def _counter():
    count = 0

    def next_number():
        nonlocal count
        count += 1
        return count

    return next_number


def _structures(innovation, number):
    def make_rows(n):
        for _ in range(n):
            organisation = OrganisationFactory(name=f"Structure essaimée {number():02d}", network=NetworkFactory())
            SpreadStructureFactory(innovation=innovation, organisation=organisation, signed=True)

    return make_rows


def test_structure_list_queries_constant_for_a_manager(client, assert_constant_queries):
    client.force_login(make_user(Role.MANAGER))
    innovation = InnovationFactory(name="Parcours Gardien")
    StructureCallFactory(innovation=innovation)

    one, many = assert_constant_queries(
        client, reverse("essaimage:structure_list"), _structures(innovation, _counter()), 9
    )

    assert "Structure essaimée 01" in one
    assert many.count("structure-status-spreading") == MANY


def test_structure_list_queries_constant_for_a_carrier(client, assert_constant_queries):
    carrier = make_user(Role.CARRIER)
    client.force_login(carrier)
    innovation = InnovationFactory(carrier=carrier.organisations_for(Role.CARRIER).get())

    one, many = assert_constant_queries(
        client, reverse("essaimage:structure_list"), _structures(innovation, _counter()), 7
    )

    assert many.count("structure-status-spreading") == MANY


def test_structure_detail_queries_constant_with_many_contacts(client, assert_constant_queries):
    client.force_login(make_user(Role.MANAGER))
    structure = SpreadStructureFactory(signed=True)
    StructureApplicationFactory(structure=structure, call=StructureCallFactory(innovation=structure.innovation))
    number = _counter()

    def make_rows(n):
        for _ in range(n):
            UserFactory(last_name=f"Contact{number():02d}", roles=[(Role.STRUCTURE, structure.organisation)])

    url = reverse("essaimage:structure_detail", kwargs={"pk": structure.pk})
    # The structure's locations over time (StructureLocation) are one query of their own.
    one, many = assert_constant_queries(client, url, make_rows, 6)

    assert "Contact01" in one
    assert "Contact20" in many


def test_applications_queries_constant_with_many_applications(client, assert_constant_queries):
    client.force_login(make_user(Role.MANAGER))
    call = StructureCallFactory()
    number = _counter()

    def make_rows(n):
        for _ in range(n):
            StructureApplicationFactory(
                call=call, organisation_name=f"Candidate {number():02d}", network=NetworkFactory()
            )

    url = reverse("essaimage:applications", kwargs={"pk": call.pk})
    one, many = assert_constant_queries(client, url, make_rows, 5)

    assert "Candidate 01" in one
    assert many.count('class="modal fade"') == 2 * MANY


def test_call_list_public_queries_constant_with_many_calls(client, db, assert_constant_queries):
    number = _counter()

    def make_rows(n):
        for _ in range(n):
            innovation = InnovationFactory(name=f"Innovation appelante {number():02d}")
            call = StructureCallFactory(innovation=innovation)
            call.target_departments.set([innovation.origin_commune.department])

    one, many = assert_constant_queries(client, reverse("essaimage:call_list_public"), make_rows, 2)

    assert "Innovation appelante 01" in one
    assert many.count("call-card") == MANY
