"""Access-matrix entries of the maps (see tests/matrix/__init__.py): the managers'
map page and its data are for managers and administrators; the public data is
everyone's. The matrix's objects hold "Parcours Gardien" (published) with one
structure spreading in Seine-Maritime."""

import datetime

from ais.accounts.models import Role
from tests.access_matrix import Access, everyone, only

STAFF = (Role.MANAGER, Role.ADMIN)


def _started(o):
    """No URL argument; the matrix's structure has started spreading: the public and the
    managers' maps show the structures active today (reporting.definitions)."""
    o.structure.start_date = datetime.date(2024, 9, 2)
    o.structure.save(update_fields=["start_date"])
    return {}


MATRIX: dict = {
    "essaimage:programme_map": Access(_started, only(*STAFF), "Seine-Maritime"),
    "essaimage:map_data": Access(_started, only(*STAFF), '"76": {"name": "Seine-Maritime"'),
    "essaimage:public_map_data": Access(_started, everyone(200), '"innovations": ["Parcours Gardien"]'),
}
POST_MATRIX: dict = {}
POST_DATA: dict = {}
