"""Query budgets of the committee's pages: the same number of queries with one
dossier, assignment or review as with many. The literal budget is what each page
issues today; a page whose count grows with the data is an N+1 to fix."""

import html

import pytest
from django.urls import reverse
from django.utils import timezone

from projects import committee
from projects.models import Decision, SessionStatus
from tests.projects.factories import (
    CallFactory,
    CommitteeMemberFactory,
    DossierAttachmentFactory,
    EligibleDossierFactory,
    InnovationFactory,
    ReviewAssignmentFactory,
    ReviewFactory,
    SelectionSessionFactory,
    SessionDecisionFactory,
    submitted_review,
)

MANY = 12


@pytest.fixture
def assert_constant_queries(django_assert_num_queries):
    """``check(client, url, make_rows, num_queries)``: the page is requested once to
    warm caches, then with 1 row and with ``MANY`` rows, each time inside
    ``django_assert_num_queries(num_queries)``. Returns both pages' text."""

    def request(client, url, num_queries, rows):
        try:
            with django_assert_num_queries(num_queries):
                return client.get(url)
        except pytest.fail.Exception as failure:
            pytest.fail(f"{url} with {rows} row(s): {failure}")

    def check(client, url, make_rows, num_queries):
        client.get(url)  # warm-up: content types, session, translations
        make_rows(1)
        one = request(client, url, num_queries, 1)
        make_rows(MANY - 1)
        many = request(client, url, num_queries, MANY)
        assert one.status_code == many.status_code == 200
        return html.unescape(one.content.decode()), html.unescape(many.content.decode())

    return check


@pytest.fixture
def call(db):
    return CallFactory(closed=True, title="Appel à projets 2026")


def _scored(assignment, value=3):
    """A submitted review of ``assignment`` with ``value`` on every criterion."""
    return submitted_review(assignment, [value] * assignment.dossier.call.criteria.count())


# Members' pages -----------------------------------------------------------------------


def test_my_reviews_queries_constant_with_many_assignments(client, call, assert_constant_queries):
    member = CommitteeMemberFactory()
    other_call = CallFactory(closed=True, title="Appel thématique 2026")
    client.force_login(member)
    made = []

    def make_rows(n):
        for _ in range(n):
            index = len(made)
            assignment = ReviewAssignmentFactory(
                member=member,
                dossier__call=(call, other_call)[index % 2],
                dossier__innovation_name=f"Innovation à évaluer {index:02d}",
                has_conflict=(None, False, False)[index % 3],
            )
            if index % 3 == 1:
                ReviewFactory(assignment=assignment)  # a draft
            elif index % 3 == 2:
                _scored(assignment)
            made.append(assignment)
        ReviewAssignmentFactory(member=member, dossier__call=call, conflict=True)  # hidden

    one, many = assert_constant_queries(client, reverse("projects:my_reviews"), make_rows, 4)

    assert "Innovation à évaluer 00" in one
    assert all(f"Innovation à évaluer {i:02d}" in many for i in range(MANY))


def test_review_page_queries_constant_with_many_other_reviews(client, call, assert_constant_queries):
    dossier = EligibleDossierFactory(call=call, innovation_name="Parcours Gardien")
    own = ReviewAssignmentFactory(dossier=dossier, declared=True)
    _scored(own, 4)
    client.force_login(own.member)

    def make_rows(n):
        for _ in range(n):
            other = ReviewAssignmentFactory(dossier=dossier, declared=True)
            review = _scored(other, 2)
            review.comment = f"Avis de {other.member}"
            review.save()
            DossierAttachmentFactory(dossier=dossier)

    one, many = assert_constant_queries(client, reverse("projects:review", args=[own.pk]), make_rows, 14)

    assert one.count('class="card card-body mb-2 other-review"') == 1
    assert many.count('class="card card-body mb-2 other-review"') == MANY


# Managers' pages ------------------------------------------------------------------------


def test_committee_page_queries_constant_with_many_dossiers_and_members(client, call, manager, assert_constant_queries):
    client.force_login(manager)

    def make_rows(n):
        for _ in range(n):
            members = [CommitteeMemberFactory(), CommitteeMemberFactory()]
            call.committee_members.add(*members)
            dossier = EligibleDossierFactory(call=call)
            ReviewAssignmentFactory(dossier=dossier, member=members[0], conflict=True)
            _scored(ReviewAssignmentFactory(dossier=dossier, member=members[1], declared=True))

    one, many = assert_constant_queries(client, reverse("projects:committee", args=[call.pk]), make_rows, 13)

    assert one.count('class="badge text-bg-danger"') == 1
    assert many.count('class="badge text-bg-danger"') == MANY


def test_ranking_page_queries_constant_with_many_reviews(client, call, manager, assert_constant_queries):
    client.force_login(manager)

    def make_rows(n):
        for i in range(n):
            dossier = EligibleDossierFactory(call=call)
            for value in (i % 6, 5 - i % 6):
                _scored(ReviewAssignmentFactory(dossier=dossier, declared=True), value)

    one, many = assert_constant_queries(client, reverse("projects:ranking", args=[call.pk]), make_rows, 9)

    assert one.count("2 / 2") == 1
    assert many.count("2 / 2") == MANY


def test_session_page_queries_constant_with_many_decisions(client, call, manager, assert_constant_queries):
    session = committee.open_session(call, held_on=timezone.now(), place="Paris", by=manager)
    client.force_login(manager)

    def make_rows(n):
        for _ in range(n):
            decision = SessionDecisionFactory(session=session)
            committee.record_decision(decision, value=Decision.SELECTED, motivation="Solide", by=manager)
            _scored(ReviewAssignmentFactory(dossier=decision.dossier, declared=True))
            session.members_present.add(CommitteeMemberFactory())

    one, many = assert_constant_queries(client, reverse("projects:session", args=[session.pk]), make_rows, 10)

    assert one.count("Solide</textarea>") == 1
    assert many.count("Solide</textarea>") == MANY


def test_closed_session_page_queries_constant_with_many_innovations(client, call, manager, assert_constant_queries):
    session = SelectionSessionFactory(call=call, status=SessionStatus.CLOSED, closed_at=timezone.now())
    client.force_login(manager)

    def make_rows(n):
        for _ in range(n):
            SessionDecisionFactory(
                session=session,
                decision=Decision.SELECTED,
                motivation="Solide",
                innovation=InnovationFactory(unpublished=True),
            )

    one, many = assert_constant_queries(client, reverse("projects:session", args=[session.pk]), make_rows, 10)

    assert one.count('class="badge text-bg-success"') == 1
    assert many.count('class="badge text-bg-success"') == MANY
