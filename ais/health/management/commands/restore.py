"""``manage.py restore BACKUP``: into a database and a media directory, then verified."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from ...backup import BackupError, Database, restore


class Command(BaseCommand):
    help = (
        "Restore a directory written by the backup command into a database (default: the configured "
        "one) and a media directory (default: MEDIA_ROOT), then check row counts and per-table "
        "checksums against the backup's manifest. Refuses a non-empty target unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path, help="The ais-backup-... directory.")
        parser.add_argument(
            "--database-url", help="Target database, e.g. postgres://ais:pw@host:5432/ais (default: DATABASE_URL)."
        )
        parser.add_argument("--media-root", type=Path, help="Where to put the uploaded files (default: MEDIA_ROOT).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the content of a non-empty database, overwrite files of the same name.",
        )
        parser.add_argument(
            "--pg-bin", help="Directory of pg_restore (default: the embedded PostgreSQL's, else the one on PATH)."
        )

    def handle(self, *args, backup, database_url=None, media_root=None, force=False, pg_bin=None, **options):
        started = time.monotonic()
        try:
            if database_url:
                database = Database.from_url(database_url)
            else:
                database = Database.from_settings(connection.settings_dict)
                connection.close()  # --force drops tables: hold no connection to them
            report = restore(
                backup,
                database=database,
                media_root=media_root or Path(settings.MEDIA_ROOT),
                force=force,
                bin_dir=pg_bin,
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        for name in report.extra_tables:
            self.stderr.write(f"Table {name} was already there and is not in the backup: left as it was.")
        if report.differences:
            raise CommandError(
                "Restored, but what was restored differs from the backup:\n" + "\n".join(report.differences)
            )
        from ais.core.figures_cache import invalidate

        invalidate()  # the cached figures were computed from the data just replaced
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {report.tables} tables ({report.rows} rows) and {report.media} files in "
                f"{time.monotonic() - started:.1f} s; row counts and checksums match the backup."
            )
        )
        return None
