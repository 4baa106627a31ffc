"""biblatex's data model on top of BibTeX fields: inheritance and the fields BibTeX does not know.

Fields arrive as {lower-case name: LaTeX value}. What is read (biblatex manual, §2.2 "Entry
fields" and appendix B "Default crossref setup"):

- `crossref`: the child takes every field it lacks from the parent, except the parent's titles,
  which move to the child's container fields (a @book's `title` becomes an @inbook's `booktitle`,
  an @mvbook's its `maintitle`, a @periodical's an @article's `journaltitle`), and except the
  fields that identify the parent itself (`ids`, `crossref`, `xref`, `label`, `shorthand`, ...).
  Classic BibTeX crossref (verbatim copying of missing fields) is the special case this covers.
- `xdata`: a comma-separated list of @xdata entries whose fields are copied verbatim.
- `date` (ISO 8601 / EDTF: `2014-10`, `1988/1992`, `2003-04-01/2003-04-05`) gives the year when
  `year` is absent; `journaltitle` is the journal; `subtitle` continues the title;
  `eprint` with `eprinttype` (or BibTeX's `archiveprefix`) names an e-print such as arXiv.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_PARENT_ONLY = frozenset({"ids", "crossref", "xref", "xdata", "entryset", "entrysubtype", "execute", "label",
                          "options", "presort", "related", "relatedoptions", "relatedstring", "relatedtype",
                          "shorthand", "shorthandintro", "sortkey", "sorttitle", "shorttitle", "indextitle",
                          "indexsorttitle"})
_TITLE_FIELDS = ("title", "subtitle", "titleaddon")
_BOOKS = frozenset({"book", "collection", "proceedings", "reference", "manual", "report"})
_MULTIVOLUME = frozenset({"mvbook", "mvcollection", "mvproceedings", "mvreference"})
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def title_targets(parent_type: str) -> tuple[str, str, str] | None:
    """Where a parent's title, subtitle and titleaddon go in the child; None: they are not inherited."""
    if parent_type in _MULTIVOLUME:
        return "maintitle", "mainsubtitle", "maintitleaddon"
    if parent_type in _BOOKS:
        return "booktitle", "booksubtitle", "booktitleaddon"
    if parent_type == "periodical":
        return "journaltitle", "journalsubtitle", "journaltitleaddon"
    return None


def inherit(child: dict[str, str], parent: dict[str, str], parent_type: str) -> dict[str, str]:
    """The child's fields completed from its crossref parent (the child's own values always win)."""
    merged = dict(child)
    for name, value in parent.items():
        if name in _PARENT_ONLY or name in _TITLE_FIELDS:
            continue
        merged.setdefault(name, value)
    targets = title_targets(parent_type)
    if targets:
        for source, target in zip(_TITLE_FIELDS, targets):
            if parent.get(source):
                merged.setdefault(target, parent[source])
    if "author" in parent:
        merged.setdefault("bookauthor", parent["author"])
    return merged


def resolve_inheritance(entries: dict[str, tuple[str, dict[str, str]]],
                        missing: Callable[[str, str, str], None]) -> dict[str, dict[str, str]]:
    """Every entry's fields after `xdata` and `crossref` are applied.

    `entries` maps key -> (type, fields). `missing(key, field, target)` is called for a reference
    to an entry the file does not hold. Cycles stop where they close. Each entry is resolved once,
    so this stays linear in the number of entries.
    """
    folded = {key.casefold(): key for key in entries}  # biblatex keys are case-sensitive, BibTeX's crossref not
    done: dict[str, dict[str, str]] = {}
    active: set[str] = set()

    def resolve(key: str) -> dict[str, str]:
        if key in done:
            return done[key]
        fields = dict(entries[key][1])
        if key in active:
            return fields
        active.add(key)
        for name in re.split(r"\s*,\s*", fields.get("xdata", "").strip()):
            if not name:
                continue
            parent = folded.get(name.casefold())
            if parent is None:
                missing(key, "xdata", name)
                continue
            for field, value in resolve(parent).items():
                if field not in _PARENT_ONLY:
                    fields.setdefault(field, value)
        target = fields.get("crossref", "").strip()
        if target:
            parent = folded.get(target.casefold())
            if parent is None:
                missing(key, "crossref", target)
            else:
                fields = inherit(fields, resolve(parent), entries[parent][0])
        active.discard(key)
        done[key] = fields
        return fields

    return {key: resolve(key) for key in entries}


def year_from(fields: dict[str, str]) -> str:
    """`year`, else the first year of biblatex's `date` (`2014-10`, `1988/1992`)."""
    if fields.get("year", "").strip():
        return fields["year"].strip()
    match = _YEAR.search(fields.get("date", ""))
    return match.group(1) if match else ""


def eprint_of(fields: dict[str, str]) -> str:
    """'arXiv:1706.03762' from `eprint` + `eprinttype`/`archiveprefix`; '' without an e-print."""
    number = fields.get("eprint", "").strip()
    if not number:
        return ""
    kind = (fields.get("eprinttype") or fields.get("archiveprefix") or "").strip()
    if not kind and re.fullmatch(r"\d{4}\.\d{4,5}(v\d+)?|[a-z\-]+(\.[A-Z]{2})?/\d{7}", number):
        kind = "arXiv"  # an arXiv identifier by its shape (new style 1706.03762, old style hep-th/9901001)
    if kind.casefold() == "arxiv":
        kind = "arXiv"
    return f"{kind}:{number}" if kind else number
