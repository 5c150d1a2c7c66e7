"""The library's French full-text search ignores accents and word endings."""

import pytest
from django.contrib.auth.models import AnonymousUser

from events.models import Resource
from events.services import search_resources
from tests.events.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def _found(text, user=None):
    return {r.title for r in search_resources(Resource.objects.for_user(user or AnonymousUser()), text)}


@pytest.fixture
def library(db):
    ResourceFactory(title="Guide de l'évaluation", summary="Mesurer les effets.")
    ResourceFactory(title="Boîte à outils", summary="Comment évaluer une innovation essaimée.")
    ResourceFactory(title="Les évaluations à 18 mois", summary="Questionnaires.")
    ResourceFactory(title="Guide de la gouvernance", summary="Le comité de pilotage local.")
    ResourceFactory(title="Note réservée", summary="Évaluation d'impact.", is_public=False)
    ResourceFactory(title="Brouillon", summary="Évaluation en cours.", published_at=None)


@pytest.mark.parametrize("text", ["evaluation", "évaluation", "evaluer", "Évaluer", "EVALUATIONS"])
def test_search_evaluation_finds_every_form_of_the_word(library, text):
    assert _found(text) == {"Guide de l'évaluation", "Boîte à outils", "Les évaluations à 18 mois"}


def test_search_reserved_resources_for_logged_in_users_only(library, django_user_model):
    from tests.conftest import make_user

    assert "Note réservée" not in _found("evaluation")
    assert "Note réservée" in _found("evaluation", make_user("carrier"))


def test_search_never_finds_drafts(library):
    assert "Brouillon" not in _found("evaluation")


def test_search_ranks_title_before_text(library):
    first = search_resources(Resource.objects.for_user(AnonymousUser()), "evaluation").first()

    assert first.title in {"Guide de l'évaluation", "Les évaluations à 18 mois"}


def test_search_other_words_not_found(library):
    assert _found("gouvernance") == {"Guide de la gouvernance"}
