"""Access-matrix entries of the people and roles (ais/accounts/people_views.py:
administrators only, managers included in the refusal), of the invitation link (public:
the link is the credential) and of the committee membership of a call (managers and
administrators, like the rest of the committee page)."""

from ais.accounts import services
from ais.accounts.models import Membership, Role
from tests.access_matrix import STAFF, Access, everyone, logged_in, only
from tests.ais.factories import OrganisationFactory, UserFactory
from tests.projects.factories import CommitteeMemberFactory

PERSON_PAGE = "/administration/personnes/{pk}/"
COMMITTEE_PAGE = "/gestion/appels/{pk}/comite/"


def _person(o) -> dict:
    person = UserFactory(first_name="Rose", last_name="Valette", roles=[(Role.STRUCTURE, OrganisationFactory())])
    return {"pk": person.pk}


def _membership(o) -> dict:
    person = UserFactory(first_name="Rose", last_name="Valette", roles=[Role.COMMITTEE, Role.MANAGER])
    return {"pk": person.pk, "membership_pk": Membership.objects.get(user=person, role=Role.MANAGER).pk}


def _invited_user():
    """A person invited who has not chosen a password yet."""
    person = UserFactory(first_name="Rose", last_name="Valette", roles=[Role.COMMITTEE])
    person.set_unusable_password()
    person.save()
    return person


def _invited(o) -> dict:
    return {"pk": _invited_user().pk}


def _call_member(o) -> dict:
    member = CommitteeMemberFactory(first_name="Rose", last_name="Valette")
    o.call.committee_members.add(member)
    return {"pk": o.call.pk, "member_pk": member.pk}


MATRIX: dict = {
    "people:list": Access(None, only(Role.ADMIN), "Personnes et rôles"),
    "people:invite": Access(None, only(Role.ADMIN), 'name="email"'),
    "people:detail": Access(_person, only(Role.ADMIN), "Rose Valette"),
    "people:role_remove": Access(_membership, logged_in(405)),  # require_POST
    "people:deactivate": Access(_person, logged_in(405)),  # require_POST
    "people:reactivate": Access(_person, logged_in(405)),  # require_POST
    "people:resend_invitation": Access(_invited, logged_in(405)),  # require_POST
    # The invitation link: whoever holds it (logged in or not) chooses the password.
    "accounts:invitation": Access(
        lambda o: {"token": services.invitation_token(_invited_user())}, everyone(200), 'name="new_password1"'
    ),
    "accounts:invitation [invalid token]": Access(
        lambda o: {"token": "jeton-invalide"}, everyone(400), "Ce lien d'invitation n'est pas valable"
    ),
    "accounts:invitation_renew": Access(None, everyone(405)),  # require_POST
    "projects:committee_member_add": Access(lambda o: {"pk": o.call.pk}, logged_in(405)),  # require_POST
    "projects:committee_member_remove": Access(_call_member, logged_in(405)),  # require_POST
    "projects:committee_member_invite": Access(lambda o: {"pk": o.call.pk}, logged_in(405)),  # require_POST
}

POST_MATRIX: dict = {
    # Nothing typed: the form again with its errors.
    "people:invite": Access(None, only(Role.ADMIN, ok=400), 'name="email"'),
    "people:detail": Access(_person, only(Role.ADMIN, ok=400), "Rose Valette"),
    "people:role_remove": Access(_membership, only(Role.ADMIN, ok=PERSON_PAGE)),
    "people:deactivate": Access(_person, only(Role.ADMIN, ok=PERSON_PAGE)),
    "people:reactivate": Access(_person, only(Role.ADMIN, ok=PERSON_PAGE)),  # already active: refused, back
    "people:resend_invitation": Access(_invited, only(Role.ADMIN, ok=PERSON_PAGE)),
    "accounts:invitation [invalid token]": Access(
        lambda o: {"token": "jeton-invalide"}, everyone(400), "Ce lien d'invitation n'est pas valable"
    ),
    "accounts:invitation_renew": Access(None, everyone(200), "Vérifiez votre messagerie"),
    "projects:committee_member_add": Access(lambda o: {"pk": o.call.pk}, only(*STAFF, ok=400), 'name="member-member"'),
    "projects:committee_member_remove": Access(_call_member, only(*STAFF, ok=COMMITTEE_PAGE)),
    "projects:committee_member_invite": Access(
        lambda o: {"pk": o.call.pk}, only(*STAFF, ok=400), 'name="invite-email"'
    ),
}

POST_DATA: dict = {
    "accounts:invitation_renew": {"token": "jeton-invalide"},
}
