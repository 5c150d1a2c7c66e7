"""Attachments of a dossier: documents are accepted by their content, stored under
a random name, served only as downloads; hostile or wrong files are refused with
a message, nothing stored, and what the person typed is kept."""

import html
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import DossierAttachment
from tests.projects.dossiers import documents

DESCRIPTION = "Rapport d'évaluation 2024 (version finale)"

# name, bytes, expected error code
HOSTILE = {
    "exe renamed pdf": ("rapport.pdf", documents.exe_bytes, "bad_type"),
    "elf binary": ("outil.pdf", documents.elf_bytes, "bad_type"),
    "html renamed pdf": ("rapport.pdf", lambda: documents.HTML_PAGE, "bad_type"),
    "svg with script renamed png": ("logo.png", lambda: documents.SVG_WITH_SCRIPT, "bad_type"),
    "plain zip renamed docx": ("rapport.docx", documents.plain_zip_bytes, "bad_type"),
    "zip bomb disguised as docx": ("rapport.docx", documents.zip_bomb_docx_bytes, "zip_bomb"),
    "docx with path traversal member": ("rapport.docx", documents.zip_with_unsafe_path_docx_bytes, "zip_paths"),
    "oversize pdf": ("annexes.pdf", documents.oversize_pdf_bytes, "too_large"),
    "empty file": ("vide.pdf", lambda: b"", "empty"),
    "pdf with javascript": ("rapport.pdf", documents.pdf_with_javascript_bytes, "pdf_javascript"),
    "truncated pdf": ("rapport.pdf", documents.truncated_pdf_bytes, "pdf_unreadable"),
    "png header then garbage": ("photo.png", documents.png_header_then_garbage_bytes, "bad_image"),
    "real pdf named docx": ("rapport.docx", documents.tiny_pdf_bytes, "extension_mismatch"),
    "real png named jpg": ("photo.jpg", documents.png_bytes, "extension_mismatch"),
    "name starting with a dot": (".rapport.pdf", documents.tiny_pdf_bytes, "bad_name"),
    "text file": ("notes.txt", lambda: b"Des notes en texte brut.", "bad_type"),
}

VALID = {
    "pdf": ("rapport.pdf", documents.tiny_pdf_bytes, "application/pdf"),
    "png": ("schema.png", documents.png_bytes, "image/png"),
    "jpeg": ("photo.jpg", documents.jpeg_bytes, "image/jpeg"),
    "jpeg long extension": ("photo.JPEG", documents.jpeg_bytes, "image/jpeg"),
    "docx": (
        "méthode.docx",
        documents.docx_bytes,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": (
        "chiffres.xlsx",
        documents.xlsx_bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "odt": ("guide.odt", documents.odt_bytes, "application/vnd.oasis.opendocument.text"),
}

RANDOM_NAME = re.compile(r"^dossiers/\d{4}/[0-9a-f]{32}\.[a-z]{2,5}$")


@pytest.fixture
def attachments_url(draft):
    return reverse("projects:dossier_attachments", args=[draft.pk])


def _stored_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_or_wrong_upload_is_refused_and_nothing_stored(carrier_client, attachments_url, settings, case):
    name, make, code = HOSTILE[case]
    upload = SimpleUploadedFile(name, make(), content_type="application/pdf")

    response = carrier_client.post(attachments_url, {"file": upload, "description": DESCRIPTION})

    assert response.status_code == 400
    errors = response.context["form"].errors.as_data()
    assert [error.code for error in errors["file"]] == [code]
    message = str(errors["file"][0].messages[0])
    assert message
    text = html.unescape(response.content.decode())
    assert message in text
    assert f'value="{DESCRIPTION}"' in text  # what was typed is kept
    assert not DossierAttachment.objects.exists()
    assert _stored_files(settings) == []


@pytest.mark.parametrize("case", ["exe renamed pdf", "oversize pdf", "real pdf named docx", "pdf with javascript"])
def test_refusal_message_names_the_file_or_the_problem(carrier_client, attachments_url, case):
    name, make, _code = HOSTILE[case]

    response = carrier_client.post(attachments_url, {"file": SimpleUploadedFile(name, make())})

    message = str(response.context["form"].errors.as_data()["file"][0].messages[0])
    if case == "pdf with javascript":
        assert "PDF" in message
    else:
        assert name in message


def test_oversize_refusal_says_the_size_and_the_limit(carrier_client, attachments_url):
    name, make, _code = HOSTILE["oversize pdf"]

    response = carrier_client.post(attachments_url, {"file": SimpleUploadedFile(name, make())})

    message = str(response.context["form"].errors.as_data()["file"][0].messages[0])
    assert "10,0" in message  # the size, in French decimal notation
    assert "10" in message.replace("10,0", "")  # and the limit


def test_zip_bomb_fixture_really_inflates_over_a_hundred_times():
    import io
    import zipfile

    data = documents.zip_bomb_docx_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        ratio = sum(i.file_size for i in infos) / sum(i.compress_size for i in infos)

    assert {"[Content_Types].xml", "word/document.xml"} <= names
    assert sum(i.file_size for i in infos) > 5 * 1024 * 1024
    assert ratio > 100


def test_upload_without_file_keeps_description_and_attaches_nothing(carrier_client, attachments_url):
    response = carrier_client.post(attachments_url, {"description": DESCRIPTION})

    assert response.status_code == 400
    assert [e.code for e in response.context["form"].errors.as_data()["file"]] == ["required"]
    assert f'value="{DESCRIPTION}"' in html.unescape(response.content.decode())
    assert not DossierAttachment.objects.exists()


@pytest.mark.parametrize("case", list(VALID))
def test_valid_document_is_attached_under_a_random_name(
    carrier_client, attachments_url, draft, carrier, settings, case
):
    name, make, mime = VALID[case]
    data = make()

    response = carrier_client.post(attachments_url, {"file": SimpleUploadedFile(name, data), "description": "Pièce"})

    assert response.status_code == 302
    assert response["Location"] == attachments_url
    attachment = DossierAttachment.objects.get()
    assert (attachment.dossier, attachment.original_name, attachment.mime_type) == (draft, name, mime)
    assert (attachment.size, attachment.description, attachment.uploaded_by) == (len(data), "Pièce", carrier)
    assert RANDOM_NAME.match(attachment.file.name), attachment.file.name
    assert Path(name).stem not in attachment.file.name
    stored = Path(settings.MEDIA_ROOT) / attachment.file.name
    assert stored.read_bytes() == data
    assert stored.resolve().is_relative_to((Path(settings.MEDIA_ROOT) / "dossiers").resolve())


def test_attached_document_is_listed_with_its_original_name(carrier_client, attachments_url):
    carrier_client.post(attachments_url, {"file": SimpleUploadedFile("Bilan annuel.pdf", documents.tiny_pdf_bytes())})

    page = carrier_client.get(attachments_url)

    assert "Bilan annuel.pdf" in html.unescape(page.content.decode())


def test_download_is_an_attachment_with_original_name_nosniff_and_sandbox(carrier_client, attachments_url, draft):
    data = documents.tiny_pdf_bytes()
    carrier_client.post(attachments_url, {"file": SimpleUploadedFile("rapport final.pdf", data)})
    attachment = DossierAttachment.objects.get()

    response = carrier_client.get(reverse("projects:attachment_download", args=[draft.pk, attachment.pk]))
    body = b"".join(response.streaming_content)
    response.close()

    assert body == data
    assert response["Content-Disposition"] == 'attachment; filename="rapport final.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    assert "sandbox" in csp
    assert "default-src 'none'" in csp


def test_download_of_accented_name_keeps_it_in_rfc5987_form(carrier_client, attachments_url, draft):
    carrier_client.post(attachments_url, {"file": SimpleUploadedFile("évaluation.pdf", documents.tiny_pdf_bytes())})
    attachment = DossierAttachment.objects.get()

    response = carrier_client.get(reverse("projects:attachment_download", args=[draft.pk, attachment.pk]))
    response.close()

    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%C3%A9valuation.pdf" in response["Content-Disposition"]


def _raw_multipart(filename: str, data: bytes, description: str = DESCRIPTION):
    """A multipart body written by hand: the test client would strip the path itself."""
    boundary = "----ais-upload-boundary-7f3a"
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="description"\r\n\r\n'
            f"{description}\r\n"
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("filename", ["../../evil.pdf", "..\\..\\evil.pdf", "/etc/evil.pdf"])
def test_upload_with_a_path_in_its_name_is_stored_randomly_and_shown_without_path(
    carrier_client, attachments_url, settings, filename
):
    body, content_type = _raw_multipart(filename, documents.tiny_pdf_bytes())

    response = carrier_client.post(attachments_url, data=body, content_type=content_type)

    assert response.status_code == 302
    attachment = DossierAttachment.objects.get()
    assert attachment.original_name == "evil.pdf"
    assert RANDOM_NAME.match(attachment.file.name)
    media = Path(settings.MEDIA_ROOT).resolve()
    assert Path(attachment.file.path).resolve().is_relative_to(media / "dossiers")
    assert [p.resolve() for p in _stored_files(settings)] == [Path(attachment.file.path).resolve()]
    assert not (media.parent / "evil.pdf").exists()
    page = html.unescape(carrier_client.get(attachments_url).content.decode())
    assert ">evil.pdf<" in page
    assert "../" not in page.replace("../static", "")
    assert "..\\" not in page


def test_remove_attachment_deletes_row_and_file(carrier_client, attachments_url, draft, settings):
    carrier_client.post(attachments_url, {"file": SimpleUploadedFile("rapport.pdf", documents.tiny_pdf_bytes())})
    attachment = DossierAttachment.objects.get()
    stored = Path(attachment.file.path)

    response = carrier_client.post(reverse("projects:attachment_delete", args=[draft.pk, attachment.pk]))

    assert response["Location"] == attachments_url
    assert not DossierAttachment.objects.exists()
    assert not stored.exists()
