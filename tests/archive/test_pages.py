"""The administrators' import page through the test client (upload → preview with one error →
corrected upload → confirm → report), with the Celery tasks run eagerly; and the command."""

import html
import io
from io import StringIO

import openpyxl
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from ais.accounts.models import Role
from ais.outbox.models import OutgoingEmail
from archive.models import HistoryImport, ImportStatus
from essaimage.models import SpreadStructure
from evaluation.models import Reminder
from tests.archive.helpers import counts, history, make_workbook
from tests.conftest import make_user

pytestmark = pytest.mark.usefixtures("communes")


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _upload(client, data: bytes, capture, name="historique.xlsx"):
    with capture(execute=True):
        return client.post(reverse("archive:imports"), {"file": SimpleUploadedFile(name, data)})


def test_admin_corrects_the_error_of_the_preview_then_imports(
    client, admin_user, eager_celery, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    page = client.get(reverse("archive:imports"))
    assert page.status_code == 200
    assert "Télécharger le modèle (XLSX)" in _text(page)
    template = client.get(reverse("archive:template"))
    workbook = openpyxl.load_workbook(io.BytesIO(template.content), read_only=True)
    assert workbook.sheetnames == [
        "Lisez-moi",
        "Innovations",
        "Structures",
        "Questionnaires",
        "Formations",
        "Codes des questions",
    ]
    before = counts()

    # A workbook with one wrong municipality code: the preview names the cell, nothing is written.
    wrong = history()
    wrong["Structures"][2]["code commune"] = "59999"
    response = _upload(client, make_workbook(wrong), django_capture_on_commit_callbacks)
    first = HistoryImport.objects.get()
    assert response.status_code == 302 and response.url == first.get_absolute_url()
    first.refresh_from_db()
    assert first.status == ImportStatus.INVALID and first.error_count == 1
    page = _text(client.get(response.url))
    assert (
        "Feuille « Structures », ligne 4, colonne « code commune » : 59999 n'est pas un code commune INSEE du "
        "référentiel" in page
    )
    assert "1 erreur à corriger" in page
    assert reverse("archive:confirm", kwargs={"pk": first.pk}) not in page
    assert counts() == before

    # The corrected workbook: a preview of what would be created, then the import.
    response = _upload(client, make_workbook(), django_capture_on_commit_callbacks)
    second = HistoryImport.objects.exclude(pk=first.pk).get()
    second.refresh_from_db()
    assert second.status == ImportStatus.READY, second.errors
    page = _text(client.get(response.url))
    assert "Aperçu : ce que ferait l'import" in page
    assert '<th scope="row" class="fw-normal">Structures</th><td class="text-end">3</td>' in page
    assert counts() == before
    partial = client.get(reverse("archive:status", kwargs={"pk": second.pk}), HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and "<html" not in partial.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("archive:confirm", kwargs={"pk": second.pk}))
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == ImportStatus.DONE
    assert second.confirmed_by == admin_user
    page = _text(client.get(second.get_absolute_url()))
    assert "Ce qui a été importé" in page
    assert SpreadStructure.objects.count() == 3
    assert mail.outbox == [] and OutgoingEmail.objects.count() == 0 and Reminder.objects.count() == 0

    # Confirming twice does nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("archive:confirm", kwargs={"pk": second.pk}))
    assert SpreadStructure.objects.count() == 3


def test_hostile_upload_is_refused_on_the_form_and_nothing_is_kept(client, admin_user):
    client.force_login(admin_user)
    import zipfile

    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(make_workbook())) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for name in source.namelist():
            bomb.writestr(name, source.read(name))
        bomb.writestr("xl/media/image1.xml", b"0" * (40 * 1024 * 1024))

    response = client.post(
        reverse("archive:imports"), {"file": SimpleUploadedFile("historique.xlsx", buffer.getvalue())}
    )

    assert response.status_code == 400
    assert "taille anormale" in _text(response)
    assert not HistoryImport.objects.exists()


@pytest.mark.parametrize("role", [Role.MANAGER, Role.CARRIER, Role.STRUCTURE, Role.COMMITTEE])
def test_only_administrators_may_import(client, role):
    client.force_login(make_user(role))
    assert client.get(reverse("archive:imports")).status_code == 403
    assert client.get(reverse("archive:template")).status_code == 403


def test_command_checks_then_imports(tmp_path, admin_user):
    path = tmp_path / "historique.xlsx"
    path.write_bytes(make_workbook())
    before = counts()
    out = StringIO()

    call_command("import_history", str(path), "--dry-run", stdout=out)

    assert counts() == before
    assert "Aucune erreur (simulation : rien n'a été enregistré)." in out.getvalue()
    assert any(line.split() == ["Structures", "3", "0", "0"] for line in out.getvalue().splitlines())

    call_command("import_history", str(path), "--by", admin_user.email, stdout=out)
    assert SpreadStructure.objects.count() == 3
    assert SpreadStructure.objects.first().history.first().history_user == admin_user

    out = StringIO()
    call_command("import_history", str(path), stdout=out)  # again: nothing created
    assert any(line.split() == ["Structures", "0", "0", "3"] for line in out.getvalue().splitlines())


def test_command_refuses_a_wrong_file_with_its_cells(tmp_path):
    data = history()
    data["Questionnaires"][2]["exits_durable_employment"] = 25
    path = tmp_path / "historique.xlsx"
    path.write_bytes(make_workbook(data))
    before = counts()
    err = StringIO()

    with pytest.raises(CommandError, match="1 erreur : rien n'a été enregistré"):
        call_command("import_history", str(path), stdout=StringIO(), stderr=err)

    assert "Feuille « Questionnaires », ligne 4, colonne « exits_durable_employment »" in err.getvalue()
    assert counts() == before


def test_command_refuses_a_macro_workbook(tmp_path):
    path = tmp_path / "historique.xlsm"
    path.write_bytes(make_workbook())

    with pytest.raises(CommandError, match="extension"):
        call_command("import_history", str(path), stdout=StringIO())
