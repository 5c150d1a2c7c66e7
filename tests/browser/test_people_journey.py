"""An administrator invites a committee member in a real browser; the member opens
the link of the e-mail (read from the outbox), chooses a password and lands on their
dashboard; a programme manager adds them to a call's committee and gives them a
dossier; the member sees it in « À évaluer ». Screenshots at 1366 and 390 px wide, and
axe-core on the administrator's pages.
"""

import re

import pytest
from playwright.sync_api import expect

from ais.accounts.models import Role, User
from ais.outbox import reasons
from ais.outbox.models import OutgoingEmail
from tests.ais.factories import PASSWORD, UserFactory
from tests.browser.axe_helpers import check_axe
from tests.browser.journey_helpers import expect_success, log_in, new_page, visit
from tests.projects.factories import CallFactory, EligibleDossierFactory

__all__ = ["new_page"]  # a fixture, used by name

pytestmark = pytest.mark.browser

ADMIN_EMAIL = "agnes.admin@ansa.fr"
MANAGER_EMAIL = "paul.renard@ansa.fr"
MEMBER_EMAIL = "nadia.roux@anct.gouv.fr"
MEMBER_PASSWORD = "Comite-Pilotage-2026!"
WIDE, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}


def shots(page, step: str) -> None:
    """The page at 1366 and at 390 px wide; neither scrolls sideways."""
    for name, size in (("1366", WIDE), ("390", PHONE)):
        page.set_viewport_size(size)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{step} at {name} px scrolls sideways by {overflow} px"
        page.shot(f"{step}-{name}")
    page.set_viewport_size(WIDE)


@pytest.fixture
def people(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    UserFactory(email=ADMIN_EMAIL, first_name="Agnès", last_name="Admin", roles=[Role.ADMIN], is_staff=True)
    UserFactory(email=MANAGER_EMAIL, first_name="Paul", last_name="Renard", roles=[Role.MANAGER])
    call = CallFactory(closed=True, title="Appel à projets 2026 – Emploi", reviewers_per_dossier=1)
    dossier = EligibleDossierFactory(call=call, innovation_name="Boussole Emploi Rouen")
    return call, dossier


def test_administrator_invites_a_member_who_sets_a_password_joins_a_committee_and_sees_the_dossier(
    page, people, new_page
):
    call, dossier = people

    # 1. The administrator invites the member ----------------------------------------
    page.set_viewport_size(WIDE)
    log_in(page, ADMIN_EMAIL, PASSWORD)
    expect(page.locator("a[href='/administration/personnes/']")).to_have_count(1)  # the menu's entry
    visit(page, "/administration/personnes/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Personnes et rôles")
    check_axe(page, "01-people")
    shots(page, "01-people")
    page.locator("main a[href='/administration/personnes/inviter/']").click()
    page.wait_for_url("**/administration/personnes/inviter/")
    page.locator("#id_first_name").fill("Nadia")
    page.locator("#id_last_name").fill("Roux")
    page.locator("#id_email").fill(MEMBER_EMAIL)
    page.locator("#id_job_title").fill("Cheffe de projet")
    page.locator("#id_role").select_option(Role.COMMITTEE)
    check_axe(page, "02-invite")
    shots(page, "02-invite")
    page.locator("main form button[type=submit]").click()
    member = User.objects.get(email=MEMBER_EMAIL)
    page.wait_for_url(f"**/administration/personnes/{member.pk}/")
    expect_success(page, "Nadia Roux est invité·e")
    expect(page.locator("main")).to_contain_text("Invitation en attente")
    expect(page.locator("main .person-history")).to_contain_text("Invitation envoyée par e-mail")
    expect(page.locator("main .person-history")).to_contain_text("par Agnès Admin")
    check_axe(page, "03-person")
    shots(page, "03-person")

    # 2. The member opens the e-mailed link and chooses a password (on a phone) ----------
    email = OutgoingEmail.objects.get(reason=reasons.ACCOUNT_INVITATION, recipient=MEMBER_EMAIL)
    link = re.search(r"https?://[^/\s]+(/compte/invitation/\S+/)", email.body).group(1)
    phone = new_page("member")
    phone.set_viewport_size(PHONE)
    visit(phone, link)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Choisissez votre mot de passe")
    phone.locator("#id_new_password1").fill(MEMBER_PASSWORD)
    phone.locator("#id_new_password2").fill(MEMBER_PASSWORD)
    page.shot("04-member-password-390", target=phone)
    phone.locator("main form button[type=submit]").click()
    phone.wait_for_url("**/tableau-de-bord/")
    expect_success(phone, "Votre mot de passe est enregistré")
    page.shot("05-member-dashboard-390", target=phone)

    # 3. A manager adds the member to the call's committee and gives them the dossier ----
    manager = new_page("manager")
    manager.set_viewport_size(WIDE)
    log_in(manager, MANAGER_EMAIL, PASSWORD)
    visit(manager, f"/gestion/appels/{call.pk}/comite/")
    manager.locator("#id_member-member").select_option(str(member.pk))
    manager.locator(f"main form[action='/gestion/appels/{call.pk}/comite/membres/ajouter/'] button").click()
    manager.wait_for_url(f"**/gestion/appels/{call.pk}/comite/")
    expect_success(manager, "Le membre est ajouté au comité")
    expect(manager.locator("main .committee-members")).to_contain_text("Nadia Roux")
    manager.locator(f"main form[action='/gestion/appels/{call.pk}/comite/attribuer/'] button").click()
    manager.wait_for_url(f"**/gestion/appels/{call.pk}/comite/")
    expect(manager.locator("main table")).to_contain_text("Nadia Roux")
    for name, size in (("1366", WIDE), ("390", PHONE)):
        manager.set_viewport_size(size)
        overflow = manager.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"committee page at {name} px scrolls sideways by {overflow} px"
        page.shot(f"06-committee-{name}", target=manager)

    # 4. The member sees the dossier given to them ---------------------------------------
    visit(phone, "/comite/dossiers/")
    expect(phone.locator("main")).to_contain_text("Boussole Emploi Rouen")
    for name, size in (("390", PHONE), ("1366", WIDE)):
        phone.set_viewport_size(size)
        page.shot(f"07-member-reviews-{name}", target=phone)
    assert dossier.assignments.get().member == member
