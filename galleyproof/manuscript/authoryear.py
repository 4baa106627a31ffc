"""Author-year citations in plain text, found with their place, and resolved to reference keys.

Forms (APA Publication Manual, 7th edition, sections 8.10-8.12):
parenthetical `(Neff, 2003)`, `(Irwin & Cole, 2011; Kirby et al., 2023)`, `(see Neff, 2003, p. 4)`;
narrative `Longe et al. (2010)`, `Neff and Vonk (2009)`; and the bare `Longe et al., 2010` authors
sometimes leave in running text. A cited work is resolved by first author's family name and year,
plus the second author's for two-author works, as APA's in-text rule identifies them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from galleyproof.bib.apa import ascii_letters
from galleyproof.bib.model import Reference

_PARTICLE = r"(?:(?:van|von|de|der|den|da|di|du|le|la|del|dos|ten|ter)\s+)*"
_FAMILY = _PARTICLE + r"[A-ZÀ-ÖØ-Þ][\w'’\-]*[\w]"
_NAMES = (rf"(?P<first>{_FAMILY})(?:\s+(?P<etal>et\s+al\.?)"
          rf"|(?P<others>(?:\s*,\s*{_FAMILY})*,?\s*(?:&|and)\s+{_FAMILY}))?")
_YEAR = r"(?P<year>\d{4}[a-z]?|n\.\s?d\.)"
_ITEM = re.compile(rf"^(?P<prefix>(?:see(?: also)?|e\.g\.,?|cf\.|i\.e\.,?)\s+)?{_NAMES},?\s+{_YEAR}"
                   r"(?P<locator>,\s*(?:pp?|paras?|chap)\.\s*[\w\-–]+)?$")
_PAREN = re.compile(r"\(([^()]*+)\)")  # taken whole, its year looked for inside: linear on "(2019 2019 ..."
_HAS_YEAR = re.compile(r"\d{4}")
_NARRATIVE = re.compile(rf"(?<![\w(]){_NAMES}\s+\({_YEAR}\)")
_BARE = re.compile(rf"(?<![\w(]){_NAMES},\s+{_YEAR}\b")
_FAMILY_IN = re.compile(_FAMILY)


@dataclass(frozen=True)
class CitedWork:
    """One work inside a citation: 'Irwin & Cole, 2011'."""

    text: str
    authors: tuple[str, ...]  # family names as written; one name plus et_al for "X et al."
    et_al: bool
    year: str
    key: str = ""  # the resolved key, or the would-be key (first author + year) when unresolved
    resolved: bool = False
    prefix: str = ""  # "see ", "e.g., "
    locator: str = ""  # ", p. 4"
    candidates: tuple[str, ...] = ()  # when ambiguous: every key it could mean (key is the first)


@dataclass(frozen=True)
class AuthorYearCitation:
    """A citation as written in one line: its span, its works, and whether it is narrative."""

    text: str
    line: int
    start: int  # column span in the line, for rewriting
    end: int
    works: tuple[CitedWork, ...]
    narrative: bool = False  # "Longe et al. (2010)" or bare "Longe et al., 2010"


def _work(match: re.Match, text: str) -> CitedWork:
    names = [match.group("first")]
    if match.group("others"):
        names += _FAMILY_IN.findall(match.group("others"))
    year = match.group("year").replace(" ", "")
    groups = match.groupdict()
    return CitedWork(text=text, authors=tuple(n.strip() for n in names), et_al=bool(match.group("etal")),
                     year=year, key=would_be_key(names[0], year), prefix=groups.get("prefix") or "",
                     locator=(groups.get("locator") or "").strip(", "))


def would_be_key(family: str, year: str) -> str:
    """The key `galleyproof.bib.apa.make_key` would give the work: 'kiecoltglaser2010'."""
    return ascii_letters(family) + (year if year[:1].isdigit() else "nd")


def find_citations(text: str, line: int = 1) -> list[AuthorYearCitation]:
    """Author-year citations in one line of prose, left to right."""
    found: list[AuthorYearCitation] = []
    for match in _PAREN.finditer(text):
        if not _HAS_YEAR.search(match.group(1)):
            continue
        items = [item.strip() for item in match.group(1).split(";")]
        parsed = [m for m in (_ITEM.match(item) for item in items) if m]
        if items and len(parsed) == len(items):
            works = tuple(_work(m, item) for m, item in zip(parsed, items))
            found.append(AuthorYearCitation(match.group(0), line, match.start(), match.end(), works))
    taken = [(c.start, c.end) for c in found]
    for pattern in (_NARRATIVE, _BARE):
        for match in pattern.finditer(text):
            if any(s <= match.start() < e or s < match.end() <= e for s, e in taken):
                continue
            if _inside_proper_noun(text, match.start()):
                continue
            found.append(AuthorYearCitation(match.group(0), line, match.start(), match.end(),
                                            (_work(match, match.group(0)),), narrative=True))
            taken.append(match.span())
    return sorted(found, key=lambda c: c.start)


def _inside_proper_noun(text: str, start: int) -> bool:
    """'Polyvagal Theory (2011)': a capitalised word before the name, not opening the sentence,
    means the name is part of a longer proper noun rather than an author."""
    before = re.search(r"(\S+)\s+$", text[:start])
    if not before or not before.group(1)[:1].isupper():
        return False
    prefix = text[:before.start(1)].rstrip()
    return bool(prefix) and not prefix.endswith((".", "!", "?", ":", "(", "—"))


def _matches(work: CitedWork, ref: Reference) -> bool:
    if not ref.authors or ascii_letters(ref.authors[0].family) != ascii_letters(work.authors[0]):
        return False
    if work.year != ref.year and work.year != ref.key[-len(work.year):]:
        return False
    if len(work.authors) == 2 and not work.et_al:
        return len(ref.authors) == 2 and ascii_letters(ref.authors[1].family) == ascii_letters(work.authors[1])
    if work.et_al:
        return len(ref.authors) >= 3
    if len(work.authors) == 1:
        return len(ref.authors) == 1
    return len(ref.authors) == len(work.authors)


def resolve_work(work: CitedWork, refs: list[Reference]) -> CitedWork:
    """The work with the key of the one reference it names; unresolved (would-be key) otherwise.

    When the author count in the text disagrees with the list (say `(Neff, 2009)` for Neff & Vonk),
    a unique match on first author and year is still taken, since that is the work meant.
    """
    exact = [ref for ref in refs if _matches(work, ref)]
    if len(exact) == 1:
        return replace(work, key=exact[0].key, resolved=True)
    if len(exact) > 1:  # duplicates, or 2003a/2003b cited as plain 2003: take the first, say so
        return replace(work, key=exact[0].key, candidates=tuple(ref.key for ref in exact))
    loose = [ref for ref in refs if ref.authors and work.year == ref.year
             and ascii_letters(ref.authors[0].family) == ascii_letters(work.authors[0])]
    if len(loose) == 1:
        return replace(work, key=loose[0].key, resolved=True)
    if loose:
        return replace(work, key=loose[0].key, candidates=tuple(ref.key for ref in loose))
    return work


def resolve_citations(citations: list[AuthorYearCitation], refs: list[Reference]) -> list[AuthorYearCitation]:
    return [replace(c, works=tuple(resolve_work(w, refs) for w in c.works)) for c in citations]


def to_pandoc(citation: AuthorYearCitation) -> str:
    """Pandoc citation syntax (pandoc manual, "Citation syntax"): `[@a; @b]`, narrative `@a`."""
    if citation.narrative:
        return "@" + citation.works[0].key
    items = []
    for work in citation.works:
        locator = f", {work.locator}" if work.locator else ""
        items.append(f"{work.prefix}@{work.key}{locator}")
    return "[" + "; ".join(items) + "]"


def rewrite_line(text: str, citations: list[AuthorYearCitation]) -> str:
    """The line with each citation replaced by its pandoc form; all other characters unchanged."""
    for citation in sorted(citations, key=lambda c: c.start, reverse=True):
        text = text[:citation.start] + to_pandoc(citation) + text[citation.end:]
    return text
