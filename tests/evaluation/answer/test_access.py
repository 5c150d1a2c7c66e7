"""Who sees which questionnaire, and the query budgets of the list and the page."""

import html

import pytest
from django.urls import reverse
from django.utils import timezone

from ais.accounts.models import Role
from evaluation import services
from evaluation.models import (
    ConsistencyRule,
    Phase,
    Question,
    QuestionnaireTemplate,
    Response,
    Section,
    TemplateVersion,
)
from tests.ais.factories import OrganisationFactory, UserFactory
from tests.conftest import make_user
from tests.evaluation.answer.helpers import schedule, structure_of

pytestmark = pytest.mark.django_db


def _text(http_response) -> str:
    return html.unescape(http_response.content.decode())


def _page_url(response):
    return reverse("evaluation:response", kwargs={"pk": response.pk})


def test_structure_contact_lists_only_own_questionnaires(client, contact, responses, other_contact):
    schedule(structure_of(other_contact.organisations_for(Role.STRUCTURE).first()))
    other_name = other_contact.organisations_for(Role.STRUCTURE).first().name
    client.force_login(contact)

    text = _text(client.get(reverse("evaluation:my_questionnaires")))

    assert "Régie de quartier Nord" in text
    assert other_name not in text
    for response in responses.values():  # the three phases, the impact one not open yet
        assert f'href="{_page_url(response)}"' in text
    assert responses[Phase.IMPACT].opens_on.strftime("%Y") in text


def test_structure_contact_gets_404_for_another_structures_questionnaire(client, contact, other_contact):
    others = schedule(structure_of(other_contact.organisations_for(Role.STRUCTURE).first()))
    other = others[Phase.IMPLEMENTATION]
    q = other.version.questions.get(code="people_accompanied")
    client.force_login(contact)

    page = client.get(_page_url(other))
    post = client.post(_page_url(other), {f"q-{q.pk}": "3", f"rev-{q.pk}": "0"})
    save = client.post(
        reverse("evaluation:answer_save", kwargs={"pk": other.pk, "question_pk": q.pk}),
        {f"q-{q.pk}": "3", f"rev-{q.pk}": "0"},
        HTTP_HX_REQUEST="true",
    )
    submit = client.post(reverse("evaluation:response_submit", kwargs={"pk": other.pk}))

    assert [r.status_code for r in (page, post, save, submit)] == [404, 404, 404, 404]
    assert not other.answers.exists()


def test_carrier_reads_questionnaire_of_own_innovation_without_answering(client, response, structure):
    carrier = UserFactory(roles=[(Role.CARRIER, structure.innovation.carrier)])
    q = response.version.questions.get(code="people_accompanied")
    services.save_answer(response, q, "17", revision=0, by=None)
    client.force_login(carrier)

    page = client.get(_page_url(response))
    post = client.post(_page_url(response), {f"q-{q.pk}": "3", f"rev-{q.pk}": "1"})

    text = _text(page)
    assert page.status_code == 200
    assert q.label in text and "<dd>17" in text
    assert 'id="questionnaire-form"' not in text
    assert post.status_code == 404
    assert response.answers.get(question=q).value == 17


def test_anonymous_visitor_is_sent_to_log_in(client, response):
    page = client.get(_page_url(response))

    assert page.status_code == 302
    assert page.url == f"/compte/connexion/?next={_page_url(response)}"


def test_manager_may_answer_any_questionnaire(client, response, manager):
    client.force_login(manager)

    assert 'id="questionnaire-form"' in _text(client.get(_page_url(response)))


def test_cancelled_questionnaires_are_not_listed(client, contact, structure, responses):
    Response.objects.filter(structure=structure).update(status="cancelled")
    client.force_login(contact)

    text = _text(client.get(reverse("evaluation:my_questionnaires")))

    assert f'href="{_page_url(responses[Phase.IMPLEMENTATION])}"' not in text


# Query budgets --------------------------------------------------------------------


def test_my_questionnaires_query_budget(client, organisation, contact, assert_constant_queries):
    client.force_login(contact)

    def make_rows(n):
        for _ in range(n):
            schedule(structure_of(organisation))

    one, many = assert_constant_queries(client, reverse("evaluation:my_questionnaires"), make_rows, 6)

    assert many.count('class="fw-semibold">') > one.count('class="fw-semibold">')


def test_my_questionnaires_query_budget_for_manager(client, manager, assert_constant_queries):
    client.force_login(manager)

    def make_rows(n):
        for _ in range(n):
            schedule(structure_of(OrganisationFactory()))

    assert_constant_queries(client, reverse("evaluation:my_questionnaires"), make_rows, 6)


def _big_version():
    """A published version of the 9-month template with 25 questions in 5 sections."""
    template = QuestionnaireTemplate.objects.get(phase=Phase.IMPLEMENTATION)
    version = TemplateVersion.objects.create(template=template, number=99, published_at=timezone.now())
    for s in range(5):
        section = Section.objects.create(version=version, position=s, title=f"Partie {s}")
        for p in range(5):
            Question.objects.create(
                version=version,
                section=section,
                code=f"figure_{s}_{p}",
                position=p,
                label=f"Chiffre {s}.{p}",
                kind="integer",
                min_value=0,
            )
    ConsistencyRule.objects.create(
        version=version, left_code="figure_0_1", comparison="lte", right_code="figure_0_0", message="Trop grand."
    )
    return version


# Session, user and roles, access check, the questionnaire, its questions, answers and rules
# (an anonymous link holder: no user; a carrier: the readable check too).
BUDGET = {"structure": 8, "manager": 8, "grant": 5, "carrier": 9}


@pytest.mark.parametrize("role", list(BUDGET))
def test_response_page_query_budget(client, contact, manager, structure, response, role, assert_constant_queries):
    from evaluation import links

    version = _big_version()
    Response.objects.filter(pk=response.pk).update(version=version)
    response.refresh_from_db()
    if role == "grant":
        client.post(reverse("evaluation:link", kwargs={"token": links.issue_link(response, contact.email)[1]}))
    elif role == "carrier":
        client.force_login(UserFactory(roles=[(Role.CARRIER, structure.innovation.carrier)]))
    else:
        client.force_login(contact if role == "structure" else manager)
    questions = iter(version.questions.order_by("pk"))

    def make_rows(n):
        for _ in range(n):
            services.save_answer(response, next(questions), "3", revision=0, by=contact)

    one, many = assert_constant_queries(client, _page_url(response), make_rows, BUDGET[role])

    shown = "<dd>3" if role == "carrier" else 'value="3"'
    assert one.count(shown) == 1 and many.count(shown) == 20


def test_committee_member_gets_404(client, response):
    client.force_login(make_user(Role.COMMITTEE))

    assert client.get(_page_url(response)).status_code == 404
