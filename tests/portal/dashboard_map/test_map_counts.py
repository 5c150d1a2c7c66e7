"""Active structures per department: the counting functions, the managers' map data
and page, the public map data, with the hand-built programme of conftest.py."""

import html

import pytest
from django.urls import reverse

from ais.accounts.models import Role
from essaimage import geo
from tests.conftest import make_user
from tests.portal.dashboard_map.conftest import STRUCTURE_NAMES


def _counts(figures) -> dict[str, int]:
    return {d.code: d.count for d in figures.departments}


def _json(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


@pytest.fixture
def manager_client(client, db):
    client.force_login(make_user(Role.MANAGER))
    return client


# Counting functions ------------------------------------------------------------------


def test_structures_by_department_counts_active_structures_only(programme):
    figures = geo.structures_by_department(geo.active_structures())

    assert _counts(figures) == {"31": 2, "69": 1, "76": 2}
    assert (figures.structures, figures.department_count, figures.regions, figures.innovations) == (5, 3, 3, 3)
    rhone = next(d for d in figures.departments if d.code == "69")
    assert (rhone.name, rhone.region, rhone.innovations) == ("Rhône", "Auvergne-Rhône-Alpes", ["Parcours Gardien"])
    toulouse = next(d for d in figures.departments if d.code == "31")
    assert toulouse.innovations == ["Projet confidentiel", "TAPAJ"]


def test_structures_by_department_filtered_by_innovation(programme):
    figures = geo.structures_by_department(geo.filter_structures(geo.active_structures(), innovation=programme.tapaj))

    assert _counts(figures) == {"31": 1}  # the withdrawn one in Lyon and the candidate in Rouen are left out


def test_structures_by_department_year_is_start_date_else_selection(programme):
    """2025: Le Havre (selected in 2025, no start date) and Lyon (started in 2025)."""
    by_year = {
        year: _counts(geo.structures_by_department(geo.filter_structures(geo.active_structures(), year=year)))
        for year in (2024, 2025, 2026)
    }

    assert by_year == {2024: {"76": 1, "31": 2}, 2025: {"76": 1, "69": 1}, 2026: {}}
    assert geo.structure_years(geo.active_structures()) == [2025, 2024]


def test_structures_by_department_counts_structures_without_municipality_apart(programme):
    from tests.ais.factories import OrganisationFactory
    from tests.essaimage.factories import SpreadStructureFactory

    SpreadStructureFactory(innovation=programme.gardien, organisation=OrganisationFactory(commune=None))

    figures = geo.structures_by_department(geo.active_structures())

    assert (figures.structures, figures.unlocated) == (6, 1)
    assert _counts(figures) == {"31": 2, "69": 1, "76": 2}


def test_structures_per_year_in_chronological_order(programme):
    assert geo.structures_per_year(geo.active_structures()) == [(2024, 3), (2025, 2)]


# Managers' JSON ----------------------------------------------------------------------


def test_map_data_gives_counts_names_and_innovations_per_department(programme, manager_client):
    data = _json(manager_client, reverse("essaimage:map_data"))

    assert data["departments"] == {
        "31": {
            "name": "Haute-Garonne",
            "region": "Occitanie",
            "count": 2,
            "innovations": ["Projet confidentiel", "TAPAJ"],
        },
        "69": {"name": "Rhône", "region": "Auvergne-Rhône-Alpes", "count": 1, "innovations": ["Parcours Gardien"]},
        "76": {"name": "Seine-Maritime", "region": "Normandie", "count": 1, "innovations": ["Parcours Gardien"]},
    }
    # The structures active today (reporting.definitions.structures_active): started and not
    # withdrawn; Le Havre, selected and in training, has not started yet.
    assert data["totals"] == {"structures": 4, "departments": 3, "regions": 3, "innovations": 3, "unlocated": 0}


def test_map_data_filters_by_innovation_and_year(programme, manager_client):
    url = reverse("essaimage:map_data")

    gardien = _json(manager_client, url, innovation=programme.gardien.pk)
    gardien_2025 = _json(manager_client, url, innovation=programme.gardien.pk, year=2025)
    all_2024 = _json(manager_client, url, year=2024)

    assert {code: d["count"] for code, d in gardien["departments"].items()} == {"69": 1, "76": 1}
    assert {code: d["count"] for code, d in gardien_2025["departments"].items()} == {"69": 1, "76": 1}
    # A year gives the structures active on its 31 December: in 2024 Lyon Sud had not
    # withdrawn yet (30 June 2025) and Lyon Solidaire had not started (September 2025).
    assert {code: d["count"] for code, d in all_2024["departments"].items()} == {"31": 2, "69": 1, "76": 1}
    assert gardien_2025["filters"] == {"innovation": programme.gardien.pk, "year": 2025}
    assert all_2024["totals"]["structures"] == 4


def test_map_data_refuses_unknown_filters_with_an_error(programme, manager_client):
    response = manager_client.get(reverse("essaimage:map_data"), {"innovation": 999999, "year": "deux-mille"})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"innovation", "year"}


def test_map_data_names_no_structure(programme, manager_client):
    content = manager_client.get(reverse("essaimage:map_data")).content.decode()

    assert not [name for name in STRUCTURE_NAMES if name in content]


# Public JSON -------------------------------------------------------------------------


def test_public_map_data_counts_published_innovations_only(programme, client):
    data = _json(client, reverse("essaimage:public_map_data"))

    # The structures active today (reporting.definitions): started and not withdrawn. ACI Le Havre,
    # in training without a start date, is selected but not spread to yet.
    assert {code: d["count"] for code, d in data["departments"].items()} == {"31": 1, "69": 1, "76": 1}
    assert data["departments"]["31"]["innovations"] == ["TAPAJ"]
    assert data["totals"] == {"structures": 3, "departments": 3, "regions": 3, "innovations": 2, "unlocated": 0}


def test_public_map_data_shows_no_structure_name_nor_unpublished_innovation(programme, client):
    content = client.get(reverse("essaimage:public_map_data")).content.decode()

    assert not [name for name in STRUCTURE_NAMES if name in content]
    assert "Projet confidentiel" not in content


def test_public_map_data_of_one_innovation_by_slug(programme, client):
    data = _json(client, reverse("essaimage:public_map_data"), innovation=programme.tapaj.slug)

    assert data["departments"] == {
        "31": {"name": "Haute-Garonne", "region": "Occitanie", "count": 1, "innovations": ["TAPAJ"]}
    }
    assert data["filters"] == {"innovation": "tapaj"}


def test_public_map_data_of_unpublished_innovation_is_refused(programme, client):
    response = client.get(reverse("essaimage:public_map_data"), {"innovation": programme.hidden.slug})

    assert response.status_code == 400
    assert "Projet confidentiel" not in response.content.decode()


# Managers' page ----------------------------------------------------------------------


def _rows(page: str) -> list[tuple[str, str, str, str]]:
    import re

    table = page.split('id="map-figures"', 1)[1].split("</table>", 1)[0]
    return re.findall(
        r'<tr><th scope="row">(.*?) <span class="text-body-secondary">\((\w+)\)</span></th>'
        r'<td>(.*?)</td><td class="text-end">(\d+)</td>',
        table,
    )


def test_programme_map_page_shows_the_table_of_the_map(programme, manager_client):
    response = manager_client.get(reverse("essaimage:programme_map"))

    page = html.unescape(response.content.decode())
    assert _rows(page) == [
        ("Haute-Garonne", "31", "Occitanie", "2"),
        ("Rhône", "69", "Auvergne-Rhône-Alpes", "1"),
        ("Seine-Maritime", "76", "Normandie", "1"),
    ]
    assert f'data-map-data="{reverse("essaimage:map_data")}"' in page
    assert 'data-map-geo="/static/geo/departements-metropole-simplifie.geojson"' in page


def test_programme_map_page_filters_without_javascript(programme, manager_client):
    url = reverse("essaimage:programme_map")

    response = manager_client.get(url, {"innovation": programme.gardien.pk, "year": 2025})

    page = html.unescape(response.content.decode())
    assert _rows(page) == [("Rhône", "69", "Auvergne-Rhône-Alpes", "1"), ("Seine-Maritime", "76", "Normandie", "1")]
    # The map reads the same filters.
    assert f'data-map-data="{reverse("essaimage:map_data")}?innovation={programme.gardien.pk}&year=2025"' in page
    assert f'<option value="{programme.gardien.pk}" selected>Parcours Gardien</option>' in page
    assert '<option value="2025" selected>2025</option>' in page


def test_programme_map_page_with_a_bad_year_says_so_and_shows_everything(programme, manager_client):
    response = manager_client.get(reverse("essaimage:programme_map"), {"year": "1800"})

    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert 'class="invalid-feedback d-block"' in page
    assert len(_rows(page)) == 3


# Public pages ------------------------------------------------------------------------


def test_catalogue_shows_the_territories_of_published_innovations(programme, client):
    page = html.unescape(client.get(reverse("portal:catalogue")).content.decode())

    table = page.split('id="catalogue-figures"', 1)[1].split("</table>", 1)[0]
    assert "Haute-Garonne <span" in table and '<td>Occitanie</td><td class="text-end">1</td>' in table
    # Rouen Nord only: ACI Le Havre has no start date yet (not spread to, reporting.definitions).
    assert '<td>Normandie</td><td class="text-end">1</td>' in table
    assert f'data-map-data="{reverse("essaimage:public_map_data")}"' in page
    assert "Projet confidentiel" not in page


def test_innovation_public_page_lists_its_departments_and_maps_them(programme, client):
    url = reverse("portal:innovation_public", kwargs={"slug": programme.gardien.slug})

    page = html.unescape(client.get(url).content.decode())

    table = page.split('id="innovation-departments"', 1)[1].split("</table>", 1)[0]
    assert "Rhône <span" in table and "Seine-Maritime <span" in table and "Haute-Garonne" not in table
    assert '<td>Normandie</td><td class="text-end">1</td>' in table  # ACI Le Havre has not started
    assert f'data-map-data="{reverse("essaimage:public_map_data")}?innovation=parcours-gardien"' in page
    assert "Régie de quartier Rouen Nord" in page  # the public page names the structures, as before


def test_innovation_public_page_without_structure_has_no_map(db, client):
    from tests.projects.factories import InnovationFactory

    innovation = InnovationFactory(name="Soleni")

    page = client.get(reverse("portal:innovation_public", kwargs={"slug": innovation.slug})).content.decode()

    assert "data-map-data" not in page
    assert "leaflet.js" not in page
