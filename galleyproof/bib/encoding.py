"""Decode a bibliography or reference list whatever single encoding it was saved in.

BibTeX has no encoding declaration; files in the wild are UTF-8, UTF-8 with a byte-order mark
(Windows editors), or Latin-1 / Windows-1252 (older JabRef and Windows tools). Valid UTF-8 is
almost never produced by accident from Latin-1 text, so UTF-8 is tried first; bytes that are not
UTF-8 are read as Windows-1252 when they use its 0x80-0x9F characters (curly quotes, dashes) and
as ISO-8859-1 otherwise. Anything but plain UTF-8 is named, so the user can convert the file.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # "utf-8", "utf-8-sig", "cp1252" or "latin-1"
    note: str = ""  # a sentence for a warning when the encoding is not plain UTF-8


def decode(data: bytes) -> Decoded:
    """`data` as text, with the encoding it was read in."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return Decoded(data[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8-sig",
                           "starts with a UTF-8 byte-order mark (read as UTF-8)")
        except UnicodeDecodeError:
            pass  # a BOM followed by non-UTF-8 bytes: fall through to the single-byte guesses
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
    if any(0x80 <= byte <= 0x9F for byte in data):
        try:
            return Decoded(data.decode("cp1252"), "cp1252",
                           f"is not UTF-8 (first at line {line}); read as Windows-1252 (Latin-1): "
                           "save it as UTF-8 to be sure accents are right")
        except UnicodeDecodeError:
            pass  # 0x81, 0x8D, 0x8F, 0x90, 0x9D are undefined in Windows-1252
    return Decoded(data.decode("latin-1"), "latin-1",
                   f"is not UTF-8 (first at line {line}); read as Latin-1 (ISO-8859-1): "
                   "save it as UTF-8 to be sure accents are right")


def split_lines(text: str) -> list[str]:
    """Lines as editors count them: only LF, CRLF and CR end a line. `str.splitlines` also breaks at
    form feeds and other separators, which PDF extracts are full of, and would shift every line number."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def utf8_copy(path: Path, folder: Path) -> Path:
    """`path` itself when it is UTF-8 (or not a file); else a UTF-8 copy written into `folder`, for
    tools that accept only UTF-8 (pandoc's citeproc rejects a Latin-1 .bib outright)."""
    try:
        data = path.read_bytes()
    except OSError:
        return path
    decoded = decode(data)
    if decoded.encoding == "utf-8":
        return path
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / f"utf8-{path.name}"
    copy.write_text(decoded.text, encoding="utf-8")
    return copy
