"""The reminder sweep: the right e-mails on the right days, each exactly once,
including after a crash in the middle of a sweep (on the real database)."""

import datetime

import pytest
import time_machine
from django.db import DatabaseError, connection

from ais.accounts.models import Role
from ais.outbox.models import OutgoingEmail
from essaimage.models import StructureStatus
from evaluation import reminders
from evaluation.models import Phase, Reminder, ReminderKind, Response, ResponseStatus
from evaluation.reminders import reminder_dates, send_due_reminders
from evaluation.schedule import schedule_for_structure
from tests.ais.factories import MembershipFactory, UserFactory
from tests.conftest import make_user
from tests.essaimage.factories import SpreadStructureFactory

pytestmark = pytest.mark.django_db

D = datetime.date
START = D(2026, 1, 5)  # appropriation opens 5 April, due 5 May (30 days)


@pytest.fixture(autouse=True)
def _windows(settings):
    settings.EVALUATION_ANSWER_DAYS = 30
    settings.EVALUATION_REMINDER_EVERY_DAYS = 7
    settings.EVALUATION_LATE_REMINDERS = 3


def _structure(*, start=START, contacts=1, lead_manager=None):
    """A spreading structure started on ``start``, its contacts, its questionnaires scheduled."""
    structure = SpreadStructureFactory(status=StructureStatus.SPREADING, start_date=start)
    if lead_manager is not None:
        structure.innovation.lead_manager = lead_manager
        structure.innovation.save(update_fields=["lead_manager"])
    for _index in range(contacts):
        MembershipFactory(role=Role.STRUCTURE, organisation=structure.organisation)
    schedule_for_structure(structure.pk)
    return structure


def _sweep_on(day):
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(9, 0)), tick=False):
        return send_due_reminders(today=day)


def _kinds(response):
    return list(response.reminders.order_by("created_at", "pk").values_list("kind", flat=True))


def test_reminder_calendar_of_a_questionnaire():
    structure = _structure()
    response = Response.objects.get(structure=structure, phase=Phase.APPROPRIATION)

    assert reminder_dates(response) == [
        (ReminderKind.OPENING, D(2026, 4, 5)),
        (ReminderKind.BEFORE_DUE, D(2026, 4, 28)),
        (ReminderKind.DUE, D(2026, 5, 5)),
        (ReminderKind.LATE_1, D(2026, 5, 12)),
        (ReminderKind.LATE_2, D(2026, 5, 19)),
        (ReminderKind.LATE_3, D(2026, 5, 26)),
        (ReminderKind.MANAGER_ALERT, D(2026, 6, 2)),
    ]


def test_sweep_day_by_day_sends_each_reminder_once(django_capture_on_commit_callbacks):
    lead = make_user(Role.MANAGER)
    structure = _structure(contacts=2, lead_manager=lead)
    response = Response.objects.get(structure=structure, phase=Phase.APPROPRIATION)

    day = D(2026, 4, 1)
    with django_capture_on_commit_callbacks(execute=False):
        while day <= D(2026, 7, 1):
            _sweep_on(day)
            _sweep_on(day)  # twice the same day: nothing more
            day += datetime.timedelta(days=1)

    assert _kinds(response) == [
        ReminderKind.OPENING,
        ReminderKind.BEFORE_DUE,
        ReminderKind.DUE,
        ReminderKind.LATE_1,
        ReminderKind.LATE_2,
        ReminderKind.LATE_3,
        ReminderKind.MANAGER_ALERT,
    ]
    sent_on = {r.kind: r.created_at.date() for r in response.reminders.all()}
    assert sent_on[ReminderKind.OPENING] == D(2026, 4, 5)
    assert sent_on[ReminderKind.MANAGER_ALERT] == D(2026, 6, 2)
    emails = OutgoingEmail.objects.filter(object_id=str(response.pk))
    # Six reminders to two contacts, one alert to the lead manager.
    assert emails.count() == 6 * 2 + 1
    assert emails.filter(recipient=lead.email).count() == 1
    assert emails.values("dedup_key").distinct().count() == emails.count()
    # Every contact's e-mail carries its own link to the questionnaire.
    assert all("/questionnaires/acces/" in e.body for e in emails.exclude(recipient=lead.email))
    # The other phases are not open yet: nothing sent about them.
    assert not Reminder.objects.exclude(response=response).exists()


def test_submitted_questionnaire_gets_no_more_reminders():
    structure = _structure()
    response = Response.objects.get(structure=structure, phase=Phase.APPROPRIATION)
    _sweep_on(D(2026, 4, 5))
    Response.objects.filter(pk=response.pk).update(status=ResponseStatus.SUBMITTED)

    _sweep_on(D(2026, 5, 5))

    assert _kinds(response) == [ReminderKind.OPENING]


def test_late_scheduled_questionnaire_sends_only_the_latest_reminder():
    structure = _structure()
    response = Response.objects.get(structure=structure, phase=Phase.APPROPRIATION)

    _sweep_on(D(2026, 5, 13))  # first sweep after the due date: one e-mail, not four

    assert _kinds(response) == [
        ReminderKind.OPENING,
        ReminderKind.BEFORE_DUE,
        ReminderKind.DUE,
        ReminderKind.LATE_1,
    ]
    assert list(response.reminders.exclude(recipients=[]).values_list("kind", flat=True)) == [ReminderKind.LATE_1]
    assert OutgoingEmail.objects.filter(object_id=str(response.pk)).count() == 1


def test_withdrawn_structure_gets_no_reminder():
    structure = _structure()
    SpreadStructureFactory._meta.model.objects.filter(pk=structure.pk).update(
        status=StructureStatus.WITHDRAWN, withdrawn_on=D(2026, 3, 1), withdrawal_reason="Fermeture"
    )

    assert _sweep_on(D(2026, 4, 5)) == 0
    assert not Reminder.objects.exists()


def test_sweep_after_a_crash_sends_each_reminder_exactly_once(monkeypatch):
    """A database failure in the middle of a sweep (a trigger refusing the third
    reminder, in the second batch of two) leaves the batches already handled complete
    and the others untouched; the next sweep finishes the work without sending
    anything twice."""
    monkeypatch.setattr(reminders, "BATCH_SIZE", 2)
    structures = [_structure() for _index in range(5)]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE FUNCTION crash_on_third_reminder() RETURNS trigger AS $$
            BEGIN
              IF (SELECT count(*) FROM evaluation_reminder) >= 2 THEN
                RAISE EXCEPTION 'simulated crash';
              END IF;
              RETURN NEW;
            END $$ LANGUAGE plpgsql;
            CREATE TRIGGER crash BEFORE INSERT ON evaluation_reminder
              FOR EACH ROW EXECUTE FUNCTION crash_on_third_reminder();
            """
        )
    with pytest.raises(DatabaseError, match="simulated crash"):
        _sweep_on(D(2026, 4, 5))
    handled = Reminder.objects.count()
    emails_after_crash = OutgoingEmail.objects.count()
    assert handled == 2
    assert emails_after_crash == 2  # the failed batch's e-mails were rolled back with it
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER crash ON evaluation_reminder; DROP FUNCTION crash_on_third_reminder();")

    _sweep_on(D(2026, 4, 5))
    _sweep_on(D(2026, 4, 5))

    assert Reminder.objects.count() == 5
    assert OutgoingEmail.objects.count() == 5
    for structure in structures:
        response = Response.objects.get(structure=structure, phase=Phase.APPROPRIATION)
        assert _kinds(response) == [ReminderKind.OPENING]


def test_sweep_queries_do_not_grow_with_questionnaires(django_assert_max_num_queries):
    for _index in range(3):
        _structure()
    _sweep_on(D(2026, 4, 5))  # all three recorded
    for _index in range(30):
        _structure()
    # Nothing due for the first three; reading what is due costs the same whatever the number.
    with time_machine.travel(datetime.datetime(2026, 4, 6, 9, 0), tick=False):
        assert send_due_reminders(today=D(2026, 4, 6)) == 30
    with django_assert_max_num_queries(6):
        assert send_due_reminders(today=D(2026, 4, 6)) == 0


def test_manager_alert_falls_back_to_the_team():
    member = make_user(Role.MANAGER)
    structure = _structure()
    structure.innovation.team.add(member)
    response = Response.objects.get(structure=structure, phase=Phase.APPROPRIATION)

    _sweep_on(D(2026, 6, 2))

    assert response.reminders.get(kind=ReminderKind.MANAGER_ALERT).recipients == [member.email]
    assert OutgoingEmail.objects.filter(recipient=member.email, object_id=str(response.pk)).count() == 1
    assert UserFactory._meta.model.objects.filter(email=member.email).exists()
