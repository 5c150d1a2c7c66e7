"""The French territories referential, loaded from ais/territories/data, and the
commune search used by every commune picker."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from ais.territories.models import Commune, Department, Region

pytestmark = pytest.mark.usefixtures("territories")


def _search(client, q):
    response = client.get(reverse("territories:commune_search"), {"q": q})
    assert response["Content-Type"] == "application/json"
    return response.json()["results"]


def test_load_territories_loads_every_commune_department_and_region(db):
    assert Commune.objects.count() == 34_969
    assert Department.objects.count() == 109
    assert Region.objects.count() == 26


def test_load_territories_links_communes_to_their_region(db):
    rouen = Commune.objects.select_related("department__region").get(code="76540")

    assert rouen.name == "Rouen"
    assert rouen.department.name == "Seine-Maritime"
    assert rouen.department.region.name == "Normandie"
    assert "76000" in rouen.postal_codes.split()


def test_load_territories_twice_changes_nothing(db, django_assert_max_num_queries):
    out = StringIO()

    with django_assert_max_num_queries(3) as captured:  # a count, in a savepoint
        call_command("load_territories", stdout=out)

    assert out.getvalue().strip() == "Territories already loaded."
    assert not [q["sql"] for q in captured.captured_queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]
    assert (Commune.objects.count(), Department.objects.count(), Region.objects.count()) == (34_969, 109, 26)


def test_commune_search_ignores_accents_and_case(db):
    results = Commune.objects.search("evreux")

    assert results[0].name == "Évreux"
    assert results[0].department.code == "27"


def test_commune_search_postal_code_puts_biggest_first(client, db):
    results = _search(client, "76000")

    assert results[0]["text"].startswith("Rouen")
    assert results[0]["id"] == "76540"
    assert results[0]["department"] == "Seine-Maritime"


def test_commune_search_insee_code_prefix_finds_commune(db):
    assert Commune.objects.search("76540")[0].name == "Rouen"


@pytest.mark.parametrize("q", ["e", " r ", "", "7"])
def test_commune_search_one_character_returns_nothing(client, db, q):
    assert _search(client, q) == []


def test_commune_search_endpoint_returns_at_most_twenty_labelled_results(client, db):
    results = _search(client, "sai")

    assert len(results) == 20
    assert all(set(result) == {"id", "text", "department"} for result in results)
    assert all(result["text"].lower().startswith("sai") for result in results)
    assert results[0]["text"] == "Saint-Étienne (42000)"  # the most populated first
    assert results[1]["text"].startswith("Saint-Denis")


def test_commune_search_endpoint_accent_free_query_finds_accented_name(client, db):
    results = _search(client, "evreux")

    assert results[0]["text"].startswith("Évreux")
    assert results[0]["department"] == "Eure"
