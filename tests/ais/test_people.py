"""The administrators' people and roles: the list and its search, a person's page and
history, invitations (the signed link, its expiry, its single use), roles given and
removed, deactivation and reactivation, and the rules that guard them."""

import html
import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from ais.accounts import services
from ais.accounts.models import Membership, Role
from ais.outbox import reasons
from ais.outbox.models import OutgoingEmail
from tests.ais.factories import OrganisationFactory, UserFactory
from tests.conftest import make_user

User = get_user_model()
NEW_PASSWORD = "Comite-Pilotage-2026!"


def text(response) -> str:
    return html.unescape(response.content.decode())


def invitation_link(email: OutgoingEmail) -> str:
    match = re.search(r"https?://[^/\s]+(/compte/invitation/\S+/)", email.body)
    assert match, f"no invitation link in the e-mail:\n{email.body}"
    return match.group(1)


@pytest.fixture
def admin(db):
    return make_user(Role.ADMIN, first_name="Agnès", last_name="Admin")


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def _invite(admin_client, **data):
    posted = {
        "first_name": "Samia",
        "last_name": "Benali",
        "email": "Samia.Benali@Partenaire.fr",
        "job_title": "Chargée de mission",
        "role": Role.COMMITTEE,
        "organisation": "",
        **data,
    }
    return admin_client.post(reverse("people:invite"), posted)


# Invitation -----------------------------------------------------------------------------


def test_invite_creates_the_account_and_emails_a_link_that_sets_the_password(admin_client, client, admin):
    response = _invite(admin_client)

    person = User.objects.get(email="samia.benali@partenaire.fr")
    assert response["Location"] == reverse("people:detail", args=[person.pk])
    assert person.is_active and not person.has_usable_password()
    assert list(person.memberships.values_list("role", flat=True)) == [Role.COMMITTEE]
    email = OutgoingEmail.objects.get(reason=reasons.ACCOUNT_INVITATION)
    assert email.recipient == "samia.benali@partenaire.fr"
    assert "Bonjour Samia," in email.body and "Agnès Admin" in email.body
    assert "Membre du comité de pilotage" in email.body

    client.logout()
    link = invitation_link(email)
    form = client.get(link)
    assert form.status_code == 200 and "Choisissez votre mot de passe" in text(form)
    done = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert done["Location"] == reverse("portal:dashboard")
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    assert client.get(reverse("portal:dashboard")).wsgi_request.user == person
    again = client.get(link)  # the link works once
    assert again.status_code == 400
    assert "Ce lien d'invitation a déjà été utilisé" in text(again)


def test_invitation_password_form_keeps_the_error_in_french(admin_client, client):
    _invite(admin_client)
    link = invitation_link(OutgoingEmail.objects.get(reason=reasons.ACCOUNT_INVITATION))
    client.logout()

    response = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": "autre-chose-2026"})

    assert response.status_code == 400
    assert "Les deux mots de passe ne correspondent pas" in text(response)
    assert not User.objects.get(email="samia.benali@partenaire.fr").has_usable_password()


def test_expired_invitation_link_explains_and_sends_a_new_one(admin_client, client):
    _invite(admin_client)
    link = invitation_link(OutgoingEmail.objects.get(reason=reasons.ACCOUNT_INVITATION))
    client.logout()

    with time_machine.travel(timezone.now() + timedelta(days=8)):
        expired = client.get(link)
        page = text(expired)
        assert expired.status_code == 400
        assert "Ce lien d'invitation a expiré" in page
        assert "valables sept jours" in page
        token = link.rstrip("/").rsplit("/", 1)[1]
        renewed = client.post(reverse("accounts:invitation_renew"), {"token": token})
        assert "Vérifiez votre messagerie" in text(renewed)
        emails = list(OutgoingEmail.objects.filter(reason=reasons.ACCOUNT_INVITATION).order_by("pk"))
        assert len(emails) == 2
        new_link = invitation_link(emails[1])
        assert new_link != link
        assert client.get(new_link).status_code == 200
        client.post(reverse("accounts:invitation_renew"), {"token": token})  # posted again: no second e-mail
        assert OutgoingEmail.objects.filter(reason=reasons.ACCOUNT_INVITATION).count() == 2


def test_invalid_invitation_link_says_so_and_sends_nothing(client, db):
    response = client.get(reverse("accounts:invitation", args=["pas-un-jeton"]))
    renew = client.post(reverse("accounts:invitation_renew"), {"token": "pas-un-jeton"})

    assert response.status_code == 400
    assert "Ce lien d'invitation n'est pas valable" in text(response)
    assert renew.status_code == 200
    assert not OutgoingEmail.objects.exists()


def test_invite_an_existing_address_keeps_the_input_and_says_what_to_do(admin_client):
    UserFactory(email="samia.benali@partenaire.fr")

    response = _invite(admin_client, first_name="Samia")

    assert response.status_code == 400
    page = text(response)
    assert "Une personne a déjà un compte avec cette adresse" in page
    assert 'value="Samia"' in page and 'value="Chargée de mission"' in page
    assert not OutgoingEmail.objects.exists()


def test_invite_a_carrier_without_organisation_is_refused_on_the_field(admin_client):
    response = _invite(admin_client, role=Role.CARRIER)

    assert response.status_code == 400
    assert "Ce rôle s'exerce pour une organisation : choisissez-la." in text(response)
    assert not User.objects.filter(email="samia.benali@partenaire.fr").exists()


# Roles -------------------------------------------------------------------------------


def test_give_and_remove_a_role_from_the_person_page_is_in_its_history(admin_client, admin):
    person = make_user(Role.COMMITTEE, first_name="Paul", last_name="Martin")
    organisation = OrganisationFactory(name="Jardins du Val")
    url = reverse("people:detail", args=[person.pk])

    given = admin_client.post(url, {"role": Role.STRUCTURE, "organisation": organisation.pk})
    assert given["Location"] == url
    membership = Membership.objects.get(user=person, role=Role.STRUCTURE)
    assert membership.organisation == organisation

    removed = admin_client.post(reverse("people:role_remove", args=[person.pk, membership.pk]))
    assert removed["Location"] == url
    assert not Membership.objects.filter(pk=membership.pk).exists()

    page = text(admin_client.get(url))
    assert "Rôle donné : Structure essaimée – Jardins du Val" in page
    assert "Rôle retiré : Structure essaimée – Jardins du Val" in page
    assert "par Agnès Admin" in page
    assert re.search(r"\d{1,2}(er)? \w+ 20\d\d à \d{1,2}\xa0h(\xa0\d\d)?", page)  # French local date and hour


def test_give_a_role_already_held_keeps_the_choice_and_says_so(admin_client):
    person = make_user(Role.COMMITTEE)

    response = admin_client.post(reverse("people:detail", args=[person.pk]), {"role": Role.COMMITTEE})

    assert response.status_code == 400
    assert "Cette personne a déjà ce rôle." in text(response)
    assert person.memberships.count() == 1


def test_nobody_removes_their_own_administrator_role(admin_client, admin):
    make_user(Role.ADMIN)  # another administrator exists
    membership = admin.memberships.get(role=Role.ADMIN)

    response = admin_client.post(reverse("people:role_remove", args=[admin.pk, membership.pk]), follow=True)

    assert Membership.objects.filter(pk=membership.pk).exists()
    assert "Vous ne pouvez pas retirer votre propre rôle d'administrateur" in text(response)


def test_the_last_administrator_keeps_the_role(admin):
    other = make_user(Role.MANAGER)
    membership = admin.memberships.get(role=Role.ADMIN)

    with pytest.raises(services.PeopleError, match="dernier administrateur"):
        services.remove_role(membership, by=other)


# Deactivation ---------------------------------------------------------------------------


def test_deactivate_then_reactivate_a_person(admin_client, client):
    person = make_user(Role.MANAGER, first_name="Luc", last_name="Petit")
    url = reverse("people:detail", args=[person.pk])

    admin_client.post(reverse("people:deactivate", args=[person.pk]))
    person.refresh_from_db()
    assert not person.is_active
    page = text(admin_client.get(url))
    assert "Compte désactivé" in page and "Réactiver le compte" in page

    admin_client.post(reverse("people:reactivate", args=[person.pk]))
    person.refresh_from_db()
    assert person.is_active
    assert "Compte réactivé" in text(admin_client.get(url))


def test_deactivated_person_can_no_longer_log_in(admin, password, client):
    person = make_user(Role.MANAGER, email="luc.petit@ansa.fr")
    services.deactivate_user(person, by=admin)

    client.post(reverse("accounts:login"), {"username": "luc.petit@ansa.fr", "password": password})

    assert not client.get(reverse("portal:dashboard")).wsgi_request.user.is_authenticated


def test_nobody_deactivates_themselves(admin_client, admin):
    make_user(Role.ADMIN)

    response = admin_client.post(reverse("people:deactivate", args=[admin.pk]), follow=True)

    admin.refresh_from_db()
    assert admin.is_active
    assert "Vous ne pouvez pas désactiver votre propre compte." in text(response)


def test_the_last_administrator_cannot_be_deactivated(db):
    last = make_user(Role.ADMIN)
    superuser = UserFactory(is_superuser=True, is_active=False)  # an inactive superuser does not count
    manager = make_user(Role.MANAGER)
    assert not superuser.is_active

    with pytest.raises(services.PeopleError, match="dernier administrateur"):
        services.deactivate_user(last, by=manager)


# List --------------------------------------------------------------------------------


def test_people_list_searches_by_name_and_filters_by_role_and_status(admin_client, admin):
    org = OrganisationFactory(name="Fondation Avenir")
    make_user(Role.COMMITTEE, first_name="Hélène", last_name="Lefèvre")
    UserFactory(first_name="Omar", last_name="Diallo", roles=[(Role.CARRIER, org)])
    services.invite_person(email="invite@exemple.fr", first_name="Inès", last_name="Nouvelle", role="manager", by=admin)
    url = reverse("people:list")

    by_name = text(admin_client.get(url, {"q": "lefevre"}))  # accents ignored
    assert "Hélène Lefèvre" in by_name and "Omar Diallo" not in by_name
    by_org = text(admin_client.get(url, {"organisation": org.pk}))
    assert "Omar Diallo" in by_org and "Hélène Lefèvre" not in by_org
    assert "Porteur de projet" in by_org and "Fondation Avenir" in by_org
    invited = text(admin_client.get(url, {"status": "invited"}))
    assert "Inès Nouvelle" in invited and "Hélène Lefèvre" not in invited
    assert "Invitation en attente" in invited
    by_role = text(admin_client.get(url, {"role": Role.COMMITTEE}))
    assert "Hélène Lefèvre" in by_role and "Omar Diallo" not in by_role


@pytest.mark.parametrize("role", [Role.MANAGER, Role.COMMITTEE, Role.CARRIER, Role.STRUCTURE])
def test_only_administrators_manage_people(client, db, role):
    user = make_user(role)
    client.force_login(user)

    assert client.get(reverse("people:list")).status_code == 403
    assert client.post(reverse("people:deactivate", args=[user.pk])).status_code == 403
    user.refresh_from_db()
    assert user.is_active


def test_unknown_person_is_a_404(admin_client):
    assert admin_client.get(reverse("people:detail", args=[999999])).status_code == 404


def test_deactivation_ends_the_open_session_at_the_next_request(admin, client):
    person = make_user(Role.MANAGER)
    client.force_login(person)
    assert client.get(reverse("portal:dashboard")).status_code == 200

    services.deactivate_user(person, by=admin)

    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_invited_person_accepting_is_in_their_history_by_themselves(admin, client):
    person = services.invite_person(
        email="marc.lemoine@exemple.fr", first_name="Marc", last_name="Lemoine", role=Role.COMMITTEE, by=admin
    )
    client.post(
        reverse("accounts:invitation", args=[services.invitation_token(person)]),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    client.force_login(admin)

    page = text(client.get(reverse("people:detail", args=[person.pk])))

    assert "Mot de passe choisi depuis l'invitation" in page and "par Marc Lemoine" in page
    assert "Invitation envoyée par e-mail" in page and "par Agnès Admin" in page


@pytest.mark.parametrize(("role", "shown"), [(Role.ADMIN, True), (Role.MANAGER, False)])
def test_the_menu_offers_people_and_roles_to_administrators_only(client, db, role, shown):
    client.force_login(make_user(role))

    page = text(client.get(reverse("portal:dashboard")))

    assert (f'href="{reverse("people:list")}"' in page) is shown


def test_people_list_pages_keep_the_filters(admin_client):
    for number in range(26):
        make_user(Role.COMMITTEE, last_name=f"Membre {number:02d}")

    page = text(admin_client.get(reverse("people:list"), {"role": Role.COMMITTEE}))

    assert "26 personnes" in page
    assert "Membre 24" in page and "Membre 25" not in page  # 25 a page
    assert 'href="?role=committee&page=2"' in page
