"""Authors and affiliations in the shape templates print: Quarto's `by-author` and `by-affiliation`.

Quarto reads many spellings of author metadata and normalises them (Quarto guide, "Authors &
Affiliations", https://quarto.org/docs/journals/authors.html): `author` or `authors` as a string, a
list of strings or a list of maps; a name as text or `{given, family, literal}`; affiliations under
the author (`affiliation`/`affiliations`: text, maps, or `{ref: id}` pointing into a top-level
`affiliations` list). Templates then read the de-normalised views: `by-author` (each author with its
affiliations spelled out and numbered) and `by-affiliation` (each affiliation once, numbered in order
of first appearance). This module makes those views from either the raw or the normalised form, so the
HTML, Typst and DOCX templates read one shape whatever the author wrote.
"""

from __future__ import annotations

import re
from typing import Any

# Parts of an affiliation, most specific first, as printed on one line (Quarto's affiliation schema).
AFFILIATION_PARTS = ("department", "group", "name", "address", "city", "region", "state", "postal-code", "country")
ORCID = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])", re.IGNORECASE)


def by_author(meta: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(`by-author`, `by-affiliation`) from document metadata; empty when the authors were cleared.

    An explicit empty `author` (an anonymised copy) wins over every other spelling."""
    if "author" in meta and not meta["author"]:
        return [], []
    raw = meta.get("by-author") or meta.get("authors") or meta.get("author") or []
    if isinstance(raw, (str, dict)):
        raw = [raw]
    known = _affiliation_index(meta.get("affiliations"))
    authors: list[dict[str, Any]] = []
    affiliations: dict[str, dict[str, Any]] = {}
    for item in raw:
        author = _author(item)
        if not author["name"]["literal"]:
            continue
        entries = item.get("affiliations", item.get("affiliation")) if isinstance(item, dict) else None
        for affiliation in _affiliations(entries, known):
            key = affiliation["display"]
            if key not in affiliations:
                affiliations[key] = {**affiliation, "number": len(affiliations) + 1}
            author["affiliations"].append(affiliations[key])
        authors.append(author)
    return authors, list(affiliations.values())


def _author(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        return {"name": {"literal": _text(item)}, "affiliations": []}
    name = item.get("name")
    if isinstance(name, dict):
        literal = _text(name.get("literal")) or " ".join(
            _text(name.get(k)) for k in ("given", "family") if name.get(k))
    else:
        literal = _text(name)
    author: dict[str, Any] = {"name": {"literal": literal}, "affiliations": []}
    attributes = item.get("attributes")
    attributes = attributes if isinstance(attributes, dict) else {}
    for key in ("email", "url"):
        if item.get(key):
            author[key] = _text(item[key])
    orcid = ORCID.search(_text(item.get("orcid")))
    if orcid:
        author["orcid"] = orcid.group(1).upper()
    if item.get("corresponding") is True or attributes.get("corresponding") is True:
        author["corresponding"] = True
    return author


def _affiliation_index(affiliations: Any) -> dict[str, dict[str, Any]]:
    """Top-level affiliations by `id` (and by position, 1-based, when they carry no id)."""
    index: dict[str, dict[str, Any]] = {}
    for number, item in enumerate(affiliations if isinstance(affiliations, list) else [], 1):
        if isinstance(item, dict):
            index[_text(item.get("id", number))] = item
        elif isinstance(item, str):
            index[str(number)] = {"name": item}
    return index


def _affiliations(entries: Any, known: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    if entries is None:
        return []
    if isinstance(entries, str):  # one line, or several joined with "; " (galleyproof's own import)
        entries = [part.strip() for part in entries.split(";") if part.strip()]
    if not isinstance(entries, list):
        entries = [entries]
    found = []
    for entry in entries:
        if isinstance(entry, dict) and "ref" in entry:
            entry = known.get(_text(entry["ref"]), {"name": _text(entry["ref"])})
        elif isinstance(entry, (str, int)) and _text(entry) in known:
            entry = known[_text(entry)]
        record = {"name": _text(entry)} if not isinstance(entry, dict) else {
            k: _text(entry[k]) for k in AFFILIATION_PARTS if entry.get(k)}
        display = ", ".join(record[k] for k in AFFILIATION_PARTS if record.get(k))
        if display:
            found.append({**record, "display": display})
    return found


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()
