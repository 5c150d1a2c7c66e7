"""Hostile files: each is refused — with a reason in the user's language, and nothing
stored — by ``store_upload`` and by every upload form of the product (dossier
attachments, deliverables, partnership agreements, training documents, restitution
documents, resources). Accepted files are served only as downloads, with ``nosniff``.

The files are built here: polyglots, renamed executables, HTML and SVG with script,
oversize and empty files, zip bombs disguised as office documents, PDFs with
JavaScript (plain, with escaped names, hidden in a compressed object stream), a
double extension, macro-enabled documents renamed, and names carrying paths.
"""

import datetime
import html
import io
import os
import zipfile
import zlib
from functools import cache
from typing import NamedTuple

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ais.accounts.models import Role
from ais.core.uploads import DOWNLOAD_CSP, MAX_UPLOAD_SIZE, PDF, DocumentValidator, store_upload
from essaimage.models import SpreadStructure, TrainingDocument
from essaimage.structure_forms import AGREEMENT_MAX_SIZE
from events import services as event_services
from events.models import Resource, ResourceDocument, RestitutionDocument
from projects.models import Deliverable, DossierAttachment, Stage
from tests.ais.factories import tiny_pdf_bytes
from tests.conftest import make_user
from tests.essaimage.factories import SpreadStructureFactory, TrainingFactory
from tests.events.factories import EventFactory, SessionFactory
from tests.projects.factories import CallFactory, DossierFactory, InnovationFactory
from tests.security import hostile_documents as build

DOCX_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Override PartName="/word/document.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
DOCM_TYPES = DOCX_TYPES.replace(b"wordprocessingml.document.main", b"ms-word.document.macroEnabled.main")
HTML_PAGE = b"<!DOCTYPE html><html><body><script>fetch('/compte/').then(r=>r.text())</script></body></html>"
SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)">'
    b"<script>alert(1)</script></svg>"
)


def _zip(members: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def docx_bytes(extra: dict | None = None, types: bytes = DOCX_TYPES) -> bytes:
    return _zip({"[Content_Types].xml": types, "word/document.xml": b"<w:document/>", **(extra or {})})


@cache
def zip_bomb(required: tuple[str, ...]) -> bytes:
    """A small zip (about 100 KB) whose last member inflates to 120 MB of zeros. The
    validator reads the sizes declared in the zip's directory, never inflates it."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in required[:-1]:
            archive.writestr(name, DOCX_TYPES)
        with archive.open(required[-1], "w", force_zip64=True) as member:
            block = bytes(1024 * 1024)
            for _ in range(120):
                member.write(block)
    return out.getvalue()


def pdf_with(extra_object: bytes) -> bytes:
    """A well-formed PDF with one more object (number 9)."""
    return build.pdf(objects={9: extra_object})


def pdf_with_compressed_javascript() -> bytes:
    """JavaScript hidden in a Flate-compressed object stream that no cross-reference lists:
    invisible in the raw bytes."""
    hidden = b"10 0 << /Type /Action /S /JavaScript /JS (app.alert('pwned')) >>"
    stream = zlib.compress(hidden)
    return pdf_with(
        b"<< /Type /ObjStm /N 1 /First 5 /Filter /FlateDecode /Length %d >>\nstream\n" % len(stream)
        + stream
        + b"\nendstream"
    )


def png_bytes(trailer: bytes = b"") -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, format="PNG")
    return out.getvalue() + trailer


def oversize_pdf() -> bytes:
    pdf = tiny_pdf_bytes()
    filler = b"%" + b"0" * (MAX_UPLOAD_SIZE - len(pdf)) + b"\n"
    return pdf[:9] + filler + pdf[9:]


class Hostile(NamedTuple):
    name: str
    content: bytes | object  # bytes, or a callable building them
    code: str  # the ValidationError code of the refusal
    form_code: str = ""  # what a form says when Django refuses before our validator

    def data(self) -> bytes:
        return self.content() if callable(self.content) else self.content


HOSTILE = [
    Hostile(
        "polyglotte.pdf",
        lambda: tiny_pdf_bytes().replace(b"%PDF-1.4\n", b"%PDF-1.4\n%" + HTML_PAGE + b"\n", 1),
        "markup",
    ),
    Hostile("facture.pdf", b"MZ\x90\x00\x03\x00\x00\x00This program cannot be run in DOS mode.\r\n" * 20, "bad_type"),
    Hostile("page.pdf", HTML_PAGE, "bad_type"),
    Hostile("page.docx", HTML_PAGE, "bad_type"),
    Hostile("logo.svg", SVG_WITH_SCRIPT, "bad_type"),
    Hostile("logo.png", SVG_WITH_SCRIPT, "bad_type"),
    Hostile("image.png", lambda: png_bytes(b"<script>alert(1)</script>"), "markup"),
    Hostile("enorme.pdf", oversize_pdf, "too_large"),
    Hostile("vide.pdf", b"", "empty", form_code="empty"),
    Hostile("rapport.docx", lambda: zip_bomb(("[Content_Types].xml", "word/document.xml")), "zip_bomb"),
    Hostile("tableau.xlsx", lambda: zip_bomb(("[Content_Types].xml", "xl/workbook.xml")), "zip_bomb"),
    Hostile(
        "script.pdf",
        lambda: build.pdf(
            catalog=b" /OpenAction 9 0 R", objects={9: b"<< /Type /Action /S /JavaScript /JS (app.alert(1)) >>"}
        ),
        "pdf_javascript",
    ),
    Hostile("script-masque.pdf", lambda: pdf_with(b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>"), "pdf_javascript"),
    Hostile("script-compresse.pdf", pdf_with_compressed_javascript, "pdf_javascript"),
    Hostile("rapport.pdf.exe", tiny_pdf_bytes, "extension_mismatch"),
    Hostile(
        "macros.docx",
        lambda: docx_bytes({"word/vbaProject.bin": b"\xd0\xcf\x11\xe0VBA"}, DOCM_TYPES),
        "office_macros",
    ),
    Hostile("controle.docx", lambda: docx_bytes({"word/activeX/activeX1.bin": b"\xd0\xcf\x11\xe0"}), "office_activex"),
    Hostile(
        "macros.odt",
        lambda: _zip(
            {
                "mimetype": b"application/vnd.oasis.opendocument.text",
                "content.xml": b"<office:document-content/>",
                "Basic/Standard/Module1.xml": b'<script:module>Shell("calc")</script:module>',
            }
        ),
        "office_macros",
    ),
]

# Names that carry a path or invisible characters: Django's multipart parser keeps only
# the last part of a name sent by a browser, so only direct callers can pass them on.
HOSTILE_NAMES = ["../../etc/passwd.pdf", "..\\..\\windows\\system32\\rapport.pdf", "rapport\x00.exe.pdf"]


def _upload(hostile: Hostile, content_type="application/pdf"):
    return SimpleUploadedFile(hostile.name, hostile.data(), content_type=content_type)


def _refusal(hostile: Hostile, validator=None) -> str:
    """The message of the refusal of ``hostile``, in the active language, as the validator gives it."""
    try:
        (validator or DocumentValidator())(_upload(hostile))
    except ValidationError as error:
        return error.messages[0]
    raise AssertionError(f"{hostile.name} is not refused")


# The validator and store_upload -------------------------------------------------------------


def test_suite_has_at_least_twelve_hostile_files():
    assert len(HOSTILE) + len(HOSTILE_NAMES) >= 12
    assert len({hostile.code for hostile in HOSTILE}) >= 8


@pytest.mark.parametrize("hostile", HOSTILE, ids=[h.name for h in HOSTILE])
def test_validator_refuses_hostile_file_with_reason(hostile):
    with pytest.raises(ValidationError) as refused:
        DocumentValidator()(_upload(hostile))

    assert refused.value.code == hostile.code
    assert refused.value.messages[0].strip()


@pytest.mark.parametrize("hostile", HOSTILE, ids=[h.name for h in HOSTILE])
def test_store_upload_refuses_hostile_file_and_stores_nothing(db, settings, hostile):
    training = TrainingFactory()
    document = TrainingDocument(training=training, title="Document")

    with pytest.raises(ValidationError) as refused:
        store_upload(document, _upload(hostile), by=None)

    assert refused.value.code == hostile.code
    assert not document.file
    assert TrainingDocument.objects.count() == 0
    assert not _stored_files(settings)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_store_upload_refuses_name_with_path_or_invisible_characters(db, settings, name):
    document = TrainingDocument(training=TrainingFactory(), title="Document")
    upload = File(io.BytesIO(tiny_pdf_bytes()), name=name)  # not sanitised like a browser's upload
    upload.size = len(tiny_pdf_bytes())

    with pytest.raises(ValidationError) as refused:
        store_upload(document, upload, by=None)

    assert refused.value.code == "bad_name"
    assert not _stored_files(settings)


def test_store_upload_accepts_plain_pdf_under_random_name(db, settings):
    document = TrainingDocument(training=TrainingFactory(), title="Programme")

    store_upload(document, SimpleUploadedFile("programme.pdf", tiny_pdf_bytes()), by=None)
    document.save()

    assert document.original_name == "programme.pdf"
    assert document.mime_type == "application/pdf"
    assert "programme" not in document.file.name and document.file.name.startswith("trainings/")


def test_refusal_reasons_are_in_french():
    """The reasons the validator gives are translated (French is the default language)."""
    from django.utils import translation

    reasons = {}
    for hostile in HOSTILE:
        with translation.override("fr"):
            french = _refusal(hostile)
        with translation.override("en"):
            english = _refusal(hostile)
        if french == english:
            reasons[hostile.code] = english
    assert not reasons, f"Reasons not translated into French: {reasons}"


# The upload forms of the product -------------------------------------------------------------


def _stored_files(settings) -> list[str]:
    root = str(settings.MEDIA_ROOT)
    return [os.path.join(folder, name) for folder, _dirs, names in os.walk(root) for name in names]


class Endpoint(NamedTuple):
    url: str
    data: dict
    field: str
    stored: object  # callable: how many documents are stored
    validator: DocumentValidator = DocumentValidator()
    kept: tuple[str, ...] = ()  # what the person typed, shown again when the file is refused


def _dossier_attachments(client):
    carrier = make_user(Role.CARRIER)
    organisation = carrier.organisations_for(Role.CARRIER).first()
    dossier = DossierFactory(call=CallFactory(), organisation=organisation, created_by=carrier)
    client.force_login(carrier)
    url = reverse("projects:dossier_attachments", kwargs={"pk": dossier.pk})
    typed = "Rapport d'étape Zéphyr"
    return Endpoint(url, {"description": typed}, "file", lambda: DossierAttachment.objects.count(), kept=(typed,))


def _deliverables(client):
    client.force_login(make_user(Role.MANAGER))
    innovation = InnovationFactory(stage=Stage.ESSAIMAGE)
    url = reverse("projects:deliverable_add", kwargs={"pk": innovation.pk})
    data = {"kind": "guide", "title": "Guide Zéphyr", "dated": timezone.localdate().isoformat()}
    return Endpoint(url, data, "file", lambda: Deliverable.objects.count(), kept=("Guide Zéphyr",))


def _agreements(client):
    client.force_login(make_user(Role.MANAGER))
    structure = SpreadStructureFactory()
    url = reverse("essaimage:agreement_upload", kwargs={"pk": structure.pk})
    data = {"signed_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat()}
    validator = DocumentValidator((PDF,), max_size=AGREEMENT_MAX_SIZE)
    stored = lambda: SpreadStructure.objects.exclude(agreement="").count()  # noqa: E731
    return Endpoint(url, data, "file", stored, validator, kept=(data["signed_on"],))


def _training_documents(client):
    client.force_login(make_user(Role.MANAGER))
    training = TrainingFactory()
    url = reverse("essaimage:training_document_add", kwargs={"pk": training.pk})
    typed = "Programme Zéphyr"
    return Endpoint(url, {"title": typed}, "file", lambda: TrainingDocument.objects.count(), kept=(typed,))


def _restitution_documents(client):
    client.force_login(make_user(Role.MANAGER))
    session = SessionFactory(event=EventFactory())
    url = reverse("events:restitution_edit", kwargs={"pk": session.pk})
    data = {"text": "Ce que les participants retiennent : Zéphyr.", "document_title": "Synthèse Zéphyr"}
    return Endpoint(url, data, "document", lambda: RestitutionDocument.objects.count(), kept=tuple(data.values()))


def _resources(client):
    client.force_login(make_user(Role.MANAGER))
    url = reverse("events:resource_create")
    data = {"title": "Guide Zéphyr de l'essaimage", "kind": "guide", "summary": "Méthodes Zéphyr."}
    return Endpoint(
        url,
        data,
        "document",
        lambda: ResourceDocument.objects.count() + Resource.objects.count() - 1,
        kept=(data["title"], data["summary"]),
    )


ENDPOINTS = {
    "dossier-attachments": _dossier_attachments,
    "deliverables": _deliverables,
    "agreements": _agreements,
    "training-documents": _training_documents,
    "restitution-documents": _restitution_documents,
    "resources": _resources,
}


def _page(response) -> str:
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("hostile", HOSTILE, ids=[h.name for h in HOSTILE])
def test_upload_form_refuses_hostile_file(client, db, settings, endpoint, hostile):
    target = ENDPOINTS[endpoint](client)
    before = target.stored()

    response = client.post(target.url, {**target.data, target.field: _upload(hostile)})

    assert response.status_code in (200, 400), f"{endpoint}: {response.status_code}"
    page = _page(response)
    if hostile.form_code == "empty":
        assert "Le fichier soumis est vide." in page
    else:
        assert _refusal(hostile, target.validator) in page, f"{endpoint}: the reason is not shown"
    assert target.stored() == before
    assert not _stored_files(settings)
    for typed in target.kept:
        assert typed in page, f"{endpoint}: “{typed}” was not kept"


def _multipart(data: dict, field: str, filename: str, content: bytes) -> tuple[bytes, str]:
    """A multipart body written by hand: Django's test client would cut the file name."""
    boundary = "----frontiere-de-test"
    lines = []
    for key, value in data.items():
        lines += [f"--{boundary}", f'Content-Disposition: form-data; name="{key}"', "", str(value)]
    body = "\r\n".join(lines).encode() + b"\r\n"
    body += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode("utf-8", "surrogateescape")
    body += content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_upload_form_never_uses_name_with_path_on_disk(client, db, settings, endpoint, name):
    """Django's multipart parser keeps only the last part of a browser's file name (and
    drops invisible characters); the file is then stored under a random name inside
    the media folder, never where the name points, and the name kept has no path."""
    target = ENDPOINTS[endpoint](client)
    body, content_type = _multipart(target.data, target.field, name, tiny_pdf_bytes())

    client.post(target.url, body, content_type=content_type)

    media = os.path.realpath(settings.MEDIA_ROOT)
    stored = _stored_files(settings)
    assert len(stored) <= 1
    for path in stored:
        assert os.path.realpath(path).startswith(media + os.sep)
        assert "passwd" not in path and "rapport" not in path
    for original in _original_names():
        assert "/" not in original and "\\" not in original and "\x00" not in original


def _original_names() -> list[str]:
    return [
        *DossierAttachment.objects.values_list("original_name", flat=True),
        *Deliverable.objects.values_list("original_name", flat=True),
        *SpreadStructure.objects.exclude(agreement="").values_list("agreement_name", flat=True),
        *TrainingDocument.objects.values_list("original_name", flat=True),
        *RestitutionDocument.objects.values_list("original_name", flat=True),
        *ResourceDocument.objects.values_list("original_name", flat=True),
    ]


# Downloads -----------------------------------------------------------------------------------


def _assert_download(response, name: str):
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;"), response["Content-Disposition"]
    assert name in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == DOWNLOAD_CSP
    content = b"".join(response.streaming_content)
    response.close()
    assert content.startswith(b"%PDF-")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_accepted_file_is_served_as_download_with_nosniff(client, db, endpoint):
    target = ENDPOINTS[endpoint](client)
    upload = SimpleUploadedFile("programme.pdf", tiny_pdf_bytes(), content_type="application/pdf")

    client.post(target.url, {**target.data, target.field: upload})

    assert target.stored() == 1, f"{endpoint}: the plain PDF was not accepted"
    _assert_download(client.get(_download_url(endpoint)), "programme.pdf")


def _download_url(endpoint: str) -> str:
    if endpoint == "dossier-attachments":
        attachment = DossierAttachment.objects.get()
        return reverse(
            "projects:attachment_download", kwargs={"pk": attachment.dossier_id, "attachment_pk": attachment.pk}
        )
    if endpoint == "deliverables":
        deliverable = Deliverable.objects.get()
        return reverse(
            "projects:deliverable_download", kwargs={"pk": deliverable.innovation_id, "deliverable_pk": deliverable.pk}
        )
    if endpoint == "agreements":
        return reverse("essaimage:agreement_download", kwargs={"pk": SpreadStructure.objects.get().pk})
    if endpoint == "training-documents":
        return reverse("essaimage:training_document_download", kwargs={"pk": TrainingDocument.objects.get().pk})
    if endpoint == "resources":
        return reverse("events:resource_download", kwargs={"slug": Resource.objects.get().slug})
    return reverse("events:restitution_document_download", kwargs={"pk": RestitutionDocument.objects.get().pk})


def test_restitution_service_refuses_hostile_file_without_form(db, settings):
    """``store_upload`` checks again: a service called without a form stores nothing."""
    session = SessionFactory(event=EventFactory())
    hostile = next(h for h in HOSTILE if h.code == "markup")

    with pytest.raises(ValidationError):
        event_services.save_restitution(
            session, text="Texte", is_published=False, upload=_upload(hostile), document_title="Synthèse", by=None
        )

    assert RestitutionDocument.objects.count() == 0
    assert not _stored_files(settings)
