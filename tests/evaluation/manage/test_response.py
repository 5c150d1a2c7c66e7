"""One questionnaire for a manager: answers, warnings, what was sent; validate, return
with a reason, links."""

import datetime
import html

import pytest
import time_machine
from django.urls import reverse

from ais.outbox.models import OutgoingEmail
from evaluation.emails import EVALUATION_REMINDER
from evaluation.links import issue_link
from evaluation.models import AccessLink, Phase, Reminder, ReminderKind, ResponseStatus
from projects.models import Stage
from tests.ais.factories import OutgoingEmailFactory, UserFactory
from tests.evaluation.manage.helpers import D, answer, bring_to, questionnaire, structure_with_questionnaires
from tests.projects.factories import InnovationFactory

pytestmark = pytest.mark.django_db

FROZEN = time_machine.travel(datetime.datetime(2026, 6, 15, 8, 0, tzinfo=datetime.UTC), tick=False)
REASON = "Les sorties vers l'emploi dépassent les personnes accompagnées : merci de vérifier."


@pytest.fixture
def submitted(staff):
    """A submitted implementation questionnaire of a structure with two contacts."""
    with FROZEN:
        innovation = InnovationFactory(name="Parcours Gardien", stage=Stage.ESSAIMAGE)
        structure = structure_with_questionnaires(innovation=innovation, start=D(2025, 6, 1), name="Régie Nord")
        for email in ("marie@regie-nord.fr", "paul@regie-nord.fr"):
            UserFactory(roles=[("structure", structure.organisation)], email=email)
        response = questionnaire(structure, Phase.IMPLEMENTATION)
        bring_to(response, "submitted", by=staff)
        response.refresh_from_db()
    return response


def _content(response) -> str:
    return html.unescape(response.content.decode())


def _url(name, response):
    return reverse(f"evaluation:{name}", kwargs={"pk": response.pk})


@FROZEN
def test_response_page_shows_answers_warnings_reminders_emails_and_links(client, staff):
    structure = structure_with_questionnaires(
        innovation=InnovationFactory(name="VITA-Air"), start=D(2025, 6, 1), name="ACI Sud"
    )
    response = questionnaire(structure, Phase.IMPLEMENTATION)
    answer(response, "people_accompanied", "10", by=staff)
    answer(response, "exits_durable_employment", "14", by=staff)  # more exits than people: a warning
    answer(response, "fidelity", "Conforme au modèle", by=staff)
    Reminder.objects.create(
        response=response,
        kind=ReminderKind.OPENING,
        created_at=datetime.datetime(2026, 3, 1, 7, 0, tzinfo=datetime.UTC),
        recipients=["contact@aci-sud.fr"],
    )
    OutgoingEmailFactory(
        related_object=response, recipient="contact@aci-sud.fr", subject="Votre questionnaire est ouvert", sent=True
    )
    OutgoingEmailFactory(subject="Un autre message", recipient="autre@exemple.fr")  # not about this questionnaire
    link, token = issue_link(response, "contact@aci-sud.fr")
    client.force_login(staff)

    page = client.get(_url("response_manage", response))

    assert page.status_code == 200
    content = _content(page)
    assert "ACI Sud" in content and "VITA-Air" in content
    assert '<span class="eval-answer">10</span>' in content
    assert '<span class="eval-answer">14</span>' in content
    assert "« Sorties vers l'emploi durable » ne peut pas dépasser le nombre de personnes accompagnées." in content
    assert "contact@aci-sud.fr" in content
    assert "01/03/2026 08:00" in content  # the reminder, in Paris time
    assert "Votre questionnaire est ouvert" in content
    assert "Un autre message" not in content
    assert token not in content and link.token_hash not in content  # never the token
    assert f'action="{_url("response_links", response)}"' in content
    assert f'action="{_url("response_validate", response)}"' not in content  # in progress: nothing to validate


def test_validate_a_submitted_questionnaire(client, staff, submitted):
    client.force_login(staff)

    result = client.post(_url("response_validate", submitted))

    assert result.url == _url("response_manage", submitted)
    submitted.refresh_from_db()
    assert submitted.status == ResponseStatus.VALIDATED
    assert submitted.validated_by == staff
    assert submitted.history.first().history_user == staff


def test_validate_twice_says_why_it_cannot(client, staff, submitted):
    client.force_login(staff)
    client.post(_url("response_validate", submitted), follow=True)

    result = client.post(_url("response_validate", submitted), follow=True)

    assert [m.level_tag for m in result.context["messages"]] == ["error"]
    submitted.refresh_from_db()
    assert submitted.status == ResponseStatus.VALIDATED


def test_return_with_reason_emails_the_contacts_a_new_link(client, staff, submitted):
    client.force_login(staff)
    before = OutgoingEmail.objects.count()

    result = client.post(_url("response_return", submitted), {"reason": REASON})

    assert result.url == _url("response_manage", submitted)
    submitted.refresh_from_db()
    assert submitted.status == ResponseStatus.RETURNED
    assert submitted.return_reason == REASON
    emails = OutgoingEmail.objects.filter(object_id=str(submitted.pk), reason=EVALUATION_REMINDER)
    assert OutgoingEmail.objects.count() == before + 2
    assert sorted(e.recipient for e in emails) == ["marie@regie-nord.fr", "paul@regie-nord.fr"]
    assert all(REASON in e.body for e in emails)
    assert AccessLink.objects.filter(response=submitted, revoked_at__isnull=True).count() == 2
    page = _content(client.get(_url("response_manage", submitted)))
    assert REASON in page
    assert "marie@regie-nord.fr" in page


def test_return_of_a_validated_questionnaire(client, staff, submitted):
    client.force_login(staff)
    client.post(_url("response_validate", submitted))

    client.post(_url("response_return", submitted), {"reason": REASON})

    submitted.refresh_from_db()
    assert submitted.status == ResponseStatus.RETURNED
    assert submitted.validated_at is None


@pytest.mark.parametrize("reason", ["", "   \n  "])
def test_return_without_reason_is_refused(client, english, staff, submitted, reason):
    client.force_login(staff)
    before = OutgoingEmail.objects.count()

    result = client.post(_url("response_return", submitted), {"reason": reason})

    assert result.status_code == 400
    assert "Say what needs correcting: the structure receives your message." in _content(result)
    submitted.refresh_from_db()
    assert submitted.status == ResponseStatus.SUBMITTED
    assert OutgoingEmail.objects.count() == before


def test_return_refused_by_the_rules_keeps_the_typed_reason(client, staff):
    with FROZEN:
        structure = structure_with_questionnaires(innovation=InnovationFactory(), start=D(2025, 6, 1))
    response = questionnaire(structure, Phase.IMPLEMENTATION)  # scheduled: nothing to return
    client.force_login(staff)

    result = client.post(_url("response_return", response), {"reason": REASON})

    assert result.status_code == 400
    assert f"{REASON}</textarea>" in _content(result)
    assert [m.level_tag for m in result.context["messages"]] == ["error"]
    response.refresh_from_db()
    assert response.status == ResponseStatus.SCHEDULED


@FROZEN
def test_send_a_new_link_then_revoke(client, staff):
    structure = structure_with_questionnaires(
        innovation=InnovationFactory(), start=D(2025, 6, 1), name="EI Est", contact=True
    )
    response = questionnaire(structure, Phase.IMPLEMENTATION)
    client.force_login(staff)

    client.post(_url("response_links", response), {"action": "send"}, follow=True)
    again = client.post(_url("response_links", response), {"action": "send"}, follow=True)  # same minute

    emails = OutgoingEmail.objects.filter(object_id=str(response.pk))
    assert emails.count() == 1
    assert emails.get().dedup_key.startswith(f"evaluation:{response.pk}:manual:202606150800:")
    assert [m.level_tag for m in again.context["messages"]] == ["info"]
    assert AccessLink.objects.filter(response=response, revoked_at__isnull=True).count() == 1

    client.post(_url("response_links", response), {"action": "revoke"})

    assert not AccessLink.objects.filter(response=response, revoked_at__isnull=True).exists()


def test_new_link_refused_for_a_submitted_questionnaire(client, staff, submitted):
    client.force_login(staff)

    result = client.post(_url("response_links", submitted), {"action": "send"}, follow=True)

    assert [m.level_tag for m in result.context["messages"]] == ["error"]
    assert not OutgoingEmail.objects.filter(object_id=str(submitted.pk), dedup_key__contains="manual").exists()


def test_links_without_an_action_changes_nothing(client, staff, submitted):
    client.force_login(staff)

    result = client.post(_url("response_links", submitted), {"action": "tout"}, follow=True)

    assert [m.level_tag for m in result.context["messages"]] == ["error"]


@FROZEN
def test_new_link_refused_before_the_questionnaire_opens(client, staff):
    structure = structure_with_questionnaires(innovation=InnovationFactory(), start=D(2026, 6, 1), contact=True)
    response = questionnaire(structure, Phase.APPROPRIATION)  # opens on 1 September 2026
    client.force_login(staff)

    page = client.get(_url("response_manage", response))
    result = client.post(_url("response_links", response), {"action": "send"}, follow=True)

    assert 'value="send"' not in page.content.decode()
    assert [m.level_tag for m in result.context["messages"]] == ["error"]
    assert not OutgoingEmail.objects.filter(object_id=str(response.pk)).exists()
