"""Fixtures of the answer pages: a structure contact, their structure and its
questionnaires, scheduled from the start date like in production."""

import pytest

from ais.accounts.models import Role
from evaluation.models import Phase
from tests.ais.factories import OrganisationFactory, UserFactory
from tests.conftest import make_user
from tests.evaluation.answer.helpers import schedule, structure_of
from tests.projects.factories import InnovationFactory


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Régie de quartier Nord")


@pytest.fixture
def contact(organisation):
    return UserFactory(first_name="Camille", last_name="Martin", roles=[(Role.STRUCTURE, organisation)])


@pytest.fixture
def colleague(organisation):
    return UserFactory(first_name="Sami", last_name="Benali", roles=[(Role.STRUCTURE, organisation)])


@pytest.fixture
def structure(organisation):
    return structure_of(organisation, innovation=InnovationFactory(name="Parcours Gardien", spreading=True))


@pytest.fixture
def responses(structure):
    return schedule(structure)


@pytest.fixture
def response(responses):
    """The 9-month questionnaire, open for five days."""
    return responses[Phase.IMPLEMENTATION]


@pytest.fixture
def other_contact(db):
    return make_user(Role.STRUCTURE)


def question(response, code):
    return response.version.questions.get(code=code)


VALID = {
    "short_text": "Réponse courte",
    "long_text": "Des ateliers collectifs chaque semaine avec les bailleurs.",
    "integer": "4",
    "percentage": "75",
    "scale": "4",
    "yes_no": "yes",
    "date": "2026-01-15",
}


def valid_raw(question):
    if question.kind == "single_choice":
        return question.choices[0]
    if question.kind == "multiple_choice":
        return [question.choices[0]]
    return VALID[question.kind]


def fill(response, *, by=None, **overrides):
    """Answer every required question of ``response`` with valid values
    (``overrides``: ``{code: raw}``)."""
    from evaluation.services import save_answer

    for q in response.version.questions.all():
        if q.required or q.code in overrides:
            current = response.answers.filter(question=q).first()
            save_answer(
                response,
                q,
                overrides.get(q.code, valid_raw(q)),
                revision=current.revision if current else 0,
                by=by,
            )


@pytest.fixture
def english(client, settings):
    """The test client, in English (the language switch's cookie): the page texts
    asserted below are the English msgids, stable whatever the French catalogue says."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
