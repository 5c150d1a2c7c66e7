"""Staff sessions end after 30 minutes without a request and 10 hours after logging in;
other users keep the ordinary session length."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from ais.accounts.models import Role
from tests.conftest import make_user
from tests.security.auth.conftest import text

DASHBOARD = "/tableau-de-bord/"
LOGIN_AGAIN = f"{reverse('accounts:login')}?next=%2Ftableau-de-bord%2F"


@pytest.fixture
def start():
    return timezone.now()


def _login_at(client, user, moment):
    with time_machine.travel(moment, tick=False):
        client.force_login(user)


@pytest.mark.parametrize("role", [Role.MANAGER, Role.COMMITTEE, Role.ADMIN])
def test_staff_logged_out_after_thirty_idle_minutes(client, db, start, role):
    user = make_user(role)
    _login_at(client, user, start)
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        still_in = client.get(DASHBOARD)
    with time_machine.travel(start + timedelta(minutes=29 + 31), tick=False):
        expired = client.get(DASHBOARD)
        page = client.get(expired.url)

    assert still_in.status_code == 200
    assert expired.status_code == 302
    assert expired.url == LOGIN_AGAIN
    assert "_auth_user_id" not in client.session
    assert "30 minutes" in text(page)  # the message saying why


def test_staff_activity_keeps_session_until_absolute_limit(client, db, start):
    user = make_user(Role.MANAGER)
    _login_at(client, user, start)
    statuses = []
    for minutes in range(20, 10 * 60, 20):  # a request every 20 minutes for almost 10 hours
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            statuses.append(client.get(DASHBOARD).status_code)
    with time_machine.travel(start + timedelta(hours=10, minutes=1), tick=False):
        expired = client.get(DASHBOARD)
        page = client.get(expired.url)

    assert set(statuses) == {200}
    assert expired.url == LOGIN_AGAIN
    assert "_auth_user_id" not in client.session
    assert "10" in text(page).split('class="messages"')[1][:600]


@pytest.mark.parametrize("role", [Role.CARRIER, Role.STRUCTURE])
def test_non_staff_session_survives_two_idle_hours(client, db, start, role):
    user = make_user(role)
    _login_at(client, user, start)
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        response = client.get(DASHBOARD)

    assert response.status_code == 200
    assert client.session["_auth_user_id"] == str(user.pk)


def test_idle_timeout_setting_is_used(client, db, start, settings):
    settings.STAFF_SESSION_IDLE_TIMEOUT = 5 * 60
    user = make_user(Role.MANAGER)
    _login_at(client, user, start)
    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        response = client.get(DASHBOARD)

    assert response.url == LOGIN_AGAIN


def test_htmx_request_after_timeout_gets_full_page_redirect(client, db, start):
    user = make_user(Role.MANAGER)
    _login_at(client, user, start)
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        response = client.get(DASHBOARD, HTTP_HX_REQUEST="true")

    assert response["HX-Redirect"] == LOGIN_AGAIN
