"""Validation and storage of uploaded documents.

Files are accepted by their *content*, never by their name: the type is read
from the bytes, the extension must agree with it, office documents must have the
inner structure of their format, and archives whose content would inflate beyond
reason are refused (zip bombs). Accepted files are stored under a random name and
served only as downloads by views that check access.
"""

import io
import os
import uuid
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from . import active_content

MAX_UPLOAD_SIZE = 10 * 1024 * 1024  # 10 MiB
MAX_UNCOMPRESSED_SIZE = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ZIP_ENTRIES = 2000

# The policy of a served file: nothing runs, nothing loads, nothing frames it.
DOWNLOAD_CSP = (
    "default-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox"
)


@dataclass(frozen=True)
class FileKind:
    code: str
    label: str
    extensions: tuple[str, ...]
    mime: str


PDF = FileKind("pdf", "PDF", (".pdf",), "application/pdf")
JPEG = FileKind("jpeg", "JPEG", (".jpg", ".jpeg"), "image/jpeg")
PNG = FileKind("png", "PNG", (".png",), "image/png")
DOCX = FileKind(
    "docx", "Word (DOCX)", (".docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)
XLSX = FileKind("xlsx", "Excel (XLSX)", (".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
ODT = FileKind("odt", "OpenDocument (ODT)", (".odt",), "application/vnd.oasis.opendocument.text")
ODS = FileKind("ods", "OpenDocument (ODS)", (".ods",), "application/vnd.oasis.opendocument.spreadsheet")

DOCUMENT_KINDS = (PDF, JPEG, PNG, DOCX, XLSX, ODT, ODS)

# Markup that a browser would run if it ever sniffed the file as a web page (polyglots).
MARKUP = (b"<script", b"<html", b"<body", b"<iframe", b"<svg", b"<!doctype html", b"<object", b"<embed", b"javascript:")


def allowed_extensions_text(kinds=DOCUMENT_KINDS) -> str:
    return ", ".join(kind.label for kind in kinds)


def _refuse(message, code):
    raise ValidationError(message, code=code)


def _read_all(upload) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def _check_zip(data_file, required: tuple[str, ...], mimetype: str | None = None) -> bool:
    """True when the zip has the required members, a sane size once inflated and,
    for OpenDocument, the right ``mimetype`` member."""
    try:
        with zipfile.ZipFile(data_file) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                _refuse(_("This document contains too many internal files to be a normal document."), "zip_entries")
            total = sum(info.file_size for info in infos)
            compressed = sum(info.compress_size for info in infos) or 1
            if total > MAX_UNCOMPRESSED_SIZE or total / compressed > MAX_COMPRESSION_RATIO:
                _refuse(
                    _(
                        "This document would inflate to an abnormal size once opened (compressed archive): "
                        "it was refused for safety."
                    ),
                    "zip_bomb",
                )
            names = {info.filename for info in infos}
            if any(name.startswith("/") or "\\" in name or ".." in name.split("/") for name in names):
                _refuse(_("This document contains files with unsafe paths."), "zip_paths")
            if not all(member in names for member in required):
                return False
            if mimetype is not None:
                return archive.read("mimetype").strip() == mimetype.encode()
            return True
    except zipfile.BadZipFile:
        return False


def _check_active_content(data: bytes) -> None:
    """Refuse a PDF or an office document holding active content (``ais.core.active_content``)."""
    if data.startswith(b"%PDF-"):
        active_content.check_pdf(data)
    elif data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                active_content.check_office(archive)
        except zipfile.BadZipFile:
            pass  # not an office document: refused by its kind


def _check_markup(data: bytes) -> None:
    """Refuse a file that also reads as a web page with scripts (a polyglot)."""
    lowered = data.lower()
    if any(marker in lowered for marker in MARKUP):
        _refuse(
            _("This file contains web page code (HTML or script): it was refused for safety."),
            "markup",
        )


def detect_kind(upload) -> FileKind | None:
    """The document kind read from the file's bytes, or None when it is not one we accept."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"PK\x03\x04"):
        if _check_zip(upload, ("[Content_Types].xml", "word/document.xml")):
            return DOCX
        if _check_zip(upload, ("[Content_Types].xml", "xl/workbook.xml")):
            return XLSX
        if _check_zip(upload, ("mimetype", "content.xml"), ODT.mime):
            return ODT
        if _check_zip(upload, ("mimetype", "content.xml"), ODS.mime):
            return ODS
    return None


def _check_image(upload) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()
            width, height = image.size
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        _refuse(_("This image is damaged or is not really an image."), "bad_image")
    finally:
        upload.seek(0)
    if width * height > 50_000_000:
        _refuse(_("This image is too large (more than 50 megapixels)."), "image_bomb")


@deconstructible
class DocumentValidator:
    """Accept only the given kinds, by content, up to ``max_size`` bytes."""

    def __init__(self, kinds=DOCUMENT_KINDS, max_size=MAX_UPLOAD_SIZE):
        self.kinds = tuple(kinds)
        self.max_size = max_size

    def __eq__(self, other):
        return isinstance(other, DocumentValidator) and (self.kinds, self.max_size) == (other.kinds, other.max_size)

    def __call__(self, upload) -> FileKind:
        raw_name = getattr(upload, "name", "") or ""
        if "/" in raw_name or "\\" in raw_name or any(ord(c) < 32 or ord(c) == 127 for c in raw_name):
            _refuse(
                _("The file name contains a path or invisible characters: rename the file and try again."),
                "bad_name",
            )
        name = os.path.basename(raw_name)
        size = getattr(upload, "size", None)
        if size is None:
            size = len(_read_all(upload))
        if size == 0:
            _refuse(_("The file “%(name)s” is empty.") % {"name": name}, "empty")
        if size > self.max_size:
            _refuse(
                _("The file “%(name)s” is too large (%(size)s MB); the maximum is %(max)s MB.")
                % {
                    "name": name,
                    "size": number_format(size / 1024 / 1024, 1),
                    "max": self.max_size // (1024 * 1024),
                },
                "too_large",
            )
        if not name or name.startswith(".") or len(name) > 255:
            _refuse(_("The file name is not valid: rename the file and try again."), "bad_name")
        kind = detect_kind(upload)
        data = _read_all(upload)
        if kind is not None or data.startswith(b"PK\x03\x04"):
            # Active content is looked for before the kind is matched against what this
            # upload point accepts: the person learns what is wrong with the file itself.
            _check_markup(data)
            try:
                _check_active_content(data)
            except ValidationError as error:
                # A damaged file of a kind this point does not take: "not accepted" says more.
                if not (error.code.endswith("_unreadable") and (kind is None or kind not in self.kinds)):
                    raise
        if kind is None or kind not in self.kinds:
            _refuse(
                _("The file “%(name)s” is not an accepted document. Accepted formats: %(formats)s.")
                % {"name": name, "formats": allowed_extensions_text(self.kinds)},
                "bad_type",
            )
        extension = os.path.splitext(name)[1].lower()
        if extension not in kind.extensions:
            _refuse(
                _(
                    "The content of “%(name)s” is a %(kind)s document, but its name ends in “%(ext)s”: "
                    "rename it with the right extension."
                )
                % {"name": name, "kind": kind.label, "ext": extension or "…"},
                "extension_mismatch",
            )
        if kind is PDF and b"%%EOF" not in data[-2048:]:
            _refuse(_("This PDF is damaged or incomplete."), "pdf_truncated")
        if kind in (JPEG, PNG):
            _check_image(upload)
        upload.seek(0)
        return kind


@deconstructible
class RandomUploadPath:
    """``upload_to``: ``<prefix>/<yyyy>/<random hex>.<ext>``; the original name is
    kept in the model, never on disk."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def __eq__(self, other):
        return isinstance(other, RandomUploadPath) and other.prefix == self.prefix

    def __call__(self, instance, filename: str) -> str:
        from django.utils import timezone

        extension = os.path.splitext(filename)[1].lower()[:6]
        return f"{self.prefix}/{timezone.now():%Y}/{uuid.uuid4().hex}{extension}"


def store_upload(document, upload, *, by=None, kinds=DOCUMENT_KINDS) -> None:
    """Fill a ``StoredDocument`` from an upload, checked by ``DocumentValidator``.

    Forms check their uploads already; the check is made again here so that no other
    caller (a command, a task, a service used elsewhere) can store an unchecked file.
    Raises ``ValidationError`` (with a message for the user) and stores nothing then.
    """
    kind = DocumentValidator(kinds)(upload)
    document.file = upload
    document.original_name = os.path.basename(upload.name)[:255]
    document.mime_type = kind.mime
    document.size = upload.size
    document.uploaded_by = by


def file_download(file, filename: str, content_type: str | None = None):
    """Serve ``file`` (a stored FieldFile) as a download only: no sniffing, no rendering
    in the site's origin. ``content_type`` defaults to what the name suggests.

    A file missing from the storage (lost in a restore, deleted by hand) is the French
    404 page, not a 500; the health page counts such files (``ais.health.checks``)."""
    import logging
    import mimetypes

    from django.http import FileResponse, Http404

    try:
        opened = file.open("rb")
    except (FileNotFoundError, ValueError) as error:  # ValueError: no file in the field at all
        logging.getLogger(__name__).warning("Stored file missing for download: %s (%s)", file.name, error)
        raise Http404 from error
    response = FileResponse(
        opened,
        as_attachment=True,
        filename=filename,
        content_type=content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    return response


def download_response(document):
    """Serve a stored document (``StoredDocument``) as a download only."""
    return file_download(document.file, document.original_name, document.mime_type)
