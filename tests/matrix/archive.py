"""Access-matrix entries of the import of the history (archive/rules.py): administrators
only, managers included in the refusal (403); the confirmation is POST-only (405 in GET)."""

from ais.accounts.models import Role
from archive.models import HistoryImport, ImportStatus
from tests.access_matrix import Access, logged_in, only


def _import(o) -> dict:
    record = HistoryImport.objects.create(
        file="imports/2026/classeur.xlsx",
        original_name="historique-2015-2025.xlsx",
        status=ImportStatus.INVALID,
        errors=[{"sheet": "Structures", "row": 4, "column": "code commune", "message": "code inconnu"}],
        error_count=1,
    )
    return {"pk": record.pk}


MATRIX: dict = {
    "archive:imports": Access(None, only(Role.ADMIN), 'name="file"'),
    "archive:template": Access(None, only(Role.ADMIN), "PK"),
    "archive:detail": Access(_import, only(Role.ADMIN), "historique-2015-2025.xlsx"),
    "archive:status": Access(_import, only(Role.ADMIN), 'id="import-status"'),
    "archive:confirm": Access(_import, logged_in(405)),  # require_POST
}

POST_MATRIX: dict = {
    # No file: the page comes back with the form's error; nothing is kept.
    "archive:imports": Access(None, only(Role.ADMIN, ok=400), 'name="file"'),
    # An import with errors cannot be confirmed: back to its page with the reason.
    "archive:confirm": Access(_import, only(Role.ADMIN, ok="/suivi/import/{pk}/")),
}

POST_DATA: dict = {}
