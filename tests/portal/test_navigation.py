"""The role-aware navigation bar (portal/navigation.py): short enough to fit from
1200 px wide with the account menu, and every page still one click away."""

import pytest

from ais.accounts.models import Role
from portal.navigation import _items
from tests.ais.factories import OrganisationFactory, UserFactory
from tests.conftest import ROLES, make_user

MAX_TOP_LEVEL = 6  # what fits in the bar at 1200 px with the account menu


def _urls(items) -> set[str]:
    return {child["url"] for item in items for child in [item, *item.get("children", [])] if child["url"]}


@pytest.mark.parametrize("role", [role for role in ROLES if role != "anonymous"])
def test_navigation_has_few_top_level_entries(db, role):
    items = _items(make_user(role))

    assert len(items) <= MAX_TOP_LEVEL, [str(item["label"]) for item in items]


def test_navigation_of_a_person_with_every_non_staff_role_groups_their_pages(db):
    roles = [(Role.CARRIER, OrganisationFactory()), (Role.STRUCTURE, OrganisationFactory()), (Role.COMMITTEE, None)]

    items = _items(UserFactory(roles=roles))

    assert len(items) <= MAX_TOP_LEVEL
    assert [str(item["label"]) for item in items] == ["Tableau de bord", "Mon espace", "Le programme"]
    assert {"/dossiers/", "/questionnaires/", "/comite/dossiers/", "/evenements/", "/ressources/"} <= _urls(items)


def test_navigation_keeps_the_public_pages_for_a_carrier(db):
    items = _items(make_user(Role.CARRIER))

    labels = [str(item["label"]) for item in items]
    assert labels == ["Tableau de bord", "Mes dossiers", "Mon innovation", "Formations", "Le programme"]
    assert {"/appels/", "/innovations/", "/evenements/", "/ressources/"} <= _urls(items)
