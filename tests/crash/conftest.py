"""Fixtures of the crash and concurrency tests: the Celery broker of the integration tests."""

from tests.integration.conftest import isolated_broker_url  # noqa: F401 - a fixture
