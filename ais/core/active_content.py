"""Active content in uploaded documents: found by parsing, refused with the reason.

``ais.core.uploads.DocumentValidator`` calls ``check_pdf`` and ``check_office`` on every
PDF and office document (OOXML: DOCX, XLSX, PPTX; OpenDocument: ODT, ODS, ODP) before it
accepts one. Nothing is rewritten: a document that can run, launch, load or carry
something is refused with a message that names what was found, and the person exports
it again without it (the reasons are in ``docs/architecture.md``, "Uploads").

PDF
    parsed with ``pypdf``; every object is read — the ones the cross-reference tables
    list (object streams included), and every ``n g obj`` found in the bytes and in
    every object stream, listed or not — after every filter of its stream (Flate with
    predictors, LZW, ASCIIHex, ASCII85, RunLength, in chains). Refused: JavaScript,
    ``/Launch``, actions run by themselves (``/OpenAction`` holding an action, ``/AA``),
    links that are not plain web or mail addresses, remote go-tos (``/GoToR``,
    ``/GoToE``), attached files, XFA forms, forms that submit or import data,
    multimedia and 3D. A PDF that cannot be parsed, or is encrypted, is refused too.
    As a second net, the names of active content are looked for in the bytes outside
    streams and in the decoded object streams (names decoded from their ``#xx``
    escapes).

OOXML and OpenDocument
    every member of the zip (the caller has checked the sizes declared in the
    directory; here each member is read within the same budget): macros (VBA, Basic,
    scripts, macro-enabled content types, macro URLs), web page and script parts
    (``altChunk``, ``.htm``/``.mht``/``.js`` members), ActiveX controls and OLE
    embeddings, DDE, and every *external* relationship or link except a plain
    hyperlink to an ``http``, ``https`` or ``mailto`` address. Embedded office packages
    (a chart's workbook) are checked the same way, one level deep.
"""

import io
import re
import warnings
import zipfile
from xml.etree import ElementTree

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_PDF_DECODED_SIZE = 50 * 1024 * 1024
# Parsing costs about a millisecond per object: beyond these, a PDF is refused as abnormal
# rather than keeping the request for minutes (a 300-page report has a few thousand objects).
MAX_PDF_OBJECTS = 50_000
MAX_PDF_ITEMS = 2_000_000  # every dictionary, array and value inside them
MAX_OFFICE_READ_SIZE = 100 * 1024 * 1024
MAX_NESTED_PACKAGES = 1

SAFE_LINK_SCHEMES = ("http://", "https://", "mailto:")

# What each finding says to the person, with its ValidationError code. The first in this
# order is the one shown when a document holds several.
REASONS = {
    "pdf_javascript": _(
        "This PDF contains JavaScript: export it again as a plain PDF (for instance with “Print to PDF”) "
        "and send that one."
    ),
    "pdf_launch": _(
        "This PDF contains an action that launches a program or opens a file on the computer (Launch): "
        "export it again as a plain PDF."
    ),
    "pdf_embedded_file": _(
        "This PDF carries an attached file: send the attached file separately, or export the PDF again without it."
    ),
    "pdf_xfa": _("This PDF is a dynamic form (XFA): print it to a plain PDF and send that one."),
    "pdf_form_action": _(
        "This PDF contains a form that sends or imports data (SubmitForm, ImportData): "
        "print it to a plain PDF and send that one."
    ),
    "pdf_multimedia": _(
        "This PDF contains multimedia or 3D content that can run code: export it again as a plain PDF."
    ),
    "pdf_remote_link": _(
        "This PDF contains a link to another file or an address that is not a web or e-mail address "
        "(GoToR, GoToE, file:, javascript:…): remove the link and export it again."
    ),
    "pdf_automatic_action": _(
        "This PDF runs an action by itself when it is opened or read (OpenAction, AA), such as opening "
        "a web address: export it again as a plain PDF."
    ),
    "pdf_encrypted": _("This PDF is protected by a password or encrypted: send it without protection."),
    "pdf_unreadable": _("This PDF is damaged or cannot be read: export it again from the original document."),
    "pdf_bomb": _("This PDF would inflate to an abnormal size once opened: it was refused for safety."),
    "office_macros": _(
        "This document contains macros or scripts: save it again without macros (.docx, .xlsx, .odt, .ods)."
    ),
    "office_html": _(
        "This document contains a web page, a script or a program inside it (HTML, MHT, JavaScript, "
        "imported part): save it again as a plain document."
    ),
    "office_activex": _(
        "This document contains an embedded object or an ActiveX control (OLE): "
        "remove it, or paste it as an image, then save the document again."
    ),
    "office_external": _(
        "This document loads content from outside when it is opened (template, frame, image, linked "
        "object or web address other than a plain hyperlink): remove these links and save it again."
    ),
    "office_dde": _(
        "This document contains DDE links or fields that can launch programs: remove them and save it again."
    ),
    "office_unreadable": _("This document is damaged or cannot be read: save it again from the original program."),
}


class _Findings:
    """Collects the codes of what was found; ``refuse`` raises on the worst one."""

    def __init__(self):
        self.codes = set()

    def add(self, code: str) -> None:
        self.codes.add(code)

    def refuse(self) -> None:
        for code in REASONS:
            if code in self.codes:
                raise ValidationError(REASONS[code], code=code)


def _refuse(code: str):
    raise ValidationError(REASONS[code], code=code)


# PDF ------------------------------------------------------------------------------------------

PDF_ACTIONS = {
    "/JavaScript": "pdf_javascript",
    "/Launch": "pdf_launch",
    "/SubmitForm": "pdf_form_action",
    "/ImportData": "pdf_form_action",
    "/GoToR": "pdf_remote_link",
    "/GoToE": "pdf_remote_link",
    "/RichMediaExecute": "pdf_multimedia",
    "/Rendition": "pdf_multimedia",
    "/Movie": "pdf_multimedia",
    "/Sound": "pdf_multimedia",
}
PDF_KEYS = {
    "/JS": "pdf_javascript",
    "/JavaScript": "pdf_javascript",
    "/AA": "pdf_automatic_action",
    "/EmbeddedFile": "pdf_embedded_file",
    "/EmbeddedFiles": "pdf_embedded_file",
    "/EF": "pdf_embedded_file",
    "/XFA": "pdf_xfa",
    "/RichMediaContent": "pdf_multimedia",
    "/RichMediaSettings": "pdf_multimedia",
}
PDF_SUBTYPES = {
    "/FileAttachment": "pdf_embedded_file",
    "/EmbeddedFile": "pdf_embedded_file",
    "/RichMedia": "pdf_multimedia",
    "/3D": "pdf_multimedia",
    "/Movie": "pdf_multimedia",
    "/Sound": "pdf_multimedia",
    "/Screen": "pdf_multimedia",
}
# The second net: names of active content in the PDF's syntax (outside stream bodies, and
# in decoded object streams), followed by a delimiter so that ``/AAAAAB+Calibri`` is not one.
PDF_NAME_MARKERS = re.compile(
    rb"/(JS|JavaScript|Launch|EmbeddedFiles?|RichMedia\w*|XFA|SubmitForm|ImportData|GoToR|GoToE|AA)"
    rb"(?=[\s/<>\[\]()%{}]|$)"
)
PDF_MARKER_CODES = {
    b"JS": "pdf_javascript",
    b"JavaScript": "pdf_javascript",
    b"Launch": "pdf_launch",
    b"EmbeddedFile": "pdf_embedded_file",
    b"EmbeddedFiles": "pdf_embedded_file",
    b"XFA": "pdf_xfa",
    b"SubmitForm": "pdf_form_action",
    b"ImportData": "pdf_form_action",
    b"GoToR": "pdf_remote_link",
    b"GoToE": "pdf_remote_link",
    b"AA": "pdf_automatic_action",
}
PDF_OBJECT_HEADER = re.compile(rb"(?<![0-9])(\d{1,10})\s+(\d{1,5})\s+obj\b")
PDF_STREAM_BODY = re.compile(rb"stream\r?\n.*?endstream", re.DOTALL)


def _decode_names(data: bytes) -> bytes:
    """PDF names may escape any character as ``#xx`` (``/J#61vaScript``): decode them."""
    return re.sub(rb"#([0-9A-Fa-f]{2})", lambda match: bytes([int(match.group(1), 16)]), data)


def _scan_pdf_syntax(data: bytes, findings: _Findings) -> None:
    for match in PDF_NAME_MARKERS.finditer(_decode_names(data)):
        name = match.group(1)
        findings.add(PDF_MARKER_CODES.get(name, "pdf_multimedia"))


class _PdfWalk:
    """Every object of a parsed PDF, visited once, each dictionary checked."""

    def __init__(self, reader, data: bytes):
        self.reader = reader
        self.data = data
        self.findings = _Findings()
        self.decoded = 0
        self.visited_streams = set()
        self.objects = 0
        self.items = 0

    def run(self) -> _Findings:
        from pypdf.generic import IndirectObject

        reader = self.reader
        self.visit(reader.trailer)
        for generation, numbers in list(reader.xref.items()):
            for number in list(numbers):
                self.visit(reader.get_object(IndirectObject(number, generation, reader)))
        for number in list(reader.xref_objStm):
            self.visit(reader.get_object(IndirectObject(number, 0, reader)))
        # Objects the tables do not list (hidden, or from an earlier revision) are still read
        # by some viewers: parse every ``n g obj`` of the file too.
        listed = {offset for numbers in reader.xref.values() for offset in numbers.values()}
        for match in PDF_OBJECT_HEADER.finditer(self.data):
            if match.start() not in listed:
                self.visit(self._read_at(self.data, match.end()), lenient=True)
        _scan_pdf_syntax(PDF_STREAM_BODY.sub(b"stream endstream", self.data), self.findings)
        return self.findings

    def _read_at(self, data: bytes, offset: int):
        from pypdf.generic import read_object

        stream = io.BytesIO(data)
        stream.seek(offset)
        try:
            while stream.read(1) in b" \t\r\n\f\x00":
                pass
            stream.seek(-1, 1)
            return read_object(stream, self.reader)
        except Exception:  # noqa: BLE001 — a stray "n g obj" inside binary data
            return None

    def _count(self, top: bool):
        self.objects += top
        self.items += 1
        if self.objects > MAX_PDF_OBJECTS or self.items > MAX_PDF_ITEMS:
            _refuse("pdf_bomb")

    def visit(self, root, lenient: bool = False) -> None:
        from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

        pending = [root]
        seen = set()
        while pending:
            obj = pending.pop()
            if obj is None or isinstance(obj, IndirectObject) or id(obj) in seen:
                continue  # indirect objects are visited from the list of all objects
            seen.add(id(obj))
            self._count(top=obj is root)
            if isinstance(obj, DictionaryObject):
                self.check_dictionary(obj)
                pending.extend(obj.values())
                if isinstance(obj, StreamObject):
                    self.check_stream(obj, lenient)
            elif isinstance(obj, ArrayObject):
                pending.extend(obj)

    def _resolve(self, value):
        try:
            return value.get_object() if value is not None else None
        except Exception:  # noqa: BLE001 — a dangling reference resolves to nothing
            return None

    def check_dictionary(self, dictionary) -> None:
        from pypdf.generic import DictionaryObject

        for key, code in PDF_KEYS.items():
            if key in dictionary:
                self.findings.add(code)
        subtype = self._resolve(dictionary.get("/Subtype"))
        if subtype in PDF_SUBTYPES:
            self.findings.add(PDF_SUBTYPES[subtype])
        if self._resolve(dictionary.get("/Type")) == "/EmbeddedFile":
            self.findings.add("pdf_embedded_file")
        action = self._resolve(dictionary.get("/S"))
        if action in PDF_ACTIONS:
            self.findings.add(PDF_ACTIONS[action])
        if action == "/URI":
            target = self._resolve(dictionary.get("/URI"))
            text = str(target or "").strip().lower()
            if not text.startswith(SAFE_LINK_SCHEMES):
                self.findings.add("pdf_remote_link")
        # Going to a page of the document when it opens (LaTeX's hyperref does) is harmless;
        # any other action run by itself is not.
        opening = self._resolve(dictionary.get("/OpenAction"))
        if isinstance(opening, DictionaryObject) and (
            self._resolve(opening.get("/S")) != "/GoTo" or "/Next" in opening
        ):
            self.findings.add("pdf_automatic_action")

    def check_stream(self, stream, lenient: bool) -> None:
        """Decode the stream through all its filters; object streams are parsed in turn."""
        key = id(stream)
        if key in self.visited_streams:
            return
        self.visited_streams.add(key)
        if "/N" not in stream or "/First" not in stream:
            return  # content, images, fonts: nothing in them can act
        try:
            data = stream.get_data()
        except Exception as error:
            if _is_limit(error):
                _refuse("pdf_bomb")
            if lenient:
                return
            _refuse("pdf_unreadable")
        self.decoded += len(data)
        if self.decoded > MAX_PDF_DECODED_SIZE:
            _refuse("pdf_bomb")
        _scan_pdf_syntax(data, self.findings)
        try:
            first = int(self._resolve(stream["/First"]))
            count = int(self._resolve(stream["/N"]))
            header = [int(value) for value in data[:first].split()[: 2 * count]]
        except (TypeError, ValueError):
            header = []
        # The objects the cross-reference lists were read already; the others are read here.
        for number, offset in zip(header[0::2], header[1::2], strict=False):
            if number not in self.reader.xref_objStm:
                self.visit(self._read_at(data, first + offset), lenient=True)


def _is_limit(error: Exception) -> bool:
    from pypdf.errors import LimitReachedError

    return isinstance(error, LimitReachedError | MemoryError)


def check_pdf(data: bytes) -> None:
    """Refuse the PDF (``ValidationError`` with the reason) if it is unreadable, encrypted
    or holds active content anywhere."""
    from pypdf import PdfReader

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            # Encrypted with an empty user password (only printing or copying restricted,
            # as many institutions' PDFs are): readable, so checked like the others.
            if reader.is_encrypted and not reader.decrypt(""):
                _refuse("pdf_encrypted")
            if reader.trailer.get("/Root") is None or reader.root_object is None:
                _refuse("pdf_unreadable")
            findings = _PdfWalk(reader, data).run()
        except ValidationError:
            raise
        except Exception as error:  # noqa: BLE001 — pypdf raises many kinds on a broken file
            if _is_limit(error):
                _refuse("pdf_bomb")
            # Unreadable: refused, with the reason a viewer repairing it would reach if
            # active content shows in its syntax.
            findings = _Findings()
            _scan_pdf_syntax(PDF_STREAM_BODY.sub(b"stream endstream", data), findings)
            findings.refuse()
            _refuse("pdf_unreadable")
    findings.refuse()


# OOXML and OpenDocument -----------------------------------------------------------------------

SCRIPT_EXTENSIONS = (
    ".htm",
    ".html",
    ".xhtml",
    ".mht",
    ".mhtml",
    ".js",
    ".vbs",
    ".vbe",
    ".wsf",
    ".hta",
    ".ps1",
    ".bat",
    ".cmd",
    ".exe",
    ".dll",
    ".scr",
    ".jar",
    ".swf",
)
OFFICE_PACKAGE_EXTENSIONS = (".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp")
CONTENT_TYPE_CODES = (
    ("macroenabled", "office_macros"),
    ("vbaproject", "office_macros"),
    ("vbadata", "office_macros"),
    ("activex", "office_activex"),
    ("oleobject", "office_activex"),
    ("text/html", "office_html"),
    ("application/xhtml", "office_html"),
    ("message/rfc822", "office_html"),
    ("javascript", "office_html"),
)
# Relationship types (the last part of their URI) refused even inside the package.
RELATIONSHIP_CODES = {
    "vbaproject": "office_macros",
    "wordvbadata": "office_macros",
    "afchunk": "office_html",
    "oleobject": "office_activex",
    "control": "office_activex",
    "activexcontrol": "office_activex",
    "activexcontrolbinary": "office_activex",
    "attachedtemplate": "office_external",
    "subdocument": "office_external",
    "frame": "office_external",
    "externallink": "office_external",
    "externallinkpath": "office_external",
}
DOCX_DDE = re.compile(rb"(?i)(instrText[^>]*>\s*DDE|instr=\"\s*DDE|<ddeLink|<w:fldSimple[^>]*DDE)")
XLSX_DDE = re.compile(rb"(?i)<f[^>]*>[^<]*[A-Za-z0-9_.]+\|'?[^<]*!")
SVG_SCRIPT = re.compile(rb"(?i)(<script|javascript:|\son[a-z]+\s*=|<foreignObject)")

ODF_HYPERLINKS = {
    "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}a",
    "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}a",
}
ODF_ELEMENT_CODES = {
    "{urn:oasis:names:tc:opendocument:xmlns:script:1.0}event-listener": "office_macros",
    "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}script": "office_macros",
    "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}object-ole": "office_activex",
    "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}applet": "office_activex",
    "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}plugin": "office_activex",
    "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}floating-frame": "office_external",
    "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}dde-connection-decl": "office_dde",
    "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}dde-link": "office_dde",
    "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}dde-source": "office_dde",
}
MACRO_URL_SCHEMES = ("vnd.sun.star.script:", "macro:", "javascript:", "vbscript:", "service:")


def _link_code(target: str, hyperlink: bool) -> str | None:
    """What a link in a document is, when it is not harmless: a macro, or an outside load.

    A hyperlink (followed only when the reader clicks it) may point to a web or e-mail
    address, a bookmark or a relative file; any other scheme (``file:``, ``smb:``, a UNC
    path) is refused. Anything else that points outside the package is loaded by itself
    when the document opens, and is refused."""
    value = target.strip().lower()
    if value.startswith(MACRO_URL_SCHEMES):
        return "office_macros"
    has_scheme = re.match(r"^[a-z][a-z0-9+.-]*:", value) is not None
    if hyperlink:
        if value.startswith(SAFE_LINK_SCHEMES) or not (has_scheme or value.startswith(("//", "\\\\"))):
            return None
        return "office_external"
    if has_scheme or value.startswith(("//", "\\\\", "../", "/")):
        return "office_external"
    return None


def _parse_xml(content: bytes, findings: _Findings):
    if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
        findings.add("office_unreadable")
        return None
    try:
        # No DTD is allowed (above), ElementTree resolves no external entity and expat
        # (2.4+) limits entity amplification: the parts are safe to parse.
        return ElementTree.fromstring(content)  # noqa: S314
    except ElementTree.ParseError:
        findings.add("office_unreadable")
        return None


class _OfficeScan:
    def __init__(self):
        self.findings = _Findings()
        self.read = 0

    def member(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
        with archive.open(info) as member:
            content = member.read(MAX_OFFICE_READ_SIZE - self.read + 1)
        self.read += len(content)
        if self.read > MAX_OFFICE_READ_SIZE:
            raise ValidationError(
                _(
                    "This document would inflate to an abnormal size once opened (compressed archive): "
                    "it was refused for safety."
                ),
                code="zip_bomb",
            )
        return content

    def scan(self, archive: zipfile.ZipFile, depth: int = 0) -> None:
        add = self.findings.add
        for info in archive.infolist():
            name = "/" + info.filename.lower()
            if "vbaproject" in name or "vbadata" in name or name.startswith(("/basic/", "/scripts/")):
                add("office_macros")
            if "/activex/" in name or (name.endswith(".bin") and "/embeddings/" in name):
                add("office_activex")
            if name.endswith(SCRIPT_EXTENSIONS):
                add("office_html")
            if "/externallinks/" in name:
                add("office_external")
            if info.is_dir():
                continue
            if name.endswith((".xml", ".rels", ".vml", ".svg")):
                self.check_xml_part(archive, info, name)
            elif name.endswith(OFFICE_PACKAGE_EXTENSIONS) or name.startswith("/object "):
                self.check_nested(archive, info, depth)

    def check_nested(self, archive, info, depth) -> None:
        """An embedded office package (a chart's data): checked like the document itself."""
        content = self.member(archive, info)
        if not content.startswith(b"PK\x03\x04"):
            return
        if depth >= MAX_NESTED_PACKAGES:
            self.findings.add("office_activex")
            return
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as nested:
                if len(nested.infolist()) > 2000:
                    self.findings.add("office_unreadable")
                    return
                self.scan(nested, depth + 1)
        except zipfile.BadZipFile:
            self.findings.add("office_unreadable")

    def check_xml_part(self, archive, info, name: str) -> None:
        content = self.member(archive, info)
        add = self.findings.add
        if name.endswith(".svg"):
            if SVG_SCRIPT.search(content):
                add("office_html")
            return
        if name == "/[content_types].xml":
            root = _parse_xml(content, self.findings)
            for element in root.iter() if root is not None else ():
                self.check_content_type(element.get("ContentType", ""))
        elif name.endswith(".rels"):
            root = _parse_xml(content, self.findings)
            for element in root.iter() if root is not None else ():
                if element.tag.endswith("Relationship"):
                    self.check_relationship(element)
        elif name == "/meta-inf/manifest.xml":
            root = _parse_xml(content, self.findings)
            for element in root.iter() if root is not None else ():
                for attribute, value in element.attrib.items():
                    if attribute.endswith("media-type"):
                        self.check_content_type(value)
        elif name.rsplit("/", 1)[-1] in ("content.xml", "styles.xml", "settings.xml", "meta.xml"):
            self.check_odf_part(content)
        if name.startswith("/word/") and DOCX_DDE.search(content):
            add("office_dde")
        if name.startswith("/xl/") and (XLSX_DDE.search(content) or b"<ddeLink" in content):
            add("office_dde")
        lowered = content.lower()
        if b"<o:oleobject" in lowered or b"<w:control" in lowered or b"classid=" in lowered:
            add("office_activex")

    def check_content_type(self, content_type: str) -> None:
        value = content_type.lower()
        for marker, code in CONTENT_TYPE_CODES:
            if marker in value:
                self.findings.add(code)

    def check_relationship(self, element) -> None:
        kind = element.get("Type", "").rstrip("/").rsplit("/", 1)[-1].lower()
        target = element.get("Target", "")
        if kind in RELATIONSHIP_CODES:
            self.findings.add(RELATIONSHIP_CODES[kind])
        if element.get("TargetMode", "").lower() == "external":
            if kind != "hyperlink":
                self.findings.add("office_external")
            else:
                code = _link_code(target, hyperlink=True)
                if code or not target.strip().lower().startswith(SAFE_LINK_SCHEMES):
                    self.findings.add(code or "office_external")
        elif kind == "hyperlink":
            code = _link_code(target, hyperlink=True)
            if code:
                self.findings.add(code)

    def check_odf_part(self, content: bytes) -> None:
        root = _parse_xml(content, self.findings)
        if root is None:
            return
        for element in root.iter():
            code = ODF_ELEMENT_CODES.get(element.tag)
            if code:
                self.findings.add(code)
            for attribute, value in element.attrib.items():
                if attribute.endswith("}href"):
                    code = _link_code(value, hyperlink=element.tag in ODF_HYPERLINKS)
                    if code:
                        self.findings.add(code)
                elif value.strip().lower().startswith(MACRO_URL_SCHEMES):
                    self.findings.add("office_macros")


def check_office(archive: zipfile.ZipFile) -> None:
    """Refuse the office document (``ValidationError`` with the reason) if any member holds
    macros, scripts, web pages, OLE or ActiveX, DDE, or loads something from outside."""
    scan = _OfficeScan()
    try:
        scan.scan(archive)
    except (zipfile.BadZipFile, RuntimeError, EOFError, NotImplementedError, OSError):
        _refuse("office_unreadable")
    scan.findings.refuse()
