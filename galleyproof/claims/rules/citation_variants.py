"""The same work cited with different years or author spellings.

Author-year citations in the prose ("(Kiecolt-Glaser et al., 2010)") are grouped by first author.
Two citations are reported when their author lists are spelled almost alike but not identically
(rapidfuzz ratio >= 85) for the same year, or spelled identically with years one apart (a
typical online-first/print slip). When the manuscript has a reference list, a citation whose first
author appears there only with other years is reported too. Different works by one author
(Neff 2003, Neff 2011) are not.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from galleyproof.bib.apa import ascii_letters
from galleyproof.claims.context import CheckContext
from galleyproof.claims.findings import Finding, Location
from galleyproof.manuscript.authoryear import FAMILY, YEAR, find_works

# A reference-list entry as the rule sees it: "Neff, K. D. (2003). ..." or "Neff, (2003)": its first
# author's family name (the citation grammar's) and its year.
_REF = re.compile(rf"^\W*+({FAMILY}),.*?\(({YEAR})\)")


def _cited(ctx: CheckContext):
    for sentence in ctx.sentences:
        for cite in find_works(sentence.text):
            yield cite, sentence


def _loc(sentence) -> Location:
    return Location(sentence.file, sentence.line, sentence.section, sentence.as_written)


def _reference_years(references: list[str]) -> dict[str, set[str]]:
    """First author -> years in the written reference list."""
    years: dict[str, set[str]] = {}
    for written in references:
        match = _REF.match(written)
        if match:
            years.setdefault(ascii_letters(match.group(1)), set()).add(match.group(2))
    return years


def _listed_years(ctx: CheckContext) -> dict[str, set[str]]:
    """First author -> years in the bibliography or reference list: works that exist under each year."""
    years = _reference_years(ctx.references)
    for entry in ctx.bib_entries:
        if entry["authors"]:
            years.setdefault(ascii_letters(entry["authors"][0]), set()).add(str(entry["year"]))
    return years


def _variants(cited, listed: dict[str, set[str]] | None = None) -> list[Finding]:
    findings, seen = [], set()
    firsts: dict[tuple[str, str], tuple] = {}
    for cite, sentence in cited:
        firsts.setdefault((cite.author_key, cite.year), (cite, sentence))
    items = list(firsts.values())
    for i, (a, sa) in enumerate(items):
        for b, sb in items[i + 1:]:
            same_year_typo = (a.year == b.year and a.author_key != b.author_key
                              and fuzz.ratio(a.author_key, b.author_key) >= 85
                              and a.author_key.count(" ") == b.author_key.count(" "))
            year_slip = (a.author_key == b.author_key and a.year[:4].isdigit() and b.year[:4].isdigit()
                         and abs(int(a.year[:4]) - int(b.year[:4])) == 1
                         and not {a.year, b.year} <= (listed or {}).get(a.first_author, set()))
            if not (same_year_typo or year_slip) or (a.author_key, b.author_key) in seen:
                continue
            seen.add((a.author_key, b.author_key))
            what = "author spellings" if same_year_typo else "years"
            message = (f"\"{a.names}, {a.year}\" ({sa.file}:{sa.line}) and \"{b.names}, {b.year}\" "
                       f"({sb.file}:{sb.line}) look like one work cited with different {what}.")
            findings.append(Finding("citation-variant", message, [_loc(sa), _loc(sb)],
                                    [f"{a.names}, {a.year}", f"{b.names}, {b.year}"]))
    return findings


def _against_references(cited, references: list[str]) -> list[Finding]:
    listed = _reference_years(references)
    findings, seen = [], set()
    for cite, sentence in cited:
        years = listed.get(cite.first_author)
        key = (cite.first_author, cite.year)
        if not years or cite.year in years or key in seen:
            continue
        seen.add(key)
        message = (f"\"{cite.names}, {cite.year}\" ({sentence.file}:{sentence.line}) has no entry with that "
                   f"year in the reference list, which has {cite.authors[0]} only for "
                   f"{', '.join(sorted(years))}.")
        findings.append(Finding("citation-variant", message, [_loc(sentence)], [f"{cite.names}, {cite.year}"]))
    return findings


def check(ctx: CheckContext) -> list[Finding]:
    cited = list(_cited(ctx))
    return _variants(cited, _listed_years(ctx)) + _against_references(cited, ctx.references)
