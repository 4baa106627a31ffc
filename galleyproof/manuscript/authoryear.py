"""Author-year citations in plain text: the one grammar, found with their place, resolved to keys.

Forms (APA Publication Manual, 7th edition, sections 8.10-8.12, 8.17-8.19, 8.21 and 8.6):
parenthetical `(Neff, 2003)`, `(Irwin & Cole, 2011; Kirby et al., 2023)`, `(see Neff, 2003, p. 4)`,
`(Zhou, 2015, 2017)`, `(Müller & Özdemir, n.d.)`, `(Lee, in press)`, `(World Health Organization,
2020)`, `(Figure 1; Neff, 2003)`, `(Rabbitt, 1982, as cited in Lyon et al., 2014)`; narrative
`Longe et al. (2010)`, `Neff and Vonk (2009)`, `Neff (2003, p. 4)`, `Neff's (2003)`; and the bare
`Longe et al., 2010` authors sometimes leave in running text. Family names may carry particles
(`van der Kolk`, `De Houwer`), hyphens, apostrophes and accents.

Two readings of one grammar:
- `find_citations` (the importer): a parenthetical is taken only when it parses whole, each
  `;`-separated item being free prefix text, the authors, one or more years, and free suffix text
  (a locator such as `p. 4`), or plain text with no year (`Figure 1`), all of which pandoc's
  citation syntax carries as written (pandoc manual, "Citation syntax": `[see @neff2003, p. 4]`),
  so the rewrite renders as the author wrote it.
- `find_works(text)` (the claim rules): every work cited, also inside a parenthetical that does not
  parse whole (`(Neff 2003 and Germer, 2011)`), where each work is taken where it stands.

A cited work is resolved by first author's family name and year, plus the second author's for
two-author works, as APA's in-text rule identifies them.

Every pattern runs in linear time on any input: names start only at a word boundary, runs are
possessive, particle, author, group-name and year lists are bounded, and a parenthesis is taken
whole before its year is looked for, so a 20 KB run of capitals or digits cannot make the engine
backtrack.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from galleyproof.bib.apa import ascii_letters
from galleyproof.bib.model import Reference

# Capital letters a family name may start with: Latin (with Extended-A/B), Greek, Cyrillic.
_UPPER = "[" + "".join(re.escape(chr(c)) for c in range(0x41, 0x530) if chr(c).isupper()) + "]"
# Nobiliary particles, lower-case in running text and capitalised at a sentence start ("Van der Kolk").
_PARTICLE = (r"(?:(?:[Vv]an|[Vv]on|[Dd]e|[Dd]er|[Dd]en|[Dd]es|[Dd]el|[Dd]ella|[Dd]a|[Dd]i|[Dd]u|[Ll]a|[Ll]e"
             r"|dos|das|ten|ter|zu)\s++){0,3}")  # bounded, and may give back: "Le (2019)"
# "Kiecolt-Glaser", "O'Brien", "D’Mello", "Özdemir": a capital, then letters, joined by ' ’ or -.
FAMILY = rf"{_PARTICLE}{_UPPER}\w*+(?:['’\-]\w++)*+"
_START = r"(?<![\w'’\-@])"  # a name starts a word
# A group author (APA 8.21) or a double surname ("World Health Organization", "Department of Health
# and Human Services", "López García"): capitalised words, some joined by of/for/on/the/and (APA puts
# "&" between authors in parentheses, 8.17). Read inside parentheses only, where the words before an
# author are not running prose.
_GROUP = rf"{_UPPER}\w*+(?:\s++(?:(?:of|for|on|the|and)\s++){{0,2}}{_UPPER}\w*+){{1,8}}+"
# A group's first citation introduces its abbreviation in brackets (APA 8.21): "(National Institute of
# Mental Health [NIMH], 2019)". Found as a work, never rewritten: the pandoc form would drop "[NIMH]".
_ABBREVIATION = rf"\s++\[{_UPPER}[\w&.\-]{{0,15}}+\]"
_ABBREVIATED = re.compile(_ABBREVIATION + "$")


def _authors(first: str) -> str:
    """First author, then "et al." or more authors joined by a final & or "and"."""
    return (rf"(?P<first>{first})(?:(?P<etal>,?\s++et\s+al\b\.?+(?:['’]s\b)?+)"
            rf"|(?P<others>(?:\s*+,\s*+{FAMILY}){{0,7}}+,?+\s++(?:&|and)\s++{FAMILY}))?")


_AUTHORS = _authors(FAMILY)
# 2003, 2003a, n.d., n. d., n.d.-a, in press, in press-b (APA 8.17-8.19); years 1500-2099; a
# republished work's original and own years, 1900/1953 (APA 8.15).
YEAR = r"(?:(?:(?:1[5-9]|20)\d\d/)?+(?:1[5-9]|20)\d\d[a-z]?|n\.\s?d\.(?:-[a-z])?|in\spress(?:-[a-z])?)(?![\w\-–])"
_YEARS = rf"(?P<years>{YEAR}(?:\s*+,\s*+{YEAR}){{0,20}}+)"
# in parentheses: a group author too
_WORK = rf"{_authors(f'(?:{FAMILY}|{_GROUP}(?:{_ABBREVIATION})?+)')},?+\s++{_YEARS}"
# One item of a parenthetical, whole: free prefix, the work, free suffix (checked to hold no year).
_ITEM = re.compile(rf"(?P<prefix>[^;]*?\s)??{_WORK}(?:,\s++(?P<suffix>[^;]*+))?")
_NOT_PANDOC_TEXT = re.compile(r"[\[\]@]")
_PANDOC_CITATION = re.compile(r"\[[^\[\]@]*+@[^\[\]]*+\]")
_CITED_IN = re.compile(r"\bas cited in\s++")
_WORK_IN = re.compile(_START + _WORK)
_PAREN = re.compile(r"\(([^()]*+)\)")  # taken whole, its year looked for inside: linear on "(2019 2019 ..."
_HAS_YEAR = re.compile(r"(?<![\w\-])" + YEAR)
# "Gross' (1998)": the possessive of a name ending in s is a bare apostrophe
_NARRATIVE = re.compile(rf"(?<![\w'’\-@(]){_AUTHORS}(?P<apostrophe>['’](?!\w))?+\s++\({_YEARS}"
                        r"(?:,\s++(?P<suffix>[^()]*+))?\)")
_BARE = re.compile(rf"(?<![\w'’\-@(]){_AUTHORS},\s++{_YEARS}")
_REPUBLISHED = "/"  # in a year list: "1900/1953", which the pandoc form would print as 1953
_FAMILY_IN = re.compile(FAMILY)
_YEAR_IN = re.compile(YEAR)
_POSSESSIVE = re.compile(r"['’]s$")
# A date ("In March, 2020") is not an author and year.
_NOT_AUTHORS = frozenset("January February March April May June July August September October November "
                         "December Spring Summer Autumn Fall Winter".split())


@dataclass(frozen=True)
class CitedWork:
    """One work inside a citation: 'Irwin & Cole, 2011'."""

    text: str  # the item as written: "see Neff, 2003, p. 4"
    authors: tuple[str, ...]  # family names as written; one name plus et_al for "X et al."
    et_al: bool
    year: str
    key: str = ""  # the resolved key, or the would-be key (first author + year) when unresolved
    resolved: bool = False
    prefix: str = ""  # "see ", "e.g., ", "for a review, see "
    locator: str = ""  # what follows the year: "p. 4", "Table 2"
    candidates: tuple[str, ...] = ()  # when ambiguous: every key it could mean (key is the first)
    after: str = ""  # plain text after the last work of a parenthetical, as written: "; Figure 1"
    names: str = ""  # the authors as written: "Kiecolt-Glaser et al."
    possessive: str = ""  # "'s" when the names were written "Neff's (2003)"
    start: int = 0  # column span in the line, from the first author to the year
    end: int = 0

    @property
    def first_author(self) -> str:
        """The first author's family name folded for comparison: 'kiecoltglaser'."""
        return ascii_letters(self.authors[0])

    @property
    def author_key(self) -> str:
        """Every author folded, 'et al.' kept: 'irwin cole', 'kiecoltglaser etal'."""
        return " ".join([ascii_letters(a) for a in self.authors] + (["etal"] if self.et_al else []))


@dataclass(frozen=True)
class AuthorYearCitation:
    """A citation as written in one line: its span, its works, and whether it is narrative."""

    text: str
    line: int
    start: int  # column span in the line, for rewriting
    end: int
    works: tuple[CitedWork, ...]
    narrative: bool = False  # "Longe et al. (2010)" or bare "Longe et al., 2010"
    whole: bool = True  # False: a parenthetical that does not parse whole, its works found where they stand


def _works(match: re.Match, text: str, base: int, prefix: str = "", locator: str = "") -> tuple[CitedWork, ...]:
    """The works of one authors-and-years match: one per year ("Zhou, 2015, 2017" is two works).

    `text` is the item as written, `base` the column in the line where the matched string starts."""
    names = [_ABBREVIATED.sub("", match.group("first"))]
    if names[0].split()[-1] in _NOT_AUTHORS:
        return ()
    if match.group("others"):
        names += _FAMILY_IN.findall(match.group("others"))
    authors = tuple(" ".join(n.split()) for n in names)
    # a republished work is listed under its own year: "Freud (1900/1953)" is Freud's 1953 entry (APA 9.41)
    years = [re.sub(r"n\.\sd\.", "n.d.", y).rpartition("/")[2] for y in _YEAR_IN.findall(match.group("years"))]
    last = "etal" if match.group("etal") else "others" if match.group("others") else "first"
    written = match.string[match.start("first"):match.end(last)].strip(" ,")
    possessive = written[-2:] if _POSSESSIVE.search(written) else ""  # "Neff's (2003) definition"
    if match.groupdict().get("apostrophe"):
        possessive = match.group("apostrophe")
    elif possessive:
        written = written[:-2]
        if authors[-1].endswith(possessive):
            authors = authors[:-1] + (authors[-1][:-2],)
    start, end = base + match.start("first"), base + match.end("years")
    return tuple(CitedWork(text=text, authors=authors, et_al=bool(match.group("etal")), year=year,
                           key=would_be_key(authors[0], year), prefix=prefix if i == 0 else "",
                           locator=locator if i == len(years) - 1 else "", names=written,
                           possessive=possessive, start=start, end=end)
                 for i, year in enumerate(years))


@lru_cache(maxsize=4096)  # a manuscript cites few works many times
def would_be_key(family: str, year: str) -> str:
    """The key `galleyproof.bib.apa.make_key` would give the work: 'kiecoltglaser2010', 'neffnda'."""
    return ascii_letters(family) + _year_key(year)


def _year_key(year: str) -> str:
    """A year as keys end: '2003a'; 'n.d.' and 'in press' as make_key writes them, 'nd', with the
    letter APA adds to tell such works apart ('n.d.-a' -> 'nda', APA 8.19)."""
    if year[:1].isdigit():
        return year
    return "nd" + (year[-1] if year[-2:-1] == "-" else "")


def _same_year(work: CitedWork, ref: Reference) -> bool:
    """'2003' names a 2003 reference; '2003a' and 'n.d.-a' name the one whose key ends so."""
    return work.year == ref.year or ref.key.endswith(_year_key(work.year))


def _item(item: str, offset: int) -> tuple[CitedWork, ...] | None:
    """One `;`-separated item of a parenthetical, parsed whole; None when it is not one citation.

    A secondary source (APA 8.6: "Rabbitt, 1982, as cited in Lyon et al., 2014") cites only the
    work after "as cited in"; what comes before is prefix text, its year included."""
    text = item.strip()
    offset += len(item) - len(item.lstrip())
    start = max((m.end() for m in _CITED_IN.finditer(text)), default=0)
    match = _ITEM.fullmatch(text, start)
    if not match:
        return None
    prefix, suffix = match.group("prefix") or "", (match.group("suffix") or "").strip()
    if _HAS_YEAR.search(prefix) or _HAS_YEAR.search(suffix):
        return None  # a second work hiding in the free text: "(Neff 2003 and Germer, 2011)"
    if _NOT_PANDOC_TEXT.search(text[:start] + prefix + suffix + match.group("first")):
        return None  # brackets or @ in the free text (or a group's "[NIMH]") would not survive the rewrite
    if _REPUBLISHED in match.group("years"):
        return None  # nor would "1900/" of "1900/1953"
    return _works(match, text, offset, text[:start] + prefix, suffix) or None


def _parenthetical(inner: str, offset: int) -> tuple[CitedWork, ...] | None:
    """The works of a parenthetical that parses whole: each item a citation, or plain text with no
    year in it ("Figure 1", "DSM-5"), which is kept as written in the next work's prefix (or the
    last work's suffix) with its semicolon escaped, as pandoc reads `[Figure 1\\; @neff2003]`."""
    works: list[CitedWork] = []
    plain_from = -1  # where unclaimed plain-text items start, in `inner`
    at = last_end = 0
    for part in inner.split(";"):
        text_start = at + len(part) - len(part.lstrip())
        parsed = _item(part, offset + at)
        if parsed is None:
            if _HAS_YEAR.search(part) or _NOT_PANDOC_TEXT.search(part):
                return None
            plain_from = text_start if plain_from < 0 else plain_from
        else:
            if plain_from >= 0:
                parsed = (replace(parsed[0], prefix=inner[plain_from:text_start] + parsed[0].prefix),) + parsed[1:]
                plain_from = -1
            works += parsed
            last_end = at + len(part.rstrip())
        at += len(part) + 1
    if not works:
        return None
    if plain_from >= 0:
        works[-1] = replace(works[-1], after=inner[last_end:].rstrip())
    return tuple(works)


def find_citations(text: str, line: int = 1, *, lenient: bool = False) -> list[AuthorYearCitation]:
    """Author-year citations in one line of prose, left to right.

    Strict (the default, for rewriting): a parenthetical counts only when it parses whole. Lenient
    (for finding every cited work): a parenthetical that does not parse whole gives the works that
    stand in it, as a citation with `whole=False`."""
    found: list[AuthorYearCitation] = []
    # a pandoc citation's own prefix text ("[Rabbitt, 1982, as cited in @lyon2014]") is not cited again
    pandoc = _Spans([m.span() for m in _PANDOC_CITATION.finditer(text)])
    # a parenthetical that does not parse whole is left as written, and so is every work inside it:
    # "Neff, 2003" in "(see [1]; Neff, 2003)" rewritten as @neff2003 would print "Neff (2003)"
    unparsed: list[tuple[int, int]] = []
    for match in _PAREN.finditer(text):
        inner = match.group(1)
        if not _HAS_YEAR.search(inner) or pandoc.overlaps(*match.span()):
            continue
        works = _parenthetical(inner, match.start(1))
        if works is None and _WORK_IN.search(inner):  # not "Neff (2003, 2011)"'s own parenthesis
            unparsed.append(match.span())
        if works is None and lenient:
            works = tuple(w for m in _WORK_IN.finditer(inner) for w in _works(m, m.group(0), match.start(1)))
            if works:
                found.append(AuthorYearCitation(match.group(0), line, match.start(), match.end(), works,
                                                whole=False))
        elif works:
            found.append(AuthorYearCitation(match.group(0), line, match.start(), match.end(), works))
    taken = _Spans([(c.start, c.end) for c in found] + pandoc.spans + unparsed)
    for pattern in (_NARRATIVE, _BARE):
        for match in pattern.finditer(text):
            if taken.overlaps(*match.span()):
                continue
            suffix = (match.groupdict().get("suffix") or "").strip()
            if _inside_proper_noun(text, match.start()) or _HAS_YEAR.search(suffix) or _NOT_PANDOC_TEXT.search(suffix):
                continue
            whole = _REPUBLISHED not in match.group("years")
            works = _works(match, match.group(0), 0, locator=suffix) if whole or lenient else ()
            if works:
                found.append(AuthorYearCitation(match.group(0), line, match.start(), match.end(), works,
                                                narrative=True, whole=whole))
                taken.add(*match.span())
    return sorted(found, key=lambda c: c.start)


def find_works(text: str) -> list[CitedWork]:
    """Every author-year work cited in the text, in order: what the claim rules count as a citation."""
    return [work for citation in find_citations(text, lenient=True) for work in citation.works]


class _Spans:
    """Non-overlapping column spans, sorted, asked whether a new span overlaps one (bisect, so a
    line with thousands of citations stays linear)."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.spans = sorted(spans)

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self.spans, (start, end))
        return any(s < end and start < e for s, e in self.spans[max(i - 1, 0):i + 1])

    def add(self, start: int, end: int) -> None:
        bisect.insort(self.spans, (start, end))


def _inside_proper_noun(text: str, start: int) -> bool:
    """'Polyvagal Theory (2011)': a capitalised word before the name, not opening the sentence,
    means the name is part of a longer proper noun rather than an author. Reads back from `start`
    one word only, so the cost does not grow with the length of the line."""
    word_end = _back_over(text, start, str.isspace)
    word_start = _back_over(text, word_end, lambda c: not c.isspace())
    if word_end == start or word_start == word_end or not text[word_start].isupper():
        return False
    before = _back_over(text, word_start, str.isspace)
    return before > 0 and text[before - 1] not in ".!?:(—"


def _back_over(text: str, index: int, kind) -> int:
    """The index where the run of characters of `kind` that ends at `index` starts."""
    while index > 0 and kind(text[index - 1]):
        index -= 1
    return index


def _matches(work: CitedWork, ref: Reference) -> bool:
    if not ref.authors or ascii_letters(ref.authors[0].family) != ascii_letters(work.authors[0]):
        return False
    if not _same_year(work, ref):
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
    loose = [ref for ref in refs if ref.authors and _same_year(work, ref)
             and ascii_letters(ref.authors[0].family) == ascii_letters(work.authors[0])]
    if len(loose) == 1:
        return replace(work, key=loose[0].key, resolved=True)
    if loose:
        return replace(work, key=loose[0].key, candidates=tuple(ref.key for ref in loose))
    return work


def resolve_citations(citations: list[AuthorYearCitation], refs: list[Reference]) -> list[AuthorYearCitation]:
    return [replace(c, works=tuple(resolve_work(w, refs) for w in c.works)) for c in citations]


def to_pandoc(citation: AuthorYearCitation) -> str:
    """Pandoc citation syntax (pandoc manual, "Citation syntax"): `[see @a, p. 4; @b]`; narrative
    `@a`, `@a [p. 4]` for "A (2003, p. 4)", `@a [-@b]` for "A (2003, 2011)", and the author's name
    as written before `[-@a]` for a possessive "A's (2003)". A semicolon inside
    prefix or suffix text is escaped, or pandoc would read it as the start of another citation."""
    works = citation.works
    if citation.narrative and works[0].possessive:  # "Neff's [-@neff2003]" renders "Neff's (2003)"
        rest = [f"-@{w.key}" + (f", {_escape(w.locator)}" if w.locator else "") for w in works]
        return f"{works[0].names}{works[0].possessive} [{'; '.join(rest)}]"
    if citation.narrative:
        if len(works) == 1:
            return f"@{works[0].key}" + (f" [{_escape(works[0].locator)}]" if works[0].locator else "")
        rest = [f"-@{w.key}" + (f", {_escape(w.locator)}" if w.locator else "") for w in works[1:]]
        return f"@{works[0].key} [{'; '.join(rest)}]"
    items = [f"{_escape(w.prefix)}@{w.key}" + (f", {_escape(w.locator)}" if w.locator else "") + _escape(w.after)
             for w in works]
    return "[" + "; ".join(items) + "]"


def _escape(text: str) -> str:
    return text.replace(";", "\\;")


def rewrite_line(text: str, citations: list[AuthorYearCitation]) -> str:
    """The line with each citation replaced by its pandoc form; all other characters unchanged.

    A parenthetical that does not parse whole is never rewritten: its pandoc form would change what
    the reader sees."""
    for citation in sorted(citations, key=lambda c: c.start, reverse=True):
        if citation.whole:
            text = text[:citation.start] + to_pandoc(citation) + text[citation.end:]
    return text
