"""Documents built in memory for the upload tests: real, tiny files of each
accepted kind, and hostile or wrong ones."""

import io
import zipfile

from tests.ais.factories import tiny_pdf_bytes

__all__ = ["tiny_pdf_bytes"]


def png_bytes(size=(4, 3), color=(200, 30, 30)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes(size=(4, 3)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


DOCX_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)
DOCX_DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>Rapport d'évaluation 2024</w:t></w:r></w:p></w:body></w:document>"
)


def docx_bytes(extra_members=None) -> bytes:
    """A minimal Word document: content types, package relationships, body."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", DOCX_CONTENT_TYPES)
        archive.writestr("_rels/.rels", DOCX_RELS)
        archive.writestr("word/document.xml", DOCX_DOCUMENT)
        for name, data in (extra_members or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["Année", "Personnes accompagnées", "Sorties vers l'emploi"])
    workbook.active.append([2024, 120, 54])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


ODT_MIME = "application/vnd.oasis.opendocument.text"


def odt_bytes() -> bytes:
    """A minimal OpenDocument text: ``mimetype`` first and stored, then the content."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODT_MIME, compress_type=zipfile.ZIP_STORED)
        archive.writestr(
            "content.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
            "<office:body><office:text><text:p>Guide de la méthode</text:p></office:text></office:body>"
            "</office:document-content>",
            compress_type=zipfile.ZIP_DEFLATED,
        )
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type="' + ODT_MIME + '"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
            compress_type=zipfile.ZIP_DEFLATED,
        )
    return buffer.getvalue()


def plain_zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("notes.txt", "Des notes, pas un document Word.")
    return buffer.getvalue()


def zip_bomb_docx_bytes(inflated_size=20 * 1024 * 1024) -> bytes:
    """Looks like a Word document, but one member inflates from a few kB to ``inflated_size``."""
    return docx_bytes(extra_members={"word/media/padding.bin": b"\0" * inflated_size})


def zip_with_unsafe_path_docx_bytes() -> bytes:
    return docx_bytes(extra_members={"../../etc/cron.d/evil": "* * * * * root rm -rf /"})


def exe_bytes() -> bytes:
    """The start of a Windows executable: ``MZ`` header, DOS stub, PE signature."""
    header = bytearray(b"MZ" + b"\x90\x00" + b"\x00" * 56)
    header[0x3C:0x40] = (0x80).to_bytes(4, "little")
    stub = b"This program cannot be run in DOS mode.\r\r\n$".ljust(0x80 - len(header), b"\0")
    return bytes(header) + stub + b"PE\0\0" + b"\x4c\x01" + b"\0" * 200


def elf_bytes() -> bytes:
    return b"\x7fELF\x02\x01\x01\x00" + b"\0" * 8 + b"\x02\x00\x3e\x00" + b"\0" * 300


HTML_PAGE = (
    b"<!doctype html><html><head><title>Rapport</title></head>"
    b"<body><script>fetch('/compte/profil/').then(r => r.text()).then(t => alert(t))</script></body></html>"
)

SVG_WITH_SCRIPT = (
    b'<?xml version="1.0" standalone="no"?>'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<script type="text/javascript">alert(document.cookie)</script></svg>'
)


def pdf_with_javascript_bytes() -> bytes:
    pdf = tiny_pdf_bytes()
    return pdf.replace(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert('x')) >> >>",
    )


def truncated_pdf_bytes() -> bytes:
    pdf = tiny_pdf_bytes()
    return pdf[: pdf.index(b"xref")]


def png_header_then_garbage_bytes() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


def oversize_pdf_bytes(size=10 * 1024 * 1024 + 1) -> bytes:
    """A PDF just over 10 MiB (a comment pads it; ``%%EOF`` stays at the end)."""
    pdf = tiny_pdf_bytes()
    head, tail = pdf[:9], pdf[9:]
    padding = b"%" + b"x" * (size - len(pdf) - 2) + b"\n"
    return head + padding + tail
