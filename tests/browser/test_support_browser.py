"""The support pages in a real browser (Debian's Chromium): the structure picker of the
hotline filters searches the structures from 2 letters and is used with the keyboard
only; the forms' picker does the same; without JavaScript the preselected structure is
still submitted. axe-core finds no serious or critical violation on the pages, the
picker open or not. Screenshots in test-artifacts/browser/."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from devtools.demo import DEMO_PASSWORD
from essaimage.models import StructureStatus
from projects.models import Innovation
from tests.ais.factories import OrganisationFactory
from tests.browser.axe_helpers import check_axe
from tests.browser.conftest import CSP_LISTENER
from tests.essaimage.factories import SpreadStructureFactory, SupportRequestFactory

pytestmark = pytest.mark.browser

MANAGER = "manager@demo.ais-emploi.fr"
NAME = "Ressourcerie du Bocage"
QUESTION = "Comment accueillir les salariés en parcours le samedi matin ?"


@pytest.fixture
def bocage(demo_data):
    """A structure of a demo innovation with one hotline entry, findable by "bocage"."""
    structure = SpreadStructureFactory(
        innovation=Innovation.objects.get(name="Premier pas rémunéré (démonstration)"),
        organisation=OrganisationFactory(name=NAME),
        status=StructureStatus.SPREADING,
    )
    SupportRequestFactory(structure=structure, question=QUESTION, date=datetime.date(2025, 11, 3))
    return structure


def _log_in(page):
    page.goto("/compte/connexion/")
    page.locator("#id_username").fill(MANAGER)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/tableau-de-bord/")


def _picker_input(page):
    """The text input of the tom-select that replaced ``#id_structure``."""
    control = page.locator("#id_structure-ts-control")
    expect(control).to_be_visible()
    return control


def test_hotline_structure_filter_is_searched_and_picked_with_the_keyboard(page, bocage):
    _log_in(page)
    page.goto("/suivi/hotline/")
    control = _picker_input(page)
    # The select itself holds no structure: only its empty choice.
    assert page.locator("#id_structure option").evaluate_all("options => options.map(o => o.value)") == [""]
    expect(control).to_have_accessible_name("Structure")  # the picker keeps the field's label
    check_axe(page, "hotline")

    page.locator("#id_innovation").focus()
    page.keyboard.press("Tab")  # from the innovation filter to the structure picker
    expect(control).to_be_focused()
    page.keyboard.type("b")
    type_more = page.locator("#id_structure").get_attribute("data-type-more")
    expect(page.locator(".ts-dropdown .no-results")).to_have_text(type_more)
    page.keyboard.type("ocage")
    option = page.locator(".ts-dropdown .option", has_text=NAME)
    expect(option).to_have_count(1)
    expect(option).to_contain_text("Premier pas rémunéré (démonstration)")
    page.shot("hotline-structure-search")
    check_axe(page, "hotline, picker open")

    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#id_structure")).to_have_value(str(bocage.pk))
    expect(page.locator(".ts-control .item")).to_contain_text(NAME)
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Filtrer").focus()
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(rf"structure={bocage.pk}"))
    log = page.locator("table.support-log tbody tr")
    expect(log).to_have_count(1)
    expect(log).to_contain_text(QUESTION)
    # The chosen structure stays shown in the filter after filtering.
    expect(page.locator(".ts-control .item")).to_contain_text(NAME)
    page.shot("hotline-filtered")
    check_axe(page, "hotline, filtered")

    # The filter's clear button works from the keyboard too.
    page.locator(".ts-wrapper.structure-picker .clear-button").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#id_structure")).to_have_value("")


def test_visit_form_picker_offers_active_structures_only(page, bocage):
    SpreadStructureFactory(
        innovation=bocage.innovation,
        organisation=OrganisationFactory(name="Bocage Candidat"),
        status=StructureStatus.CANDIDATE,
    )
    _log_in(page)
    page.goto("/suivi/visites/nouvelle/")
    control = _picker_input(page)
    check_axe(page, "new visit")

    control.focus()
    page.keyboard.type("bocage")
    expect(page.locator(".ts-dropdown .option")).to_have_count(1)  # not the candidate
    expect(page.locator(".ts-dropdown .option")).to_contain_text(NAME)
    page.shot("visit-form-search")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")

    expect(page.locator("#id_structure")).to_have_value(str(bocage.pk))


def test_preselected_structure_is_submitted_without_javascript(browser, live_server, bocage):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", java_script_enabled=False)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    try:
        _log_in(page)
        page.goto(f"/suivi/hotline/?structure={bocage.pk}")
        assert page.locator("#id_structure").input_value() == str(bocage.pk)

        page.get_by_role("button", name="Filtrer").click()

        page.wait_for_load_state()
        assert f"structure={bocage.pk}" in page.url
        assert page.locator("table.support-log tbody tr").count() == 1
    finally:
        context.close()


def test_support_summary_lists_structures_with_support(page, bocage):
    SpreadStructureFactory(innovation=bocage.innovation, organisation=OrganisationFactory(name="Bocage Sans Appel"))
    _log_in(page)
    page.goto("/suivi/accompagnement/")

    section = page.locator(
        "section.support-innovation", has=page.get_by_role("heading", name="Premier pas rémunéré (démonstration)")
    )
    expect(section.locator("tbody tr", has_text=NAME)).to_have_count(1)
    expect(page.get_by_text("Bocage Sans Appel")).to_have_count(0)
    expect(section.locator(".support-without")).to_be_visible()  # "… other structure(s) without support …"
    page.shot("summary")
    check_axe(page, "support summary")
