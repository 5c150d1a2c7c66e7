"""Deliverables: uploaded by managers (checked by content), a feasibility study needs
its conclusion, served only as downloads to those who may see them, removable
until the innovation leaves the stage they serve."""

import datetime
from pathlib import Path

import pytest
from django.urls import reverse

from ais.accounts.models import Role
from projects.models import Deliverable, Stage
from tests.conftest import make_user
from tests.projects.factories import DeliverableFactory, InnovationFactory
from tests.projects.innovations.conftest import detail_url, text

TITLE = "Étude de faisabilité – version du comité"
NOTES = "Conditions : recruter un coordinateur régional avant l'été."


def _add_url(innovation):
    return reverse("projects:deliverable_add", kwargs={"pk": innovation.pk})


def _download_url(deliverable):
    return reverse(
        "projects:deliverable_download", kwargs={"pk": deliverable.innovation_id, "deliverable_pk": deliverable.pk}
    )


def _delete_url(deliverable):
    return reverse(
        "projects:deliverable_delete", kwargs={"pk": deliverable.innovation_id, "deliverable_pk": deliverable.pk}
    )


def _status(client, url) -> int:
    """The status of a download, its file read to the end (which closes it)."""
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    return response.status_code


def _stored_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _data(upload, **overrides):
    return {
        "kind": "feasibility_study",
        "title": TITLE,
        "file": upload,
        "dated": "2026-02-16",
        "conclusion": "go_conditions",
        "notes": NOTES,
        **overrides,
    }


# Upload ---------------------------------------------------------------------------------


def test_manager_uploads_a_pdf_study(manager_client, manager, innovation, pdf_upload):
    response = manager_client.post(_add_url(innovation), _data(pdf_upload()))

    assert response.status_code == 302
    assert response.url == detail_url(innovation) + "#livrables"
    deliverable = Deliverable.objects.get(innovation=innovation)
    assert (deliverable.kind, deliverable.title, deliverable.conclusion) == (
        "feasibility_study",
        TITLE,
        "go_conditions",
    )
    assert deliverable.dated == datetime.date(2026, 2, 16)
    assert (deliverable.original_name, deliverable.mime_type) == ("etude-faisabilite.pdf", "application/pdf")
    assert deliverable.uploaded_by == manager
    assert deliverable.history.latest("history_date").history_user == manager
    page = text(manager_client.get(detail_url(innovation)))
    assert TITLE in page and "etude-faisabilite.pdf" in page


def test_add_form_preselects_the_kind_asked_for(manager_client, innovation):
    response = manager_client.get(_add_url(innovation) + "?kind=charter")

    assert response.context["form"]["kind"].value() == "charter"


def test_wrong_type_is_refused_with_typed_values_kept(manager_client, innovation, pdf_upload, settings):
    upload = pdf_upload("etude.pdf", b"Ceci n'est pas un PDF, seulement du texte.")

    response = manager_client.post(_add_url(innovation), _data(upload))

    assert response.status_code == 400
    errors = response.context["form"].errors.as_data()
    assert [error.code for error in errors["file"]] == ["bad_type"]
    page = text(response)
    assert errors["file"][0].messages[0] in page
    assert f'value="{TITLE}"' in page
    assert NOTES in page
    assert not Deliverable.objects.exists()
    assert _stored_files(settings) == []


def test_study_without_conclusion_is_refused_with_typed_values_kept(manager_client, innovation, pdf_upload):
    response = manager_client.post(_add_url(innovation), _data(pdf_upload(), conclusion=""))

    assert response.status_code == 400
    form = response.context["form"]
    message = form.errors["conclusion"][0]
    page = text(response)
    assert message in page
    assert f'value="{TITLE}"' in page and NOTES in page
    assert form.file_to_choose_again  # the file was fine: the page asks to choose it again
    assert not Deliverable.objects.exists()


def test_conclusion_is_dropped_for_other_kinds(manager_client, innovation, pdf_upload):
    manager_client.post(_add_url(innovation), _data(pdf_upload("charte.pdf"), kind="charter", title="Charte"))

    assert Deliverable.objects.get(innovation=innovation).conclusion == ""


@pytest.mark.parametrize("role", [Role.CARRIER, Role.STRUCTURE, Role.COMMITTEE])
def test_other_roles_cannot_upload(client, innovation, pdf_upload, role):
    client.force_login(make_user(role))

    response = client.post(_add_url(innovation), _data(pdf_upload()))

    assert response.status_code == 403
    assert not Deliverable.objects.exists()


def test_innovations_own_carrier_cannot_upload(client, innovation, carrier, pdf_upload):
    client.force_login(carrier)

    assert client.get(_add_url(innovation)).status_code == 403
    assert client.post(_add_url(innovation), _data(pdf_upload())).status_code == 403


# Removal --------------------------------------------------------------------------------


def test_deliverable_removed_while_its_stage_is_current(
    manager_client, innovation, settings, django_capture_on_commit_callbacks
):
    deliverable = DeliverableFactory(innovation=innovation, kind="charter")
    assert len(_stored_files(settings)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(_delete_url(deliverable))

    assert response.status_code == 302
    assert response.url == detail_url(innovation) + "#livrables"
    assert not Deliverable.objects.filter(pk=deliverable.pk).exists()
    assert _stored_files(settings) == []


def test_deliverable_of_a_left_stage_cannot_be_removed(manager_client, db):
    innovation = InnovationFactory(stage=Stage.MOBILISATION)
    charter = DeliverableFactory(innovation=innovation, kind="charter", title="Charte signée 2025")

    response = manager_client.post(_delete_url(charter), follow=True)

    assert Deliverable.objects.filter(pk=charter.pk).exists()
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) == 1 and shown[0] in text(response)
    assert response.context["deliverable_groups"][0]["deliverables"][0].removable is False
    assert _delete_url(charter) not in text(response)  # no remove button


def test_remove_needs_post(manager_client, innovation):
    deliverable = DeliverableFactory(innovation=innovation, kind="charter")

    assert manager_client.get(_delete_url(deliverable)).status_code == 405
    assert Deliverable.objects.filter(pk=deliverable.pk).exists()


# Download -------------------------------------------------------------------------------


def test_manager_downloads_as_attachment(manager_client, innovation):
    deliverable = DeliverableFactory(innovation=innovation, kind="charter", original_name="charte-signée.pdf")

    response = manager_client.get(_download_url(deliverable))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_carrier_downloads_every_deliverable_of_its_innovation(client, innovation, carrier):
    charter = DeliverableFactory(innovation=innovation, kind="charter")
    study = DeliverableFactory(innovation=innovation, kind="feasibility_study")
    client.force_login(carrier)

    assert _status(client, _download_url(charter)) == 200
    assert _status(client, _download_url(study)) == 200


def test_structure_contact_downloads_guide_but_not_charter(client, innovation, structure_contact):
    guide = DeliverableFactory(innovation=innovation, kind="guide")
    charter = DeliverableFactory(innovation=innovation, kind="charter")
    client.force_login(structure_contact)

    assert _status(client, _download_url(guide)) == 200
    assert _status(client, _download_url(charter)) == 404


def test_deliverable_of_another_innovation_is_not_found(manager_client, innovation):
    other = DeliverableFactory(kind="charter")
    url = reverse("projects:deliverable_download", kwargs={"pk": innovation.pk, "deliverable_pk": other.pk})

    assert _status(manager_client, url) == 404
