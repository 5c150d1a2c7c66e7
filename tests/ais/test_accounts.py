"""Accounts: logging in with an e-mail, lockout, password reset through the outbox,
the profile form, the SIRET validator and the language of the pages."""

import html
import re
from datetime import timedelta

import pytest
import time_machine
from axes.utils import reset as axes_reset
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from ais.accounts.models import Role
from ais.accounts.validators import validate_siret
from ais.outbox import reasons
from ais.outbox.models import OutgoingEmail
from tests.ais.factories import PASSWORD, UserFactory
from tests.conftest import make_user

LOGIN_ERROR = "Adresse e-mail ou mot de passe incorrect"
RESET_SENT = "Vérifiez votre messagerie"
LINK_INVALID = "Ce lien n'est plus valable"


def text(response) -> str:
    return html.unescape(response.content.decode())


def login(client, email, password, **extra):
    return client.post(reverse("accounts:login"), {"username": email, "password": password}, **extra)


def _error_block(page: str) -> str:
    """The form's non-field error, as shown to the user."""
    match = re.search(r'<div class="alert alert-block alert-danger">(.*?)</div>', page, re.S)
    assert match, "no form error shown"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


# Login ------------------------------------------------------------------------------


def test_login_with_email_in_other_case_opens_dashboard(client, db):
    UserFactory(email="camille.martin@exemple.fr", first_name="Camille")

    response = login(client, "Camille.MARTIN@Exemple.fr", PASSWORD, follow=True)

    assert response.redirect_chain == [(reverse("portal:dashboard"), 302)]
    assert "Bonjour Camille" in text(response)


def test_login_wrong_password_and_unknown_email_show_same_french_message(client, db):
    UserFactory(email="camille.martin@exemple.fr")

    wrong_password = text(login(client, "camille.martin@exemple.fr", "pas-le-bon-mot-de-passe"))
    unknown_email = text(login(client, "personne@inconnu.fr", PASSWORD))

    assert LOGIN_ERROR in _error_block(wrong_password)
    assert _error_block(wrong_password) == _error_block(unknown_email)
    assert 'value="camille.martin@exemple.fr"' in wrong_password
    assert 'value="personne@inconnu.fr"' in unknown_email


ROLE_DASHBOARDS = [
    (Role.MANAGER, "Suivi du programme", "Aucune innovation à cette étape."),
    (Role.COMMITTEE, "Comité de pilotage", "Aucun dossier ne vous est attribué pour le moment."),
    (Role.CARRIER, "Porteur de projet", "Aucune de vos innovations n'est encore accompagnée par le programme."),
    (Role.STRUCTURE, "Structure essaimée", "Votre structure n'essaime encore aucune innovation."),
    (Role.ADMIN, "Administration", "Courriels sortants"),
]


@pytest.mark.parametrize(("role", "title", "empty_state"), ROLE_DASHBOARDS)
def test_login_lands_each_role_on_its_dashboard_section(client, db, role, title, empty_state):
    user = make_user(role)

    response = login(client, user.email, PASSWORD, follow=True)

    page = text(response)
    assert response.redirect_chain[-1][0] == reverse("portal:dashboard")
    assert f'<h2 class="h4 mb-3" id="section-{role}">{title}</h2>' in page
    assert empty_state in page
    assert page.count('class="dashboard-section') == 1


def test_login_without_role_explains_what_to_do(client, db):
    user = UserFactory()

    response = login(client, user.email, PASSWORD, follow=True)

    assert "Aucun rôle ne vous est encore attribué." in text(response)


# Lockout ----------------------------------------------------------------------------


@pytest.fixture
def axes(settings, db):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    axes_reset()
    yield
    axes_reset()


def test_login_sixth_failed_attempt_shows_french_lock_page(client, axes):
    user = UserFactory()
    pages = [text(login(client, user.email, f"mauvais-{attempt}")) for attempt in range(4)]

    login(client, user.email, "mauvais-4")
    sixth = login(client, user.email, PASSWORD)  # even the right password is refused now

    assert all(LOGIN_ERROR in page for page in pages)
    assert sixth.status_code == 429
    assert "Connexion temporairement bloquée" in text(sixth)
    assert "Réinitialiser mon mot de passe" in text(sixth)
    assert "_auth_user_id" not in client.session


def test_login_after_reset_of_lockout_succeeds(client, axes):
    user = UserFactory()
    for attempt in range(6):
        login(client, user.email, f"mauvais-{attempt}")

    axes_reset()
    response = login(client, user.email, PASSWORD, follow=True)

    assert response.redirect_chain[-1][0] == reverse("portal:dashboard")


# Password reset ---------------------------------------------------------------------


def _reset_link(email: OutgoingEmail) -> str:
    match = re.search(r"https?://testserver(/\S+)", email.body)
    assert match, f"no link in the e-mail:\n{email.body}"
    return match.group(1)


def test_password_reset_known_email_queues_one_email_whose_link_sets_password(client, db):
    user = UserFactory(email="camille.martin@exemple.fr", first_name="Camille")

    sent = client.post(reverse("accounts:password_reset"), {"email": "camille.martin@exemple.fr"}, follow=True)
    emails = list(OutgoingEmail.objects.all())
    link_page = client.get(_reset_link(emails[0]), follow=True)
    saved = client.post(
        link_page.redirect_chain[-1][0],
        {"new_password1": "Un-nouveau-secret-2026", "new_password2": "Un-nouveau-secret-2026"},
        follow=True,
    )

    assert RESET_SENT in text(sent)
    assert len(emails) == 1
    assert emails[0].reason == reasons.PASSWORD_RESET
    assert emails[0].recipient == "camille.martin@exemple.fr"
    assert "Bonjour Camille," in emails[0].body
    assert "Choisissez un nouveau mot de passe" in text(link_page)
    assert "Votre mot de passe a été modifié" in text(saved)
    user.refresh_from_db()
    assert user.check_password("Un-nouveau-secret-2026")
    assert login(client, user.email, "Un-nouveau-secret-2026").url == reverse("portal:dashboard")


def test_password_reset_unknown_email_shows_same_page_and_queues_nothing(client, db):
    UserFactory(email="camille.martin@exemple.fr")

    response = client.post(reverse("accounts:password_reset"), {"email": "inconnu@exemple.fr"}, follow=True)

    assert response.redirect_chain == [(reverse("accounts:password_reset_done"), 302)]
    assert RESET_SENT in text(response)
    assert not OutgoingEmail.objects.exists()


def test_password_reset_expired_link_says_how_to_get_new_one(client, db):
    user = UserFactory()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    url = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})

    with time_machine.travel(timezone.now() + timedelta(days=2)):
        response = client.get(url, follow=True)

    page = text(response)
    assert LINK_INVALID in page
    assert "Vous pouvez en demander un nouveau" in page
    assert f'href="{reverse("accounts:password_reset")}"' in page


def test_password_reset_used_link_is_no_longer_valid(client, db):
    user = UserFactory()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    url = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    form_url = client.get(url).url
    client.post(form_url, {"new_password1": "Un-nouveau-secret-2026", "new_password2": "Un-nouveau-secret-2026"})

    response = client.get(url, follow=True)

    assert LINK_INVALID in text(response)


# Profile ----------------------------------------------------------------------------


def test_profile_invalid_phone_keeps_input_and_shows_french_error(client, db):
    user = make_user(Role.CARRIER, phone="01 23 45 67 89")
    client.force_login(user)

    response = client.post(
        reverse("accounts:profile"),
        {"first_name": "Nadia", "last_name": "Haddad", "job_title": "Directrice", "phone": "appelez-moi"},
    )

    page = text(response)
    assert "Saisissez un numéro de téléphone, par exemple 01 23 45 67 89." in page
    assert 'value="appelez-moi"' in page
    assert "Le formulaire contient des erreurs" in page
    user.refresh_from_db()
    assert user.phone == "01 23 45 67 89"


def test_profile_valid_post_saves_and_confirms(client, db):
    user = make_user(Role.CARRIER)
    client.force_login(user)

    response = client.post(
        reverse("accounts:profile"),
        {"first_name": "Nadia", "last_name": "Haddad", "job_title": "Directrice", "phone": "+33 6 12 34 56 78"},
        follow=True,
    )

    assert "Votre profil a été enregistré." in text(response)
    assert 'value="Directrice"' in text(response)
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.job_title, user.phone) == (
        "Nadia",
        "Haddad",
        "Directrice",
        "+33 6 12 34 56 78",
    )


def test_profile_lists_roles_with_organisation(client, db):
    user = make_user(Role.STRUCTURE)
    client.force_login(user)
    organisation = user.organisations_for(Role.STRUCTURE).get()

    response = client.get(reverse("accounts:profile"))

    assert "Structure essaimée" in text(response)
    assert f"{organisation.name} · Rouen" in text(response)


# SIRET ------------------------------------------------------------------------------


@pytest.mark.parametrize("siret", ["73282932000074", "732 829 320 00074", "35600000000048"])
def test_siret_validator_valid_number_passes(siret):
    validate_siret(siret)


@pytest.mark.parametrize(
    ("siret", "code", "message"),
    [
        ("73282932000075", "siret_checksum", "Ce numéro SIRET n'est pas valide : vérifiez les chiffres saisis."),
        ("7328293200007", "siret_length", "Un numéro SIRET comporte 14 chiffres."),
        ("732829320000745", "siret_length", "Un numéro SIRET comporte 14 chiffres."),
        ("7328293200007A", "siret_length", "Un numéro SIRET comporte 14 chiffres."),
        ("35600000000049", "siret_checksum", "Ce numéro SIRET n'est pas valide : vérifiez les chiffres saisis."),
    ],
)
def test_siret_validator_invalid_number_says_why(siret, code, message):
    with pytest.raises(ValidationError) as error:
        validate_siret(siret)

    assert error.value.code == code
    assert error.value.messages == [message]


# Language ---------------------------------------------------------------------------


def test_page_with_english_browser_stays_french(client, db):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")

    assert response["Content-Language"] == "fr"
    assert '<html lang="fr">' in text(response)
    assert "Mot de passe oublié ?" in text(response)


def test_language_cookie_en_switches_language(client, db, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("accounts:login"))

    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in text(response)


def test_language_switch_sets_cookie_and_returns_to_page(client, db, settings):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("portal:catalogue")})
    following = client.get(response.url)

    assert response.url == reverse("portal:catalogue")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert following["Content-Language"] == "en"
    assert '<html lang="en">' in text(following)


def test_login_page_links_to_the_carrier_sign_up(client, db):
    """An organisation without an account finds how to create one from the login page (issue 16)."""
    text = html.unescape(client.get(reverse("accounts:login")).content.decode())

    assert f'<a href="{reverse("accounts:signup")}">Créer un compte porteur de projet</a>' in text
