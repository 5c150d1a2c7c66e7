"""« Relancer »: a manager reminds a late questionnaire now (issue 16): one reminder
through the outbox to each contact, with a fresh link, recorded like the sweep's;
confirmed first; not twice within 24 hours; the sweep's own reminders unaffected."""

import datetime
import html

import pytest
import time_machine
from django.urls import reverse

from ais.outbox.models import OutgoingEmail
from evaluation import reminders
from evaluation.emails import EVALUATION_REMINDER
from evaluation.models import AccessLink, Phase, Reminder, ReminderKind
from evaluation.services import EvaluationError
from projects.models import Stage
from tests.ais.factories import UserFactory
from tests.evaluation.manage.helpers import D, bring_to, questionnaire, structure_with_questionnaires
from tests.projects.factories import InnovationFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 15, 8, 0, tzinfo=datetime.UTC)
FROZEN = time_machine.travel(NOW, tick=False)
CONTACTS = ["marie@regie-nord.fr", "paul@regie-nord.fr"]


@pytest.fixture
def late(db):
    """The implementation questionnaire of Régie Nord, due on 31 March 2026, not answered."""
    with FROZEN:
        innovation = InnovationFactory(name="Parcours Gardien", stage=Stage.ESSAIMAGE)
        structure = structure_with_questionnaires(innovation=innovation, start=D(2025, 6, 1), name="Régie Nord")
        for email in CONTACTS:
            UserFactory(roles=[("structure", structure.organisation)], email=email)
        response = questionnaire(structure, Phase.IMPLEMENTATION)
    assert response.is_late(NOW.date())
    return response


def _content(response) -> str:
    return html.unescape(response.content.decode())


def _url(response):
    return reverse("evaluation:response_remind", kwargs={"pk": response.pk})


@FROZEN
def test_remind_unconfirmed_says_to_whom_and_sends_nothing(client, staff, late):
    client.force_login(staff)

    shown = client.get(_url(late))
    unconfirmed = client.post(_url(late))

    for response in (shown, unconfirmed):
        content = _content(response)
        assert response.status_code == 200
        assert "Envoyer maintenant une relance pour ce questionnaire en retard ?" in content
        assert "marie@regie-nord.fr, paul@regie-nord.fr" in content
        assert 'name="confirm" value="yes"' in content
    assert not Reminder.objects.exists()
    assert not OutgoingEmail.objects.exists()


@FROZEN
def test_remind_confirmed_sends_one_email_per_contact_through_the_outbox_and_records_it(client, staff, late):
    client.force_login(staff)

    response = client.post(_url(late), {"confirm": "yes"}, follow=True)

    reminder = Reminder.objects.get(response=late)
    assert (reminder.kind, reminder.sent_by, reminder.recipients) == (ReminderKind.MANUAL, staff, CONTACTS)
    emails = OutgoingEmail.objects.order_by("recipient")
    assert [e.recipient for e in emails] == CONTACTS
    assert {e.reason for e in emails} == {EVALUATION_REMINDER}  # the reason of the sweep's reminders
    assert all("Votre questionnaire est en retard" in e.subject for e in emails)
    assert AccessLink.objects.filter(response=late).count() == 2
    content = _content(response)
    assert "Relance envoyée à : marie@regie-nord.fr, paul@regie-nord.fr." in content
    assert "Relance envoyée par un·e chargé·e de projets" in content  # in the page's list of reminders


@FROZEN
def test_remind_twice_within_a_day_is_refused_and_sends_nothing_more(client, staff, late):
    client.force_login(staff)
    client.post(_url(late), {"confirm": "yes"})

    again = client.post(_url(late), {"confirm": "yes"}, follow=True)

    assert "Une relance a déjà été envoyée le" in _content(again)
    assert Reminder.objects.filter(response=late).count() == 1
    assert OutgoingEmail.objects.count() == 2


def test_remind_again_the_next_day_sends_a_second_one(staff, late):
    reminders.send_manual_reminder(late, by=staff, now=NOW)

    with time_machine.travel(NOW + datetime.timedelta(hours=25), tick=False):
        reminders.send_manual_reminder(late, by=staff)

    assert Reminder.objects.filter(response=late, kind=ReminderKind.MANUAL).count() == 2
    assert OutgoingEmail.objects.count() == 4


@FROZEN
def test_remind_refused_for_a_questionnaire_not_late(staff, late):
    bring_to(late, "submitted", by=staff)
    late.refresh_from_db()

    with pytest.raises(EvaluationError):
        reminders.send_manual_reminder(late, by=staff)

    assert not Reminder.objects.exists()


@FROZEN
def test_sweep_still_sends_its_own_reminders_after_a_manual_one(staff, late):
    reminders.send_manual_reminder(late, by=staff)

    recorded = reminders.send_due_reminders(NOW.date())
    again = reminders.send_due_reminders(NOW.date())

    assert recorded >= 1 and again == 0  # each questionnaire's latest due kind, once
    kinds = set(Reminder.objects.filter(response=late).values_list("kind", flat=True))
    assert ReminderKind.MANUAL in kinds and len(kinds) > 2  # the manual one, the sweep's skipped and sent ones


@FROZEN
def test_late_list_offers_remind_for_each_row(client, staff, late):
    client.force_login(staff)

    content = _content(client.get(reverse("evaluation:followup")))

    assert f'action="{_url(late)}"' in content
    assert 'name="next" value="/suivi/evaluation/"' in content
    assert "Relancer" in content
