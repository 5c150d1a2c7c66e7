"""Access-matrix entries per area, merged into ``tests.access_matrix``.

Each module defines ``MATRIX``, ``POST_MATRIX`` and ``POST_DATA`` with the same
meaning as in ``tests/access_matrix.py``; its kwargs factories get the
``MatrixObjects`` of ``tests/test_access_matrix.py`` (``o.innovation``,
``o.structure``, ``o.own_structure()``, ``o.own_innovation()``…) and may create
more objects with the factories.
"""

from tests.matrix import (
    accessibility,
    accompaniment,
    accounts_security,
    archive,
    evaluation_answer,
    evaluation_manage,
    events,
    health,
    map,
    people,
    reports,
    spreading,
    support,
    trainings,
)

AREAS = [
    accompaniment,
    spreading,
    trainings,
    support,
    map,
    evaluation_answer,
    evaluation_manage,
    events,
    reports,
    archive,
    health,
    accounts_security,
    accessibility,
    people,
]
