"""Lockout after 5 failed logins to one account from one address (the pair: a stranger
cannot lock the owner out from elsewhere) and 20 per address (whatever the accounts),
for 30 minutes after the last failure. The unlock link: test_unlock.py."""

from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.ais.factories import PASSWORD, UserFactory
from tests.security.auth.conftest import login, text

LOCKED = "Connexion temporairement bloquée"


def test_account_locked_from_the_address_after_five_failures(client, axes):
    user = UserFactory()
    for attempt in range(5):
        login(client, user.email, f"mauvais-{attempt}", REMOTE_ADDR="10.0.0.1")

    same_address = login(client, user.email, PASSWORD, REMOTE_ADDR="10.0.0.1")

    assert same_address.status_code == 429
    assert LOCKED in text(same_address)
    assert "_auth_user_id" not in client.session


def test_five_wrong_passwords_from_a_stranger_do_not_lock_the_owner_elsewhere(client, axes):
    """Issue 18, item 6 (ASVS 5.0 6.3.1): anyone who knows an address could lock its owner out."""
    user = UserFactory()
    for attempt in range(5):
        login(client, user.email, f"mauvais-{attempt}", REMOTE_ADDR="203.0.113.66")

    stranger = login(client, user.email, PASSWORD, REMOTE_ADDR="203.0.113.66")
    owner = login(client, user.email, PASSWORD, REMOTE_ADDR="198.51.100.20")

    assert stranger.status_code == 429
    assert owner.status_code == 302
    assert owner.url == reverse("portal:dashboard")


def test_failures_spread_over_addresses_lock_none_of_them(client, axes):
    user = UserFactory()
    for attempt in range(8):
        login(client, user.email, f"mauvais-{attempt}", REMOTE_ADDR=f"10.0.0.{attempt % 2 + 1}")  # 4 from each

    response = login(client, user.email, PASSWORD, REMOTE_ADDR="10.0.0.1")

    assert response.status_code == 302


def test_account_not_locked_after_four_failures(client, axes):
    user = UserFactory()
    for attempt in range(4):
        login(client, user.email, f"mauvais-{attempt}", REMOTE_ADDR="10.0.0.1")

    response = login(client, user.email, PASSWORD, REMOTE_ADDR="10.0.0.1")

    assert response.status_code == 302
    assert response.url == reverse("portal:dashboard")


def test_account_lockout_ignores_case_of_email(client, axes):
    UserFactory(email="camille.martin@exemple.fr")
    for attempt, spelling in enumerate(
        [
            "Camille.Martin@exemple.fr",
            "CAMILLE.MARTIN@EXEMPLE.FR",
            "camille.martin@Exemple.fr",
            "cAmille.martin@exemple.fr",
            "camille.martiN@exemple.fr",
        ]
    ):
        login(client, spelling, f"mauvais-{attempt}", REMOTE_ADDR="10.0.1.1")

    response = login(client, "camille.martin@exemple.fr", PASSWORD, REMOTE_ADDR="10.0.1.1")

    assert response.status_code == 429


def test_lock_page_says_when_to_retry_and_how_to_reset(client, axes):
    user = UserFactory()
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 3, 2, 14, 0)), tick=False):
        for attempt in range(5):
            login(client, user.email, f"mauvais-{attempt}")
        page = text(login(client, user.email, PASSWORD))

    # (msgids of this page are new: their French comes with the merged catalogue)
    assert "30 minutes" in page
    assert "14\u00a0h\u00a030" in page  # local time, 30 minutes after the last attempt
    assert 'href="/compte/mot-de-passe/oublie/"' in page


def test_account_unlocked_thirty_minutes_after_last_failure(client, axes):
    user = UserFactory()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for attempt in range(5):
            login(client, user.email, f"mauvais-{attempt}")
        assert login(client, user.email, PASSWORD).status_code == 429
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert login(client, user.email, PASSWORD).status_code == 429  # restarts the wait
    with time_machine.travel(start + timedelta(minutes=29 + 31), tick=False):
        response = login(client, user.email, PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("portal:dashboard")


def test_address_throttled_after_twenty_failures_across_accounts(client, axes):
    victims = [UserFactory() for _ in range(10)]
    for victim in victims:
        for attempt in range(2):
            login(client, victim.email, f"mauvais-{attempt}", REMOTE_ADDR="192.0.2.7")
    bystander = UserFactory()

    same_address = login(client, bystander.email, PASSWORD, REMOTE_ADDR="192.0.2.7")
    other_address = login(client, bystander.email, PASSWORD, REMOTE_ADDR="192.0.2.8")

    assert same_address.status_code == 429
    assert LOCKED in text(same_address)
    assert other_address.status_code == 302


def test_address_not_throttled_after_nineteen_failures(client, axes):
    victims = [UserFactory() for _ in range(19)]
    for victim in victims:
        login(client, victim.email, "mauvais", REMOTE_ADDR="192.0.2.7")

    response = login(client, UserFactory().email, PASSWORD, REMOTE_ADDR="192.0.2.7")

    assert response.status_code == 302


def test_address_behind_trusted_proxy_read_from_forwarded_for(client, axes, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for index in range(20):
        login(
            client,
            f"inconnu{index}@exemple.fr",
            "mauvais",
            REMOTE_ADDR="172.18.0.1",
            HTTP_X_FORWARDED_FOR="198.51.100.1",
        )
    user = UserFactory()

    attacker = login(client, user.email, PASSWORD, REMOTE_ADDR="172.18.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    neighbour = login(client, user.email, PASSWORD, REMOTE_ADDR="172.18.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2")

    assert attacker.status_code == 429
    assert neighbour.status_code == 302


def test_successful_login_before_limit_resets_account_counter(client, axes):
    user = UserFactory()
    for attempt in range(4):
        login(client, user.email, f"mauvais-{attempt}")
    login(client, user.email, PASSWORD)
    client.logout()
    for attempt in range(4):
        login(client, user.email, f"encore-{attempt}")

    response = login(client, user.email, PASSWORD)

    assert response.status_code == 302


def test_lockout_is_on_in_production_settings():
    """The suite turns axes off outside these tests; production must keep it on."""
    import os
    import runpy
    from unittest import mock

    from tests.security.production import SETTINGS_FILE

    environment = {k: v for k, v in os.environ.items() if not k.startswith("AXES_") and k != "DEBUG"}
    environment.update(DEBUG="false", SECRET_KEY="production-like-secret-key-for-tests")
    with mock.patch.dict(os.environ, environment, clear=True):
        production = runpy.run_path(str(SETTINGS_FILE))

    assert production["AXES_ENABLED"] is True
    assert (production["AXES_FAILURE_LIMIT"], production["AXES_IP_FAILURE_LIMIT"]) == (5, 20)
    assert production["AXES_LOCKOUT_PARAMETERS"] == [["username", "ip_address"]]
    assert production["AXES_COOLOFF_TIME"] * 60 == 30  # minutes
    assert "axes.backends.AxesStandaloneBackend" in production["AUTHENTICATION_BACKENDS"]
    assert "axes.middleware.AxesMiddleware" in production["MIDDLEWARE"]
