"""Snapshots of the test database's content, to build a data set once and restore it fast.

``transactional_db`` tests (live server, browser) find every table emptied by the previous
one's flush, so a fixture that builds a large data set (the demo: ~5 s) would build it again
for each test. Instead it builds it once per test process (each pytest-xdist worker has its
own test database) and takes a ``Snapshot``; the later tests ``restore()`` it (~0.2 s):

    snapshot = take(media_root=settings.MEDIA_ROOT)     # after the build
    snapshot.restore(media_root=settings.MEDIA_ROOT)    # in a later test

``SnapshotCache`` does exactly that for a fixture (see ``tests/browser/conftest.py``'s
``demo_data``).

What a snapshot holds:

* the rows of every table that Django's flush empties (``django_table_names``: every model's,
  including those filled by migrations and ``post_migrate``: content types, permissions,
  beat schedules…), copied with PostgreSQL's binary ``COPY``; ``django_migrations`` is not one;
* the value of every sequence of those tables, so that a row created after a restore gets an
  id above the snapshot's (a flush does not reset sequences; a restore sets them back);
* the files under ``MEDIA_ROOT`` (the demo stores PDFs), copied into the test's own.

Restoring truncates those of the tables that have rows and copies the rows back in one transaction: Django
declares its foreign keys ``DEFERRABLE INITIALLY DEFERRED`` on PostgreSQL, so they are
checked at the commit, whatever the order of the tables (``take`` refuses a database with a
foreign key that is not deferrable). It then clears the process's caches of rows whose ids
may have changed (content types) and gives the cached figures a new version.

Not captured: the Redis cache (each test starts with an empty one, ``tests/conftest.py``) and
the Celery messages that the build queued after its commits (no worker reads them in these
tests; the outbox rows are in the snapshot).
"""

import io
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction


@dataclass(frozen=True)
class Snapshot:
    tables: tuple[str, ...]  # every table the restore empties
    rows: dict[str, bytes]  # table -> binary COPY data, for the non-empty tables
    sequences: dict[str, tuple[int, bool]]  # sequence -> (last_value, is_called)
    media: Path | None = None  # a copy of MEDIA_ROOT's files, if any
    counts: dict[str, int] = field(default_factory=dict)  # table -> rows, for checks and reports

    def restore(self, media_root=None) -> None:
        """Put the database (and ``media_root``) back as they were when the snapshot was taken."""
        quote = connection.ops.quote_name
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            # TRUNCATE makes new files for each table: only for those with rows (after a flush, those
            # that post_migrate filled), found in one query; CASCADE for the empty ones that refer to
            # them (every table that refers to one of Django's is one of Django's).
            has_rows = "SELECT %s WHERE EXISTS (SELECT FROM {})"  # noqa: S608 - Django's table names
            cursor.execute(" UNION ALL ".join(has_rows.format(quote(table)) for table in self.tables), self.tables)
            filled = [table for (table,) in cursor.fetchall()]
            if filled:
                cursor.execute(f"TRUNCATE {', '.join(quote(table) for table in filled)} CASCADE")
            raw = cursor.cursor  # psycopg2's, for copy_expert
            for table, data in self.rows.items():
                raw.copy_expert(f"COPY {quote(table)} FROM STDIN (FORMAT binary)", io.BytesIO(data))
            if self.sequences:
                cursor.execute(
                    "SELECT " + ", ".join(["setval(%s, %s, %s)"] * len(self.sequences)),
                    [value for sequence, state in self.sequences.items() for value in (quote(sequence), *state)],
                )
        _forget_cached_rows()
        if self.media is not None and media_root is not None:
            shutil.copytree(self.media, media_root, dirs_exist_ok=True)


def take(media_root=None, media_copy: Path | None = None) -> Snapshot:
    """A snapshot of the test database's tables and sequences, and of ``media_root``'s files
    (copied to ``media_copy``, which must not exist yet)."""
    quote = connection.ops.quote_name
    tables = tuple(sorted(connection.introspection.django_table_names(only_existing=True, include_views=False)))
    _refuse_immediate_foreign_keys(tables)
    rows, counts, sequences = {}, {}, {}
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {quote(table)}")  # noqa: S608 - Django's table names
            counts[table] = cursor.fetchone()[0]
            if counts[table]:
                buffer = io.BytesIO()
                raw.copy_expert(f"COPY {quote(table)} TO STDOUT (FORMAT binary)", buffer)
                rows[table] = buffer.getvalue()
            for described in connection.introspection.get_sequences(cursor, table):
                name = described["name"]
                cursor.execute(f"SELECT last_value, is_called FROM {quote(name)}")  # noqa: S608 - a sequence name
                sequences[name] = tuple(cursor.fetchone())
    media = None
    if media_root is not None and media_copy is not None and Path(media_root).is_dir():
        shutil.copytree(media_root, media_copy)
        media = Path(media_copy)
    return Snapshot(tables=tables, rows=rows, sequences=sequences, media=media, counts=counts)


class SnapshotCache:
    """A data set built once by a process and restored afterwards: hold one in a
    session-scoped fixture, call ``load()`` from the function-scoped one (whose test has
    ``transactional_db``)."""

    def __init__(self, media_copy: Path):
        self.media_copy = media_copy  # where the build's files are kept (must not exist yet)
        self.snapshot: Snapshot | None = None
        self.build_seconds = self.restore_seconds = None

    def load(self, build, media_root) -> Snapshot:
        """``build()`` the first time, then take a snapshot; restore that snapshot afterwards."""
        started = time.perf_counter()
        if self.snapshot is None:
            build()
            self.snapshot = take(media_root=media_root, media_copy=self.media_copy)
            self.build_seconds = time.perf_counter() - started
        else:
            self.snapshot.restore(media_root=media_root)
            self.restore_seconds = time.perf_counter() - started
        return self.snapshot


def _refuse_immediate_foreign_keys(tables) -> None:
    """The restore copies the tables in any order: every foreign key must be checked at commit."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint "
            "WHERE contype = 'f' AND NOT (condeferrable AND condeferred) AND conrelid::regclass::text = ANY(%s)",
            [[connection.ops.quote_name(table) for table in tables] + list(tables)],
        )
        immediate = cursor.fetchall()
    if immediate:
        raise RuntimeError(f"Foreign keys not deferred, a restore could fail on the order of its tables: {immediate}")


def _forget_cached_rows() -> None:
    """The process's caches of rows whose ids the restore may have changed."""
    from django.contrib.contenttypes.models import ContentType

    from ais.core import figures_cache

    ContentType.objects.clear_cache()
    figures_cache.invalidate()
