"""Fifty identical submissions at the same instant (a double click multiplied, a
retrying proxy, a script): one record, one state change, no server error.

Each submission is a real request through the views (``django.test.Client``) in its
own thread, hence its own database connection; a barrier releases them together.
An exception in a view is re-raised by the test client: it is counted as a server
error, like a 500.
"""

import html
import threading
from collections import Counter

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from ais.accounts.models import Role
from ais.outbox.models import OutgoingEmail
from evaluation.models import Phase, ResponseStatus
from events.emails import EVENT_REGISTRATION
from events.models import Registration
from projects.models import Recommendation, Review, Score
from tests.ais.factories import OrganisationFactory, UserFactory
from tests.evaluation.answer.conftest import fill, question
from tests.evaluation.answer.helpers import schedule, structure_of
from tests.events.factories import EventFactory
from tests.projects.committee.conftest import review_data
from tests.projects.factories import (
    CallFactory,
    CommitteeMemberFactory,
    EligibleDossierFactory,
    InnovationFactory,
    ReviewAssignmentFactory,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]

SIMULTANEOUS = 50


def _race(clients, post) -> list:
    """``post(client)`` in one thread per client, all released at once; returns each
    thread's HTTP response, or the exception the view raised."""
    barrier = threading.Barrier(len(clients))
    results = [None] * len(clients)

    def run(index):
        try:
            barrier.wait(timeout=30)
            results[index] = post(clients[index])
        except Exception as error:  # noqa: BLE001 - reported by the test
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert not any(thread.is_alive() for thread in threads), "a submission never finished"
    return results


def _statuses(results) -> Counter:
    errors = [result for result in results if isinstance(result, Exception)]
    assert not errors, f"{len(errors)} server error(s), the first: {errors[0]!r}"
    statuses = Counter(result.status_code for result in results)
    assert not [code for code in statuses if code >= 500], statuses
    print(f"{len(results)} simultaneous submissions answered {dict(statuses)}")
    return statuses


def _clients(user=None, *, count=SIMULTANEOUS) -> list[Client]:
    clients = []
    for _index in range(count):
        client = Client()
        if user is not None:
            client.force_login(user)
        clients.append(client)
    return clients


def _text(response) -> str:
    return html.unescape(response.content.decode())


def test_fifty_simultaneous_review_submissions_leave_one_submitted_review():
    call = CallFactory(closed=True, title="Appel à projets 2026 – Emploi")
    criteria = list(call.criteria.order_by("position", "pk"))
    member = CommitteeMemberFactory(first_name="Alice", last_name="Aubert", email="alice@partenaire.fr")
    call.committee_members.set([member])
    dossier = EligibleDossierFactory(call=call, innovation_name="Parcours Gardien")
    assignment = ReviewAssignmentFactory(dossier=dossier, member=member, declared=True)
    url = reverse("projects:review", args=[assignment.pk])
    data = review_data(
        criteria, [4] * len(criteria), recommendation=Recommendation.SELECT, comment="Solide", submit=True
    )
    emails_before = OutgoingEmail.objects.count()

    results = _race(_clients(member), lambda client: client.post(url, data))

    statuses = _statuses(results)
    review = Review.objects.get(assignment=assignment)
    assert review.is_submitted and review.recommendation == Recommendation.SELECT
    assert Score.objects.filter(review=review).count() == len(criteria)
    assert sorted(Score.objects.values_list("value", flat=True)) == [4] * len(criteria)
    # One state change: the audit trail shows a single submission.
    submissions = review.history.filter(submitted_at__isnull=False).values_list("submitted_at", flat=True)
    assert len(set(submissions)) == 1, list(submissions)
    assert statuses[302] == 1, statuses  # the one that submitted goes to its review
    assert set(statuses) <= {200, 302, 400}, statuses  # the others see the submitted review
    assert OutgoingEmail.objects.count() == emails_before


def test_fifty_simultaneous_questionnaire_submissions_submit_it_once():
    organisation = OrganisationFactory(name="Régie de quartier Nord")
    contact = UserFactory(first_name="Camille", last_name="Martin", roles=[(Role.STRUCTURE, organisation)])
    structure = structure_of(organisation, innovation=InnovationFactory(name="Parcours Gardien", spreading=True))
    response = schedule(structure)[Phase.IMPLEMENTATION]  # opened five days ago
    fill(response, by=contact)
    people = question(response, "people_accompanied")
    revision = response.answers.get(question=people).revision
    url = reverse("evaluation:response_submit", kwargs={"pk": response.pk})
    data = {f"q-{people.pk}": "40", f"rev-{people.pk}": str(revision)}  # the page posts its answers too
    emails_before = OutgoingEmail.objects.count()

    results = _race(_clients(contact), lambda client: client.post(url, data))

    statuses = _statuses(results)
    response.refresh_from_db()
    assert response.status == ResponseStatus.SUBMITTED and response.submitted_by == contact
    assert response.answers.get(question=people).value == 40
    assert response.answers.filter(question=people).count() == 1
    history = response.history.filter(status=ResponseStatus.SUBMITTED).values_list("submitted_at", flat=True)
    assert len(set(history)) == 1, list(history)  # submitted once
    assert statuses[302] == 1, statuses
    refused = [result for result in results if result.status_code != 302]
    assert {result.status_code for result in refused} <= {400}, statuses
    assert all("can no longer be changed" in _text(result) or "ne peut plus" in _text(result) for result in refused)
    assert OutgoingEmail.objects.count() == emails_before


def test_fifty_simultaneous_registrations_with_the_same_email_leave_one():
    event = EventFactory(title="Journée nationale d'échanges", slug="journee-nationale", capacity=100)
    url = reverse("events:register", kwargs={"slug": event.slug})
    data = {
        "full_name": "Lucie Martin",
        "email": "lucie@example.org",
        "organisation": "Mission locale de Rouen",
        "job_title": "Conseillère",
        "consent": "on",
    }

    results = _race(_clients(), lambda client: client.post(url, data))

    statuses = _statuses(results)
    assert Registration.objects.filter(event=event).count() == 1
    registration = Registration.objects.get(event=event)
    assert registration.email == "lucie@example.org"
    # Every request answers the same page (issue 18: no telling who is registered).
    assert statuses == Counter({302: SIMULTANEOUS}), statuses
    assert {result["Location"] for result in results} == {f"/evenements/{event.slug}/inscription/envoyee/"}
    emails = OutgoingEmail.objects.filter(recipient="lucie@example.org", reason=EVENT_REGISTRATION)
    assert emails.count() == 1
    assert OutgoingEmail.objects.filter(recipient="lucie@example.org", reason="event_already_registered").count() == 1
