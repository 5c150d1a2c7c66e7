"""A stored file missing from the storage (lost in a restore, deleted by hand): every
download view answers the French 404 page, not a 500, and the health page counts the
missing files (naming them to staff only).

The downloads are the access matrix's own entries: its kwargs factories create the
documents, then every stored file is removed from the storage before the request."""

import html
import inspect
import json

import pytest
from django.apps import apps
from django.db.models import FileField
from django.urls import reverse

from ais.accounts.models import Role
from ais.health.heartbeats import record_heartbeat
from ais.health.models import Component
from tests.access_matrix import MATRIX, NOT_FOUND_TEXT, url_name, walk_patterns
from tests.conftest import ROLES, make_user
from tests.test_access_matrix import objects  # noqa: F401 (the matrix's objects, a fixture)

pytestmark = pytest.mark.django_db

# Every view that serves a stored file (ais.core.uploads.file_download / download_response).
STORED_FILE_DOWNLOADS = [
    "projects:attachment_download",
    "projects:deliverable_download",
    "essaimage:agreement_download",
    "essaimage:training_document_download",
    "events:resource_download",
    "events:restitution_document_download",
    "reporting:report_download",
]


def _delete_every_stored_file() -> int:
    """Remove from the storage every file a row names (the rows stay); how many."""
    removed = 0
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, FileField):
                for name in model._base_manager.exclude(**{field.attname: ""}).values_list(field.attname, flat=True):
                    if name and field.storage.exists(name):
                        field.storage.delete(name)
                        removed += 1
    return removed


def test_every_download_view_is_listed():
    """The views calling the download helpers are the ones listed here."""
    downloads = {
        name
        for name, _route, pattern in walk_patterns()
        if {"file_download", "download_response"} & set(inspect.unwrap(pattern.callback).__code__.co_names)
    }
    assert downloads <= set(STORED_FILE_DOWNLOADS), sorted(downloads - set(STORED_FILE_DOWNLOADS))
    assert len(downloads) >= 5


@pytest.mark.parametrize("name", STORED_FILE_DOWNLOADS)
def test_download_of_a_missing_stored_file_answers_french_404(client, objects, name):  # noqa: F811
    key = next(key for key in MATRIX if url_name(key) == name)
    access = MATRIX[key]
    role = next(role for role in ROLES if access.expected[role] == 200)
    objects.user = make_user(role)
    if objects.user is not None:
        client.force_login(objects.user)
    url = reverse(name, kwargs=access.kwargs(objects))
    served = client.get(url)
    assert b"".join(served.streaming_content)  # read to the end: the client then closes the file
    assert served.status_code == 200  # the file is served while it is there
    assert _delete_every_stored_file() >= 1

    response = client.get(url)

    assert response.status_code == 404
    assert NOT_FOUND_TEXT in html.unescape(response.content.decode())


def _health(client):
    record_heartbeat(Component.WORKER)
    record_heartbeat(Component.BEAT)
    response = client.get(reverse("health:status"))
    return response, json.loads(response.content)


def test_health_counts_missing_stored_files_without_names_for_anonymous(client, objects):  # noqa: F811
    access = MATRIX["projects:attachment_download"]
    access.kwargs(objects)
    stored = objects.attachment.file.name
    _delete_every_stored_file()

    response, body = _health(client)

    assert response.status_code == 200  # a lost file is data to restore, not a service down
    assert body["stored_files"] == {"missing": 1}
    assert stored.encode() not in response.content


def test_health_names_missing_stored_files_to_staff(client, objects):  # noqa: F811
    stored = objects.attachment.file.name
    _delete_every_stored_file()
    client.force_login(make_user(Role.ADMIN))

    _response, body = _health(client)

    assert body["stored_files"] == {
        "missing": 1,
        "missing_files": [f"projects.DossierAttachment.file #{objects.attachment.pk}: {stored}"],
    }


def test_health_counts_no_missing_file_when_all_are_stored(client, objects):  # noqa: F811
    _response, body = _health(client)

    assert body["stored_files"] == {"missing": 0}
