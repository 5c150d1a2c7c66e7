"""Guards that make mistakes loud, and fixtures shared by the whole suite."""

import contextlib
import html
import itertools

import pytest
from django.db import connection

from ais.accounts.models import Role
from tests.ais.factories import PASSWORD, OrganisationFactory, UserFactory
from tests.ordering import (
    BROWSER_GROUP,
    FLUSHING_FIXTURES,
    MigrationDataAfterFlush,
    RunOrder,
    flushes_the_database,
)

# Roles of the access matrix: "anonymous" plus one user per role.
ROLES = ["anonymous", Role.CARRIER, Role.COMMITTEE, Role.STRUCTURE, Role.MANAGER, Role.ADMIN]


# Variables that third-party templates leave undefined on purpose (rendered empty, as in production).
OPTIONAL_THIRD_PARTY_VARIABLES = {
    "onclick_attrib",  # django-simple-history's simple_history/submit_line.html (the revert form)
}


class InvalidTemplateVariable(str):
    """``string_if_invalid`` that fails the test on an unknown template variable."""

    def __mod__(self, other):
        if str(other) in OPTIONAL_THIRD_PARTY_VARIABLES:
            return ""
        raise AssertionError(f"Unknown template variable: {other!r}")


@pytest.fixture(autouse=True)
def _strict_templates(settings):
    settings.TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = InvalidTemplateVariable("%s")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (Redis outlives the tests' rolled-back data)."""
    import contextlib

    from django.core.cache import cache

    with contextlib.suppress(Exception):  # a test that stopped Redis: nothing cached can leak then
        cache.clear()


@pytest.fixture(autouse=True)
def _french():
    """Each test starts in French, whatever language an earlier test left active."""
    from django.utils import translation

    with translation.override("fr"):
        yield


def settings_for_tests(media_root) -> dict:
    """The settings every test runs with (``_session_settings``; each test has its own
    ``MEDIA_ROOT``: ``_test_settings``), also for data built before
    the tests of a module (``override_settings(**settings_for_tests(...))``)."""
    from django.conf import settings

    return {
        "AXES_ENABLED": False,  # lockout has its own tests, which enable it
        "MEDIA_ROOT": media_root,
        "STORAGES": {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        "SECURE_SSL_REDIRECT": False,
        "SESSION_COOKIE_SECURE": False,  # the live server of browser tests speaks plain http
        "CSRF_COOKIE_SECURE": False,
        "LANGUAGE_COOKIE_SECURE": False,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    }


_media_roots = itertools.count(1)


@pytest.fixture(scope="session", autouse=True)
def _session_settings(tmp_path_factory):
    """``settings_for_tests`` in place for the whole run, as one override. Set for each test,
    they cost every test ten ``setting_changed`` signals twice (storages and password hashers
    made again), and made every settings lookup walk ten nested overrides (pytest-django's
    ``settings`` fixture stacks one per attribute set). In place before the browser tests' live
    server (session-scoped) builds its handler, whose ``SecurityMiddleware`` reads
    ``SECURE_SSL_REDIRECT`` then, once: the live server speaks plain http."""
    from django.test import override_settings

    with override_settings(**settings_for_tests(tmp_path_factory.getbasetemp() / "media" / "0")):
        yield


def override_for_the_test(settings, **values) -> None:
    """Several settings changed for one test as one override, undone after it with the test's
    other changes, in reverse order (``settings`` is pytest-django's fixture, which stacks an
    override per attribute set)."""
    from django.test import override_settings

    override = override_settings(**values)
    override.enable()
    settings._to_restore.append(override)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path_factory):
    # MEDIA_ROOT of the test's own, made only when the test stores a file: a tmp_path for each
    # of the thousands of tests cost seconds to make, and as many to delete at a later run's end.
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media" / str(next(_media_roots))


@pytest.fixture
def eager_celery(settings):
    """Celery tasks run in the calling process, as soon as they are sent (e-mails leave
    when the transaction that queued them commits)."""
    from ais.celery import app

    previous = app.conf.task_always_eager  # read first: Celery loads its settings lazily
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def password():
    return PASSWORD


def make_user(role: str, **kwargs):
    """A user holding ``role`` (tied to a new organisation for carriers and structures)."""
    if role == "anonymous":
        return None
    organisation = OrganisationFactory() if role in (Role.CARRIER, Role.STRUCTURE) else None
    user = UserFactory(roles=[(role, organisation)], **kwargs)
    if role == Role.ADMIN:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return user


def session_key(user) -> str:
    """The key of a new session of ``user``, opened as Django's test client's ``force_login``
    opens it (the ``user_logged_in`` receivers included): tests that make it once, with the rows
    of their module, then give it to each test's client (``client.cookies[SESSION_COOKIE_NAME]``)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def user_with_role(db):
    return make_user


@pytest.fixture
def manager(db):
    return make_user(Role.MANAGER)


@pytest.fixture
def admin_user(db):
    return make_user(Role.ADMIN)


def pytest_report_header(config):
    return ["AIS#Emploi tests: PostgreSQL and Redis from scripts/test (ais.devstack)"]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_setupnodes(config, specs):
    """Before pytest-xdist starts its workers: each one gets Redis databases of its own
    (tests/redis_databases.py), through its environment, read by the settings at start-up.
    PostgreSQL needs nothing: pytest-django suffixes each worker's test database (_gw0…)."""
    from django.conf import settings

    from tests import redis_databases

    available = redis_databases.database_count(settings.REDIS_URL)
    needed = redis_databases.first_free_db(len(specs)) + len(specs)  # + one per worker for real Celery workers
    if needed > available:
        raise pytest.UsageError(
            f"{len(specs)} xdist workers need {needed} Redis databases, {settings.REDIS_URL} has {available}: "
            "use fewer workers (-n)"
        )
    for spec in specs:
        spec.env.update(
            redis_databases.worker_environment(spec.id, settings.REDIS_URL, settings.CACHES["default"]["LOCATION"])
        )


# Module-scoped fixtures too slow to set up again on each pytest-xdist worker that gets some of a
# module's tests: the tests using one stay together on one worker (scripts/test: --dist loadgroup).
ONE_WORKER_FIXTURES = {
    "territories",
    "real_celery_worker",
    "isolated_broker_url",
    "_programme_rows",
    "_followup_rows",
    "_history_rows",
    "_export_rows",
}


# Module-scoped fixtures whose rows are rolled back after the module (rows_for_the_module): the
# fixtures that empty the tables (tests/ordering.py: FLUSHING_FIXTURES) would empty them under them.
MODULE_ROWS_FIXTURES = {
    "territories",
    "_matrix_objects",
    "_demo_rows",
    "_worlds",
    "_programme_rows",
    "_followup_rows",
    "_history_rows",
    "_export_rows",
}


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the xdist_group marks
def pytest_collection_modifyitems(items):
    modules = {}
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if flushes_the_database(item):
            fixtures.add("transactional_db")
        module = item.nodeid.split("::")[0]
        modules.setdefault(module, set()).update(fixtures)
        if item.get_closest_marker("browser"):  # one worker runs them all (tests/ordering.py: RunOrder)
            item.add_marker(pytest.mark.xdist_group(BROWSER_GROUP))
        elif ONE_WORKER_FIXTURES & fixtures:
            item.add_marker(pytest.mark.xdist_group(module))
    for module, fixtures in modules.items():
        if MODULE_ROWS_FIXTURES & fixtures and FLUSHING_FIXTURES & fixtures:
            raise pytest.UsageError(
                f"{module}: {sorted(MODULE_ROWS_FIXTURES & fixtures)} keep rows for the module in a transaction "
                f"that {sorted(FLUSHING_FIXTURES & fixtures)} would empty: move those tests to another module"
            )


def pytest_configure(config):
    """An xdist worker refuses to run on the controller's Redis databases (its environment
    was not set by ``pytest_xdist_setupnodes``): its cache flushes would empty another's."""
    import os

    from tests import redis_databases

    config.pluginmanager.register(RunOrder(), "run-order")
    config.pluginmanager.register(MigrationDataAfterFlush(), "migration-data-after-flush")
    worker_id = getattr(config, "workerinput", {}).get("workerid")
    if worker_id and os.environ.get(redis_databases.WORKER_SLOT_VARIABLE) != worker_id:
        raise pytest.UsageError(f"xdist worker {worker_id} has no Redis databases of its own")


@pytest.fixture
def assert_postgresql(db):
    assert connection.vendor == "postgresql"


@contextlib.contextmanager
def rows_for_the_module(django_db_blocker, tmp_path_factory, make):
    """Rows that the tests of a module share, made once by ``make()`` for the module:
    ``with rows_for_the_module(...) as (made, media_root): yield ...`` in a module-scoped
    fixture. They are made in a transaction rolled back after the module's last test, with
    the settings and language of a test; the files they store go to ``media_root`` (copy it
    into each test's MEDIA_ROOT if the tests read them).

    Each test runs in a savepoint inside that transaction (pytest-django's ``db``: Django's
    ``TestCase``), so it finds exactly these rows and what it changes is undone after it.
    Not for modules with ``transactional_db`` tests (checked at collection): their flush
    would empty the tables inside this transaction; nor for tests that close the connection."""
    from django.db import transaction
    from django.test import override_settings
    from django.utils import translation

    media_root = tmp_path_factory.mktemp("module-media")
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        with django_db_blocker.unblock(), override_settings(**settings_for_tests(media_root)):
            with translation.override("fr"):
                made = make()
            # The deferred foreign key checks of these rows, once: left pending, they would run
            # again at the end of each test (its savepoint's rollback marks them pending again).
            connection.check_constraints()
        yield made, media_root
    finally:
        with django_db_blocker.unblock():
            closed = connection.closed_in_transaction
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
        if closed:  # then the later tests of the module found neither the rows nor a connection
            raise RuntimeError(
                "The database connection was closed under the rows of the module (request_finished "
                "sent with close_old_connections connected, by a response.close()?)"
            )


@pytest.fixture(scope="module")
def territories(django_db_setup, django_db_blocker, tmp_path_factory):
    """The real referential (34,969 communes), loaded once for a test module and
    rolled back after it, so that the other modules keep their small factory data."""
    from io import StringIO

    from django.core.management import call_command

    def load():
        call_command("load_territories", stdout=StringIO())

    with rows_for_the_module(django_db_blocker, tmp_path_factory, load):
        yield


MANY = 20  # rows of the "many" case of query budgets


@pytest.fixture
def assert_constant_queries(django_assert_num_queries):
    """``assert_constant_queries(client, url, make_rows, num_queries)``.

    ``make_rows(n)`` adds ``n`` rows shown by the page. The page is requested once
    to warm the caches, then with 1 row and with ``MANY`` rows, each time inside
    ``django_assert_num_queries(num_queries)``. Returns both pages' text.
    """

    def request(client, url, num_queries, rows):
        try:
            with django_assert_num_queries(num_queries):
                return client.get(url)
        except pytest.fail.Exception as failure:
            pytest.fail(f"{url} with {rows} row(s): {failure}")

    def check(client, url, make_rows, num_queries):
        client.get(url)  # warm-up: content types, session, translations
        make_rows(1)
        one = request(client, url, num_queries, 1)
        make_rows(MANY - 1)
        many = request(client, url, num_queries, MANY)
        assert one.status_code == many.status_code == 200
        return html.unescape(one.content.decode()), html.unescape(many.content.decode())

    return check
