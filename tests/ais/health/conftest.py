"""Fixtures of the health and backup tests."""

import pytest

from ais.health.heartbeats import throttle


@pytest.fixture(autouse=True)
def _fresh_worker_throttle():
    """Each test starts as a worker that has not written its heartbeat yet."""
    throttle.last_write = None
    yield
    throttle.last_write = None


@pytest.fixture
def redis_server(tmp_path):
    """A running Redis of this test only; stopped at the end whatever happened."""
    from tests.ais.health.redis_server import RedisServer

    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.stop()
