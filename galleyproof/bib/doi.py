"""DOI normalisation: one spelling per work, so lookups, the lockfile and duplicates agree.

DOIs are case-insensitive (https://www.doi.org/the-identifier/resources/handbook/2_numbering#2.4);
Crossref returns them lower-cased, and so do we.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

_PREFIXES = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*|doi\s+)", re.IGNORECASE)
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_TRAILING = ".,;:)]}>\"'"


def normalise_doi(text: str | None) -> str:
    """'https://doi.org/10.1111/BJC.12043.' -> '10.1111/bjc.12043'; '' when there is no DOI."""
    if not text:
        return ""
    value = unquote(text.strip()).replace("\\_", "_").replace("{\\_}", "_")
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
    return doi.lower()
