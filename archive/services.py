"""The import of the programme's history: one documented function per step.

- ``run(data, write=…)``: the engine, shared by the page and ``manage.py
  import_history``: read the workbook (``archive.workbook``), check every row and
  match it with the platform (``archive.plan``), then, when asked and only if no row
  has an issue, write everything in one transaction (``archive.writer``). Two imports
  never run at once (a PostgreSQL advisory lock, taken in the transaction).
- ``start_import(upload, by=…)``: the administrator's upload is checked (type, size,
  zip bomb, macros), stored under a random name, and its checking queued.
- ``check_import(id)`` (Celery task ``archive.check_import``): the preview — what would
  be created, updated or left unchanged per sheet, and the errors.
- ``confirm_import(record, by=…)``: an import whose preview has no error is queued.
- ``apply_import(id)`` (Celery task ``archive.apply_import``): checks again against the
  database of now, then writes; the row keeps the report of what was done.

Progress goes to the row between transactions and to the cache while the import's
transaction runs (the row's updates would only be seen at its commit): the page polls
``progress_of(record)``.
"""

import logging
import os
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ais.core.errors import DomainError

from . import writer
from .models import HistoryImport, ImportStatus
from .plan import build_plan, question_codes
from .workbook import WorkbookRefused, check_file, read_workbook

logger = logging.getLogger(__name__)

# pg_advisory_xact_lock key of the import (any constant of our own).
LOCK_KEY = 7_150_2015
PROGRESS_SECONDS = 3600


class ArchiveError(DomainError):
    """The import cannot take this step (wrong state); the message says why."""


@dataclass
class Outcome:
    """What a run found (and did): counts per sheet, issues, notes."""

    issues: list = field(default_factory=list)  # dicts: sheet, row, column, message
    issue_count: int = 0
    counts: dict = field(default_factory=dict)
    rows: int = 0
    examples: int = 0
    notes: dict = field(default_factory=dict)
    written: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.issue_count == 0

    def summary(self) -> dict:
        return {
            "sheets": self.counts,
            "rows": self.rows,
            "examples": self.examples,
            "notes": self.notes,
            "seconds": round(self.seconds, 2),
        }


def reason_text(name: str = "") -> str:
    with translation.override(settings.LANGUAGE_CODE):
        if name:
            return (_("Import of the programme's history (%(file)s)") % {"file": name})[:100]
        return _("Import of the programme's history")


def run(data: bytes, *, write: bool, by=None, name: str = "", progress=None) -> Outcome:
    """Check the workbook ``data`` and, with ``write`` and no issue, import it (all or
    nothing). Raises nothing for a bad workbook: the outcome holds the issues."""
    started = time.monotonic()
    progress = progress or (lambda step, percent: None)
    outcome = Outcome()
    with translation.override(settings.LANGUAGE_CODE):
        progress(_("Reading the workbook"), 5)
        try:
            sheets = read_workbook(data, set(question_codes()))
        except WorkbookRefused as refused:
            outcome.issues = [issue.as_dict() for issue in refused.issues]
            outcome.issue_count = len(refused.issues)
            outcome.seconds = time.monotonic() - started
            return outcome
        progress(_("Checking the rows"), 25)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            plan = build_plan(sheets, progress=lambda step: progress(step, 40))
            outcome.issues = [issue.as_dict() for issue in plan.issues]
            outcome.issue_count = plan.issue_count
            outcome.counts = plan.counts()
            outcome.rows, outcome.examples = plan.rows, plan.examples
            if write and plan.ok:
                outcome.notes = writer.write(plan, by=by, reason=reason_text(name), progress=progress)
                outcome.written = True
            else:
                transaction.set_rollback(True)  # a check writes nothing (not even default templates)
    outcome.seconds = time.monotonic() - started
    return outcome


# --------------------------------------------------------------------------
# The page's steps
# --------------------------------------------------------------------------


def progress_of(record: HistoryImport) -> tuple[int, str]:
    """The latest progress of a pending import: from the cache while its transaction
    runs, else from the row."""
    if record.is_pending:
        try:
            value = cache.get(_progress_key(record.pk))
        except Exception:  # Redis down: the row's progress
            value = None
        if value:
            return value[0], value[1]
    return record.progress, record.step


def _progress_key(pk: int) -> str:
    return f"archive:progress:{pk}"


def _reporter(record: HistoryImport):
    def report(step: str, percent: int) -> None:
        try:
            cache.set(_progress_key(record.pk), (percent, str(step)), PROGRESS_SECONDS)
        except Exception:
            logger.debug("Progress not cached", exc_info=True)
        if not connection.in_atomic_block:
            HistoryImport.objects.filter(pk=record.pk).update(progress=percent, step=str(step)[:200])

    return report


def start_import(upload, *, by) -> HistoryImport:
    """Keep an administrator's workbook and queue its checking. Refuses (``WorkbookRefused``)
    what is not a plain XLSX of a sane size; nothing is stored then."""
    check_file(upload)
    upload.seek(0)
    name = os.path.basename(upload.name)[:255]
    record = HistoryImport(original_name=name, size=upload.size, uploaded_by=by)
    record.file.save(name, ContentFile(upload.read()), save=False)
    record.save()
    _queue("archive.check_import", record)
    return record


def _queue(task_name: str, record: HistoryImport) -> None:
    from . import tasks

    task = {"archive.check_import": tasks.check_import, "archive.apply_import": tasks.apply_import}[task_name]
    pk = record.pk

    def enqueue():
        try:
            task.apply_async(kwargs={"import_id": pk}, retry=False)
        except Exception as error:  # broker down: the page says so, the administrator uploads again
            logger.warning("Could not queue %s for import %s: %s", task_name, pk, error)
            with translation.override(settings.LANGUAGE_CODE):
                HistoryImport.objects.filter(pk=pk).update(
                    status=ImportStatus.FAILED,
                    failure=_("The background tasks could not be reached: upload the file again in a few minutes."),
                )

    transaction.on_commit(enqueue)


def _claim(import_id: int, status: str) -> HistoryImport | None:
    with transaction.atomic():
        return HistoryImport.objects.select_for_update(skip_locked=True).filter(pk=import_id, status=status).first()


def _data(record: HistoryImport) -> bytes:
    with record.file.open("rb") as handle:
        return handle.read()


def check_import(import_id: int) -> HistoryImport | None:
    """The preview of an uploaded workbook (nothing written)."""
    record = _claim(import_id, ImportStatus.CHECKING)
    if record is None:
        return None
    try:
        outcome = run(_data(record), write=False, progress=_reporter(record))
    except Exception:
        logger.exception("Checking of import %s failed", import_id)
        return _fail(record)
    record.preview = outcome.summary()
    record.errors, record.error_count = outcome.issues, outcome.issue_count
    record.status = ImportStatus.READY if outcome.ok else ImportStatus.INVALID
    record.progress, record.step = 100, ""
    record.checked_at = timezone.now()
    record.save()
    return record


def confirm_import(record: HistoryImport, *, by) -> HistoryImport:
    """Queue the import of a workbook whose preview showed no error."""
    with transaction.atomic():
        record = HistoryImport.objects.select_for_update().get(pk=record.pk)
        if record.status != ImportStatus.READY:
            raise ArchiveError(
                _("This import cannot be confirmed: it is “%(status)s”.") % {"status": record.get_status_display()}
            )
        record.status = ImportStatus.IMPORTING
        record.progress, record.step = 0, ""
        record.confirmed_by, record.confirmed_at = by, timezone.now()
        record.save()
        _queue("archive.apply_import", record)
    return record


def apply_import(import_id: int) -> HistoryImport | None:
    """Import a confirmed workbook: checked again against today's database, then written
    all or nothing. A workbook that no longer passes goes back to its errors."""
    record = _claim(import_id, ImportStatus.IMPORTING)
    if record is None:
        return None
    try:
        outcome = run(
            _data(record), write=True, by=record.confirmed_by, name=record.original_name, progress=_reporter(record)
        )
    except Exception:
        logger.exception("Import %s failed", import_id)
        return _fail(record)
    record.errors, record.error_count = outcome.issues, outcome.issue_count
    if outcome.written:
        record.status = ImportStatus.DONE
        record.report = outcome.summary()
    else:
        record.status = ImportStatus.INVALID
        record.preview = outcome.summary()
    record.progress, record.step = 100, ""
    record.finished_at = timezone.now()
    record.duration_ms = int(outcome.seconds * 1000)
    record.save()
    return record


def _fail(record: HistoryImport) -> HistoryImport:
    with translation.override(settings.LANGUAGE_CODE):
        record.failure = _(
            "The import stopped on an unexpected error: nothing was written. Try again; if it happens again, "
            "tell the technical team."
        )
    record.status = ImportStatus.FAILED
    record.finished_at = timezone.now()
    record.save()
    return record
