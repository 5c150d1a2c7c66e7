"""Fixtures of the managers' evaluation tests."""

import pytest
from django.test import override_settings

from ais.accounts.models import Role
from evaluation.models import Phase
from evaluation.schedule import current_version
from tests.conftest import make_user, rows_for_the_module

# The schedule the managers' tests run with (also for rows made for a whole module).
EVALUATION_SETTINGS = {
    "EVALUATION_ANSWER_DAYS": 30,
    "EVALUATION_PHASE_MONTHS": {"appropriation": 3, "implementation": 9, "impact": 18},
}


@pytest.fixture(autouse=True)
def _evaluation_settings(settings):
    for name, value in EVALUATION_SETTINGS.items():
        setattr(settings, name, value)


def rows_for_the_module_by(django_db_blocker, tmp_path_factory, make):
    """``rows_for_the_module`` (tests/conftest.py) for the managers' tests: ``make(staff)`` runs
    with their settings and default questionnaires, ``staff`` a programme manager of the module."""

    def made():
        for phase in Phase.values:  # as _default_templates does for each test
            current_version(phase)
        with override_settings(**EVALUATION_SETTINGS):
            return make(make_user(Role.MANAGER))

    return rows_for_the_module(django_db_blocker, tmp_path_factory, made)


@pytest.fixture(autouse=True)
def _default_templates(request):
    """The three default questionnaires (a data migration creates them, but a transactional
    test elsewhere in the run may have flushed the tables since)."""
    if "db" in request.fixturenames or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
        for phase in Phase.values:
            current_version(phase)


@pytest.fixture
def staff(db):
    """A programme manager, logged in by the tests that need it."""
    return make_user(Role.MANAGER)


@pytest.fixture
def english(client, settings):
    """Pages in English (the language cookie): assertions on interface words do not
    depend on the French catalogue."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
