"""Deciding on applications: selecting makes the organisation an adopting structure
and invites its contact; not selecting needs a reason; one decision per application."""

import pytest
from django.urls import reverse

from ais.accounts.models import Membership, Organisation, Role, User
from ais.outbox import reasons
from ais.outbox.models import OutgoingEmail
from essaimage import services
from essaimage.emails import STRUCTURE_DECISION
from essaimage.models import ApplicationStatus, SpreadStructure, StructureStatus
from essaimage.services import SpreadingError
from tests.ais.factories import OrganisationFactory, UserFactory
from tests.essaimage.factories import StructureApplicationFactory, StructureCallFactory
from tests.projects.factories import InnovationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(db):
    call = StructureCallFactory(innovation=InnovationFactory(name="VITA-Air"), wave=2)
    return StructureApplicationFactory(
        call=call,
        organisation_name="ACI Les Jardins du Val",
        siret="44306184100047",
        contact_first_name="Paul",
        contact_last_name="Martin",
        contact_email="paul.martin@jardins-du-val.fr",
        contact_function="Encadrant technique",
        is_rural=True,
        capacity=18,
    )


def _select(client, application, **data):
    url = reverse("essaimage:application_select", kwargs={"pk": application.pk})
    return client.post(url, {f"select-{application.pk}-{key}": value for key, value in data.items()})


def _reject(client, application, **data):
    url = reverse("essaimage:application_reject", kwargs={"pk": application.pk})
    return client.post(url, {f"reject-{application.pk}-{key}": value for key, value in data.items()})


def test_select_creates_organisation_structure_contact_and_invitation(
    manager_client, application, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _select(manager_client, application, wave="", note="Bienvenue dans la vague 2 !")

    assert response.status_code == 302
    assert (
        response.url == reverse("essaimage:applications", kwargs={"pk": application.call_id}) + f"#app-{application.pk}"
    )
    organisation = Organisation.objects.get(siret="44306184100047")
    assert (organisation.name, organisation.kind, organisation.commune) == (
        "ACI Les Jardins du Val",
        application.organisation_kind,
        application.commune,
    )
    structure = SpreadStructure.objects.get(organisation=organisation)
    assert structure.innovation == application.call.innovation
    assert (structure.status, structure.wave, structure.capacity, structure.is_rural) == (
        StructureStatus.SELECTED,
        2,
        18,
        True,
    )
    assert structure.selected_on is not None
    assert structure.history.first().history_user == manager_client.user
    application.refresh_from_db()
    assert (application.status, application.structure, application.decided_by) == (
        ApplicationStatus.SELECTED,
        structure,
        manager_client.user,
    )
    contact = User.objects.get(email="paul.martin@jardins-du-val.fr")
    assert (contact.first_name, contact.last_name, contact.job_title) == ("Paul", "Martin", "Encadrant technique")
    assert not contact.has_usable_password()
    assert Membership.objects.filter(user=contact, role=Role.STRUCTURE, organisation=organisation).exists()
    invitation = OutgoingEmail.objects.get(reason=reasons.ACCOUNT_INVITATION)
    assert invitation.recipient == "paul.martin@jardins-du-val.fr"
    assert "/compte/mot-de-passe/nouveau/" in invitation.body and "VITA-Air" in invitation.body
    decision = OutgoingEmail.objects.get(reason=STRUCTURE_DECISION)
    assert decision.recipient == "paul.martin@jardins-du-val.fr"
    assert "Bienvenue dans la vague 2 !" in decision.body


def test_select_reuses_organisation_with_the_same_siret(manager, application):
    existing = OrganisationFactory(name="Les Jardins du Val (ACI)", siret="44306184100047")

    structure = services.select_application(application, by=manager)

    assert structure.organisation == existing
    assert Organisation.objects.filter(siret="44306184100047").count() == 1


def test_select_with_a_wave_puts_the_structure_in_it(manager_client, application):
    _select(manager_client, application, wave="3", note="")

    assert SpreadStructure.objects.get().wave == 3


def test_select_existing_user_gets_the_role_without_new_account(manager, application):
    person = UserFactory(email="paul.martin@jardins-du-val.fr")

    structure = services.select_application(application, by=manager)

    assert User.objects.filter(email="paul.martin@jardins-du-val.fr").count() == 1
    assert person.memberships.filter(role=Role.STRUCTURE, organisation=structure.organisation).exists()
    invitation = OutgoingEmail.objects.get(reason=reasons.ACCOUNT_INVITATION)
    assert "/compte/connexion/" in invitation.body  # a person with a password logs in as usual


def test_second_decision_is_refused(manager_client, application):
    _select(manager_client, application, wave="", note="")

    again = _select(manager_client, application, wave="", note="")
    reject = _reject(manager_client, application, note="Finalement non")

    assert again.status_code == reject.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SELECTED
    assert SpreadStructure.objects.count() == 1
    assert OutgoingEmail.objects.filter(reason=STRUCTURE_DECISION).count() == 1
    with pytest.raises(SpreadingError):
        services.reject_application(application, by=manager_client.user, note="Non")


def test_reject_requires_a_note(manager_client, application):
    response = _reject(manager_client, application, note="  ")

    assert response.status_code == 400
    assert "ACI Les Jardins du Val" in response.content.decode()
    assert "data-open-on-load" in response.content.decode()  # the dialog with the error opens again
    application.refresh_from_db()
    assert application.status == ApplicationStatus.RECEIVED
    assert not OutgoingEmail.objects.exists()
    with pytest.raises(SpreadingError):
        services.reject_application(application, by=manager_client.user, note="")


def test_reject_emails_the_decision_with_the_note(manager_client, application, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _reject(manager_client, application, note="Votre territoire est déjà couvert par une structure.")

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert application.decision_note == "Votre territoire est déjà couvert par une structure."
    assert not SpreadStructure.objects.exists()
    assert not User.objects.filter(email="paul.martin@jardins-du-val.fr").exists()
    email = OutgoingEmail.objects.get(reason=STRUCTURE_DECISION)
    assert email.recipient == "paul.martin@jardins-du-val.fr"
    assert "Votre territoire est déjà couvert par une structure." in email.body


def test_applications_page_lists_applications_with_counts(manager_client, application):
    StructureApplicationFactory(call=application.call, organisation_name="EI Bâtir Ensemble", status="rejected")

    content = manager_client.get(reverse("essaimage:applications", kwargs={"pk": application.call_id})).content.decode()

    assert "ACI Les Jardins du Val" in content and "EI Bâtir Ensemble" in content
    assert "paul.martin@jardins-du-val.fr" in content
    assert f'action="{reverse("essaimage:application_select", kwargs={"pk": application.pk})}"' in content
    assert "0 / 10" in content  # selected / places sought


def test_select_keeps_the_applications_phone_in_the_contacts_account(manager, application):
    """The phone number given in the application reaches the contact (issue 16)."""
    application.contact_phone = "02 35 12 34 56"
    application.save(update_fields=["contact_phone"])

    structure = services.select_application(application, by=manager)

    contact = User.objects.get(email__iexact=application.contact_email)
    assert contact.phone == "02 35 12 34 56"
    assert Membership.objects.filter(user=contact, role=Role.STRUCTURE, organisation=structure.organisation).exists()
