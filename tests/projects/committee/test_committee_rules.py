"""The committee's rules across states (docs/architecture.md, "Where the rules live"): a member sees only the
dossiers given to them; declares a conflict or its absence before reading one;
with a conflict the dossier leaves their list and the managers are told; scores
are drafted then submitted once; nobody sees another member's scores before
submitting their own; once the session is closed nothing changes; and every
change is kept in the audit trail with who made it."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from ais.accounts.models import Role
from ais.outbox.models import OutgoingEmail
from projects import committee
from projects.models import Decision, Innovation, Recommendation, Review, ReviewAssignment, Score, SessionDecision
from projects.services import DossierError
from tests.access_matrix import NOT_FOUND_TEXT
from tests.conftest import make_user
from tests.projects.committee.conftest import DOSSIER_ANSWER, page, review_data, scores_of
from tests.projects.factories import CommitteeMemberFactory, ReviewAssignmentFactory

LOCKED = "The selection session of this call is closed: scores and decisions are locked."


def locked_message() -> str:
    """``pytest.raises(match=...)`` for the message of a locked call, translated or not yet."""
    return re.escape(gettext(LOCKED))


BRUNO_COMMENT = "Avis confidentiel de Bruno : méthode solide"
BRUNO_SCORE_COMMENT = "Commentaire de Bruno sur l'efficacité"


def _review_url(assignment):
    return reverse("projects:review", args=[assignment.pk])


def _declare(assignment, *, conflict=False):
    return committee.declare_conflict(
        assignment, has_conflict=conflict, note="Ancien salarié" if conflict else "", by=assignment.member
    )


@pytest.fixture
def alice(assignments):
    return assignments[0]


@pytest.fixture
def alice_declared(alice):
    """Alice declared no conflict (before any session is closed, when listed first)."""
    return _declare(alice)


@pytest.fixture
def bruno_submitted(assignments, criteria):
    """Bruno declared no conflict and submitted 4 everywhere, with comments."""
    bruno = assignments[1]
    _declare(bruno)
    committee.save_review(
        bruno,
        scores=scores_of(criteria, [4] * len(criteria), comments={0: BRUNO_SCORE_COMMENT}),
        recommendation=Recommendation.SELECT,
        comment=BRUNO_COMMENT,
        submit=True,
        by=bruno.member,
    )
    return bruno


@pytest.fixture
def member_client(client):
    def log_in(assignment_or_user):
        user = getattr(assignment_or_user, "member", assignment_or_user)
        client.force_login(user)
        return client

    return log_in


@pytest.fixture
def closed_session(call, dossier, assignments, manager):
    session = committee.open_session(call, held_on=timezone.now(), place="Paris", by=manager)
    committee.record_decision(
        session.decisions.get(), value=Decision.NOT_SELECTED, motivation="Trop tôt pour essaimer.", by=manager
    )
    return committee.close_session(session, by=manager)


# Who may open a dossier ---------------------------------------------------------------


def test_review_page_member_not_assigned_gets_404(member_client, alice, call):
    outsider = CommitteeMemberFactory(first_name="Denis")
    call.committee_members.add(outsider)

    response = member_client(outsider).get(_review_url(alice))

    assert response.status_code == 404
    assert NOT_FOUND_TEXT in page(response)
    assert "Parcours Gardien" not in page(response)


def test_review_post_by_another_member_gets_404_and_changes_nothing(member_client, assignments):
    alice, bruno, _chloe = assignments

    response = member_client(bruno).post(_review_url(alice), {"has_conflict": "yes", "note": "Pour voir"})

    assert response.status_code == 404
    alice.refresh_from_db()
    assert alice.has_conflict is None
    assert not OutgoingEmail.objects.exists()


def test_review_page_manager_gets_404_on_a_member_assignment(client, alice, manager):
    client.force_login(manager)

    response = client.get(_review_url(alice))

    assert response.status_code == 404
    assert "Parcours Gardien" not in page(response)


def test_my_reviews_lists_only_the_member_own_dossiers(member_client, alice, call):
    other = ReviewAssignmentFactory(dossier__call=call, dossier__innovation_name="Projet d'un autre")

    response = member_client(alice).get(reverse("projects:my_reviews"))

    assert [a.pk for a in response.context["assignments"]] == [alice.pk]
    assert "Parcours Gardien" in page(response)
    assert other.dossier.innovation_name not in page(response)


# Declaring a conflict of interest ----------------------------------------------------


def test_review_page_before_declaring_shows_declaration_not_answers_nor_scores(member_client, alice, bruno_submitted):
    response = member_client(alice).get(_review_url(alice))

    content = page(response)
    assert 'name="has_conflict"' in content
    assert DOSSIER_ANSWER not in content
    assert 'name="score_' not in content
    assert BRUNO_COMMENT not in content and BRUNO_SCORE_COMMENT not in content
    assert "others" not in response.context


def test_declare_conflict_without_note_is_refused(member_client, alice):
    response = member_client(alice).post(_review_url(alice), {"has_conflict": "yes", "note": "  "})

    assert response.status_code == 400
    assert gettext("Say in a few words what the conflict of interest is.") in page(response)
    alice.refresh_from_db()
    assert alice.has_conflict is None
    assert not OutgoingEmail.objects.exists()


def test_declare_conflict_domain_without_note_raises(alice):
    with pytest.raises(DossierError):
        committee.declare_conflict(alice, has_conflict=True, note="", by=alice.member)

    alice.refresh_from_db()
    assert alice.has_conflict is None


def test_declare_conflict_hides_dossier_and_tells_managers(member_client, alice, manager):
    other_manager = make_user(Role.MANAGER, email="gestion2@ansa.fr")
    make_user(Role.MANAGER, email="parti@ansa.fr", is_active=False)
    client = member_client(alice)

    response = client.post(_review_url(alice), {"has_conflict": "yes", "note": "Je siège à son conseil"})

    assert response.status_code == 302
    assert response["Location"] == reverse("projects:my_reviews")
    alice.refresh_from_db()
    assert (alice.has_conflict, alice.conflict_note) == (True, "Je siège à son conseil")
    assert alice.declared_at is not None
    listing = client.get(reverse("projects:my_reviews"))
    assert list(listing.context["assignments"]) == []
    assert "Parcours Gardien" not in page(listing)
    assert client.get(_review_url(alice)).status_code == 404
    emails = OutgoingEmail.objects.order_by("recipient")
    assert sorted(e.recipient for e in emails) == sorted([manager.email, other_manager.email])
    for email in emails:
        assert "Alice Aubert" in email.body and "Parcours Gardien" in email.body
        assert reverse("projects:committee", args=[alice.dossier.call_id]) in email.body


def test_declare_conflict_twice_is_refused(alice):
    _declare(alice)

    with pytest.raises(DossierError):
        committee.declare_conflict(alice, has_conflict=True, note="Finalement oui", by=alice.member)

    alice.refresh_from_db()
    assert alice.has_conflict is False


def test_declare_no_conflict_opens_the_dossier_and_the_grid(member_client, alice, criteria):
    client = member_client(alice)

    response = client.post(_review_url(alice), {"has_conflict": "no", "note": ""})

    assert response["Location"] == _review_url(alice)
    alice.refresh_from_db()
    assert alice.has_conflict is False
    shown = client.get(_review_url(alice))
    assert DOSSIER_ANSWER in page(shown)
    assert all(f'name="score_{c.pk}"' in page(shown) for c in criteria)
    assert not OutgoingEmail.objects.exists()


def test_save_review_before_declaring_raises(alice, criteria):
    with pytest.raises(DossierError):
        committee.save_review(
            alice,
            scores=scores_of(criteria, [3] * len(criteria)),
            recommendation="",
            comment="",
            submit=False,
            by=alice.member,
        )

    assert not Review.objects.exists()


def test_unassign_after_conflict_is_refused_so_member_never_gets_it_again(alice, manager, call):
    _declare(alice, conflict=True)

    with pytest.raises(DossierError):
        committee.unassign(alice, by=manager)
    report = committee.assign_reviewers(call, by=manager)

    assert ReviewAssignment.objects.filter(pk=alice.pk, has_conflict=True).exists()
    assert report.created == 0  # Bruno and Chloé already fill the two places


def test_assign_member_with_declared_conflict_is_refused(alice, manager):
    _declare(alice, conflict=True)

    with pytest.raises(DossierError):
        committee.assign_member(alice.dossier, alice.member, by=manager)


def test_assign_member_outside_committee_is_refused(dossier, manager):
    outsider = CommitteeMemberFactory()

    with pytest.raises(DossierError):
        committee.assign_member(dossier, outsider, by=manager)

    assert not ReviewAssignment.objects.exists()


# Scoring: draft, submission, final -----------------------------------------------------


def test_review_draft_saves_partial_scores_unsubmitted(member_client, alice, criteria):
    _declare(alice)
    values = [5, None, 2] + [None] * (len(criteria) - 3)

    response = member_client(alice).post(
        _review_url(alice), review_data(criteria, values, comment="À compléter", comments={0: "Très efficace"})
    )

    assert response.status_code == 302
    review = Review.objects.get(assignment=alice)
    assert not review.is_submitted
    assert review.comment == "À compléter"
    assert {s.criterion_id: (s.value, s.comment) for s in review.scores.all()} == {
        criteria[0].pk: (5, "Très efficace"),
        criteria[2].pk: (2, ""),
    }


def test_review_draft_again_updates_and_removes_scores(alice, criteria):
    _declare(alice)
    others = [None] * (len(criteria) - 2)
    committee.save_review(
        alice,
        scores=scores_of(criteria, [5, 1, *others]),
        recommendation="",
        comment="",
        submit=False,
        by=alice.member,
    )

    committee.save_review(
        alice,
        scores=scores_of(criteria, [4, None, *others]),
        recommendation="discuss",
        comment="",
        submit=False,
        by=alice.member,
    )

    review = Review.objects.get(assignment=alice)
    assert list(review.scores.values_list("criterion_id", "value")) == [(criteria[0].pk, 4)]
    assert (review.recommendation, review.is_submitted) == ("discuss", False)


def test_review_submit_with_a_criterion_missing_is_refused(member_client, alice, criteria):
    _declare(alice)
    values = [3] * (len(criteria) - 1) + [None]

    response = member_client(alice).post(
        _review_url(alice), review_data(criteria, values, recommendation="select", submit=True), follow=True
    )

    assert gettext("Score every criterion and give a recommendation before submitting.") in page(response)
    assert not Review.objects.filter(assignment=alice, submitted_at__isnull=False).exists()
    assert not Score.objects.exists()


def test_review_submit_without_recommendation_is_refused(alice, criteria):
    _declare(alice)

    with pytest.raises(DossierError):
        committee.save_review(
            alice,
            scores=scores_of(criteria, [3] * len(criteria)),
            recommendation="",
            comment="",
            submit=True,
            by=alice.member,
        )

    assert not Review.objects.filter(submitted_at__isnull=False).exists()


def test_save_review_score_out_of_range_is_refused(alice, criteria):
    _declare(alice)

    with pytest.raises(DossierError):
        committee.save_review(
            alice,
            scores=scores_of(criteria, [6] * len(criteria)),
            recommendation="select",
            comment="",
            submit=True,
            by=alice.member,
        )

    assert not Score.objects.exists()


def test_review_submit_complete_records_scores_and_recommendation(member_client, alice, criteria):
    _declare(alice)
    values = [5, 4, 3, 2, 1, 0][: len(criteria)]

    response = member_client(alice).post(
        _review_url(alice), review_data(criteria, values, recommendation="select", comment="Convaincant", submit=True)
    )

    assert response["Location"] == _review_url(alice)
    review = Review.objects.get(assignment=alice)
    assert review.is_submitted
    assert (review.recommendation, review.comment) == ("select", "Convaincant")
    assert [s.value for s in review.scores.order_by("criterion__position")] == values


def test_submitted_review_cannot_change(member_client, alice, criteria):
    _declare(alice)
    committee.save_review(
        alice,
        scores=scores_of(criteria, [5] * len(criteria)),
        recommendation="select",
        comment="Final",
        submit=True,
        by=alice.member,
    )
    client = member_client(alice)

    response = client.post(
        _review_url(alice), review_data(criteria, [0] * len(criteria), recommendation="reject", submit=True)
    )
    with pytest.raises(DossierError):
        committee.save_review(
            alice,
            scores=scores_of(criteria, [1] * len(criteria)),
            recommendation="reject",
            comment="",
            submit=False,
            by=alice.member,
        )

    assert response.status_code == 200
    assert response.context["locked"] is True
    assert "<fieldset disabled>" in page(response)
    review = Review.objects.get(assignment=alice)
    assert (review.recommendation, review.comment) == ("select", "Final")
    assert set(review.scores.values_list("value", flat=True)) == {5}


# Others' scores: only after submitting one's own ------------------------------------------


def test_review_before_own_submission_hides_other_members_scores(member_client, alice, bruno_submitted, criteria):
    _declare(alice)
    committee.save_review(
        alice,
        scores=scores_of(criteria, [2] * len(criteria)),
        recommendation="",
        comment="",
        submit=False,
        by=alice.member,
    )

    response = member_client(alice).get(_review_url(alice))

    content = page(response)
    assert response.context["others"] == []
    assert list(committee.reviews_visible_to(alice)) == []
    assert DOSSIER_ANSWER in content
    assert BRUNO_COMMENT not in content
    assert BRUNO_SCORE_COMMENT not in content
    assert "Bruno Blanc" not in content
    assert "other-review" not in content


def test_review_after_own_submission_shows_other_submitted_reviews(
    member_client, assignments, bruno_submitted, criteria
):
    alice, _bruno, chloe = assignments
    _declare(chloe)
    committee.save_review(
        chloe,
        scores=scores_of(criteria, [1] * len(criteria)),
        recommendation="",
        comment="Brouillon de Chloé",
        submit=False,
        by=chloe.member,
    )
    _declare(alice)
    client = member_client(alice)

    client.post(_review_url(alice), review_data(criteria, [3] * len(criteria), recommendation="discuss", submit=True))
    response = client.get(_review_url(alice))

    content = page(response)
    assert [r.assignment_id for r in response.context["others"]] == [bruno_submitted.pk]
    assert "Bruno Blanc" in content
    assert BRUNO_COMMENT in content
    assert BRUNO_SCORE_COMMENT in content
    assert f"{criteria[0].title} : <strong>4/5</strong>" in content
    assert "Brouillon de Chloé" not in content  # a draft stays private


# Once the session is closed, nothing changes ------------------------------------------------


def test_save_review_after_session_closed_raises(alice_declared, criteria, closed_session):
    alice = alice_declared

    with pytest.raises(DossierError, match=locked_message()):
        committee.save_review(
            alice,
            scores=scores_of(criteria, [3] * len(criteria)),
            recommendation="select",
            comment="",
            submit=True,
            by=alice.member,
        )

    assert not Review.objects.exists()


def test_declare_conflict_after_session_closed_raises(alice, closed_session):
    with pytest.raises(DossierError, match=locked_message()):
        committee.declare_conflict(alice, has_conflict=True, note="Lien familial", by=alice.member)

    alice.refresh_from_db()
    assert alice.has_conflict is None


def test_assignment_changes_after_session_closed_raise(call, dossier, alice, manager, closed_session):
    newcomer = CommitteeMemberFactory()
    call.committee_members.add(newcomer)
    call.reviewers_per_dossier = 4
    call.save()

    with pytest.raises(DossierError, match=locked_message()):
        committee.assign_reviewers(call, by=manager)
    with pytest.raises(DossierError, match=locked_message()):
        committee.assign_member(dossier, newcomer, by=manager)
    with pytest.raises(DossierError, match=locked_message()):
        committee.unassign(alice, by=manager)

    assert ReviewAssignment.objects.count() == 3


def test_decisions_after_session_closed_raise(call, manager, closed_session):
    decision = closed_session.decisions.get()

    with pytest.raises(DossierError):
        committee.record_decision(decision, value=Decision.SELECTED, motivation="Revu", by=manager)
    with pytest.raises(DossierError, match=locked_message()):
        committee.open_session(call, held_on=timezone.now(), place="", by=manager)

    decision.refresh_from_db()
    assert decision.decision == Decision.NOT_SELECTED


def test_decision_of_another_open_session_after_closing_raises(call, dossier, manager):
    first = committee.open_session(call, held_on=timezone.now(), place="", by=manager)
    second = committee.open_session(call, held_on=timezone.now(), place="", by=manager)
    committee.record_decision(first.decisions.get(), value=Decision.SELECTED, motivation="Oui", by=manager)
    committee.close_session(first, by=manager)
    other = second.decisions.get()

    with pytest.raises(DossierError, match=locked_message()):
        committee.record_decision(other, value=Decision.SELECTED, motivation="Encore", by=manager)
    with pytest.raises(DossierError, match=locked_message()):
        committee.close_session(second, by=manager)

    other.refresh_from_db()
    assert other.decision == Decision.PENDING
    assert SessionDecision.objects.exclude(innovation=None).count() == 1


def test_review_view_post_after_session_closed_changes_nothing(member_client, alice_declared, criteria, closed_session):
    alice = alice_declared

    response = member_client(alice).post(
        _review_url(alice), review_data(criteria, [5] * len(criteria), recommendation="select", submit=True)
    )

    assert response.status_code == 200
    assert gettext("The session is closed: reviews are locked.") in page(response)
    assert not Review.objects.exists()


def test_declaration_view_post_after_session_closed_changes_nothing(member_client, alice, closed_session):
    response = member_client(alice).post(_review_url(alice), {"has_conflict": "yes", "note": "Lien familial"})

    assert gettext(LOCKED) in page(response)
    alice.refresh_from_db()
    assert alice.has_conflict is None
    assert not OutgoingEmail.objects.exists()


def test_manager_views_after_session_closed_change_nothing(client, call, dossier, alice, manager, closed_session):
    newcomer = CommitteeMemberFactory()
    call.committee_members.add(newcomer)
    decision = closed_session.decisions.get()
    client.force_login(manager)

    auto = client.post(reverse("projects:auto_assign", args=[call.pk]), follow=True)
    manual = client.post(
        reverse("projects:manual_assign", args=[call.pk]), {"dossier": dossier.pk, "member": newcomer.pk}, follow=True
    )
    removal = client.post(reverse("projects:unassign", args=[alice.pk]), follow=True)
    decide = client.post(
        reverse("projects:session", args=[closed_session.pk]),
        {f"d{decision.pk}-decision": Decision.SELECTED, f"d{decision.pk}-motivation": "Revu"},
    )

    for response in (auto, manual, removal):
        assert gettext(LOCKED) in page(response)
    assert gettext("The session is closed: scores and decisions are locked.") in page(decide)
    assert ReviewAssignment.objects.count() == 3
    decision.refresh_from_db()
    assert (decision.decision, decision.motivation) == (Decision.NOT_SELECTED, "Trop tôt pour essaimer.")


# The audit trail -------------------------------------------------------------------------


def test_score_changes_recorded_in_history_with_member(member_client, alice, criteria):
    _declare(alice)
    rest = [None] * (len(criteria) - 1)
    committee.save_review(
        alice, scores=scores_of(criteria, [2, *rest]), recommendation="", comment="", submit=False, by=alice.member
    )
    committee.save_review(
        alice, scores=scores_of(criteria, [4, *rest]), recommendation="", comment="", submit=False, by=alice.member
    )

    member_client(alice).post(_review_url(alice), review_data(criteria, [None, *rest]))  # through the page

    history = Score.history.filter(criterion=criteria[0]).order_by("history_date")
    assert [(h.history_type, h.value, h.history_user) for h in history] == [
        ("+", 2, alice.member),
        ("~", 4, alice.member),
        ("-", 4, alice.member),
    ]
    assert Review.history.filter(assignment=alice, history_user=alice.member).exists()


def test_conflict_declaration_recorded_in_history_with_member(member_client, alice):
    member_client(alice).post(_review_url(alice), {"has_conflict": "yes", "note": "Je siège à son conseil"})

    latest = ReviewAssignment.history.filter(id=alice.pk).latest("history_date")
    assert (latest.history_type, latest.has_conflict, latest.conflict_note) == ("~", True, "Je siège à son conseil")
    assert latest.history_user == alice.member


def test_assignments_recorded_in_history_with_manager(call, dossier, members, manager):
    committee.assign_reviewers(call, by=manager)
    manual = committee.assign_member(dossier, members[2], by=manager)
    removed = ReviewAssignment.objects.exclude(pk=manual.pk).first()
    committee.unassign(removed, by=manager)

    history = ReviewAssignment.history.order_by("history_date")
    assert [h.history_type for h in history] == ["+", "+", "+", "-"]
    assert {h.history_user for h in history} == {manager}


def test_decision_changes_recorded_in_history_with_manager(call, dossier, manager):
    session = committee.open_session(call, held_on=timezone.now(), place="Paris", by=manager)
    decision = session.decisions.get()
    committee.record_decision(decision, value=Decision.SELECTED, motivation="Très transférable", by=manager)
    committee.close_session(session, by=manager)

    history = SessionDecision.history.filter(id=decision.pk).order_by("history_date")
    assert [(h.history_type, h.decision, h.history_user) for h in history] == [
        ("+", Decision.PENDING, manager),
        ("~", Decision.SELECTED, manager),
        ("~", Decision.SELECTED, manager),  # the innovation created at closing
    ]
    innovation = Innovation.objects.get(pk=history.last().innovation_id)
    assert innovation.history.get().history_user == manager


# Submitting a review is final: confirmed first (without JavaScript: a page) -------------


def test_review_submit_unconfirmed_keeps_a_draft_and_asks(member_client, alice_declared, criteria):
    data = review_data(criteria, [4] * len(criteria), recommendation="select", comment="Solide", submit=True)
    del data["confirm"]

    response = member_client(alice_declared).post(_review_url(alice_declared), data)

    content = page(response)
    assert response.status_code == 200
    assert "Vos notes, votre recommandation et vos commentaires ne pourront plus être modifiés." in content
    assert 'name="confirm" value="yes"' in content
    assert f'name="score_{criteria[0].pk}" value="4"' in content  # the scores go with the confirmation
    review = Review.objects.get(assignment=alice_declared)
    assert not review.is_submitted  # a draft, kept if the member cancels
    assert review.comment == "Solide"


def test_review_submit_confirmed_submits(member_client, alice_declared, criteria):
    data = review_data(criteria, [4] * len(criteria), recommendation="select", submit=True)

    response = member_client(alice_declared).post(_review_url(alice_declared), data)

    assert response.status_code == 302
    assert Review.objects.get(assignment=alice_declared).is_submitted
