"""DOI normalisation: one spelling per work, so lookups, the lockfile and duplicates agree.

DOIs are case-insensitive (https://www.doi.org/the-identifier/resources/handbook/2_numbering#2.4);
Crossref returns them lower-cased, and so do we. Invisible format characters (zero-width space,
joiners, soft hyphen, BOM: Unicode category Cf) are dropped first: pasted from a PDF or a web page
they would otherwise make a real DOI `not_found`. Normalisation is idempotent (a normal DOI
normalises to itself; tests/test_doi.py checks it with Hypothesis).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

_PREFIXES = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*|doi\s+)", re.IGNORECASE)
_DOI = re.compile(r"10\.[0-9]{4,9}/\S+")
_TRAILING = ".,;:)]}>\"'"
# A bare DOI that _once() returns unchanged but for case: no %-escape, backslash, space or format
# character, not ending in a mark that _once() would strip, nor in '/'.
_BARE = re.compile(r"10\.[0-9]{4,9}/[^\s%\\]*[^\s%\\.,;:)\]}>\"'/]")


def normalise_doi(text: str | None) -> str:
    """'https://doi.org/10.1111/BJC.12043.' -> '10.1111/bjc.12043'; '' when there is no DOI."""
    if text and text.isascii() and _BARE.fullmatch(text):
        return text.lower()  # already a bare DOI: every step below would leave it as it is
    doi = _once(text or "")
    for _ in range(8):  # each pass only removes (%-escapes, prefixes, trailing marks): a fixed point comes fast
        again = _once(doi)
        if again == doi:
            return doi
        doi = again
    return ""


def _visible(text: str) -> str:
    if text.isascii():  # no format character is ASCII: skip the per-character look-up
        return text
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def _once(text: str) -> str:
    if not text:
        return ""
    value = unquote(_visible(text).strip()).replace("\\_", "_").replace("{\\_}", "_")
    value = _PREFIXES.sub("", value).strip()
    match = _DOI.search(value)
    if not match:
        return ""
    doi = match.group(0)
    while doi and doi[-1] in _TRAILING:
        # A ')' is part of some DOIs (10.1016/0006-8993(89)90001-x); strip it only when unbalanced.
        if doi[-1] == ")" and doi.count("(") >= doi.count(")"):
            break
        doi = doi[:-1]
    if doi.endswith("/"):  # nothing left after the prefix: '10.1000/)' is no DOI
        return ""
    return doi.lower()
