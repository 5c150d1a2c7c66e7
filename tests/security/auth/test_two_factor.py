"""Two-step verification (TOTP) for managers, committee members and administrators
when REQUIRE_2FA_FOR_STAFF is on: set-up with a QR code, recovery codes shown once, a
code at every later login, recovery codes used up, reset by an administrator."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ais.accounts import services
from ais.accounts.models import Role
from ais.outbox import reasons
from ais.outbox.models import OutgoingEmail
from tests.conftest import make_user
from tests.security.auth.conftest import text

DASHBOARD = "/tableau-de-bord/"
SETUP = reverse("accounts:two_factor_setup")
VERIFY = reverse("accounts:two_factor_verify")
CODES = reverse("accounts:recovery_codes")


def code_of(device) -> str:
    return f"{totp(device.bin_key):06d}"


@pytest.fixture
def required(settings, db):
    settings.REQUIRE_2FA_FOR_STAFF = True


def emailed_code(user) -> str:
    """The last code e-mailed to ``user`` to set up an authenticator."""
    email = OutgoingEmail.objects.filter(reason=reasons.TWO_FACTOR_ENROLMENT, recipient=user.email).latest("pk")
    return re.search(r"^(\d{6})$", email.body, re.MULTILINE).group(1)


def give_emailed_code(client, user) -> None:
    client.get(SETUP)  # sends the code
    client.post(SETUP, {"email_code": emailed_code(user)})


def enrol(client, user) -> tuple[TOTPDevice, list[str]]:
    """Log in and set up the authenticator through the pages (the e-mailed code, then
    the app's); returns the device and codes."""
    client.force_login(user)
    give_emailed_code(client, user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    client.post(SETUP, {"code": code_of(device), "next": DASHBOARD})
    page = text(client.get(CODES))
    codes = re.findall(r'<code class="fs-5">([0-9a-f]{10})</code>', page)
    device.refresh_from_db()
    return device, codes


@pytest.mark.parametrize("role", [Role.MANAGER, Role.COMMITTEE, Role.ADMIN])
def test_staff_without_authenticator_sent_to_setup(client, required, role):
    client.force_login(make_user(role))

    response = client.get(DASHBOARD)

    assert response.status_code == 302
    assert response.url == f"{SETUP}?next=%2Ftableau-de-bord%2F"


@pytest.mark.parametrize("role", [Role.CARRIER, Role.STRUCTURE])
def test_other_roles_not_asked_for_second_factor(client, required, role):
    client.force_login(make_user(role))

    assert client.get(DASHBOARD).status_code == 200


def test_staff_not_asked_when_setting_off(client, db, settings):
    settings.REQUIRE_2FA_FOR_STAFF = False
    client.force_login(make_user(Role.MANAGER))

    assert client.get(DASHBOARD).status_code == 200


def test_setup_page_shows_qr_code_and_secret_without_inline_script(client, required):
    user = make_user(Role.MANAGER)
    client.force_login(user)
    give_emailed_code(client, user)

    page = text(client.get(SETUP))
    device = TOTPDevice.objects.get(user=user)

    assert 'src="data:image/svg+xml' in page
    from base64 import b32encode

    assert " ".join(re.findall(".{1,4}", b32encode(device.bin_key).decode())) in page
    assert " style=" not in page
    assert all("nonce=" in tag or "src=" in tag for tag in re.findall(r"<script[^>]*>", page))


def test_setup_with_right_code_opens_site_and_shows_ten_codes_once(client, required):
    user = make_user(Role.MANAGER)
    device, codes = enrol(client, user)

    again = text(client.get(CODES))

    assert device.confirmed
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert StaticToken.objects.filter(device__user=user).count() == 10
    assert not any(code in again for code in codes)
    assert client.get(DASHBOARD).status_code == 200


def test_setup_with_wrong_code_refused_and_keeps_device_unconfirmed(client, required):
    user = make_user(Role.MANAGER)
    client.force_login(user)
    give_emailed_code(client, user)
    client.get(SETUP)

    response = client.post(SETUP, {"code": "123"})

    assert response.status_code == 400
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert client.get(DASHBOARD).url.startswith(SETUP)


def test_later_login_asks_code_before_any_page(client, required):
    user = make_user(Role.MANAGER)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        device, _codes = enrol(client, user)
        client.logout()
    later = start + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        client.force_login(user)
        blocked = [client.get(url).url for url in (DASHBOARD, reverse("accounts:profile"), reverse("accounts:my_data"))]
        wrong = client.post(VERIFY, {"code": "000000" if code_of(device) != "000000" else "111111"})
    with time_machine.travel(later + timedelta(seconds=40), tick=False):  # past the throttle delay
        right = client.post(VERIFY, {"code": code_of(device), "next": DASHBOARD})
        opened = client.get(DASHBOARD)

    assert all(url.startswith(VERIFY + "?next=") for url in blocked)
    assert wrong.status_code == 400
    assert right.url == DASHBOARD
    assert opened.status_code == 200


def test_same_code_cannot_be_used_twice(client, required):
    user = make_user(Role.COMMITTEE)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        device, _codes = enrol(client, user)
        used = code_of(device)
        client.logout()
        client.force_login(user)

        replay = client.post(VERIFY, {"code": used})

    assert replay.status_code == 400


def test_recovery_code_works_once(client, required):
    user = make_user(Role.ADMIN)
    device, codes = enrol(client, user)
    client.logout()

    client.force_login(user)
    first = client.post(VERIFY, {"code": codes[0], "next": DASHBOARD})
    client.logout()
    client.force_login(user)
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        second = client.post(VERIFY, {"code": codes[0]})

    assert first.url == DASHBOARD
    assert second.status_code == 400
    assert services.remaining_recovery_codes(user) == 9


def test_regenerating_recovery_codes_invalidates_old_ones(client, required):
    user = make_user(Role.MANAGER)
    _device, old = enrol(client, user)

    client.post(CODES)
    new = re.findall(r'<code class="fs-5">([0-9a-f]{10})</code>', text(client.get(CODES)))

    assert len(new) == 10
    assert not set(new) & set(old)
    assert not StaticToken.objects.filter(token__in=old).exists()


def test_user_with_authenticator_asked_even_when_setting_off(client, db, settings):
    settings.REQUIRE_2FA_FOR_STAFF = False
    user = make_user(Role.CARRIER)
    enrol(client, user)
    client.logout()

    client.force_login(user)

    assert client.get(DASHBOARD).url.startswith(VERIFY)


def test_administrator_resets_lost_authenticator_in_admin(client, db, settings):
    settings.REQUIRE_2FA_FOR_STAFF = True
    manager = make_user(Role.MANAGER)
    enrol(client, manager)
    client.logout()
    settings.REQUIRE_2FA_FOR_STAFF = False  # the administrator here has no authenticator
    client.force_login(make_user(Role.ADMIN))

    response = client.post(
        reverse("admin:accounts_user_changelist"), {"action": "reset_two_factor", "_selected_action": [manager.pk]}
    )

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=manager).exists()
    assert services.remaining_recovery_codes(manager) == 0
    settings.REQUIRE_2FA_FOR_STAFF = True
    client.logout()
    client.force_login(manager)
    assert client.get(DASHBOARD).url.startswith(SETUP)


def test_logout_stays_possible_before_second_factor(client, required):
    client.force_login(make_user(Role.MANAGER))

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


# The code e-mailed before a first authenticator (issue 18, item 7) --------------------


def test_first_authenticator_asks_first_for_a_code_emailed_to_the_account(client, required):
    user = make_user(Role.MANAGER)
    client.force_login(user)

    redirect = client.get(DASHBOARD)
    page = text(client.get(redirect.url))

    assert 'name="email_code"' in page
    assert 'id="totp-secret"' not in page and "data:image/svg+xml" not in page
    assert user.email in page
    email = OutgoingEmail.objects.get(reason=reasons.TWO_FACTOR_ENROLMENT)
    assert email.recipient == user.email
    assert email.subject == "AIS#Emploi : code pour activer la double authentification"
    assert re.fullmatch(r"\d{6}", emailed_code(user))
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_a_password_alone_cannot_attach_an_authenticator(client, required):
    """Someone who has only the password logs in and tries to set up their own phone."""
    user = make_user(Role.COMMITTEE)
    client.force_login(user)

    client.get(SETUP)
    device = TOTPDevice.objects.filter(user=user).first()
    attempt = client.post(SETUP, {"code": code_of(device) if device else "123456"})

    assert attempt.status_code == 400
    assert 'name="email_code"' in text(attempt)
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert client.get(DASHBOARD).url.startswith(SETUP)


def test_right_emailed_code_leads_to_the_qr_code(client, required):
    user = make_user(Role.ADMIN)
    client.force_login(user)
    client.get(SETUP)

    response = client.post(SETUP, {"email_code": emailed_code(user), "next": DASHBOARD})
    page = text(client.get(response.url))

    assert response.url == f"{SETUP}?next=%2Ftableau-de-bord%2F"
    assert 'id="totp-secret"' in page
    assert TOTPDevice.objects.filter(user=user, confirmed=False).count() == 1


def test_emailed_code_refused_after_five_wrong_tries(client, required):
    user = make_user(Role.MANAGER)
    client.force_login(user)
    client.get(SETUP)
    right = emailed_code(user)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    first = client.post(SETUP, {"email_code": wrong})
    for _ in range(4):
        client.post(SETUP, {"email_code": wrong})
    late = client.post(SETUP, {"email_code": right})

    assert first.status_code == 400
    assert "Ce n'est pas le code envoyé : encore 4 essais." in text(first)
    assert late.status_code == 400
    assert "Trop de codes erronés : demandez un nouveau code." in text(late)
    assert 'id="totp-secret"' not in text(client.get(SETUP))


def test_emailed_code_expires_after_ten_minutes(client, required):
    user = make_user(Role.MANAGER)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(user)
        client.get(SETUP)
        code = emailed_code(user)
    with time_machine.travel(start + timedelta(minutes=10, seconds=1), tick=False):
        response = client.post(SETUP, {"email_code": code})

    assert response.status_code == 400
    assert "Ce code a expiré : demandez un nouveau code." in text(response)


def test_new_code_on_request_replaces_the_old_one_at_most_five_an_hour(client, required):
    user = make_user(Role.MANAGER)
    client.force_login(user)
    client.get(SETUP)
    old = emailed_code(user)

    for _ in range(4):
        client.post(SETUP, {"resend": "1"})
    refused = client.post(SETUP, {"resend": "1"}, follow=True)
    new = emailed_code(user)

    assert OutgoingEmail.objects.filter(reason=reasons.TWO_FACTOR_ENROLMENT).count() == 5
    assert "Trop de codes ont été envoyés depuis une heure" in text(refused)
    if old != new:
        assert client.post(SETUP, {"email_code": old}).status_code == 400
    assert client.post(SETUP, {"email_code": new}).status_code == 302


def test_replacing_a_verified_authenticator_needs_no_emailed_code(client, required):
    user = make_user(Role.MANAGER)
    enrol(client, user)
    sent = OutgoingEmail.objects.filter(reason=reasons.TWO_FACTOR_ENROLMENT).count()

    page = text(client.get(SETUP))

    assert 'id="totp-secret"' in page
    assert OutgoingEmail.objects.filter(reason=reasons.TWO_FACTOR_ENROLMENT).count() == sent
