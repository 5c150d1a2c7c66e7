"""The order in which the tests run (``LongTestsFirst``, registered by tests/conftest.py)."""

import pytest

# Fixtures whose tests empty the tables after them (Django's TransactionTestCase).
FLUSHING_FIXTURES = {"transactional_db", "live_server", "django_db_serialized_rollback"}


class LongTestsFirst:
    """Tests marked ``long`` (half a minute or more) start first among the tests that empty the
    database: on two pytest-xdist workers, a long test picked up last would run alone while the
    other worker has nothing left to do."""

    # After pytest-django's ordering: tests in a transaction, then the ones that empty the database, then the rest.
    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items):
        flushing = [index for index, item in enumerate(items) if flushes_the_database(item)]
        if not flushing:
            return
        first, last = flushing[0], flushing[-1] + 1
        block = items[first:last]
        block.sort(key=lambda item: item.get_closest_marker("long") is None)  # stable: long ones first, in order
        items[first:last] = block


class MigrationDataAfterFlush:
    """Puts back, after the last of a run of tests that empty the database, the rows that
    the migrations make (the default questionnaires, evaluation/migrations/0002): the tests
    after it find the database as ``migrate`` left it, instead of each one making them
    again in its own rolled-back transaction (``evaluation.schedule.current_version``)."""

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
