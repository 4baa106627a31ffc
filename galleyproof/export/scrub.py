"""Identity out of containers: what text redaction cannot reach in a rendered file.

    strip_image   PNG: every ancillary chunk but the numeric rendering ones (pHYs keeps the dpi a journal
                  checks; sRGB, gAMA, cHRM keep the colours) is dropped: tEXt, zTXt, iTXt, eXIf, tIME,
                  iCCP (its profile name is free text) and private chunks (PNG spec 1.2, section 4).
                  JPEG: APP1-APP13, APP15 (EXIF, XMP, IPTC, ...) and COM segments are dropped; JFIF
                  (APP0) and Adobe (APP14, needed to decode CMYK) stay. Lossless: no re-encoding.
    scrub_docx    every XML part: `w:author`/`w:initials` of comments and tracked changes (w:ins, w:del,
                  w15:person in people.xml) become "Anonymous"/"A"; identity terms in any text node or
                  attribute are redacted; core, app and custom properties lose author, last-modified-by,
                  company, manager and every custom property; images in word/media are stripped; the
                  zip is rewritten deterministically (fixed timestamps, same entry order).
    scrub_pdf     the document information dictionary keeps only the title (redacted); the XMP metadata
                  stream is removed.
    scrub_xml     JATS and other XML: identity terms in text and attributes redacted.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from pathlib import Path
from typing import Any

from lxml import etree

from galleyproof.export.identity import Identity, term_pattern

MARKER = "[anonymised for review]"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEPT_ANCILLARY = {b"pHYs", b"sRGB", b"gAMA", b"cHRM"}
_JPEG_DROPPED = {0xE1, 0xE2, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA, 0xEB, 0xEC, 0xED, 0xEF, 0xFE}
_AUTHOR_ATTRIBUTES = {"author": "Anonymous", "initials": "A", "userId": "", "providerId": "None"}
_CLEARED_PROPERTIES = {"creator", "lastModifiedBy", "Company", "Manager", "HyperlinkBase"}


# -- images ---------------------------------------------------------------------------------------------

def strip_image(data: bytes) -> bytes:
    """`data` without metadata when it is a PNG or JPEG; anything else unchanged."""
    if data.startswith(PNG_SIGNATURE):
        return _strip_png(data)
    if data.startswith(b"\xff\xd8"):
        return _strip_jpeg(data)
    return data


def _strip_png(data: bytes) -> bytes:
    out, offset = [PNG_SIGNATURE], len(PNG_SIGNATURE)
    while offset + 8 <= len(data):
        (length,) = struct.unpack(">I", data[offset:offset + 4])
        kind = data[offset + 4:offset + 8]
        end = offset + 12 + length
        critical = kind[:1].isupper()
        if critical or kind in PNG_KEPT_ANCILLARY:
            out.append(data[offset:end])
        offset = end
        if kind == b"IEND":
            break
    return b"".join(out)


def _strip_jpeg(data: bytes) -> bytes:
    out, offset = [data[:2]], 2
    while offset + 4 <= len(data) and data[offset] == 0xFF:
        marker = data[offset + 1]
        if marker == 0xDA:  # start of scan: the entropy-coded image follows to the end
            out.append(data[offset:])
            return b"".join(out)
        (length,) = struct.unpack(">H", data[offset + 2:offset + 4])
        if marker not in _JPEG_DROPPED:
            out.append(data[offset:offset + 2 + length])
        offset += 2 + length
    out.append(data[offset:])
    return b"".join(out)


def strip_image_file(path: Path) -> None:
    data = path.read_bytes()
    stripped = strip_image(data)
    if stripped != data:
        path.write_bytes(stripped)


# -- XML ------------------------------------------------------------------------------------------------

def _redact_text(value: str, pattern: re.Pattern | None, replacement: str = MARKER) -> str:
    return pattern.sub(replacement, value) if pattern is not None and value else value


def scrub_tree(root: etree._Element, pattern: re.Pattern | None) -> None:
    """Anonymise an XML tree in place: author attributes, identity terms in text and attributes."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in list(element.attrib.items()):
            local = etree.QName(name).localname
            if local in _AUTHOR_ATTRIBUTES:
                element.set(name, _AUTHOR_ATTRIBUTES[local])
            else:
                element.set(name, _redact_text(value, pattern, "anon"))
        if etree.QName(element).localname in _CLEARED_PROPERTIES:
            element.text = ""
        else:
            element.text = _redact_text(element.text or "", pattern) or element.text
        element.tail = _redact_text(element.tail or "", pattern) or element.tail
    if etree.QName(root).localname == "Properties" and "custom-properties" in (etree.QName(root).namespace or ""):
        for child in list(root):
            root.remove(child)


def _scrub_xml_bytes(data: bytes, pattern: re.Pattern | None) -> bytes:
    parser = etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False)
    tree = etree.parse(io.BytesIO(data), parser)
    scrub_tree(tree.getroot(), pattern)
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=tree.docinfo.standalone,
                          doctype=tree.docinfo.doctype)


def scrub_xml(path: Path, identity: Identity) -> None:
    path.write_bytes(_scrub_xml_bytes(path.read_bytes(), term_pattern(identity)))


# -- DOCX -----------------------------------------------------------------------------------------------

def scrub_docx(path: Path, identity: Identity) -> None:
    """Rewrite the DOCX at `path` without its authors (see the module docstring)."""
    pattern = term_pattern(identity)
    with zipfile.ZipFile(path) as source:
        parts = [(info.filename, source.read(info)) for info in source.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for name, data in parts:
            if name.endswith((".xml", ".rels")):
                data = _scrub_xml_bytes(data, pattern)
            elif name.startswith("word/media/"):
                data = strip_image(data)
            target.writestr(deterministic_info(name), data)
    path.write_bytes(buffer.getvalue())


def deterministic_info(name: str) -> zipfile.ZipInfo:
    """A zip entry with a fixed date and permissions, so the same content gives the same archive bytes."""
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.create_system = 3  # Unix, whatever the machine
    return info


# -- PDF ------------------------------------------------------------------------------------------------

def scrub_pdf(path: Path, identity: Identity) -> None:
    """Keep only a redacted /Title in the information dictionary; drop the XMP stream."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    pattern = term_pattern(identity)
    reader = PdfReader(path)
    title = str(reader.metadata.get("/Title") or "") if reader.metadata else ""
    writer = PdfWriter(clone_from=reader)
    if NameObject("/Metadata") in writer._root_object:
        del writer._root_object[NameObject("/Metadata")]
    info: Any = writer._info.get_object() if writer._info is not None else None
    if info is not None:
        for key in list(info.keys()):
            del info[key]
        if title:
            info[NameObject("/Title")] = TextStringObject(_redact_text(title, pattern))
    buffer = io.BytesIO()
    writer.write(buffer)
    path.write_bytes(buffer.getvalue())
