"""Fixtures of the history tests: the clock on 6 December 2026, the default
questionnaires, and the small programme history of ``builder``."""

import pytest
import time_machine

from evaluation.models import Phase
from evaluation.schedule import current_version
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


@pytest.fixture
def history(today, default_templates, manager):
    return build_history(manager)
