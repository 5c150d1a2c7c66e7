"""The dashboards' figures are cached per data version: computed once, computed again
after any change that can move them, and still computed when Redis cannot be reached."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ais.core import figures_cache
from essaimage.services import withdraw_structure
from evaluation.models import PHASE_ORDER, Phase, Response, ResponseStatus
from evaluation.services import validate_response
from reporting import indicators
from tests.projects.factories import InnovationFactory
from tests.reporting.pages.conftest import answer, answered_structure, structure

pytestmark = pytest.mark.django_db


def _answer_queries(client, url) -> int:
    """The queries of a page that read the answers (the indicators' one big query)."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return sum('"evaluation_answer"' in query["sql"] for query in queries.captured_queries)


@pytest.mark.parametrize("name", ["reporting:programme_dashboard", "reporting:innovation_dashboard"])
def test_figures_are_computed_once_per_data_version(client, manager, name):
    innovation = InnovationFactory(name="Parcours Gardien")
    answered_structure(innovation)
    client.force_login(manager)
    url = reverse(name, kwargs={"pk": innovation.pk} if name == "reporting:innovation_dashboard" else {})

    # The innovation's dashboard reads the answers twice: its figures today by the
    # definitions, and each phase's questionnaires for the table per phase.
    reads = 2 if name == "reporting:innovation_dashboard" else 1
    assert _answer_queries(client, url) == reads
    assert _answer_queries(client, url) == 0  # from the cache

    figures_cache.invalidate()
    assert _answer_queries(client, url) == reads


def test_a_validated_questionnaire_shows_at_once(client, manager):
    innovation = InnovationFactory(name="Parcours Gardien")
    answered_structure(innovation, people=40)
    late = structure(innovation, name="Structure tardive")
    response = answer(
        late, Phase.IMPACT, {"people_accompanied": 7, "exits_durable_employment": 1}, status=ResponseStatus.SUBMITTED
    )
    Response.objects.filter(pk=response.pk).update(status=ResponseStatus.RETURNED)  # does not count yet
    client.force_login(manager)
    url = reverse("reporting:innovation_dashboard", kwargs={"pk": innovation.pk})
    assert client.get(url).context["overall"]["people_accompanied"] == 40

    response.refresh_from_db()
    response.status = ResponseStatus.SUBMITTED
    response.save(update_fields=["status"])  # a structure sends it again (post_save: new version)
    # The key figures follow reporting.definitions: validated figures only...
    assert client.get(url).context["overall"]["people_accompanied"] == 40

    validate_response(Response.objects.get(pk=response.pk), by=manager)
    assert client.get(url).context["overall"]["people_accompanied"] == 47  # ...shown as soon as validated


def test_a_withdrawal_moves_the_programme_figures(client, manager):
    """The withdrawal ends the structure's activity at once; the people it had reached
    stay counted (reporting.definitions: a withdrawn structure keeps what it reported)."""
    innovation = InnovationFactory(name="Parcours Gardien")
    answered_structure(innovation, people=40)
    leaving = answered_structure(innovation, people=10)
    client.force_login(manager)
    url = reverse("reporting:programme_dashboard")
    before = client.get(url).context
    assert (before["figures"]["people_accompanied"], before["key"]["structures_active"]) == (50, 2)

    withdraw_structure(leaving, on=timezone.localdate(), reason="Fermeture", by=manager)

    after = client.get(url).context
    assert (after["figures"]["people_accompanied"], after["key"]["structures_active"]) == (50, 1)


def test_innovation_figures_match_compute(client):
    innovation = InnovationFactory(name="Parcours Gardien")
    first = answered_structure(innovation, people=40, durable=20, transitional=5)
    answer(
        structure(innovation),
        Phase.IMPLEMENTATION,
        {"people_accompanied": 12, "exits_durable_employment": 3},
    )
    scope = Response.objects.filter(structure__innovation=innovation)

    figures = indicators.innovation_figures(scope)

    assert figures["overall"] == indicators.compute(scope)[None]
    assert figures["per_phase"] == [indicators.compute(scope.filter(phase=phase))[None] for phase in PHASE_ORDER]
    assert figures["per_structure"] == indicators.compute(scope, group_by="structure")
    assert figures["per_structure"][first.pk]["people_accompanied"] == 40


def test_pages_still_work_without_redis(client, manager, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/1"}
    }
    innovation = InnovationFactory(name="Parcours Gardien")
    answered_structure(innovation, people=40)
    client.force_login(manager)

    page = client.get(reverse("reporting:programme_dashboard"))

    assert page.status_code == 200
    assert page.context["figures"]["people_accompanied"] == 40


def test_manager_key_figures_follow_a_new_hotline_request(client, manager):
    from tests.essaimage.factories import SupportRequestFactory

    client.force_login(manager)

    def hotline():
        sections = client.get(reverse("portal:dashboard")).context["sections"]
        return next(s for s in sections if s.role == "manager").context["figures"]["hotline_this_year"]

    before = hotline()
    assert hotline() == before  # from the cache
    SupportRequestFactory(date=timezone.localdate())
    assert hotline() == before + 1
