"""Access-matrix entries of this area (see tests/matrix/__init__.py)."""

MATRIX: dict = {}
POST_MATRIX: dict = {}
POST_DATA: dict = {}
