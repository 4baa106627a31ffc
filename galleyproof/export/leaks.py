"""The leak scan: every byte of every file a blind package ships, searched for the identity set.

Each file is opened as what it is, recursively: a zip (DOCX, MECA) part by part with its entry names; a
PDF as its information dictionary, its XMP and every stream decompressed, plus the text pypdf extracts
(glyph-encoded page text is only readable that way); a PNG chunk by chunk (zTXt and compressed iTXt
inflated); a JPEG's segments; XML both as written and without its tags (a name split across Word runs
is whole again); anything else as text, or as the printable runs in it (what `strings` shows). The file
name itself is scanned too. A hit is reported as `file[/part]: term`.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from galleyproof.export.identity import ORCID, Identity, term_pattern
from galleyproof.export.scrub import PNG_SIGNATURE

MAX_DEPTH = 4  # zips within zips (a MECA archive holding a DOCX)
MAX_PART_BYTES = 200 * 1024 * 1024
_PRINTABLE_RUN = re.compile(rb"[\x20-\x7e\t\n\r]{4,}")
_TAG = re.compile(r"<[^<>]*>")
UNREADABLE = "cannot be read to check it"


def scan_files(files: list[Path], identity: Identity, base: Path | None = None,
               skip: frozenset[str] = frozenset()) -> list[str]:
    """`file: term` for each identifying string found in any of `files` (names relative to `base`); zip
    entries named in `skip` (a MECA archive's title page, meant to identify) are not opened."""
    pattern = term_pattern(identity)
    hits: list[str] = []
    for path in files:
        name = str(path.relative_to(base)) if base else path.name
        hits += scan_bytes(name, path.read_bytes(), pattern, skip=skip)
    return hits


def scan_bytes(name: str, data: bytes, pattern: re.Pattern | None, depth: int = 0,
               skip: frozenset[str] = frozenset()) -> list[str]:
    found: dict[str, None] = {}
    for label, text in _texts(name, data, depth, skip):
        if text.startswith(UNREADABLE):
            found.setdefault(f"{label}: {text}", None)
            continue
        for term in _terms(text, pattern):
            found.setdefault(f"{label}: {term}", None)
    return list(found)


def _terms(text: str, pattern: re.Pattern | None) -> Iterator[str]:
    flat = " ".join(text.split())
    if pattern is not None:
        yield from (m.group(0) for m in pattern.finditer(flat))
    yield from (m.group(0) for m in ORCID.finditer(flat))


def _texts(name: str, data: bytes, depth: int, skip: frozenset[str] = frozenset()) -> Iterator[tuple[str, str]]:
    """(label, text) for every readable piece of `data`."""
    yield name, PurePosixPath(name).name
    if depth > MAX_DEPTH:
        yield name, _decode(data)
        return
    if data[:4] == b"PK\x03\x04" or zipfile.is_zipfile(io.BytesIO(data)):
        yield from _zip_texts(name, data, depth, skip)
    elif data.startswith(b"%PDF"):
        yield from _pdf_texts(name, data)
    elif data.startswith(PNG_SIGNATURE):
        yield from ((name, t) for t in _png_texts(data))
    elif data.startswith(b"\xff\xd8"):
        yield from ((name, t) for t in _jpeg_texts(data))
    else:
        text = _decode(data)
        yield name, text
        if "<" in text:
            yield name, _TAG.sub(" ", text)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        runs = b"\n".join(_PRINTABLE_RUN.findall(data)).decode("ascii")
        utf16 = data.decode("utf-16-le", errors="ignore")  # EXIF XP* tags and some PDF strings
        return runs + "\n" + "".join(c if c.isprintable() else " " for c in utf16)


def _zip_texts(name: str, data: bytes, depth: int, skip: frozenset[str]) -> Iterator[tuple[str, str]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        yield name, _decode(data)
        return
    with archive:
        for info in archive.infolist():
            if depth == 0 and info.filename in skip:
                continue
            if info.file_size > MAX_PART_BYTES:
                yield f"{name}/{info.filename}", info.filename
                continue
            part = archive.read(info)
            for label, text in _texts(info.filename, part, depth + 1):
                yield f"{name}/{label}", text


def _pdf_texts(name: str, data: bytes) -> Iterator[tuple[str, str]]:
    from pypdf import PdfReader
    from pypdf.generic import StreamObject

    yield name, _decode(data)  # the file as written: uncompressed objects, the info dictionary
    try:
        reader = PdfReader(io.BytesIO(data))
        yield name, " ".join(f"{k} {v}" for k, v in (reader.metadata or {}).items())
        for page in reader.pages:
            yield name, page.extract_text() or ""
        for obj in _pdf_objects(reader):
            if isinstance(obj, StreamObject):
                try:
                    yield name, _decode(obj.get_data())
                except Exception:  # a filter pypdf cannot decode (an image codec): its bytes stay opaque
                    continue
    except Exception as exc:  # an unreadable PDF cannot be shown to be clean
        yield name, f"{UNREADABLE} ({type(exc).__name__})"


def _pdf_objects(reader) -> Iterator:
    for numbers in reader.xref.values():
        for number in numbers:
            try:
                yield reader.get_object(number)
            except Exception:
                continue
    for number in reader.xref_objStm:
        try:
            yield reader.get_object(number)
        except Exception:
            continue


def _png_texts(data: bytes) -> Iterator[str]:
    offset = len(PNG_SIGNATURE)
    while offset + 8 <= len(data):
        (length,) = struct.unpack(">I", data[offset:offset + 4])
        kind = data[offset + 4:offset + 8]
        body = data[offset + 8:offset + 8 + length]
        if kind[:1].islower():  # ancillary: where metadata lives
            yield kind.decode("latin-1") + " " + _decode(body)
            if kind in (b"zTXt", b"iTXt", b"iCCP"):
                yield _inflate_after_keyword(body)
        offset += 12 + length


def _inflate_after_keyword(body: bytes) -> str:
    for start in range(body.find(b"\x00") + 1, min(len(body), body.find(b"\x00") + 64)):
        try:
            return _decode(zlib.decompressobj().decompress(body[start:], MAX_PART_BYTES))
        except zlib.error:
            continue
    return ""


def _jpeg_texts(data: bytes) -> Iterator[str]:
    offset = 2
    while offset + 4 <= len(data) and data[offset] == 0xFF and data[offset + 1] != 0xDA:
        (length,) = struct.unpack(">H", data[offset + 2:offset + 4])
        yield _decode(data[offset + 4:offset + 2 + length])
        offset += 2 + length
