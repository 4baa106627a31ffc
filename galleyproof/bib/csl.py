"""CSL-JSON and CSL-YAML bibliographies (what pandoc and Quarto accept besides BibTeX).

Item fields follow the CSL 1.0.2 data schema (citationstyles.org, "csl-data.json"): `id`, `type`,
`title`, `author` [{family, given, non-dropping-particle, literal}], `issued` {date-parts | raw |
literal}, `container-title`, `volume`, `issue`, `page`, `DOI`, `URL`, `publisher`. CSL-YAML is the
same data as YAML, a list or pandoc's `references:` mapping. Crossref's own CSL output uses
Crossref type names (`journal-article`), so both vocabularies are mapped.
"""

from __future__ import annotations

import json
import re

from galleyproof import safe_yaml
from galleyproof.bib.doi import normalise_doi
from galleyproof.bib.model import BibIssue, Bibliography, Person, Reference
from galleyproof.errors import BibliographyError

# CSL (and Crossref) type -> the BibTeX type the rest of galleyproof speaks.
TYPES = {
    "article-journal": "article", "journal-article": "article", "article-magazine": "article",
    "article-newspaper": "article", "chapter": "incollection", "book-chapter": "incollection",
    "book": "book", "edited-book": "book", "monograph": "book", "thesis": "phdthesis", "dissertation": "phdthesis",
    "report": "techreport", "paper-conference": "inproceedings", "proceedings-article": "inproceedings",
    "webpage": "online", "post-weblog": "online", "software": "software", "dataset": "dataset",
    "article": "preprint", "posted-content": "preprint", "manuscript": "unpublished",
}
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def _text(value) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return " ".join(str(value).split()) if value is not None else ""


def _person(author: dict) -> Person:
    if author.get("literal") or author.get("name"):
        return Person(_text(author.get("literal") or author.get("name")))
    family = " ".join(x for x in (_text(author.get("non-dropping-particle")), _text(author.get("family"))) if x)
    given = " ".join(x for x in (_text(author.get("given")), _text(author.get("dropping-particle"))) if x)
    return Person(family, given)


def _year(issued) -> str:
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if parts and parts[0] and parts[0][0]:
            return str(parts[0][0])
        issued = issued.get("raw") or issued.get("literal") or ""
    if isinstance(issued, list) and issued and isinstance(issued[0], dict):  # CSL-YAML's "- year: 2010"
        issued = issued[0].get("year", "")
    match = _YEAR.search(str(issued or ""))
    return match.group(1) if match else ""


def item_reference(item: dict, source: str, line: int | None) -> Reference:
    authors = item.get("author") or (item.get("editor") if item.get("type") in ("book", "edited-book") else None)
    return Reference(
        key=str(item["id"]),
        entry_type=TYPES.get(str(item.get("type", "")), str(item.get("type") or "misc")),
        authors=tuple(_person(a) for a in authors or [] if isinstance(a, dict)),
        year=_year(item.get("issued")),
        title=_text(item.get("title")),
        container=_text(item.get("container-title")),
        volume=_text(item.get("volume")),
        issue=_text(item.get("issue")),
        pages=_text(item.get("page")).replace("–", "-"),
        doi=normalise_doi(_text(item.get("DOI"))),
        publisher=_text(item.get("publisher")),
        url=_text(item.get("URL")),
        source=source,
        line=line,
    )


def _id_lines(text: str) -> dict[str, int]:
    """id -> line of its `id:` / `"id":` in the file, found in one pass."""
    lines: dict[str, int] = {}
    line, counted = 1, 0
    for match in re.finditer(r"""^[\s\-{,]*["']?id["']?\s*:\s*["']?([^"',\n}]+)""", text, re.MULTILINE):
        line += text.count("\n", counted, match.start())
        counted = match.start()
        lines.setdefault(match.group(1).strip(), line + text.count("\n", match.start(), match.start(1)))
    return lines


def _items(data, source: str) -> list:
    if isinstance(data, dict) and isinstance(data.get("references"), list):
        return data["references"]
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        return data["items"]
    if isinstance(data, list):
        return data
    raise BibliographyError("a CSL bibliography is a list of items (or `references:` holding one)", source)


def read_items(data, text: str, source: str) -> Bibliography:
    lines, bib = _id_lines(text), Bibliography()
    for index, item in enumerate(_items(data, source), 1):
        key = (item.get("id") or item.get("citation-key") or item.get("DOI")) if isinstance(item, dict) else None
        if not key:
            bib.issues.append(BibIssue("unreadable_entry", f"item {index} has no id and is not audited", source))
            continue
        bib.references.append(item_reference({**item, "id": key}, source, lines.get(str(key))))
    return bib


def parse_csl_json(text: str, source: str = "<string>") -> Bibliography:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BibliographyError(f"not valid CSL-JSON: {exc.msg}", source, exc.lineno) from None
    return read_items(data, text, source)


def parse_csl_yaml(text: str, source: str = "<string>") -> Bibliography:
    try:
        data = safe_yaml.load(text)  # bounded: depth, aliases, size
    except safe_yaml.YAMLLimitError as exc:
        raise BibliographyError(f"not valid CSL-YAML: {exc.problem}", source,
                                exc.line + 1 if exc.line is not None else None) from None
    return read_items(data, text, source)
