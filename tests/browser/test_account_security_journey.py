"""Issue 18 in a real browser: a person locked out by wrong passwords unlocks their
account from the « Débloquer mon compte » e-mail; a manager who must turn on two-step
verification gives the code e-mailed to them before the QR code. Screenshots and an
axe-core check on each page."""

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from ais.accounts.models import Role
from ais.outbox import reasons
from ais.outbox.models import OutgoingEmail
from tests.ais.factories import PASSWORD, UserFactory
from tests.browser.axe_helpers import check_axe
from tests.conftest import make_user

pytestmark = pytest.mark.browser


def _expected_statuses_only(page, *statuses):
    """The lock page (429) and refused codes (400) are answers, not console errors."""
    page.console_errors[:] = [
        error for error in page.console_errors if not any(f"status of {status}" in error for status in statuses)
    ]


def _log_in(page, email, password):
    page.goto("/compte/connexion/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def test_locked_out_person_unlocks_from_the_email(page, transactional_db, settings):
    settings.AXES_ENABLED = True
    user = UserFactory(first_name="Camille", email="camille.martin@mde-elbeuf.fr")

    for attempt in range(5):
        _log_in(page, user.email, f"mauvais-{attempt}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion temporairement bloquée")
    expect(page.locator("main")).to_contain_text("Débloquer mon compte")
    page.shot("01-locked")
    check_axe(page, "01-locked")

    email = OutgoingEmail.objects.get(reason=reasons.ACCOUNT_UNLOCK, recipient=user.email)
    path = re.search(r"https?://[^/\s]+(/compte/debloquer/\S+/)", email.body).group(1)
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Débloquer mon compte")
    page.shot("02-unlock-page")
    check_axe(page, "02-unlock-page")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/compte/connexion/")
    expect(page.locator(".alert-success")).to_contain_text("Votre compte est débloqué")
    page.shot("03-unlocked")

    _log_in(page, user.email, PASSWORD)
    page.wait_for_url("**/tableau-de-bord/")

    page.goto(path[:-4] + "xyz/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ce lien de déblocage n'est pas valide")
    expect(page.locator("main")).to_contain_text("Comment obtenir un nouveau lien")
    page.shot("04-invalid-link")
    check_axe(page, "04-invalid-link")
    _expected_statuses_only(page, 429, 400)


def test_manager_gives_the_emailed_code_before_setting_up_the_app(page, transactional_db, settings):
    settings.REQUIRE_2FA_FOR_STAFF = True
    manager = make_user(Role.MANAGER)
    manager.set_password(PASSWORD)
    manager.save()

    _log_in(page, manager.email, PASSWORD)
    page.wait_for_url("**/compte/double-authentification/?next=*")
    expect(page.locator("main")).to_contain_text("Étape 1 : le code envoyé à votre adresse e-mail")
    expect(page.locator("#totp-secret")).to_have_count(0)
    page.shot("01-emailed-code")
    check_axe(page, "01-emailed-code")

    page.locator("#id_email_code").fill("000000" if "000000" not in _code(manager) else "111111")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("#id_email_code")).to_have_class(re.compile("is-invalid"))
    page.shot("02-wrong-code")

    page.locator("#id_email_code").fill(_code(manager))
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("#totp-secret")).to_be_visible()
    page.shot("03-qr-code")
    check_axe(page, "03-qr-code")

    device = TOTPDevice.objects.get(user=manager, confirmed=False)
    page.locator("#id_code").fill(f"{totp(device.bin_key):06d}")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/compte/double-authentification/codes-de-secours/**")
    expect(page.locator(".alert-success")).to_be_visible()
    page.shot("04-recovery-codes")
    _expected_statuses_only(page, 400)


def _code(user) -> str:
    email = OutgoingEmail.objects.filter(reason=reasons.TWO_FACTOR_ENROLMENT, recipient=user.email).latest("pk")
    return re.search(r"^(\d{6})$", email.body, re.MULTILINE).group(1)
