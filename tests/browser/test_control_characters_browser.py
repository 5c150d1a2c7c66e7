"""A NUL byte in an address, in a real browser: the French 400 page for the query string,
the French 404 page for the path (issue 18's URLs), both checked with axe-core and
saved as screenshots; then a carrier pastes text holding a NUL into a dossier and the
autosave keeps it, without the NUL."""

import pytest
from playwright.sync_api import expect

from ais.accounts.models import Role
from projects.models import Dossier, DossierSection
from tests.ais.factories import OrganisationFactory, UserFactory
from tests.browser.axe_helpers import check_axe
from tests.browser.journey_helpers import PASSWORD, log_in
from tests.projects.factories import DossierFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _expect_error_page(page, path, status, heading):
    response = page.goto(path)
    assert response is not None and response.status == status, f"GET {path}: {response and response.status}"
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    # Chromium reports the 4xx of the page itself as a console error: that one is expected.
    page.console_errors[:] = [e for e in page.console_errors if "status of 4" not in e]


def test_nul_in_address_shows_french_error_pages(page):
    _expect_error_page(
        page, "/territoires/communes/?q=ab%00c", 400, "Cette adresse contient des caractères non autorisés"
    )
    page.shot("01-query-string-400")
    check_axe(page, "01-query-string-400")

    _expect_error_page(page, "/inscriptions/%00/annuler/", 404, "Cette page n'existe pas ou vous n'y avez pas accès")
    page.shot("02-path-404")
    check_axe(page, "02-path-404")


def test_carrier_pastes_text_with_nul_and_autosave_keeps_it(page):
    organisation = OrganisationFactory(name="Association Tremplin")
    carrier = UserFactory(email="camille.tremplin@exemple.fr", roles=[(Role.CARRIER, organisation)])
    carrier.set_password(PASSWORD)
    carrier.save()
    dossier = DossierFactory(complete=True, organisation=organisation, created_by=carrier)
    log_in(page, carrier.email)

    page.goto(f"/dossiers/{dossier.pk}/{DossierSection.INNOVATION}/")
    summary = page.locator("#id_summary")
    summary.fill("Texte collé\x00 depuis un tableur.")
    expect(page.locator("#save-status")).to_contain_text("Enregistré", timeout=15_000)
    page.shot("03-autosave-saved")

    assert Dossier.objects.get(pk=dossier.pk).summary == "Texte collé depuis un tableur."
