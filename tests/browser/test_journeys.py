"""User journeys in a real browser: visitor, each demo role, login errors, keyboard."""

import re

import pytest
from playwright.sync_api import expect

from devtools.demo import DEMO_PASSWORD, DEMO_USERS
from projects.models import Innovation
from tests.browser.axe_helpers import check_axe

pytestmark = pytest.mark.browser

ROLE_SECTION_TITLES = {
    "manager": "Suivi du programme",
    "committee": "Comité de pilotage",
    "carrier": "Porteur de projet",
    "structure": "Structure essaimée",
    "admin": "Administration",
}


def visit(page, path: str):
    response = page.goto(path)
    assert response is not None and response.status == 200, f"GET {path}: {response and response.status}"
    return response


def log_in(page, email: str, password: str) -> None:
    visit(page, "/compte/connexion/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()


def test_anonymous_visitor_browses_home_catalogue_and_an_innovation(page, demo_data):
    visit(page, "/")
    expect(page.get_by_role("heading", name="Le programme en chiffres")).to_be_visible()
    expect(page.get_by_role("link", name="Se connecter").first).to_be_visible()
    page.shot("home")
    check_axe(page, "home")

    page.get_by_role("link", name="Découvrir les innovations").click()
    page.wait_for_url("**/innovations/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Catalogue des innovations")
    cards = page.locator("article.innovation-card")
    expect(cards).to_have_count(Innovation.objects.published().count())
    page.shot("catalogue")
    check_axe(page, "catalogue")

    cards.filter(has_text="Premier pas rémunéré (démonstration)").get_by_role(
        "link", name="Premier pas rémunéré (démonstration)"
    ).click()
    page.wait_for_url("**/innovations/premier-pas-remunere-demonstration/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Premier pas rémunéré (démonstration)")
    expect(page.get_by_text("CAARUD de démonstration – Toulouse")).to_be_visible()
    page.shot("innovation")
    check_axe(page, "innovation")


@pytest.mark.parametrize(("email", "role"), [(user[0], user[3]) for user in DEMO_USERS], ids=[u[3] for u in DEMO_USERS])
def test_demo_user_logs_in_sees_their_dashboard_and_logs_out(page, demo_data, email, role):
    log_in(page, email, DEMO_PASSWORD)
    page.wait_for_url("**/tableau-de-bord/")
    expect(page.locator(f"#section-{role}")).to_have_text(ROLE_SECTION_TITLES[role])
    expect(page.get_by_role("link", name="Tableau de bord")).to_have_attribute("aria-current", "page")
    page.shot("dashboard")
    check_axe(page, "dashboard")

    page.locator("#account-menu").click()  # the user menu
    logout = page.get_by_role("button", name="Se déconnecter")
    expect(logout).to_be_visible()
    page.shot("user-menu")
    check_axe(page, "user-menu")
    logout.click()
    page.wait_for_url(re.compile(r"^https?://[^/]+/$"))  # LOGOUT_REDIRECT_URL: the home page
    expect(page.get_by_role("heading", name="Le programme en chiffres")).to_be_visible()
    expect(page.get_by_role("link", name="Se connecter").first).to_be_visible()
    # Logged out for real: the dashboard sends back to the login page.
    page.goto("/tableau-de-bord/")
    page.wait_for_url("**/compte/connexion/?next=/tableau-de-bord/")


def test_wrong_password_shows_an_error_and_keeps_the_email(page, demo_data):
    email = DEMO_USERS[0][0]
    log_in(page, email, "Pas-le-bon-mot-de-passe-1")
    page.wait_for_load_state()
    expect(page.get_by_text("Adresse e-mail ou mot de passe incorrect")).to_be_visible()
    expect(page.locator("#id_username")).to_have_value(email)
    expect(page.locator("#id_password")).to_have_value("")
    assert "/compte/connexion/" in page.url
    page.shot("error")
    check_axe(page, "error")


def test_tab_reaches_the_skip_link_first(page, demo_data):
    visit(page, "/")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text("Aller au contenu")
    expect(focused).to_be_visible()  # visually-hidden-focusable shows itself on focus
    page.shot("skip-link")
    check_axe(page, "skip-link")
    page.keyboard.press("Enter")
    expect(page.locator("main#contenu")).to_be_focused()
