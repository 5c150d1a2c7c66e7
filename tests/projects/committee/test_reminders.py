"""Reminders of pending reviews: in the three days before the call's review
deadline, once per member and deadline, only for reviews still to do."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ais.outbox.models import OutgoingEmail
from projects import committee
from projects.emails import REVIEW_REMINDER
from projects.models import Decision
from tests.projects.factories import (
    CallFactory,
    CommitteeMemberFactory,
    ReviewAssignmentFactory,
    ReviewFactory,
    submitted_review,
)


@pytest.fixture
def deadline_call(db):
    return CallFactory(closed=True, title="Appel à projets 2026", review_deadline=timezone.now() + timedelta(days=2))


def _assign(call, member, **kwargs):
    return ReviewAssignmentFactory(dossier__call=call, member=member, **kwargs)


def test_remind_pending_reviews_once_per_member_with_reviews_to_do(deadline_call):
    undeclared, drafting, done, conflicted = (CommitteeMemberFactory() for _ in range(4))
    _assign(deadline_call, undeclared)
    _assign(deadline_call, undeclared)
    ReviewFactory(assignment=_assign(deadline_call, drafting, declared=True))
    submitted_review(_assign(deadline_call, done, declared=True), [3] * deadline_call.criteria.count())
    _assign(deadline_call, conflicted, conflict=True)

    first = committee.remind_pending_reviews()
    second = committee.remind_pending_reviews()

    emails = OutgoingEmail.objects.filter(reason=REVIEW_REMINDER)
    assert (first, second) == (2, 0)
    assert sorted(emails.values_list("recipient", flat=True)) == sorted([undeclared.email, drafting.email])
    assert "Appel à projets 2026" in emails.get(recipient=undeclared.email).subject


def test_remind_pending_reviews_outside_the_three_days_sends_nothing(deadline_call):
    _assign(deadline_call, CommitteeMemberFactory())

    early = committee.remind_pending_reviews(now=timezone.now() - timedelta(days=2))
    late = committee.remind_pending_reviews(now=timezone.now() + timedelta(days=3))

    assert (early, late) == (0, 0)
    assert not OutgoingEmail.objects.exists()


def test_remind_pending_reviews_skips_inactive_members_and_closed_sessions(deadline_call, manager):
    _assign(deadline_call, CommitteeMemberFactory(is_active=False))
    other = CallFactory(closed=True, review_deadline=deadline_call.review_deadline)
    assignment = _assign(other, CommitteeMemberFactory())
    session = committee.open_session(other, held_on=timezone.now(), place="", by=manager)
    committee.record_decision(session.decisions.get(), value=Decision.NOT_SELECTED, motivation="Non", by=manager)
    committee.close_session(session, by=manager)

    sent = committee.remind_pending_reviews()

    assert sent == 0
    assert not OutgoingEmail.objects.filter(recipient=assignment.member.email).exists()
