"""Documents built byte by byte for the upload tests: well-formed PDFs (classic
cross-reference table, or a cross-reference stream with an object stream behind a chain
of filters), and OOXML / OpenDocument packages."""

import base64
import io
import zipfile
import zlib

CATALOG = b"<< /Type /Catalog /Pages 2 0 R%s >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200]%s >>"


def flate(data: bytes) -> bytes:
    return zlib.compress(data)


def ascii_hex(data: bytes) -> bytes:
    return data.hex().encode() + b">"


def ascii85(data: bytes) -> bytes:
    return base64.a85encode(data) + b"~>"


def png_sub_predictor(columns: int):
    """Flate with the PNG "Sub" predictor: each byte is stored as its difference from the
    previous one, so no word of the object survives in the inflated bytes."""

    def encode(data: bytes) -> bytes:
        data += b" " * (-len(data) % columns)
        rows = []
        for start in range(0, len(data), columns):
            row = data[start : start + columns]
            rows.append(bytes([1]) + bytes((row[i] - (row[i - 1] if i else 0)) & 0xFF for i in range(len(row))))
        return zlib.compress(b"".join(rows))

    return encode


def lzw(data: bytes) -> bytes:
    """LZW as PDF decodes it, for short data only (every code fits in 9 bits)."""
    table = {bytes([i]): i for i in range(256)}
    codes, word = [256], b""  # 256: clear the table
    for byte in data:
        candidate = word + bytes([byte])
        if candidate in table:
            word = candidate
            continue
        codes.append(table[word])
        table[candidate] = len(table) + 2  # 256 and 257 are the clear and end codes
        word = bytes([byte])
    codes += [table[word], 257]
    assert len(table) + 2 < 511, "lzw(): data too long for 9-bit codes"
    bits = "".join(format(code, "09b") for code in codes)
    bits += "0" * (-len(bits) % 8)
    return int(bits, 2).to_bytes(len(bits) // 8, "big")


FILTERS = {
    "/LZWDecode": lzw,
    "/FlateDecode": flate,
    "/ASCIIHexDecode": ascii_hex,
    "/ASCII85Decode": ascii85,
}


def _stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< %s /Length %d >>\nstream\n" % (dictionary, len(data)) + data + b"\nendstream"


def encode_chain(data: bytes, filters: list[str]) -> bytes:
    """``filters`` as written in ``/Filter`` (decoded first to last): encode in reverse."""
    for name in reversed(filters):
        data = FILTERS[name](data)
    return data


def pdf(
    *,
    catalog: bytes = b"",
    page: bytes = b"",
    objects: dict[int, bytes] | None = None,
    packed: dict[int, bytes] | None = None,
    filters: list[str] = ("/FlateDecode",),
    decode_parms: bytes = b"",
    encoder=None,
) -> bytes:
    """A well-formed PDF: catalog 1 (``catalog`` added to it), pages 2, page 3 (``page``
    added), then ``objects`` (number → body). ``packed`` objects go into an object stream
    encoded by ``filters`` (or ``encoder``), with a cross-reference stream to find them."""
    bodies = {1: CATALOG % catalog, 2: PAGES, 3: PAGE % page, **(objects or {})}
    out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    offsets = {}
    entries = {}
    if packed:
        stream_number = max(max(bodies), max(packed)) + 1
        header, body = b"", b""
        for index, (number, content) in enumerate(sorted(packed.items())):
            header += b"%d %d " % (number, len(body))
            body += content + b"\n"
            entries[number] = (2, stream_number, index)
        raw = header + body
        encoded = encoder(raw) if encoder else encode_chain(raw, list(filters))
        filter_names = b"[" + b" ".join(name.encode() for name in filters) + b"]"
        parms = b" /DecodeParms %s" % decode_parms if decode_parms else b""
        bodies[stream_number] = _stream(
            b"/Type /ObjStm /N %d /First %d /Filter %s%s" % (len(packed), len(header), filter_names, parms),
            encoded,
        )
    for number, body in sorted(bodies.items()):
        offsets[number] = len(out)
        entries[number] = (1, len(out), 0)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    size = max(entries) + 2
    if packed:
        xref_number = size - 1
        entries[xref_number] = (1, len(out), 0)
        rows = b""
        for number in range(size):
            kind, field2, field3 = entries.get(number, (0, 0, 0xFFFF))
            rows += bytes([kind]) + field2.to_bytes(4, "big") + field3.to_bytes(2, "big")
        xref_offset = len(out)
        out += b"%d 0 obj\n" % xref_number
        out += _stream(b"/Type /XRef /Size %d /W [1 4 2] /Root 1 0 R" % size, rows) + b"\nendobj\n"
        return out + b"startxref\n%d\n%%%%EOF\n" % xref_offset
    xref_offset = len(out)
    size -= 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 65535 f \n"
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref_offset)


def zip_package(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


DOCX_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
PACKAGE_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Target="word/document.xml" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>'
)
RELATIONSHIP = (
    b'<Relationship Id="%s" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/%s" '
    b'Target="%s"%s/>'
)
WORD_DOCUMENT = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>%s</w:body></w:document>'
)


def relationships(*rows: bytes) -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + b"".join(rows)
        + b"</Relationships>"
    )


def relationship(rid: bytes, kind: bytes, target: bytes, external: bool = False) -> bytes:
    return RELATIONSHIP % (rid, kind, target, b' TargetMode="External"' if external else b"")


def docx(body: bytes = b"<w:p><w:r><w:t>Bonjour</w:t></w:r></w:p>", extra: dict | None = None, rels: bytes = b""):
    members = {
        "[Content_Types].xml": DOCX_CONTENT_TYPES,
        "_rels/.rels": PACKAGE_RELS,
        "word/document.xml": WORD_DOCUMENT % body,
    }
    if rels:
        members["word/_rels/document.xml.rels"] = rels
    return zip_package({**members, **(extra or {})})


ODF_CONTENT = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    b'xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0" '
    b'xmlns:xlink="http://www.w3.org/1999/xlink" office:version="1.3">'
    b"<office:scripts>%s</office:scripts><office:body><office:text>%s</office:text></office:body>"
    b"</office:document-content>"
)
ODF_MANIFEST = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
    b'<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>'
    b'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    b"</manifest:manifest>"
)


def odt(text: bytes = b"<text:p>Bonjour</text:p>", scripts: bytes = b"", extra: dict | None = None) -> bytes:
    return zip_package(
        {
            "mimetype": b"application/vnd.oasis.opendocument.text",
            "content.xml": ODF_CONTENT % (scripts, text),
            "META-INF/manifest.xml": ODF_MANIFEST,
            **(extra or {}),
        }
    )
