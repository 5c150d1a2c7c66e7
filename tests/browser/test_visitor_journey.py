"""A visitor (not logged in) in a real browser: the home page, the catalogue, an
innovation, then the events, an event's page, the registration form and its
confirmation (with the confirmation e-mail in the outbox), and the accessibility
statement linked from the footer. Every page is checked
with axe-core and saved as a screenshot.
"""

import pytest
from playwright.sync_api import expect

from ais.outbox.models import OutgoingEmail
from events.emails import EVENT_REGISTRATION
from events.models import Event, Registration, Session
from tests.browser.axe_helpers import check_axe
from tests.browser.journey_helpers import visit

pytestmark = pytest.mark.browser

VISITOR_EMAIL = "ines.garnier@maison-emploi-elbeuf.fr"


def test_visitor_browses_the_catalogue_and_registers_to_an_event(page, demo_data):
    # 1. Home, then the catalogue and an innovation ------------------------------------
    visit(page, "/")
    expect(page.get_by_role("heading", name="Le programme en chiffres")).to_be_visible()
    page.shot("01-home")
    check_axe(page, "01-home")

    page.locator("main a[href='/innovations/']").first.click()
    page.wait_for_url("**/innovations/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Catalogue des innovations")
    page.shot("02-catalogue")
    check_axe(page, "02-catalogue")

    page.locator("main article.innovation-card a[href='/innovations/parcours-gardien/']").first.click()
    page.wait_for_url("**/innovations/parcours-gardien/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Parcours Gardien")
    page.shot("03-innovation")
    check_axe(page, "03-innovation")

    # 2. The events, an event's page --------------------------------------------------
    page.locator("#main-nav a[href='/evenements/']").click()
    page.wait_for_url("**/evenements/")
    event = Event.objects.get(slug__startswith="journee-thematique")
    expect(page.locator(f"main a[href='/evenements/{event.slug}/']").first).to_be_visible()
    page.shot("04-events")
    check_axe(page, "04-events")

    page.locator(f"main a[href='/evenements/{event.slug}/']").first.click()
    page.wait_for_url(f"**/evenements/{event.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(event.title)
    expect(page.locator("#programme-title")).to_be_visible()
    page.shot("05-event")
    check_axe(page, "05-event")

    # 3. Registration: name, organisation, one workshop per round, consent ----------------
    page.locator(f"main a[href='/evenements/{event.slug}/inscription/']").first.click()
    page.wait_for_url(f"**/evenements/{event.slug}/inscription/")
    page.locator("#id_full_name").fill("Inès Garnier")
    page.locator("#id_email").fill(VISITOR_EMAIL)
    page.locator("#id_organisation").fill("Maison de l'emploi d'Elbeuf")
    page.locator("#id_job_title").fill("Chargée de relations entreprises")
    chosen = {}
    rounds = Session.objects.filter(event=event, round_number__isnull=False).values_list("round_number", flat=True)
    for number in sorted(set(rounds)):
        session = Session.objects.filter(event=event, round_number=number).order_by("pk").last()
        page.locator(f"#round_{number}-{session.pk}").check()
        chosen[number] = session
    assert chosen, "the demo's thematic day has workshops to choose"
    page.locator("#id_consent").check()
    page.shot("06-registration-form")
    check_axe(page, "06-registration-form")
    page.locator("form.registration-form button[type=submit]").click()

    # 4. "Check your mailbox" (the same page for an address already registered), then the
    # participant's page through the link of the confirmation e-mail ----------------------
    page.wait_for_url(f"**/evenements/{event.slug}/inscription/envoyee/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez votre messagerie")
    expect(page.locator("main")).to_contain_text(VISITOR_EMAIL)
    page.shot("07-registration-sent")
    check_axe(page, "07-registration-sent")
    registration = Registration.objects.get(event=event, email=VISITOR_EMAIL)
    assert registration.is_confirmed
    assert {c.round_number: c.session for c in registration.choices.all()} == chosen
    email = OutgoingEmail.objects.get(recipient=VISITOR_EMAIL, reason=EVENT_REGISTRATION)
    assert event.title in email.subject
    assert f"/inscriptions/{registration.token}/" in email.body
    visit(page, f"/inscriptions/{registration.token}/")
    expect(page.locator("main")).to_contain_text("Inès Garnier")
    for session in chosen.values():
        expect(page.locator("main")).to_contain_text(session.title)
    expect(
        page.locator(f"a[href='/evenements/{event.slug}/calendrier.ics?inscription={registration.token}']")
    ).to_be_visible()
    page.shot("08-confirmation")
    check_axe(page, "08-confirmation")

    # 5. The accessibility statement, from the footer of any page ----------------------
    page.locator("footer a[href='/accessibilite/']").click()
    page.wait_for_url("**/accessibilite/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("RGAA")
    expect(page.locator("main")).to_contain_text("Défenseur des droits")
    expect(page.locator("main a[href='mailto:accessibilite@ais-emploi.fr']")).to_be_visible()
    page.shot("09-accessibility-statement")
    check_axe(page, "09-accessibility-statement")
