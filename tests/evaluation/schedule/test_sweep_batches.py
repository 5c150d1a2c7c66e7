"""The reminder sweep in batches: a constant number of queries whatever the number of
reminders due, the same e-mails and links as one by one, and two sweeps at the same
time (two database connections) sending each e-mail once."""

import datetime
import hashlib
import re
import threading
import time

import pytest
import time_machine
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from ais.accounts.models import Role
from ais.outbox.models import OutgoingEmail, Status
from evaluation import links
from evaluation.emails import EVALUATION_ALERT, EVALUATION_REMINDER
from evaluation.models import AccessLink, Phase, Reminder, ReminderKind, Response
from evaluation.reminders import send_due_reminders
from tests.ais.factories import UserFactory
from tests.conftest import make_user
from tests.evaluation.schedule.test_reminders import _structure as _started_structure

D = datetime.date
LATE_START = D(2026, 1, 5)  # appropriation opened 5 April, due 5 May: the manager alert is due on 2 June
START = D(2026, 3, 2)  # appropriation opens on 2 June
DAY = D(2026, 6, 2)


@pytest.fixture(autouse=True)
def _windows(settings):
    settings.EVALUATION_ANSWER_DAYS = 30
    settings.EVALUATION_REMINDER_EVERY_DAYS = 7
    settings.EVALUATION_LATE_REMINDERS = 3


def _structure(*, start=START, **kwargs):
    """``test_reminders._structure`` with this module's start date."""
    return _started_structure(start=start, **kwargs)


def _appropriation(structure) -> Response:
    return Response.objects.get(structure=structure, phase=Phase.APPROPRIATION)


def _sweep_on(day):
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(9, 0)), tick=False):
        return send_due_reminders(today=day)


def _token(body: str) -> str:
    return re.search(r"/questionnaires/acces/([\w-]+)/", body).group(1)


@pytest.mark.django_db
def test_sweep_queries_same_with_1_and_40_reminders_due(django_assert_num_queries, django_capture_on_commit_callbacks):
    """Read the candidates (3), the e-mail keys already used, then in a savepoint
    (2 here, none in production) the reminders, the links, the e-mails: 9."""
    ContentType.objects.get_for_model(Response)  # cached for the process, as in a running worker
    first = _structure(contacts=2)

    with django_capture_on_commit_callbacks(execute=False) as one_callbacks, django_assert_num_queries(9):
        assert _sweep_on(DAY) == 1

    lead = make_user(Role.MANAGER)
    late = _structure(start=LATE_START, contacts=2, lead_manager=lead)
    others = [_structure(contacts=1 + index % 3) for index in range(39)]
    with django_capture_on_commit_callbacks(execute=False) as many_callbacks, django_assert_num_queries(9):
        assert _sweep_on(DAY) == 40

    others_emails = sum(1 + index % 3 for index in range(39))
    assert len(one_callbacks) == 2  # one hand-over to the broker per e-mail, after the commit
    assert len(many_callbacks) == others_emails + 1
    assert OutgoingEmail.objects.count() == 2 + others_emails + 1
    assert AccessLink.objects.count() == 2 + others_emails  # the alert carries no link
    # The late questionnaire: the six earlier kinds recorded as skipped, the alert to the lead manager.
    late_reminders = {r.kind: r.recipients for r in _appropriation(late).reminders.all()}
    assert late_reminders == {
        ReminderKind.OPENING: [],
        ReminderKind.BEFORE_DUE: [],
        ReminderKind.DUE: [],
        ReminderKind.LATE_1: [],
        ReminderKind.LATE_2: [],
        ReminderKind.LATE_3: [],
        ReminderKind.MANAGER_ALERT: [lead.email],
    }
    alert = OutgoingEmail.objects.get(recipient=lead.email)
    assert alert.reason == EVALUATION_ALERT
    assert alert.dedup_key == f"evaluation:{_appropriation(late).pk}:manager_alert:{lead.pk}"
    # Each other questionnaire: its opening reminder, to each of its contacts.
    for structure in [first, *others]:
        response = _appropriation(structure)
        contacts = sorted(structure.organisation.memberships.values_list("user__email", flat=True))
        (reminder,) = response.reminders.all()
        assert reminder.kind == ReminderKind.OPENING
        assert sorted(reminder.recipients) == contacts
        emails = OutgoingEmail.objects.filter(object_id=str(response.pk))
        assert sorted(emails.values_list("recipient", flat=True)) == contacts
        assert sorted(response.links.values_list("recipient", flat=True)) == contacts


@pytest.mark.django_db
def test_sweep_email_text_and_link_as_rendered_for_one_contact(django_capture_on_commit_callbacks):
    structure = _structure(contacts=0)
    contact = UserFactory(first_name="Camille", roles=[(Role.STRUCTURE, structure.organisation)])
    response = _appropriation(structure)

    with django_capture_on_commit_callbacks(execute=False):
        _sweep_on(DAY)

    email = OutgoingEmail.objects.get()
    token = _token(email.body)
    context = {
        "response": response,
        "structure": structure,
        "innovation": structure.innovation,
        "purpose": ReminderKind.OPENING,
        "url": settings.SITE_URL + reverse("evaluation:link", kwargs={"token": token}),
        "user": contact,
        "login_url": settings.SITE_URL + reverse("accounts:login"),
        "expires_on": response.due_on + datetime.timedelta(days=settings.EVALUATION_LINK_GRACE_DAYS),
    }
    subject = render_to_string("evaluation/email/questionnaire_subject.txt", context)
    assert email.subject == " ".join(subject.split())
    assert email.subject.startswith(f"Votre questionnaire {structure.innovation.name} est ouvert")
    assert email.body == render_to_string("evaluation/email/questionnaire_body.txt", context)
    assert email.body.startswith("Bonjour Camille,")
    assert email.recipient == contact.email
    assert email.dedup_key == f"evaluation:{response.pk}:opening:{contact.pk}"
    assert email.related_object == response
    assert email.reason == EVALUATION_REMINDER
    assert email.status == Status.QUEUED
    # A 256-bit token, only its SHA-256 stored, valid until the due date plus the grace period.
    assert len(token) == 43
    link = AccessLink.objects.get()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in link.token_hash
    assert (link.response, link.recipient) == (response, contact.email)
    assert link.expires_at == links.link_expiry(response)
    with time_machine.travel(datetime.datetime(2026, 6, 2, 10, 0), tick=False):
        assert links.check(token) == response


@pytest.mark.django_db
def test_sweep_does_not_write_again_when_the_email_key_is_used(django_capture_on_commit_callbacks):
    """A reminder row deleted by hand: its e-mail is in the outbox already, so the
    sweep records the reminder again without writing (nor issuing a link)."""
    structure = _structure(contacts=2)
    response = _appropriation(structure)
    with django_capture_on_commit_callbacks(execute=False):
        _sweep_on(DAY)
        response.reminders.all().delete()

        assert _sweep_on(DAY) == 1

    assert response.reminders.get().recipients == []
    assert OutgoingEmail.objects.count() == 2
    assert AccessLink.objects.count() == 2


@pytest.mark.django_db
def test_alerts_to_teams_cost_one_query_whatever_their_number(django_assert_num_queries):
    """Innovations without an active lead manager: their teams are read together."""
    ContentType.objects.get_for_model(Response)
    responses = []
    for index in range(3):
        structure = _structure(start=LATE_START, contacts=0, lead_manager=make_user(Role.MANAGER, is_active=False))
        members = [make_user(Role.MANAGER, last_name=f"Équipe{index}{n}") for n in range(index + 1)]
        structure.innovation.team.add(*members, make_user(Role.MANAGER, is_active=False))
        responses.append((_appropriation(structure), members))

    with django_assert_num_queries(9):  # the teams, and no links to insert
        assert _sweep_on(DAY) == 3

    for response, members in responses:
        alert = response.reminders.get(kind=ReminderKind.MANAGER_ALERT)
        assert alert.recipients == [member.email for member in members]
        emails = OutgoingEmail.objects.filter(object_id=str(response.pk), reason=EVALUATION_ALERT)
        assert sorted(emails.values_list("recipient", flat=True)) == sorted(alert.recipients)


@pytest.mark.django_db
def test_send_access_links_queries_do_not_grow_with_contacts(django_assert_num_queries):
    """The other callers (returned questionnaire, new link…) use the same bulk path."""
    ContentType.objects.get_for_model(Response)
    one, five = _structure(contacts=1), _structure(contacts=5)
    questionnaires = Response.objects.filter(phase=Phase.APPROPRIATION).select_related(
        "structure__organisation", "structure__innovation"
    )
    response_one, response_five = questionnaires.get(structure=one), questionnaires.get(structure=five)

    with django_assert_num_queries(4):  # the contacts, the keys already used, the links, the e-mails
        sent_one = links.send_access_links(response_one, purpose="new_link", dedup="manual:1")
    with django_assert_num_queries(4):
        sent_five = links.send_access_links(response_five, purpose="new_link", dedup="manual:1")
    with django_assert_num_queries(2):  # the same call again: every key used, nothing written
        assert links.send_access_links(response_five, purpose="new_link", dedup="manual:1") == []

    assert sent_one == list(one.organisation.memberships.values_list("user__email", flat=True))
    assert sorted(sent_five) == sorted(five.organisation.memberships.values_list("user__email", flat=True))
    assert AccessLink.objects.count() == OutgoingEmail.objects.count() == 6
    assert OutgoingEmail.objects.filter(
        dedup_key=f"evaluation:{response_one.pk}:manual:1:{one.organisation.memberships.get().user_id}",
    ).exists()


# --------------------------------------------------------------------------
# Two sweeps at the same time (real transactions, one connection per sweep)
# --------------------------------------------------------------------------


def _sweep_in_thread(results: dict, name: str) -> threading.Thread:
    def run():
        try:
            results[name] = send_due_reminders(today=DAY)
        except Exception as error:  # noqa: BLE001 - reported by the test
            results[name] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


def _waiting(what: str) -> list[int]:
    """Backends waiting for a lock: on the outbox table, or on another transaction."""
    condition = {
        "outbox": f"locktype = 'relation' AND relation = '{OutgoingEmail._meta.db_table}'::regclass",
        "transaction": "locktype = 'transactionid'",
    }[what]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pid FROM pg_locks WHERE NOT granted AND {condition}")  # noqa: S608 - constants
        return [pid for (pid,) in cursor.fetchall()]


def _wait_until_waiting(what: str, count: int = 1) -> list[int]:
    deadline = time.monotonic() + 20
    while len(pids := _waiting(what)) < count:
        assert time.monotonic() < deadline, f"no sweep waiting on {what}"
        time.sleep(0.02)
    return pids


def _three_questionnaires_due():
    return [_appropriation(_structure(contacts=2)) for _index in range(3)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(60)
def test_two_sweeps_at_the_same_time_send_each_email_once(eager_celery, mailoutbox):
    """The first sweep records the reminders, then waits (the outbox table is locked)
    with its transaction open; the second starts and waits on the reminders' unique
    index. When the first commits, the second inserts nothing and sends nothing."""
    responses = _three_questionnaires_due()
    results = {}
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {OutgoingEmail._meta.db_table} IN EXCLUSIVE MODE")
        first = _sweep_in_thread(results, "first")
        _wait_until_waiting("outbox")  # reminders inserted, e-mails waiting
        second = _sweep_in_thread(results, "second")
        _wait_until_waiting("transaction")  # its reminders wait for the first sweep's
    first.join(timeout=30)
    second.join(timeout=30)

    assert results == {"first": 3, "second": 0}
    assert Reminder.objects.count() == 3
    assert AccessLink.objects.count() == 6
    emails = OutgoingEmail.objects.all()
    assert emails.count() == 6
    assert set(emails.values_list("status", flat=True)) == {Status.SENT}
    assert len(mailoutbox) == 6
    assert len({(message.to[0], message.subject) for message in mailoutbox}) == 6
    for response in responses:
        reminder = response.reminders.get()
        assert reminder.kind == ReminderKind.OPENING and len(reminder.recipients) == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(60)
def test_second_sweep_sends_what_the_first_rolled_back(eager_celery, mailoutbox):
    """The first sweep dies with its transaction open (its query is cancelled): its
    reminders and links vanish, and the second sweep, which was waiting for them,
    records and sends them, once."""
    _three_questionnaires_due()
    results = {}
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {OutgoingEmail._meta.db_table} IN EXCLUSIVE MODE")
        first = _sweep_in_thread(results, "first")
        (first_pid,) = _wait_until_waiting("outbox")
        second = _sweep_in_thread(results, "second")
        _wait_until_waiting("transaction")
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_cancel_backend(%s)", [first_pid])
        first.join(timeout=30)
        _wait_until_waiting("outbox")  # the second now owns the reminders and waits for the outbox
    second.join(timeout=30)

    assert "canceling statement" in str(results["first"])
    assert results["second"] == 3
    assert Reminder.objects.count() == 3
    assert AccessLink.objects.count() == 6  # the first sweep's links were rolled back
    assert OutgoingEmail.objects.filter(status=Status.SENT).count() == 6
    assert len(mailoutbox) == 6
