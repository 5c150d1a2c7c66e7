"""Access-matrix entry of the health page (see tests/matrix/__init__.py): public JSON,
the same answer for every role.

The page answers 503 when the worker's or beat's heartbeat is missing, and the test
environment runs neither a worker nor beat: the kwargs factory records the two
heartbeats they would write, so that the matrix sees the healthy page (200) for every
role. The 503 cases are tested in tests/health/.
"""

from ais.health.heartbeats import record_heartbeat
from ais.health.models import Component
from tests.access_matrix import Access, everyone


def with_fresh_heartbeats(o) -> dict:
    """No URL argument; the worker and beat have just beaten."""
    record_heartbeat(Component.WORKER)
    record_heartbeat(Component.BEAT)
    return {}


MATRIX: dict = {
    "health:status": Access(with_fresh_heartbeats, everyone(200), '{"status": "ok", "checks": {"database": "ok"'),
}
POST_MATRIX: dict = {}
POST_DATA: dict = {}
