"""``backup`` then ``restore`` into a fresh database of the test server: same row
counts, same checksum per table, same uploaded files.

pg_dump reads the database from another connection: the data must be committed,
hence ``transactional_db``.
"""

import json
import uuid
from io import StringIO
from pathlib import Path

import psycopg2
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg2 import sql

from ais.health.backup import DUMP_NAME, MANIFEST_NAME, BackupError, Database, database_checksums, read_manifest
from ais.outbox.models import OutgoingEmail
from tests.ais.factories import OutgoingEmailFactory
from tests.essaimage.factories import SpreadStructureFactory
from tests.projects.factories import (
    DossierAttachmentFactory,
    DossierFactory,
    InnovationFactory,
    ReviewAssignmentFactory,
)

pytestmark = pytest.mark.timeout(120)


def _url(database: Database) -> str:
    return f"postgres://{database.user}@{database.host}:{database.port}/{database.name}"


def _admin_connection():
    source = Database.from_settings(connection.settings_dict)
    admin = psycopg2.connect(
        dbname="postgres", user=source.user, password=source.password or None, host=source.host, port=source.port
    )
    admin.autocommit = True
    return admin


@pytest.fixture
def fresh_database(transactional_db):
    """An empty database on the test server, dropped at the end."""
    source = Database.from_settings(connection.settings_dict)
    target = Database(
        name=f"ais_restore_{uuid.uuid4().hex[:10]}",
        user=source.user,
        password=source.password,
        host=source.host,
        port=source.port,
    )
    admin = _admin_connection()
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.name)))
    yield target
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target.name)))
    admin.close()


@pytest.fixture
def programme_data(transactional_db, settings):
    """Dossiers with uploaded files, reviews, e-mails with awkward text, spread innovations."""
    dossier = DossierFactory(complete=True, innovation_name="Jardin solidaire – « Été » \\ tab\there")
    DossierAttachmentFactory(dossier=dossier)
    DossierAttachmentFactory(dossier=DossierFactory(complete=True))
    ReviewAssignmentFactory()
    SpreadStructureFactory(innovation=InnovationFactory(name="Parcours Gardien"))
    OutgoingEmailFactory(body="Ligne 1\nLigne 2\r\n\tfin — ✓", subject="Objet ' \" ; --")
    OutgoingEmailFactory(sent=True)
    extra = settings.MEDIA_ROOT / "exports" / "rapport annuel 2026.txt"
    extra.parent.mkdir(parents=True)
    extra.write_text("Rapport annuel\n", encoding="utf-8")
    return settings.MEDIA_ROOT


def _media(root):
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def _row_counts(database: Database) -> dict[str, int]:
    """Independently of the manifest: ``count(*)`` of every table of the public schema."""
    conn = database.connect()
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
            counts = {}
            for (table,) in cursor.fetchall():
                cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
                counts[table] = cursor.fetchone()[0]
            return counts
    finally:
        conn.close()


def _backup(tmp_path) -> Path:
    out = StringIO()
    call_command("backup", str(tmp_path / "backups"), stdout=out)
    (directory,) = (tmp_path / "backups").iterdir()
    assert f"Backup written to {directory}" in out.getvalue()
    return directory


def test_backup_then_restore_into_fresh_database_gives_same_tables_and_files(programme_data, fresh_database, tmp_path):
    source = Database.from_settings(connection.settings_dict)
    backup_dir = _backup(tmp_path)
    restored_media = tmp_path / "restored-media"
    out = StringIO()

    call_command(
        "restore", str(backup_dir), database_url=_url(fresh_database), media_root=str(restored_media), stdout=out
    )

    manifest = json.loads((backup_dir / MANIFEST_NAME).read_text())
    source_counts, restored_counts = _row_counts(source), _row_counts(fresh_database)
    assert restored_counts == source_counts
    assert source_counts["outbox_outgoingemail"] == OutgoingEmail.objects.count() == 2
    assert sum(1 for count in source_counts.values() if count) > 10
    assert database_checksums(fresh_database) == database_checksums(source) == manifest["tables"]
    assert {name: summary["rows"] for name, summary in manifest["tables"].items()} == {
        f"public.{table}": count for table, count in source_counts.items()
    }
    assert _media(restored_media) == _media(programme_data)
    assert len(manifest["media"]) == 3
    assert "row counts and checksums match the backup" in out.getvalue()


def test_restore_into_non_empty_database_refused_unless_forced(programme_data, fresh_database, tmp_path):
    backup_dir = _backup(tmp_path)
    url = _url(fresh_database)
    call_command("restore", str(backup_dir), database_url=url, media_root=str(tmp_path / "m1"), stdout=StringIO())
    conn = fresh_database.connect()
    with conn, conn.cursor() as cursor:
        cursor.execute("DELETE FROM outbox_outgoingemail")  # changed since the backup
    conn.close()

    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", str(backup_dir), database_url=url, media_root=str(tmp_path / "m2"))
    assert _row_counts(fresh_database)["outbox_outgoingemail"] == 0  # left untouched
    call_command(
        "restore", str(backup_dir), database_url=url, media_root=str(tmp_path / "m2"), force=True, stdout=StringIO()
    )

    assert _row_counts(fresh_database)["outbox_outgoingemail"] == 2
    assert database_checksums(fresh_database) == database_checksums(Database.from_settings(connection.settings_dict))


def test_restore_into_non_empty_media_directory_refused_unless_forced(programme_data, fresh_database, tmp_path):
    backup_dir = _backup(tmp_path)
    media = tmp_path / "media-in-use"
    media.mkdir()
    (media / "autre.txt").write_text("déjà là")

    with pytest.raises(CommandError, match="media directory .* is not empty"):
        call_command("restore", str(backup_dir), database_url=_url(fresh_database), media_root=str(media))
    assert _row_counts(fresh_database) == {}  # refused before touching the database


def test_checksum_detects_a_changed_value_with_the_same_row_count(programme_data, fresh_database, tmp_path):
    backup_dir = _backup(tmp_path)
    call_command(
        "restore", str(backup_dir), database_url=_url(fresh_database), media_root=str(tmp_path / "m"), stdout=StringIO()
    )
    conn = fresh_database.connect()
    with conn, conn.cursor() as cursor:
        cursor.execute(
            "UPDATE outbox_outgoingemail SET subject = subject || '.'"
            " WHERE id = (SELECT min(id) FROM outbox_outgoingemail)"
        )
    conn.close()

    before = json.loads((backup_dir / MANIFEST_NAME).read_text())["tables"]
    after = database_checksums(fresh_database)

    changed = [name for name in before if before[name] != after[name]]
    assert changed == ["public.outbox_outgoingemail"]
    assert after[changed[0]]["rows"] == before[changed[0]]["rows"]


def test_restore_of_damaged_dump_refused(programme_data, fresh_database, tmp_path):
    backup_dir = _backup(tmp_path)
    with (backup_dir / DUMP_NAME).open("r+b") as dump:
        dump.seek(100)
        dump.write(b"\x00\xff")

    with pytest.raises(BackupError, match="damaged"):
        read_manifest(backup_dir)
    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(backup_dir), database_url=_url(fresh_database), media_root=str(tmp_path / "m"))
    assert _row_counts(fresh_database) == {}
