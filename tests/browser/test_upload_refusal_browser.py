"""A manager adds a resource with a document, in a real browser: a PDF whose JavaScript
hides in an ASCII85 + Flate object stream is refused with the French reason, the title
and summary typed are still there; the same page then takes a plain PDF with a
hyperlink. Screenshots in test-artifacts/browser/."""

import pytest
from playwright.sync_api import expect

from ais.accounts.models import Role
from events.models import Resource, ResourceDocument
from tests.ais.factories import PASSWORD
from tests.browser.axe_helpers import check_axe
from tests.browser.journey_helpers import log_in, visit
from tests.conftest import make_user
from tests.security import hostile_documents as build

pytestmark = pytest.mark.browser

TITLE = "Guide de l'accueil des salariés en parcours"
SUMMARY = "Les étapes de l'accueil, semaine par semaine."


def test_manager_sees_why_a_pdf_with_javascript_is_refused_then_sends_a_plain_one(page, transactional_db, tmp_path):
    manager = make_user(Role.MANAGER, email="camille.martin@ansa.fr")
    log_in(page, manager.email, PASSWORD)
    hostile = tmp_path / "guide-accueil.pdf"
    hostile.write_bytes(
        build.pdf(
            catalog=b" /OpenAction 5 0 R",
            packed={5: b"<< /S /JavaScript /JS (app.launchURL('https://pistage.example/')) >>"},
            filters=["/ASCII85Decode", "/FlateDecode"],
        )
    )

    visit(page, "/suivi/ressources/nouvelle/")
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_summary").fill(SUMMARY)
    page.locator("#id_document").set_input_files(hostile)
    page.locator("main form button[type=submit]").click()

    expect(page.locator("main")).to_contain_text("Ce PDF contient du JavaScript")
    expect(page.locator("#id_title")).to_have_value(TITLE)
    expect(page.locator("#id_summary")).to_have_value(SUMMARY)
    page.shot("1-refused-with-reason")
    check_axe(page, "1-refused-with-reason")
    assert Resource.objects.count() == 0
    # Chromium logs the page's own status (400, the form with its errors): expected here.
    expected = [e for e in page.console_errors if "status of 400" in e]
    assert len(expected) == 1, page.console_errors
    page.console_errors.remove(expected[0])

    plain = tmp_path / "guide-accueil-simple.pdf"
    plain.write_bytes(
        build.pdf(
            page=b" /Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 50 10] "
            b"/A << /S /URI /URI (https://www.ais-emploi.example/) >> >>]"
        )
    )
    page.locator("#id_document").set_input_files(plain)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/suivi/ressources/**")
    expect(page.locator(".alert-success").first).to_be_visible()
    page.shot("2-plain-pdf-accepted")
    assert ResourceDocument.objects.get().original_name == "guide-accueil-simple.pdf"
