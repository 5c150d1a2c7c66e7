"""Carriers sign up with their organisation; the account opens once the e-mail
address is confirmed through a signed, three-day link."""

import html
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse

from ais.accounts.models import Membership, Organisation, Role
from ais.outbox import reasons
from ais.outbox.models import OutgoingEmail
from tests.ais.factories import CommuneFactory, OrganisationFactory, UserFactory
from tests.projects.factories import CallFactory

User = get_user_model()
T0 = datetime(2025, 5, 12, 10, 15, tzinfo=ZoneInfo("Europe/Paris"))
LINK = re.compile(r"https?://\S+(/compte/activer/[^/\s]+/(?:\?\S+)?)")
STRONG_PASSWORD = "Bocage-et-emploi-2025!"


@pytest.fixture
def commune(db):
    return CommuneFactory()


def _data(commune, **overrides):
    data = {
        "first_name": "Maëlle",
        "last_name": "Le Goff",
        "email": "Maelle.LeGoff@Ateliers-Bocage.fr",
        "job_title": "Directrice",
        "organisation_name": "Les Ateliers du Bocage",
        "organisation_kind": "aci",
        "siret": "412 023 937 00011",
        "commune": commune.pk,
        "password1": STRONG_PASSWORD,
        "password2": STRONG_PASSWORD,
        "accept": "on",
    }
    return {**data, **overrides}


def _activation_path(email: OutgoingEmail) -> str:
    match = LINK.search(email.body)
    assert match, email.body
    return html.unescape(match.group(1))


def _signup(client, commune, **overrides):
    return client.post(reverse("accounts:signup"), _data(commune, **overrides))


# Sign-up -----------------------------------------------------------------------------


def test_signup_creates_inactive_user_with_organisation_and_carrier_role(client, commune):
    response = _signup(client, commune)

    assert response["Location"] == reverse("accounts:signup_sent")
    user = User.objects.get()
    assert (user.email, user.first_name, user.last_name, user.job_title) == (
        "maelle.legoff@ateliers-bocage.fr",
        "Maëlle",
        "Le Goff",
        "Directrice",
    )
    assert user.is_active is False
    assert user.check_password(STRONG_PASSWORD)
    organisation = Organisation.objects.get()
    assert (organisation.name, organisation.kind, organisation.siret, organisation.commune) == (
        "Les Ateliers du Bocage",
        "aci",
        "41202393700011",
        commune,
    )
    membership = Membership.objects.get()
    assert (membership.user, membership.role, membership.organisation) == (user, Role.CARRIER, organisation)


def test_signup_queues_one_confirmation_email_with_a_link(client, commune):
    _signup(client, commune)

    email = OutgoingEmail.objects.get()
    user = User.objects.get()
    assert (email.recipient, email.reason, email.related_object) == (user.email, reasons.SIGNUP_CONFIRMATION, user)
    assert _activation_path(email).startswith("/compte/activer/")
    assert "Maëlle" in email.body


def test_signup_sent_page_shows_the_address_and_a_resend_link(client, commune):
    response = client.post(reverse("accounts:signup"), _data(commune), follow=True)

    text = html.unescape(response.content.decode())
    assert "maelle.legoff@ateliers-bocage.fr" in text
    assert reverse("accounts:resend_activation") in text


def test_signup_while_logged_in_goes_to_dashboard(client, commune):
    client.force_login(UserFactory(roles=[Role.MANAGER]))

    response = client.get(reverse("accounts:signup"))

    assert response["Location"] == reverse("portal:dashboard")


def test_inactive_account_cannot_log_in_before_confirmation(client, commune):
    _signup(client, commune)

    logged_in = client.login(username="maelle.legoff@ateliers-bocage.fr", password=STRONG_PASSWORD)

    assert logged_in is False


# Activation --------------------------------------------------------------------------


def test_activation_link_activates_the_account_and_logs_in(client, commune):
    _signup(client, commune)
    path = _activation_path(OutgoingEmail.objects.get())

    response = client.get(path)

    user = User.objects.get()
    assert user.is_active is True
    assert response["Location"] == reverse("portal:dashboard")
    assert client.session["_auth_user_id"] == str(user.pk)
    dashboard = client.get(reverse("portal:dashboard"))
    assert dashboard.context["user"] == user
    assert "Maëlle" in html.unescape(dashboard.content.decode())


def test_activation_link_with_next_returns_to_the_call(client, commune):
    call = CallFactory()
    target = reverse("projects:call_detail", args=[call.slug])
    client.post(f"{reverse('accounts:signup')}?next={target}", {**_data(commune), "next": target})
    path = _activation_path(OutgoingEmail.objects.get())

    response = client.get(path)

    assert response["Location"] == target


def test_activation_link_with_foreign_next_is_not_followed(client, commune):
    client.post(reverse("accounts:signup"), {**_data(commune), "next": "https://pirate.example/"})
    path = _activation_path(OutgoingEmail.objects.get())

    response = client.get(path)

    assert "pirate" not in path
    assert response["Location"] == reverse("portal:dashboard")


def test_activation_link_still_valid_after_two_days(client, commune):
    with time_machine.travel(T0, tick=False):
        _signup(client, commune)
    path = _activation_path(OutgoingEmail.objects.get())

    with time_machine.travel(T0 + timedelta(days=2, hours=23), tick=False):
        response = client.get(path)

    assert response.status_code == 302
    assert User.objects.get().is_active is True


def test_activation_link_expired_after_four_days_shows_expired_page_with_resend_form(client, commune):
    with time_machine.travel(T0, tick=False):
        _signup(client, commune)
    path = _activation_path(OutgoingEmail.objects.get())

    with time_machine.travel(T0 + timedelta(days=4), tick=False):
        response = client.get(path)

    assert response.status_code == 400
    assert response.context["expired"] is True
    assert list(response.context["form"].fields) == ["email"]
    text = html.unescape(response.content.decode())
    assert f'action="{reverse("accounts:resend_activation")}"' in text
    assert 'name="email"' in text
    assert User.objects.get().is_active is False
    assert "_auth_user_id" not in client.session


def test_resend_from_expired_page_queues_a_new_link_that_works(client, commune):
    with time_machine.travel(T0, tick=False):
        _signup(client, commune)
    with time_machine.travel(T0 + timedelta(days=4), tick=False):
        resend = client.post(reverse("accounts:resend_activation"), {"email": "maelle.legoff@ateliers-bocage.fr"})
        new_email = OutgoingEmail.objects.order_by("-pk").first()
        response = client.get(_activation_path(new_email))

    assert resend["Location"] == reverse("accounts:signup_sent")
    assert OutgoingEmail.objects.filter(reason=reasons.SIGNUP_CONFIRMATION).count() == 2
    assert response["Location"] == reverse("portal:dashboard")
    assert User.objects.get().is_active is True


def test_resend_for_unknown_address_shows_same_page_and_queues_nothing(client, db):
    response = client.post(reverse("accounts:resend_activation"), {"email": "inconnu@exemple.fr"})

    assert response["Location"] == reverse("accounts:signup_sent")
    assert not OutgoingEmail.objects.exists()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: token[:-6],
        lambda token: "x" + token,
        lambda token: "n-importe-quoi",
    ],
)
def test_tampered_activation_link_shows_invalid_page(client, commune, tamper):
    _signup(client, commune)
    token = _activation_path(OutgoingEmail.objects.get()).split("/")[-2]

    response = client.get(reverse("accounts:activate", args=[tamper(token)]))

    assert response.status_code == 400
    assert response.context["expired"] is False
    assert "resend" not in response.context
    assert User.objects.get().is_active is False
    assert "_auth_user_id" not in client.session


def test_activation_link_of_an_account_deactivated_by_an_administrator_is_invalid(client, commune):
    _signup(client, commune)
    path = _activation_path(OutgoingEmail.objects.get())
    client.get(path)
    client.logout()
    user = User.objects.get()
    user.is_active = False
    user.save()

    response = client.get(path)

    assert response.status_code == 400
    assert User.objects.get().is_active is False


# Existing address --------------------------------------------------------------------


def test_signup_with_existing_email_creates_nothing_and_warns_the_owner(client, commune):
    owner = UserFactory(email="maelle.legoff@ateliers-bocage.fr", first_name="Maëlle")
    organisations = Organisation.objects.count()

    response = client.post(reverse("accounts:signup"), _data(commune, organisation_name="Doublon"), follow=True)

    assert response.redirect_chain == [(reverse("accounts:signup_sent"), 302)]
    assert list(User.objects.all()) == [owner]
    assert Organisation.objects.count() == organisations
    assert not Organisation.objects.filter(name="Doublon").exists()
    assert not Membership.objects.filter(user=owner).exists()
    email = OutgoingEmail.objects.get()
    assert (email.recipient, email.related_object) == (owner.email, owner)
    assert email.dedup_key.startswith("already-registered:")
    assert reverse("accounts:login") in email.body
    assert reverse("accounts:password_reset") in email.body
    assert "/compte/activer/" not in email.body
    owner.refresh_from_db()
    assert owner.check_password("Un-mot-de-passe-solide-42")


def test_signup_with_existing_email_shows_the_same_page_as_a_new_signup(client, commune):
    UserFactory(email="existant@exemple.fr")

    existing = client.post(reverse("accounts:signup"), _data(commune, email="Existant@Exemple.fr"), follow=True)
    new = client.post(reverse("accounts:signup"), _data(commune, email="nouveau@exemple.fr"), follow=True)

    assert existing.templates[0].name == new.templates[0].name == "accounts/signup_sent.html"

    def normalise(response, address):
        text = response.content.decode().replace(address, "ADDRESS")
        # CSP nonces and CSRF tokens change with each request
        return re.sub(r'nonce="[^"]+"|name="csrfmiddlewaretoken" value="[^"]+"', "", text)

    assert normalise(existing, "existant@exemple.fr") == normalise(new, "nouveau@exemple.fr")


# Invalid forms keep what was typed ---------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "codes"),
    [
        ({"siret": "12345678901234"}, "siret", ["siret_checksum"]),
        ({"siret": "1234"}, "siret", ["siret_length"]),
        ({"password2": "Un-autre-mot-de-passe-99"}, "password2", None),
        ({"password1": "azerty", "password2": "azerty"}, "password1", ["password_too_short", "password_too_common"]),
        ({"password1": "202520252025", "password2": "202520252025"}, "password1", ["password_entirely_numeric"]),
        (
            {"password1": "maelle.legoff@ateliers-bocage.fr", "password2": "maelle.legoff@ateliers-bocage.fr"},
            "password1",
            ["password_too_similar"],
        ),
        ({"email": "pas-une-adresse"}, "email", ["invalid"]),
        ({"accept": ""}, "accept", ["required"]),
    ],
)
def test_invalid_signup_keeps_typed_values_and_creates_nothing(client, commune, overrides, field, codes):
    response = _signup(client, commune, **overrides)

    assert response.status_code == 400
    errors = response.context["form"].errors.as_data()
    assert list(errors) == [field]
    if codes is not None:
        assert [error.code for error in errors[field]] == codes
    text = html.unescape(response.content.decode())
    assert 'value="Maëlle"' in text
    assert 'value="Les Ateliers du Bocage"' in text
    assert 'value="Directrice"' in text
    assert f'<option value="{commune.pk}" selected>' in text  # the commune picker keeps the choice
    assert STRONG_PASSWORD not in text  # passwords are never sent back
    assert not User.objects.exists()
    assert not Organisation.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_signup_with_siret_of_an_existing_organisation_is_refused_with_form_error(client, commune):
    OrganisationFactory(name="Ateliers déjà inscrits", siret="41202393700011")

    response = _signup(client, commune)

    assert response.status_code == 400
    errors = response.context["form"].errors.as_data()
    assert [error.code for error in errors["siret"]] == ["siret_taken"]
    assert 'value="Les Ateliers du Bocage"' in html.unescape(response.content.decode())
    assert not User.objects.exists()
    assert list(Organisation.objects.values_list("name", flat=True)) == ["Ateliers déjà inscrits"]
    assert not OutgoingEmail.objects.exists()
