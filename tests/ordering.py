"""The order in which the tests run and how pytest-xdist shares them out (``RunOrder``, and
``MigrationDataAfterFlush``, both registered by tests/conftest.py)."""

import pytest

# Fixtures whose tests empty the tables after them (Django's TransactionTestCase).
FLUSHING_FIXTURES = {"transactional_db", "live_server", "django_db_serialized_rollback"}

# The xdist group of the browser tests: one worker runs them all, one after the other.
BROWSER_GROUP = "browser"


class RunOrder:
    """The browser tests first, as one pytest-xdist group, then the tests marked ``long``
    (half a minute or more), then the others in pytest-django's order.

    A browser test waits for pages, frames and Chromium's processes: two of them side by side
    leave the cores idle a sixth of the time, while a worker running the database tests keeps
    its core busy. So one worker takes the browser tests (one group: one Chromium, one live
    server, the demo data built once; pytest-xdist hands out the biggest units of work first,
    so it starts at once) while the other runs the rest,
    which it joins once they are done (the group is given in tests/conftest.py, before
    pytest-xdist reads it). A long test picked up last would run alone while the other worker
    has nothing left to do: they start right after."""

    # After pytest-django's ordering (tests in a transaction, then the ones that empty the database,
    # then the rest): the database a flushing test empties gets its migrations' rows back
    # (MigrationDataAfterFlush), so the others may follow it in any order.
    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items):
        def rank(item):
            if item.get_closest_marker("browser"):
                return 0
            return 1 if item.get_closest_marker("long") else 2

        items.sort(key=rank)  # stable: each rank keeps its order


class MigrationDataAfterFlush:
    """Puts back, after a test that empties the database when the next one does not, the rows
    that the migrations make (the default questionnaires, evaluation/migrations/0002): the tests
    after it find the database as ``migrate`` left it, instead of each one making them again in
    its own rolled-back transaction (``evaluation.schedule.current_version``)."""

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_teardown(self, item, nextitem):
        yield
        if flushes_the_database(item) and nextitem is not None and not flushes_the_database(nextitem):
            from pytest_django.plugin import blocking_manager_key

            from evaluation.models import Phase
            from evaluation.schedule import current_version

            with item.config.stash[blocking_manager_key].unblock():
                for phase in Phase.values:
                    current_version(phase)


def flushes_the_database(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        return True
    return bool(FLUSHING_FIXTURES & set(getattr(item, "fixturenames", ())))
