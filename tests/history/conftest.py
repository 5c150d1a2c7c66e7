"""Fixtures of the history tests: the clock on 6 December 2026, the default
questionnaires, and the small programme history of ``builder``."""

import copy

import pytest
import time_machine

from ais.accounts.models import Role
from evaluation.models import Phase
from evaluation.schedule import current_version
from tests.conftest import make_user, rows_for_the_module
from tests.history.builder import NOW, build_history


@pytest.fixture
def today():
    """The clock stopped on ``builder.TODAY`` (6 December 2026, 10:00 in Paris)."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def default_templates(db):
    """The three default questionnaires (a data migration creates them, but a transactional
    test elsewhere in the run may have flushed the tables since)."""
    for phase in Phase.values:
        current_version(phase)


@pytest.fixture(scope="module")
def _history_rows(django_db_setup, django_db_blocker, tmp_path_factory):
    """The history, made once for a test module (by a manager of its own) rather than for each
    of its tests (tests/conftest.py: rows_for_the_module): a module using it has no test that
    needs an empty programme (those of the query budgets are in modules of their own)."""

    def make():
        with time_machine.travel(NOW, tick=False):
            for phase in Phase.values:  # as default_templates does
                current_version(phase)
            return build_history(make_user(Role.MANAGER))

    with rows_for_the_module(django_db_blocker, tmp_path_factory, make) as (made, _media_root):
        yield made


@pytest.fixture
def history(today, db, _history_rows):
    """The module's history, with model instances of the test's own."""
    return copy.deepcopy(_history_rows)
