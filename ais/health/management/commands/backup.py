"""``manage.py backup DESTINATION``: database and uploaded files, with a manifest."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from ...backup import BackupError, Database, backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, custom format) and the uploaded files (MEDIA_ROOT) into a new "
        "directory ais-backup-<UTC time>/ of DESTINATION, with a manifest of row counts and checksums."
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", type=Path, help="Directory in which the backup directory is created.")
        parser.add_argument(
            "--pg-bin", help="Directory of pg_dump (default: the embedded PostgreSQL's, else the one on PATH)."
        )

    def handle(self, *args, destination, pg_bin=None, **options):
        started = time.monotonic()
        try:
            target = backup(
                destination,
                database=Database.from_settings(connection.settings_dict),
                media_root=Path(settings.MEDIA_ROOT),
                bin_dir=pg_bin,
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Backup written to {target} in {time.monotonic() - started:.1f} s"))
        return None
