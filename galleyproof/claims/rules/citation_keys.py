"""Citation keys the bibliography lacks, and one work entered in the bibliography under two keys.

`check` reports these so a reviewer sees them without running the audit. A key is undefined when the
manuscript names a bibliography (front matter `bibliography:` or the project's) and the key is not in
it; Quarto and pandoc-crossref cross-references (`@fig-x`, `@fig:x`) and Manubot persistent-identifier
citations (`@doi:...`, `@pmid:...`: Manubot's "Citations" docs), which need no entry, are not keys.
Two entries are one work when they share a DOI, or their titles match (rapidfuzz ratio >= 95 on the
normalised title) with the same first author; the finding names both keys and any year that differs.
"""

from __future__ import annotations

import re
from pathlib import Path

from rapidfuzz import fuzz

from galleyproof.claims.context import CheckContext
from galleyproof.claims.findings import Finding, Location

_NOT_KEYS = ("fig:", "tbl:", "sec:", "eq:", "doi:", "pmid:", "pmcid:", "arxiv:", "url:", "http:", "https:", "isbn:",
             "wikidata:", "tag:", "raw:")


def _undefined(ctx: CheckContext) -> list[Finding]:
    if ctx.bib_keys is None:
        return []
    findings, seen = [], set()
    for citation in ctx.doc.citations:
        key = citation.key
        if key in ctx.bib_keys or key in seen or key.lower().startswith(_NOT_KEYS):
            continue
        seen.add(key)
        message = f"@{key} is cited at {citation.file}:{citation.line} but the bibliography has no such key."
        findings.append(Finding("citation-key-undefined", message,
                                [Location(citation.file, citation.line, citation.section, citation.text)], [key]))
    return findings


def _title(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _same_work(a: dict, b: dict) -> bool:
    if a["doi"] and a["doi"] == b["doi"]:
        return True
    if not a["authors"] or not b["authors"] or len(_title(a["title"])) < 12:
        return False
    same_author = fuzz.ratio(a["authors"][0].lower(), b["authors"][0].lower()) >= 85
    return same_author and fuzz.ratio(_title(a["title"]), _title(b["title"])) >= 95


def _entry_line(ctx: CheckContext, key: str) -> int:
    path = ctx.bib_path
    try:
        text = Path(path).read_text(encoding="utf-8") if path else ""
    except (OSError, UnicodeDecodeError):
        return 0
    match = re.search(r"@\w+\s*\{\s*" + re.escape(key) + r"\s*,", text)
    return text.count("\n", 0, match.start()) + 1 if match else 0


def _duplicate_entries(ctx: CheckContext) -> list[Finding]:
    findings = []
    by_title: dict[str, list[dict]] = {}
    for entry in ctx.bib_entries:  # bucketed by the title's first words: no all-pairs comparison
        by_title.setdefault(" ".join(_title(entry["title"]).split()[:3]), []).append(entry)
    by_doi: dict[str, list[dict]] = {}
    for entry in ctx.bib_entries:
        if entry["doi"]:
            by_doi.setdefault(entry["doi"], []).append(entry)
    seen = set()
    for group in [*by_title.values(), *by_doi.values()]:
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                pair = tuple(sorted((a["key"], b["key"])))
                if pair in seen or not _same_work(a, b):
                    continue
                seen.add(pair)
                findings.append(_duplicate(ctx, a, b))
    return findings


def _duplicate(ctx: CheckContext, a: dict, b: dict) -> Finding:
    name = ctx.bib_name or "the bibliography"
    years = f" with different years ({a['year']} and {b['year']})" if a["year"] != b["year"] else ""
    message = (f"@{a['key']} and @{b['key']} in {name} look like one work (\"{a['title'][:60]}\") "
               f"entered twice{years}.")
    locations = [Location(name, _entry_line(ctx, e["key"]), "", f"@{e['key']}: {e['title']} ({e['year']})")
                 for e in (a, b)]
    return Finding("citation-variant", message, locations, [f"@{a['key']}", f"@{b['key']}"])


def check(ctx: CheckContext) -> list[Finding]:
    return _undefined(ctx) + _duplicate_entries(ctx)
