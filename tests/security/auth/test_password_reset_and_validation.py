"""Password reset: at most two e-mails an hour per account, the same page for known,
unknown and throttled addresses. Password rules: length, common (English and French),
similarity to the account, all digits."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from ais.outbox import reasons
from ais.outbox.models import OutgoingEmail
from tests.ais.factories import UserFactory
from tests.security.auth.conftest import text


def ask_reset(client, email):
    return client.post(reverse("accounts:password_reset"), {"email": email}, follow=True)


def ask_reset_each_minute(client, email, times, start):
    """Requests a minute apart (requests in the same second share a link and an e-mail)."""
    pages = []
    for minute in range(times):
        with time_machine.travel(start + timedelta(minutes=minute), tick=False):
            pages.append(ask_reset(client, email))
    return pages


def test_password_reset_third_request_within_hour_sends_nothing(client, db):
    user = UserFactory(email="camille.martin@exemple.fr")
    pages = ask_reset_each_minute(client, "camille.martin@exemple.fr", 3, timezone.now())

    emails = OutgoingEmail.objects.filter(reason=reasons.PASSWORD_RESET, recipient=user.email)
    assert emails.count() == 2
    assert all(page.redirect_chain == [(reverse("accounts:password_reset_done"), 302)] for page in pages)


def test_password_reset_throttled_page_identical_to_unknown_address(client, db):
    UserFactory(email="camille.martin@exemple.fr")
    ask_reset_each_minute(client, "camille.martin@exemple.fr", 2, timezone.now() - timedelta(minutes=5))

    throttled = ask_reset(client, "Camille.Martin@exemple.fr")
    unknown = ask_reset(client, "personne-inconnue@exemple.fr")

    assert throttled.status_code == unknown.status_code == 200
    assert text(throttled).split("<main")[1].split("</main>")[0] == text(unknown).split("<main")[1].split("</main>")[0]
    assert "Vérifiez votre messagerie" in text(throttled)


def test_password_reset_allowed_again_after_an_hour(client, db):
    user = UserFactory()
    start = timezone.now()
    ask_reset_each_minute(client, user.email, 2, start)
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        ask_reset(client, user.email)

    assert OutgoingEmail.objects.filter(reason=reasons.PASSWORD_RESET).count() == 3


def test_password_reset_throttle_is_per_account(client, db):
    first, second = UserFactory(), UserFactory()
    ask_reset_each_minute(client, first.email, 3, timezone.now() - timedelta(minutes=10))
    ask_reset(client, second.email)

    assert OutgoingEmail.objects.filter(recipient=first.email).count() == 2
    assert OutgoingEmail.objects.filter(recipient=second.email).count() == 1


# Password rules ---------------------------------------------------------------------


def _errors(password, user=None) -> list[str]:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        return [e.code for e in error.error_list]
    return []


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Court-2026!", "password_too_short"),  # 11 characters
        ("password1234", "password_too_common"),
        ("Azerty123456!", "password_too_common"),
        ("motdepasse2026", "password_too_common"),
        ("123456789012345", "password_entirely_numeric"),
    ],
)
def test_weak_password_refused_with_reason(password, code, db):
    assert code in _errors(password)


def test_throttled_request_queues_nothing(client, db):
    user = UserFactory()
    ask_reset_each_minute(client, user.email, 2, timezone.now() - timedelta(minutes=5))

    before = OutgoingEmail.objects.count()
    ask_reset(client, user.email)

    assert OutgoingEmail.objects.count() == before == 2


def test_password_like_own_email_refused(db):
    user = UserFactory.build(email="dominique.lefebvre@exemple.fr", first_name="Dominique", last_name="Lefebvre")

    assert "password_too_similar" in _errors("dominique.lefebvre", user)


def test_strong_password_of_twelve_characters_accepted(db):
    assert _errors("Tulipe-Verte-93") == []


def test_minimum_length_message_in_french(db):
    with pytest.raises(ValidationError) as error:
        password_validation.validate_password("Court-2026!")

    assert "au minimum 12 caractères" in " ".join(error.value.messages)


def test_password_change_form_refuses_common_password_and_keeps_page(client, db):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "x", "new_password1": "azertyuiop2026", "new_password2": "azertyuiop2026"},
    )

    assert response.status_code == 200
    assert "password_too_common" not in text(response)  # a sentence, not a code
    user.refresh_from_db()
    assert not user.check_password("azertyuiop2026")
