"""The Redis databases of a test run, so that parallel pytest-xdist workers never share one.

Each pytest process has a *slot*: 0 in a serial run, ``n + 1`` in the xdist worker ``gw<n>``.
Slot ``k`` uses database ``2k`` for Celery's broker (``REDIS_URL``) and
``2k + 1`` for the cache (``CACHE_URL``): the ``cache.clear()`` (FLUSHDB) before each test and
the broker purges of one worker never empty another worker's cache or queue. A serial run
keeps the settings' databases 0 and 1.

The databases above all the slots' are left to the real Celery workers of the integration and
crash tests, which claim one each with a lock key (``tests/integration/conftest.py``).
"""

from urllib.parse import urlsplit, urlunsplit

WORKER_SLOT_VARIABLE = "AIS_TEST_REDIS_SLOT"  # set to the xdist worker id in that worker
DEFAULT_DATABASE_COUNT = 16  # Redis's default ``databases``


def with_db(url: str, db: int) -> str:
    """``url`` pointing at Redis database ``db``."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{db}"))


def slot_of(worker_id: str) -> int:
    """``gw0`` -> 1, ``gw1`` -> 2…; a serial run (no worker id) is slot 0."""
    return int(worker_id.removeprefix("gw")) + 1 if worker_id else 0


def first_free_db(worker_count: int) -> int:
    """The lowest database that no slot of a run with ``worker_count`` xdist workers uses."""
    return 2 * (worker_count + 1)


def worker_environment(worker_id: str, redis_url: str, cache_url: str) -> dict[str, str]:
    """The environment of the xdist worker ``worker_id``: its own broker and cache databases."""
    slot = slot_of(worker_id)
    # Not CELERY_BROKER_URL: Celery would prefer it to the settings' (ais/settings.py: REDIS_URL)
    # even where a test points the app at another broker (integration/conftest.py's celery_broker).
    return {
        "REDIS_URL": with_db(redis_url, 2 * slot),
        "CACHE_URL": with_db(cache_url, 2 * slot + 1),
        WORKER_SLOT_VARIABLE: worker_id,
    }


def database_count(url: str) -> int:
    """How many databases the Redis server at ``url`` has (16 when it cannot say)."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        return int(client.config_get("databases").get("databases", DEFAULT_DATABASE_COUNT))
    except redis.RedisError:
        return DEFAULT_DATABASE_COUNT
    finally:
        client.close()
