"""The maps in a real browser (Debian's Chromium): the outlines are drawn with no
tile server, coloured, with a legend and the overseas insets, under the strict CSP
(any console error or CSP violation fails the test). Screenshots are saved in
test-artifacts/browser/."""

import datetime

import pytest
from playwright.sync_api import expect

from devtools.demo import DEMO_PASSWORD, DEMO_USERS
from essaimage.models import StructureStatus
from projects.models import Innovation
from tests.ais.factories import OrganisationFactory
from tests.browser.test_accessibility import BLOCKING_IMPACTS, describe, run_axe
from tests.essaimage.factories import SpreadStructureFactory
from tests.portal.dashboard_map.conftest import commune

pytestmark = pytest.mark.browser

METROPOLE = 96
OVERSEAS = 5


@pytest.fixture
def overseas_structure(demo_data):
    """A structure in La Réunion, so that the overseas insets get a colour too."""
    town = commune("97411", "Saint-Denis", "974", "La Réunion", "04", "La Réunion")
    return SpreadStructureFactory(
        innovation=Innovation.objects.get(name="Premier pas rémunéré (démonstration)"),
        organisation=OrganisationFactory(name="Association Réunion Insertion", commune=town),
        status=StructureStatus.SPREADING,
        start_date=datetime.date(2025, 3, 3),
    )


def _wait_for_map(page, map_id: str):
    the_map = page.locator(f"#{map_id}")
    expect(the_map.locator("path.leaflet-interactive")).to_have_count(METROPOLE + OVERSEAS)
    expect(page.locator(f"#{map_id}-legend .ais-map-swatch").first).to_be_visible()
    box = the_map.bounding_box()
    assert box["width"] > 250 and box["height"] > 250, box
    return the_map


def _coloured(the_map) -> int:
    """Departments filled with another colour than the one of "no structure"."""
    return the_map.locator("path.leaflet-interactive").evaluate_all(
        "paths => paths.filter(p => p.getAttribute('fill') !== '#eceff3').length"
    )


def _map_is_centred(page, the_map):
    """Metropolitan France fills the middle of the map: its outline's box is inside
    the map's and covers most of its width or height."""
    outer = the_map.bounding_box()
    paths = the_map.locator("path.leaflet-interactive")
    inner = paths.evaluate_all(
        """paths => { const boxes = paths.map(p => p.getBoundingClientRect());
           return {left: Math.min(...boxes.map(b => b.left)), right: Math.max(...boxes.map(b => b.right)),
                   top: Math.min(...boxes.map(b => b.top)), bottom: Math.max(...boxes.map(b => b.bottom))}; }"""
    )
    assert inner["left"] >= outer["x"] - 1 and inner["right"] <= outer["x"] + outer["width"] + 1
    assert inner["top"] >= outer["y"] - 1 and inner["bottom"] <= outer["y"] + outer["height"] + 1
    used = max((inner["right"] - inner["left"]) / outer["width"], (inner["bottom"] - inner["top"]) / outer["height"])
    assert used > 0.85, used


def _accessible(page):
    """No serious or critical axe-core violation once the map is drawn."""
    violations = run_axe(page)
    for violation in violations:
        print(describe(page.url, violation))
    assert not [v for v in violations if v["impact"] in BLOCKING_IMPACTS]


def test_catalogue_map_shows_the_territories_reached(page, overseas_structure):
    page.goto("/innovations/")

    the_map = _wait_for_map(page, "catalogue-map")

    _map_is_centred(page, the_map)
    rows = page.locator("#catalogue-figures tbody tr")
    assert _coloured(the_map) == rows.count()
    expect(rows.filter(has_text="La Réunion (974)")).to_have_count(1)
    the_map.locator("path.leaflet-interactive").first.hover()
    page.shot("catalogue-map")
    _accessible(page)

    page.goto("/innovations/premier-pas-remunere-demonstration/")
    innovation_map = _wait_for_map(page, "innovation-map")
    departments = page.locator("#innovation-departments tbody tr")
    # The structures active today (reporting.definitions): the demo's two that started
    # (Toulouse, Nantes) and La Réunion; Le Havre is selected, not started yet.
    assert _coloured(innovation_map) == departments.count() == 3
    page.shot("innovation-map")
    _accessible(page)


def test_manager_map_page_filters_and_redraws(page, overseas_structure):
    email = DEMO_USERS[0][0]
    page.goto("/compte/connexion/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/tableau-de-bord/")

    dashboard_map = _wait_for_map(page, "dashboard-map")
    expect(page.locator("canvas[data-chart]")).to_be_visible()
    page.shot("manager-dashboard")
    _accessible(page)

    dashboard_map.click()
    page.wait_for_url("**/suivi/carte/")
    the_map = _wait_for_map(page, "programme-map")
    _map_is_centred(page, the_map)
    everything = _coloured(the_map)
    page.shot("programme-map")
    _accessible(page)

    page.locator("#id_innovation").select_option(label="Premier pas rémunéré (démonstration)")
    expect(page.locator("#map-figures tbody tr")).not_to_have_count(everything)
    assert "innovation=" in page.url
    assert _coloured(the_map) == page.locator("#map-figures tbody tr").count() < everything
    page.shot("programme-map-one-innovation")
