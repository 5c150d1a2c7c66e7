"""The « Débloquer mon compte » e-mail: sent when an account gets locked from an
address, its link (signed, expiring) unlocks the account at once; an expired or
tampered link says how to get a new one (issue 18, item 6)."""

import re
from datetime import timedelta

import time_machine
from django.utils import timezone

from ais.outbox import reasons
from ais.outbox.models import OutgoingEmail
from tests.ais.factories import PASSWORD, UserFactory
from tests.security.auth.conftest import login, text

ATTACKER = "203.0.113.66"


def _lock(client, user, address=ATTACKER, times=5):
    for attempt in range(times):
        login(client, user.email, f"mauvais-{attempt}", REMOTE_ADDR=address)


def _unlock_link(user) -> str:
    email = OutgoingEmail.objects.get(reason=reasons.ACCOUNT_UNLOCK, recipient=user.email)
    return re.search(r"https?://[^/\s]+(/compte/debloquer/[^\s]+/)", email.body).group(1)


def test_locking_an_account_emails_its_owner_once(client, axes):
    user = UserFactory()

    _lock(client, user, times=8)  # attempts during the lock send nothing more

    email = OutgoingEmail.objects.get(reason=reasons.ACCOUNT_UNLOCK)
    assert email.recipient == user.email
    assert email.subject == "AIS#Emploi : débloquer mon compte"
    assert ATTACKER in email.body
    assert "/compte/debloquer/" in email.body
    assert "Les autres connexions ne sont pas bloquées." in email.body


def test_four_failures_send_no_unlock_email(client, axes):
    user = UserFactory()

    _lock(client, user, times=4)

    assert not OutgoingEmail.objects.filter(reason=reasons.ACCOUNT_UNLOCK).exists()


def test_unknown_account_locked_sends_nothing(client, axes):
    for attempt in range(6):
        login(client, "personne@inconnu.fr", f"mauvais-{attempt}", REMOTE_ADDR=ATTACKER)

    assert not OutgoingEmail.objects.filter(reason=reasons.ACCOUNT_UNLOCK).exists()


def test_address_lock_alone_sends_no_unlock_email(client, axes):
    victims = [UserFactory() for _ in range(10)]
    for victim in victims:
        _lock(client, victim, times=2)
    bystander = UserFactory()

    assert login(client, bystander.email, PASSWORD, REMOTE_ADDR=ATTACKER).status_code == 429
    assert not OutgoingEmail.objects.filter(reason=reasons.ACCOUNT_UNLOCK).exists()


def test_unlock_link_shows_a_button_and_changes_nothing_by_itself(client, axes):
    user = UserFactory()
    _lock(client, user, address="192.0.2.10")

    page = client.get(_unlock_link(user))

    assert page.status_code == 200
    assert "Débloquer mon compte" in text(page)
    assert user.email in text(page)
    assert login(client, user.email, PASSWORD, REMOTE_ADDR="192.0.2.10").status_code == 429


def test_unlock_link_unlocks_at_once(client, axes):
    user = UserFactory()
    _lock(client, user, address="192.0.2.10")

    response = client.post(_unlock_link(user), follow=True)
    after = login(client, user.email, PASSWORD, REMOTE_ADDR="192.0.2.10")

    assert response.redirect_chain == [("/compte/connexion/", 302)]
    assert "Votre compte est débloqué : vous pouvez vous connecter." in text(response)
    assert after.status_code == 302
    assert after.url == "/tableau-de-bord/"


def test_expired_unlock_link_explains_how_to_get_a_new_one(client, axes):
    user = UserFactory()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _lock(client, user)
        link = _unlock_link(user)
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        response = client.post(link)

    page = text(response)
    assert response.status_code == 400
    assert "Ce lien de déblocage a expiré" in page
    assert "Les liens de déblocage sont valables 60 minutes." in page
    assert "Comment obtenir un nouveau lien" in page
    assert "un nouvel e-mail «\u00a0Débloquer mon compte\u00a0» est envoyé" in page
    assert 'href="/compte/mot-de-passe/oublie/"' in page


def test_tampered_unlock_link_explains_and_unlocks_nothing(client, axes):
    user = UserFactory()
    _lock(client, user)
    link = _unlock_link(user)
    tampered = link[:-3] + ("A" if link[-3] != "A" else "B") + link[-2:]

    response = client.post(tampered)

    assert response.status_code == 400
    assert "Ce lien de déblocage n'est pas valide" in text(response)
    assert login(client, user.email, PASSWORD, REMOTE_ADDR=ATTACKER).status_code == 429


def test_new_unlock_email_the_next_hour_while_still_locked(client, axes):
    user = UserFactory()
    start = timezone.now().replace(minute=50)
    with time_machine.travel(start, tick=False):
        _lock(client, user)
    with time_machine.travel(start + timedelta(minutes=20), tick=False):
        login(client, user.email, "encore-faux", REMOTE_ADDR=ATTACKER)

    assert OutgoingEmail.objects.filter(reason=reasons.ACCOUNT_UNLOCK).count() == 2


def test_activation_token_does_not_unlock(client, axes):
    """One salt per purpose: a signed link made for another use is not an unlock link."""
    from ais.accounts.services import activation_token

    user = UserFactory()
    _lock(client, user)

    response = client.post(f"/compte/debloquer/{activation_token(user)}/")

    assert response.status_code == 400
    assert "Ce lien de déblocage n'est pas valide" in text(response)
    assert login(client, user.email, PASSWORD, REMOTE_ADDR=ATTACKER).status_code == 429
