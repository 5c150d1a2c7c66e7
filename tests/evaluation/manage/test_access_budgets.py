"""Who may follow the evaluation, and query budgets of the follow-up pages (the same
number of queries with 1 row as with 20)."""

import datetime
import itertools

import pytest
import time_machine
from django.urls import reverse

from ais.accounts.models import Role
from evaluation.links import send_access_links
from evaluation.models import Phase, Question, QuestionnaireTemplate, Reminder, ReminderKind
from evaluation.services import new_draft_version, publish_version, save_answer
from projects.models import Stage
from tests.ais.factories import OutgoingEmailFactory, UserFactory
from tests.conftest import make_user
from tests.evaluation.manage.helpers import D, bring_to, questionnaire, structure_with_questionnaires, valid_raw
from tests.projects.factories import InnovationFactory

pytestmark = pytest.mark.django_db

FROZEN = time_machine.travel(datetime.datetime(2026, 6, 15, 8, 0, tzinfo=datetime.UTC), tick=False)
PAGES = ["evaluation:followup", "evaluation:template_list"]


# Access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("role", [Role.CARRIER, Role.COMMITTEE, Role.STRUCTURE])
def test_other_roles_are_refused(client, name, role):
    client.force_login(make_user(role))

    response = client.get(reverse(name))

    assert response.status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_log_in(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login") + "?next=")


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMIN])
def test_managers_and_administrators_follow_the_evaluation(client, role):
    client.force_login(make_user(role))

    response = client.get(reverse("evaluation:followup"))

    assert response.status_code == 200


def test_structure_contact_cannot_validate_its_own_questionnaire(client, staff):
    with FROZEN:
        structure = structure_with_questionnaires(innovation=InnovationFactory(), start=D(2025, 6, 1))
        response = bring_to(questionnaire(structure, Phase.IMPLEMENTATION), "submitted", by=staff)
    contact = UserFactory(roles=[(Role.STRUCTURE, structure.organisation)])
    client.force_login(contact)

    result = client.post(reverse("evaluation:response_validate", kwargs={"pk": response.pk}))

    assert result.status_code == 403
    response.refresh_from_db()
    assert response.status == "submitted"


# Query budgets --------------------------------------------------------------------------

_numbers = itertools.count(1)


@FROZEN
def test_followup_queries_constant(client, staff, assert_constant_queries):
    client.force_login(staff)
    # The first structure's appropriation is late and its implementation submitted: one row
    # in each list (an empty list costs a query fewer: its page is not fetched).
    statuses = itertools.cycle(["scheduled", "validated", "submitted", "in_progress", "returned"])

    def make_rows(n):
        for _ in range(n):
            number = next(_numbers)
            innovation = InnovationFactory(name=f"Innovation suivie {number:02d}", stage=Stage.ESSAIMAGE)
            structure = structure_with_questionnaires(
                innovation=innovation, start=D(2025, 1, 1), wave=1 + number % 3, name=f"Structure suivie {number:02d}"
            )
            appropriation = questionnaire(structure, Phase.APPROPRIATION)
            bring_to(appropriation, next(statuses), by=staff)
            Reminder.objects.create(response=appropriation, kind=ReminderKind.OPENING, recipients=["a@b.fr"])
            bring_to(questionnaire(structure, Phase.IMPLEMENTATION), "submitted", by=staff)

    one, many = assert_constant_queries(client, reverse("evaluation:followup"), make_rows, 9)

    assert "Structure suivie 01" in one
    assert "Innovation suivie 20" in many


@FROZEN
def test_response_manage_queries_constant(client, staff, assert_constant_queries):
    client.force_login(staff)
    structure = structure_with_questionnaires(innovation=InnovationFactory(), start=D(2025, 6, 1), name="Régie")
    response = questionnaire(structure, Phase.IMPLEMENTATION)
    Reminder.objects.create(response=response, kind=ReminderKind.OPENING, recipients=["a@b.fr"])

    def make_rows(n):
        """n more contacts, each e-mailed a link (an e-mail and a link row each)."""
        users = [
            UserFactory(roles=[(Role.STRUCTURE, structure.organisation)], email=f"contact{next(_numbers)}@regie.fr")
            for _ in range(n)
        ]
        send_access_links(response, purpose="new_link", dedup=f"test{next(_numbers)}", recipients=users)
        OutgoingEmailFactory(related_object=response, subject=f"Message n°{next(_numbers)}")

    url = reverse("evaluation:response_manage", kwargs={"pk": response.pk})
    one, many = assert_constant_queries(client, url, make_rows, 11)

    assert one.count("@regie.fr</span>") == 1
    assert many.count("@regie.fr</span>") == 20


@FROZEN
def test_structure_compare_queries_constant(client, staff, assert_constant_queries):
    client.force_login(staff)
    structure = structure_with_questionnaires(innovation=InnovationFactory(), start=D(2024, 6, 1), name="Régie")
    unanswered = [
        (response, question)
        for phase in Phase.values
        for response in [questionnaire(structure, phase)]
        for question in response.version.questions.all()
    ]

    def make_rows(n):
        for _ in range(n):
            response, question = unanswered.pop(0)
            save_answer(response, question, valid_raw(question), revision=0, by=staff)

    url = reverse("evaluation:structure_compare", kwargs={"pk": structure.pk})
    one, many = assert_constant_queries(client, url, make_rows, 7)

    assert one.count('class="eval-empty"') - many.count('class="eval-empty"') == 19


def test_template_list_queries_constant(client, staff, assert_constant_queries):
    client.force_login(staff)
    template = QuestionnaireTemplate.objects.get(phase=Phase.IMPACT)

    def make_rows(n):
        for _ in range(n):
            publish_version(new_draft_version(template, by=staff), by=staff, notes=f"Révision {next(_numbers)}")

    one, many = assert_constant_queries(client, reverse("evaluation:template_list"), make_rows, 5)

    assert "Révision" in one
    assert many.count("Révision") == 20


def test_version_detail_queries_constant(client, staff, assert_constant_queries):
    client.force_login(staff)
    version = new_draft_version(QuestionnaireTemplate.objects.get(phase=Phase.IMPACT), by=staff)
    section = version.sections.first()

    def make_rows(n):
        for _ in range(n):
            number = next(_numbers)
            code, label = f"ajout_{number}", f"Question ajoutée {number}"
            Question.objects.create(version=version, section=section, code=code, label=label, kind="integer")

    url = reverse("evaluation:version_detail", kwargs={"pk": version.pk})
    one, many = assert_constant_queries(client, url, make_rows, 8)

    assert many.count("Question ajoutée") == 20
