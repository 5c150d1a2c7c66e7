"""The structure pickers' search (essaimage:support_structure_search): the structures of the
user's support scope only, by name or commune, at most 20; refused to the roles that
do not follow support. Query budget constant with the number of structures."""

import json

import pytest
from django.urls import reverse

from ais.accounts.models import Role
from tests.ais.factories import CommuneFactory, DepartmentFactory, OrganisationFactory
from tests.conftest import MANY, make_user
from tests.essaimage.factories import SpreadStructureFactory
from tests.essaimage.support.conftest import structure
from tests.projects.factories import InnovationFactory

URL = reverse("essaimage:support_structure_search")


def _search(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()["results"]


def _names(results):
    return [result["text"] for result in results]


def test_search_finds_structures_by_name_ignoring_accents_and_case(client, manager, dataset):
    client.force_login(manager)

    results = _search(client, q="BETA")

    assert results == [
        {"id": dataset.beta.pk, "text": "Bêta Emploi", "innovation": "VITA-Air", "commune": "Rouen"},
    ]


def test_search_finds_structures_by_commune(client, manager, dataset):
    calvados = DepartmentFactory(code="14", name="Calvados")
    caen = CommuneFactory(code="14118", name="Caen", department=calvados, postal_codes="14000")
    in_caen = SpreadStructureFactory(
        innovation=dataset.tapaj, organisation=OrganisationFactory(name="Régie des quartiers", commune=caen)
    )
    client.force_login(manager)

    results = _search(client, q="caen")

    assert [(result["id"], result["commune"]) for result in results] == [(in_caen.pk, "Caen")]


def test_search_of_fewer_than_two_characters_finds_nothing(client, manager, dataset):
    client.force_login(manager)

    assert _search(client, q="a") == []
    assert _search(client, q=" a ") == []
    assert _search(client) == []


def test_search_narrows_to_one_innovation(client, manager, dataset):
    client.force_login(manager)

    everywhere = _search(client, q="ta")
    in_tapaj = _search(client, q="ta", innovation=dataset.tapaj.pk)
    ignored = _search(client, q="ta", innovation="tapaj")

    assert _names(everywhere) == ["Bêta Emploi", "Delta Chantier"]
    assert _names(in_tapaj) == ["Delta Chantier"]
    assert ignored == everywhere  # not an innovation id: no narrowing


def test_search_open_to_support_leaves_out_candidates_and_withdrawn_structures(client, manager, dataset):
    withdrawn = structure(dataset.vita, "Zêta Retirée", withdrawn=True)
    client.force_login(manager)

    all_of_them = _search(client, q="ta")
    open_ones = _search(client, q="ta", open="1")
    candidates = [_search(client, q="candidate"), _search(client, q="candidate", open="1")]

    assert [result["id"] for result in all_of_them] == [dataset.beta.pk, dataset.delta.pk, withdrawn.pk]
    assert [result["id"] for result in open_ones] == [dataset.beta.pk, dataset.delta.pk]
    assert [[result["id"] for result in found] for found in candidates] == [[dataset.candidate.pk], []]
    # A structure no longer active says so.
    assert all_of_them[2]["text"].startswith("Zêta Retirée (") and all_of_them[2]["text"] != "Zêta Retirée"


def test_search_gives_at_most_twenty_structures(client, manager, db):
    innovation = SpreadStructureFactory().innovation
    for number in range(25):
        structure(innovation, f"Structure recherchée {number:02d}")
    client.force_login(manager)

    results = _search(client, q="recherchée")

    assert _names(results) == [f"Structure recherchée {number:02d}" for number in range(20)]


def test_search_never_gives_a_carrier_another_innovation_structures(client, carrier, dataset):
    own = structure(carrier.innovation, "Alpha Régie du porteur")
    client.force_login(carrier)

    by_name = _search(client, q="alpha")
    by_commune = _search(client, q="rouen")
    other_innovation = _search(client, q="alpha", innovation=dataset.vita.pk)

    assert [result["id"] for result in by_name] == [own.pk]  # not VITA-Air's Alpha Insertion
    assert [result["id"] for result in by_commune] == [own.pk]
    assert other_innovation == []


def test_search_sends_anonymous_visitor_to_login(client, dataset):
    response = client.get(URL, {"q": "alpha"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login") + "?next=")


@pytest.mark.parametrize("role", [Role.STRUCTURE, Role.COMMITTEE])
def test_search_refused_to_roles_not_following_support(client, dataset, role):
    client.force_login(make_user(role))

    response = client.get(URL, {"q": "alpha"})

    assert response.status_code == 403
    assert "Alpha" not in response.content.decode()


def test_search_answers_only_get(client, manager, dataset):
    client.force_login(manager)

    assert client.post(URL, {"q": "alpha"}).status_code == 405


@pytest.mark.parametrize("role", [Role.MANAGER, Role.CARRIER])
def test_search_queries_constant_with_many_structures(client, dataset, assert_constant_queries, role):
    user = make_user(role)
    carried = user.organisations_for(Role.CARRIER).first()
    innovation = InnovationFactory(carrier=carried, name="Innovation du porteur") if carried else dataset.vita
    client.force_login(user)
    number = 0

    def make_rows(n):
        nonlocal number
        for _ in range(n):
            number += 1
            structure(innovation, f"Structure cherchée {number:02d}")

    one, many = assert_constant_queries(client, URL + "?q=cherch", make_rows, 4)

    assert _names(json.loads(one)["results"]) == ["Structure cherchée 01"]
    assert len(json.loads(many)["results"]) == MANY
