"""Committee membership of a call, managed from its committee page: members added and
removed one by one among the committee role's holders, a new one invited from there;
every change written in the call's history."""

import html

import pytest
from django.urls import reverse

from ais.accounts.models import Role
from ais.outbox import reasons
from ais.outbox.models import OutgoingEmail
from projects import committee
from projects.models import SessionStatus
from projects.services import DossierError
from tests.conftest import make_user
from tests.projects.factories import CommitteeMemberFactory, ReviewAssignmentFactory, SelectionSessionFactory


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def test_manager_adds_a_member_and_the_call_history_says_who_and_when(manager_client, call, manager):
    member = CommitteeMemberFactory(first_name="Nadia", last_name="Roux")
    url = reverse("projects:committee", args=[call.pk])

    response = manager_client.post(
        reverse("projects:committee_member_add", args=[call.pk]), {"member-member": member.pk}
    )

    assert response["Location"] == url
    assert list(call.committee_members.all()) == [member]
    entry = call.history.latest()
    assert entry.history_user == manager
    assert entry.history_change_reason == "Membre du comité ajouté : Nadia Roux"
    assert "Nadia Roux" in text(manager_client.get(url))


def test_a_person_without_the_committee_role_cannot_be_added(call, manager):
    carrier = make_user(Role.CARRIER)

    with pytest.raises(DossierError):
        committee.add_committee_member(call, carrier, by=manager)
    assert not call.committee_members.exists()


def test_adding_nobody_keeps_the_page_with_the_error(manager_client, call):
    response = manager_client.post(reverse("projects:committee_member_add", args=[call.pk]), {"member-member": ""})

    assert response.status_code == 400
    assert "Ce champ est obligatoire." in text(response)


def test_manager_removes_a_member_without_dossiers(manager_client, call, members, manager):
    alice = members[0]

    manager_client.post(reverse("projects:committee_member_remove", args=[call.pk, alice.pk]))

    assert alice not in call.committee_members.all()
    assert call.history.latest().history_change_reason == "Membre du comité retiré : Alice Aubert"


def test_a_member_with_dossiers_to_review_stays_until_they_are_taken_back(manager_client, call, members, dossier):
    ReviewAssignmentFactory(dossier=dossier, member=members[0])

    response = manager_client.post(
        reverse("projects:committee_member_remove", args=[call.pk, members[0].pk]), follow=True
    )

    assert members[0] in call.committee_members.all()
    assert "Alice Aubert a encore 1 dossier de cet appel à évaluer" in text(response)


def test_removing_someone_who_is_not_a_member_is_a_404(manager_client, call):
    outsider = CommitteeMemberFactory()

    response = manager_client.post(reverse("projects:committee_member_remove", args=[call.pk, outsider.pk]))

    assert response.status_code == 404


def test_manager_invites_a_new_member_from_the_call(manager_client, call, manager):
    response = manager_client.post(
        reverse("projects:committee_member_invite", args=[call.pk]),
        {"invite-first_name": "Yanis", "invite-last_name": "Morel", "invite-email": "yanis.morel@anct.gouv.fr"},
    )

    assert response["Location"] == reverse("projects:committee", args=[call.pk])
    member = call.committee_members.get()
    assert member.email == "yanis.morel@anct.gouv.fr"
    assert member.has_role(Role.COMMITTEE) and not member.has_usable_password()
    email = OutgoingEmail.objects.get(reason=reasons.ACCOUNT_INVITATION)
    assert email.recipient == "yanis.morel@anct.gouv.fr" and "/compte/invitation/" in email.body


def test_inviting_an_existing_address_keeps_what_was_typed(manager_client, call):
    CommitteeMemberFactory(email="deja@exemple.fr")

    response = manager_client.post(
        reverse("projects:committee_member_invite", args=[call.pk]),
        {"invite-first_name": "Yanis", "invite-last_name": "Morel", "invite-email": "deja@exemple.fr"},
    )

    assert response.status_code == 400
    page = text(response)
    assert "Une personne a déjà un compte avec cette adresse" in page
    assert 'value="Morel"' in page
    assert not call.committee_members.exists()
    assert not OutgoingEmail.objects.exists()


def test_membership_of_a_call_whose_session_is_closed_cannot_change(manager_client, call, members, manager):
    SelectionSessionFactory(call=call, status=SessionStatus.CLOSED)
    newcomer = CommitteeMemberFactory()

    with pytest.raises(DossierError):
        committee.add_committee_member(call, newcomer, by=manager)
    with pytest.raises(DossierError):
        committee.remove_committee_member(call, members[0], by=manager)
    page = text(manager_client.get(reverse("projects:committee", args=[call.pk])))
    assert reverse("projects:committee_member_add", args=[call.pk]) not in page
    assert set(call.committee_members.all()) == set(members)
