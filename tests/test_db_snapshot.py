"""tests/db_snapshot.py: a restore gives back every row, id, sequence and file of the build."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection

from ais.accounts.models import Membership, Organisation, Role, User
from tests.ais.factories import UserFactory
from tests.conftest import make_user
from tests.db_snapshot import SnapshotCache, take

pytestmark = pytest.mark.usefixtures("transactional_db")


def _state(tables) -> dict[str, tuple[int, int | None]]:
    """Rows and highest id of each table (id: the column of its sequence, if any)."""
    quote = connection.ops.quote_name
    state = {}
    with connection.cursor() as cursor:
        for table in tables:
            columns = [sequence["column"] for sequence in connection.introspection.get_sequences(cursor, table)]
            highest = f"max({quote(columns[0])})" if columns else "NULL"
            cursor.execute(f"SELECT count(*), {highest} FROM {quote(table)}")  # noqa: S608 - Django's names
            state[table] = tuple(cursor.fetchone())
    return state


def _emptied_as_by_a_flush_command() -> None:
    """Every table emptied, sequences restarted and content types and permissions made
    again by ``post_migrate`` (under new ids): harder than the flush between two tests."""
    call_command("flush", interactive=False, verbosity=0)


def test_restore_into_an_emptied_database_gives_back_rows_ids_and_files(settings, tmp_path):
    for role in (Role.CARRIER, Role.STRUCTURE, Role.MANAGER):
        make_user(role)
    stored = settings.MEDIA_ROOT / "deliverables" / "plan.pdf"
    stored.parent.mkdir(parents=True)
    stored.write_bytes(b"%PDF-1.7 demo")
    snapshot = take(media_root=settings.MEDIA_ROOT, media_copy=tmp_path / "copy")
    built = _state(snapshot.tables)
    assert built["accounts_user"][0] == 3 and built["django_content_type"][0] > 0

    _emptied_as_by_a_flush_command()
    UserFactory()  # a row of the emptied database, gone after the restore
    flushed_user_type = _user_type_under_a_new_id()
    other_media_root = tmp_path / "next-test-media"
    snapshot.restore(media_root=other_media_root)

    assert _state(snapshot.tables) == built
    assert snapshot.counts == {table: rows for table, (rows, _highest) in built.items()}
    assert (other_media_root / "deliverables" / "plan.pdf").read_bytes() == b"%PDF-1.7 demo"
    assert User.objects.count() == 3 and Membership.objects.count() == 3 and Organisation.objects.count() == 2
    # A row made after the restore takes the id after the snapshot's (the sequences restarted at 1).
    assert UserFactory().pk == built["accounts_user"][1] + 1
    # The content types' ids are those of the snapshot, and the process no longer caches the flush's.
    user_type = ContentType.objects.get_for_model(User)
    assert user_type.pk != flushed_user_type.pk
    assert ContentType.objects.filter(pk=user_type.pk, app_label="accounts", model="user").exists()


def _user_type_under_a_new_id() -> ContentType:
    """The users' content type made again under an id no snapshot has, and cached by the process."""
    ContentType.objects.filter(app_label="accounts", model="user").delete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('django_content_type', 'id'), 10000000)")
    ContentType.objects.clear_cache()
    return ContentType.objects.get_for_model(User)


def test_cache_builds_once_then_restores(settings, tmp_path):
    builds = []

    def build():
        builds.append(make_user(Role.MANAGER).pk)

    cache = SnapshotCache(media_copy=tmp_path / "copy")
    cache.load(build, media_root=settings.MEDIA_ROOT)
    _emptied_as_by_a_flush_command()
    cache.load(build, media_root=settings.MEDIA_ROOT)

    assert len(builds) == 1
    assert list(User.objects.values_list("pk", flat=True)) == builds
    assert cache.build_seconds is not None and cache.restore_seconds is not None
