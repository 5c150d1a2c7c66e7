"""Automatic assignment of reviewers, checked on many generated committees: M
members (1–8), D eligible dossiers (0–20), N members wanted per dossier (1–4)
and conflicts of interest declared beforehand, each case drawn from its seed."""

import random
from collections import Counter

import pytest
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from ais.accounts.models import Role
from projects import committee
from projects.models import ReviewAssignment
from projects.services import DossierError
from tests.ais.factories import OrganisationFactory, UserFactory
from tests.conftest import make_user
from tests.projects.committee.conftest import page
from tests.projects.factories import (
    CallFactory,
    CommitteeMemberFactory,
    DossierFactory,
    EligibleDossierFactory,
    ReviewAssignmentFactory,
    submitted_review,
)

SEEDS = range(60)


def _generated_committee(seed):
    """A call with its committee, eligible dossiers and declared conflicts, drawn from ``seed``.

    A third of the cases have no conflict at all; in the others each (dossier, member)
    pair is conflicted with a probability of 0.15 or 0.5. Also present, and never to
    be assigned: an inactive member of the committee and a dossier that is not eligible.
    """
    rng = random.Random(seed)
    m, d, n = rng.randint(1, 8), rng.randint(0, 20), rng.randint(1, 4)
    conflict_rate = 0 if seed % 3 == 0 else rng.choice([0.15, 0.5])
    call = CallFactory(closed=True, grid=False, reviewers_per_dossier=n)
    members = [CommitteeMemberFactory(last_name=f"Membre {i:02d}") for i in range(m)]
    inactive = CommitteeMemberFactory(last_name="Ancien membre", is_active=False)
    call.committee_members.set([*members, inactive])
    carrier = UserFactory(roles=[(Role.CARRIER, OrganisationFactory())])
    dossiers = [EligibleDossierFactory(call=call, created_by=carrier) for _ in range(d)]
    not_eligible = DossierFactory(call=call, submitted=True, created_by=carrier)
    conflicted = [(dossier, member) for dossier in dossiers for member in members if rng.random() < conflict_rate]
    for dossier, member in conflicted:
        # The instances, not their ids: ``dossier_id=`` would leave the factory to make a dossier
        # of its own (with its call, organisation and users) before the id replaced it.
        ReviewAssignmentFactory(dossier=dossier, member=member, conflict=True)
    conflicts = {(dossier.pk, member.pk) for dossier, member in conflicted}
    return call, members, inactive, dossiers, not_eligible, conflicts, n


def _active(call):
    """``{dossier_id: [member_id, ...]}`` of the assignments that are not conflicts."""
    active = {}
    for dossier_id, member_id in (
        ReviewAssignment.objects.filter(dossier__call=call)
        .exclude(has_conflict=True)
        .values_list("dossier_id", "member_id")
    ):
        active.setdefault(dossier_id, []).append(member_id)
    return active


@pytest.mark.parametrize("seed", SEEDS)
def test_assign_reviewers_generated_cases_hold_the_rules(seed, manager):
    call, members, inactive, dossiers, not_eligible, conflicts, n = _generated_committee(seed)
    member_ids = {member.pk for member in members}

    report = committee.assign_reviewers(call, by=manager)

    active = _active(call)
    expected_unfilled = {}
    for dossier in dossiers:
        conflicted = {member_id for dossier_id, member_id in conflicts if dossier_id == dossier.pk}
        available = len(member_ids - conflicted)
        given = active.get(dossier.pk, [])
        # min(N, available) distinct members, never one who declared a conflict
        assert len(given) == len(set(given)) == min(n, available), f"seed {seed}, {dossier}"
        assert not set(given) & conflicted
        assert set(given) <= member_ids
        if available < n:
            expected_unfilled[dossier.pk] = n - available
    assert {dossier.pk: missing for dossier, missing in report.unfilled.items()} == expected_unfilled
    assert report.created == sum(len(given) for given in active.values())
    # conflicts stay declared, and nobody else gets assigned
    assert ReviewAssignment.objects.filter(has_conflict=True).count() == len(conflicts)
    assert not ReviewAssignment.objects.filter(member=inactive).exists()
    assert not ReviewAssignment.objects.filter(dossier=not_eligible).exists()
    if not conflicts:
        loads = Counter(member_id for given in active.values() for member_id in given)
        per_member = [loads.get(member_id, 0) for member_id in member_ids]
        assert max(per_member) - min(per_member) <= 1, f"seed {seed}: loads {sorted(per_member)}"


@pytest.mark.parametrize("seed", SEEDS[::6])
def test_assign_reviewers_twice_adds_nothing(seed, manager):
    call, *_rest = _generated_committee(seed)
    first = committee.assign_reviewers(call, by=manager)
    before = sorted(ReviewAssignment.objects.values_list("dossier_id", "member_id", "has_conflict"))

    second = committee.assign_reviewers(call, by=manager)

    assert second.created == 0
    assert sorted(ReviewAssignment.objects.values_list("dossier_id", "member_id", "has_conflict")) == before
    assert second.unfilled == first.unfilled


# Hand-made cases ------------------------------------------------------------------------


@pytest.fixture
def three_members(call):
    people = [CommitteeMemberFactory(last_name=name) for name in ("Aubert", "Blanc", "Colin")]
    call.committee_members.set(people)
    return people


def test_assign_reviewers_gives_least_loaded_members_in_name_order(call, three_members, manager):
    first, second = EligibleDossierFactory(call=call), EligibleDossierFactory(call=call)  # 2 per dossier

    report = committee.assign_reviewers(call, by=manager)

    aubert, blanc, colin = three_members
    given = {
        dossier: set(ReviewAssignment.objects.filter(dossier=dossier).values_list("member__last_name", flat=True))
        for dossier in (first, second)
    }
    assert (report.created, report.unfilled) == (4, {})
    assert given[first] == {"Aubert", "Blanc"}
    assert given[second] == {"Colin", "Aubert"}


def test_assign_reviewers_counts_existing_assignments_and_completes(call, three_members, manager):
    dossier = EligibleDossierFactory(call=call)
    ReviewAssignmentFactory(dossier=dossier, member=three_members[2])  # Colin, not declared yet

    report = committee.assign_reviewers(call, by=manager)

    assert report.created == 1
    assert set(ReviewAssignment.objects.filter(dossier=dossier).values_list("member__last_name", flat=True)) == {
        "Aubert",
        "Colin",
    }


def test_assign_reviewers_replaces_a_member_who_declared_a_conflict(call, three_members, manager):
    dossier = EligibleDossierFactory(call=call)
    committee.assign_reviewers(call, by=manager)  # Aubert and Blanc
    aubert = ReviewAssignment.objects.get(dossier=dossier, member=three_members[0])
    committee.declare_conflict(aubert, has_conflict=True, note="Administrateur", by=aubert.member)

    report = committee.assign_reviewers(call, by=manager)

    assert report.created == 1
    assert set(_active(call)[dossier.pk]) == {three_members[1].pk, three_members[2].pk}


def test_auto_assign_view_reports_unfilled_dossiers(client, call, three_members, manager):
    call.reviewers_per_dossier = 3
    call.save()
    dossier = EligibleDossierFactory(call=call, innovation_name="Parcours Gardien")
    ReviewAssignmentFactory(dossier=dossier, member=three_members[0], conflict=True)
    client.force_login(manager)

    response = client.post(reverse("projects:auto_assign", args=[call.pk]), follow=True)

    content = page(response)
    assert ngettext("%(n)s assignment created.", "%(n)s assignments created.", 2) % {"n": 2} in content
    assert (
        ngettext(
            "“%(dossier)s” is missing %(n)s member: no other member without a conflict is available.",
            "“%(dossier)s” is missing %(n)s members: no other member without a conflict is available.",
            1,
        )
        % {"dossier": "Parcours Gardien", "n": 1}
        in content
    )
    assert ReviewAssignment.objects.filter(dossier=dossier).exclude(has_conflict=True).count() == 2


def test_manual_assign_view_adds_one_member(client, call, three_members, manager):
    dossier = EligibleDossierFactory(call=call)
    client.force_login(manager)

    response = client.post(
        reverse("projects:manual_assign", args=[call.pk]), {"dossier": dossier.pk, "member": three_members[1].pk}
    )

    assert response["Location"] == reverse("projects:committee", args=[call.pk])
    assert list(ReviewAssignment.objects.values_list("dossier_id", "member_id")) == [(dossier.pk, three_members[1].pk)]


def test_unassign_view_removes_an_undeclared_assignment(client, call, three_members, manager):
    assignment = ReviewAssignmentFactory(dossier__call=call, member=three_members[0])
    client.force_login(manager)

    response = client.post(reverse("projects:unassign", args=[assignment.pk]))

    assert response["Location"] == reverse("projects:committee", args=[call.pk])
    assert not ReviewAssignment.objects.exists()


def test_unassign_submitted_review_is_refused(call, three_members, manager, criteria):
    assignment = ReviewAssignmentFactory(dossier__call=call, member=three_members[0], declared=True)
    submitted_review(assignment, [3] * len(criteria))

    with pytest.raises(DossierError):
        committee.unassign(assignment, by=manager)

    assert ReviewAssignment.objects.filter(pk=assignment.pk).exists()


def test_committee_page_shows_members_loads_and_statuses(client, call, three_members, manager):
    dossier = EligibleDossierFactory(call=call, innovation_name="Parcours Gardien")
    conflicted = ReviewAssignmentFactory(dossier=dossier, member=three_members[0], conflict=True)
    ReviewAssignmentFactory(dossier=dossier, member=three_members[1])
    client.force_login(manager)

    response = client.get(reverse("projects:committee", args=[call.pk]))

    content = page(response)
    assert "Parcours Gardien" in content
    loads = {member.last_name: member.load for member in response.context["loads"]}
    assert loads == {"Aubert": 0, "Blanc": 1, "Colin": 0}
    assert reverse("projects:unassign", args=[conflicted.pk]) not in content  # a declaration stays
    assert gettext("Conflict declared") in content


def test_committee_page_setup_saves_the_rules_and_keeps_the_members(client, call, three_members, manager):
    call.committee_members.set(three_members)
    client.force_login(manager)

    response = client.post(reverse("projects:committee", args=[call.pk]), {"setup-reviewers_per_dossier": "4"})

    assert response["Location"] == reverse("projects:committee", args=[call.pk])
    call.refresh_from_db()
    assert call.reviewers_per_dossier == 4
    assert set(call.committee_members.all()) == set(three_members)


def test_committee_member_candidates_are_committee_role_holders_not_yet_members(client, call, manager):
    member = CommitteeMemberFactory(last_name="Membre")
    already = CommitteeMemberFactory(last_name="Dejala")
    call.committee_members.add(already)
    carrier = make_user(Role.CARRIER, last_name="Porteur")
    client.force_login(manager)

    response = client.get(reverse("projects:committee", args=[call.pk]))

    candidates = list(response.context["member_form"].fields["member"].queryset)
    assert member in candidates
    assert carrier not in candidates
    assert already not in candidates
