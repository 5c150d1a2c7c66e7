"""The managers' dashboard and map give the programme's figures by the definitions of
``reporting.definitions`` on the date they describe (today, or 31 December of the year
chosen on the map), on the small history of ``builder``: each figure asserted by value
and against the definition's own result."""

import datetime
import html
import json
import re

import pytest
from django.urls import reverse

from reporting import definitions
from tests.history.builder import END_2017, TODAY

pytestmark = pytest.mark.django_db
D = datetime.date
CHART = r'<script id="structures-per-year" type="application/json">(.*?)</script>'


def _manager_section(client, manager) -> str:
    client.force_login(manager)
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    return re.search(r'<section[^>]*aria-labelledby="section-manager">(.*?)</section>', page, re.S).group(1)


def _figures(section: str) -> dict[str, int]:
    return {name: int(value) for name, value in re.findall(r'data-figure="(\w+)">(\d+)', section)}


def _territories(section: str) -> tuple[int, int]:
    found = re.search(r'data-figure="territories">(\d+) <span[^>]*>/ (\d+)</span>', section)
    return int(found.group(1)), int(found.group(2))


def test_manager_key_figures_are_the_definitions_of_today(history, client, manager):
    section = _manager_section(client, manager)
    figures = _figures(section)
    places = definitions.territories(TODAY, active=True)

    # Gamma was stopped in 2017; Alpha and Bêta went into stage III; A2 withdrew in 2018;
    # B1 moved from Toulouse to Lyon: the active structures are in 69 and 76.
    assert figures["innovations"] == definitions.innovations_in_progress(TODAY) == 3
    assert figures["spreading"] == definitions.innovations_accompanied_to_spreading(TODAY) == 2
    assert figures["structures"] == definitions.structures_active(TODAY) == 4
    assert _territories(section) == (places.department_count, places.region_count) == (2, 2)
    assert [d.code for d in places.departments] == ["69", "76"]


def test_manager_chart_gives_the_new_structures_of_each_year(history, client, manager):
    section = _manager_section(client, manager)
    chart = json.loads(re.search(CHART, section)[1])

    expected = definitions.structures_started_per_year(TODAY)
    assert expected == [(2016, 1), (2017, 3), (2018, 1)]
    assert list(zip(map(int, chart["labels"]), chart["values"], strict=True)) == expected
    for year, count in expected:  # each bar is « Nouvelles structures essaimées » of its year
        assert definitions.structures_started_between(D(year, 1, 1), D(year, 12, 31)) == count
    assert sum(chart["values"]) == definitions.structures_spread(TODAY)


def test_manager_key_figures_name_and_link_their_definition(history, client, manager):
    section = _manager_section(client, manager)
    library = reverse("reporting:indicators")

    for code, label in [
        ("innovations_in_progress", "Innovations en cours d'accompagnement"),
        ("innovations_accompanied_to_spreading", "Innovations accompagnées jusqu'à l'essaimage"),
        ("structures_active", "Structures essaimées actives"),
        ("departments", "Départements atteints"),
        ("regions", "Régions atteintes"),
    ]:
        link = re.search(rf'class="definition-link" href="([^"]+)" title="([^"]+)" data-definition="{code}">', section)
        assert link, code
        assert link[1] == f"{library}#definition-{code}"
        assert link[2] == f"Définition\u00a0: «\u00a0{label}\u00a0»"
    assert "Chiffres au 6 décembre 2026" in section

    page = html.unescape(client.get(library).content.decode())
    entry = re.search(r'id="definition-structures_active"[^>]*>\s*<dt>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>', page, re.S)
    assert entry[1] == "Structures essaimées actives"
    assert entry[2] == (
        "Structures dont l'essaimage a démarré au plus tard à cette date et qui ne s'étaient pas retirées à cette date."
    )


@pytest.mark.parametrize(("query", "on"), [("", TODAY), ("?year=2017", END_2017)])
def test_managers_map_is_the_definitions_of_its_date(history, client, manager, query, on):
    client.force_login(manager)
    data = client.get(reverse("essaimage:map_data") + query).json()
    places = definitions.territories(on, active=True)

    assert data["totals"]["structures"] == definitions.structures_active(on) == 4
    assert data["totals"]["departments"] == places.department_count
    assert data["totals"]["regions"] == places.region_count
    assert {code: entry["count"] for code, entry in data["departments"].items()} == places.counts()
    if on == END_2017:  # A2 in Nîmes (withdrawn in 2018), B1 still in Toulouse
        assert places.counts() == {"30": 1, "31": 1, "76": 2}
    else:
        assert places.counts() == {"69": 2, "76": 2}


def test_managers_map_page_says_its_date(history, client, manager):
    client.force_login(manager)
    page = html.unescape(client.get(reverse("essaimage:programme_map") + "?year=2017").content.decode())

    assert 'data-figures-on="2017-12-31"' in page
    assert 'data-map-total="structures">4<' in page
    assert 'data-definition="structures_active"' in page


def test_innovation_dashboard_gives_the_definitions_of_today(history, client, manager):
    """Parcours Alpha today: A1's 18-month figures (50 people, 12 + 4 exits), A2's 9-month
    ones (withdrawn in 2018, it keeps them: 20 people, 4 + 2 exits), A3's 3-month ones
    (7 people); active structures A1 and A3."""
    client.force_login(manager)
    response = client.get(reverse("reporting:innovation_dashboard", kwargs={"pk": history.alpha.pk}))
    page = html.unescape(response.content.decode())
    alpha = history.alpha.spread_structures.all()

    assert response.context["overall"]["people_accompanied"] == definitions.people_reached(TODAY, structures=alpha)
    assert response.context["overall"]["people_accompanied"] == 77
    assert response.context["overall"]["exits_employment"] == definitions.exits_to_employment(TODAY, structures=alpha)
    assert response.context["overall"]["exits_employment"] == 22
    assert response.context["active_count"] == definitions.structures_active(TODAY, structures=alpha) == 2
    assert 'data-figure="structures_active">2<' in page
    for code in ("structures_active", "people_reached", "exits_to_employment"):
        assert f'data-definition="{code}"' in page
