"""Access-matrix entry of the accessibility statement (see tests/matrix/__init__.py):
a public page, the same for every role (the text it shows does not depend on the
language catalogue)."""

from tests.access_matrix import Access, everyone

MATRIX: dict = {
    "core:accessibility": Access(None, everyone(200), "mailto:accessibilite@ais-emploi.fr"),
}
POST_MATRIX: dict = {}
POST_DATA: dict = {}
