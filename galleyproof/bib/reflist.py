"""Plain-text reference lists in any common style -> References with the lines they span.

    read_reference_list(text, source) -> ReferenceList   references, the lines nothing could be made of

Styles read (one list may mix them, as per-chapter lists do):

    APA, Harvard    Smith, J. A., & Jones, K. (2010). Title. Journal, 12(3), 34-56. https://doi.org/...
    Elsevier        Smith, J.A., Jones, K., 2010. Title. Journal 12, 34-56. https://doi.org/...
    Chicago (a-d)   Smith, John, and Kate Jones. 2010. "Title." Journal 12 (3): 34-56.
    MLA             Smith, John, and Kate Jones. "Title." Journal, vol. 12, no. 3, 2010, pp. 34-56.
    Vancouver       1. Smith JA, Jones K. Title. J Abbrev. 2010;12(3):34-56. doi:10.1000/x
    numbered        [1] John A. Smith and Kate Jones. Title. Journal, 12(3):34-56, 2010.
    IEEE            [1] J. A. Smith and K. Jones, "Title," Journal, vol. 12, no. 3, pp. 34-56, 2010.

No maintained Python library does this (anystyle and GROBID are Ruby and Java services; PyPI's
refextract targets HEP and pulls in a PDF stack), so the reader is a small tokenizer in two steps.

1. **Split** the lines into references by the list's own layout, decided once per list: numbers
   in sequence (`[n]`, `n.`, `n)`, restarting at 1 for per-chapter lists), a hanging indent, blank
   lines, or else content (a line that opens with an author list after a reference that is complete).
   Page furniture is dropped (page numbers, running headers repeated across form feeds, headings);
   words hyphenated across lines are joined, keeping the hyphen of compounds the text spells with
   one (`high-dimensional`), and DOIs and URLs broken across lines are rejoined without a space.
2. **Parse** each reference by anchors rather than by style: the DOI (bare, `doi:` or as a URL), the
   year in parentheses (APA) or after the authors (Harvard, Chicago), a quoted title (IEEE, MLA,
   Chicago), else sentences (Vancouver, numbered). Authors are read in any order (`Smith, J.`,
   `Smith J`, `John Smith`, `Smith, John, and Kate Jones`). What cannot be parsed stays in `raw`,
   which the audit sends to Crossref's `query.bibliographic` as Crossref's own matcher does.

Line numbers count lines as editors do: only line feeds end a line, never a form feed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from galleyproof.bib.apa import FoundReference
from galleyproof.bib.doi import normalise_doi
from galleyproof.bib.encoding import split_lines
from galleyproof.bib.model import Person, Reference

_UPPER = "A-ZÀ-ÖØ-ÞĀ-ſ"
_MARKER = re.compile(r"^\s*(?:\[(\d{1,4})\]|(\d{1,4})[.)](?=\s)|[-*•]\s)\s*")
_HEADING = re.compile(r"^\s*(?:#{1,6}\s*)?\**\s*(?:(?:chapter|part)\s+\w+[.:]?\s*)?(?:references?|bibliography|"
                      r"works\s+cited|literature(?:\s+cited)?|sources|reference\s+list|notes\s+and\s+references)"
                      r"(?:\s+(?:for|to)\s+chapter\s+\w+)?\s*:?\s*\**\s*:?\s*$", re.IGNORECASE)
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?[-–]?\s*(?:\d{1,4}|[ivxlc]{1,6})\s*[-–]?\s*(?:of\s+\d+)?\s*$",
                          re.IGNORECASE)
_YEAR = r"(?:1[6-9]|20)\d\d"
_PAREN_YEAR = re.compile(r"\(\s*(" + _YEAR + r"[a-z]?|n\.\s?d\.|in press|forthcoming)(?:[,;][^)]*)?\)\.?")
_AFTER_AUTHORS_YEAR = re.compile(r"[.,]\s+(" + _YEAR + r"[a-z]?)[.,:]\s+")
_ANY_YEAR = re.compile(r"(?<![\d/.])(" + _YEAR + r")[a-z]?(?![\d/])")
_DOI = re.compile(r"(?:https?://(?:dx\.)?doi\.org/|doi\s*:?\s*|DOI\s*:?\s*)?(10\.\d{4,9}/[^\s\"<>]+)", re.IGNORECASE)
_URL = re.compile(r"(?:(?:Available\s+(?:from|at)|Retrieved\s+(?:[\w,]+\s+){0,5}from|URL)\s*:?\s*)?<?(https?://\S+?)>?"
                  r"(?=[\s,;]|$)(?:\s*\[(?:cited|accessed)[^\]]*\])?", re.IGNORECASE)
_QUOTED = re.compile(r"[“\"]\s*(?P<title>[^“”\"]{8,}?)[,.]?\s*[”\"]")
_ABBREVIATIONS = frozenset({"eds", "ed", "vol", "vols", "no", "nos", "pp", "p", "st", "jr", "sr", "inc", "ltd",
                            "co", "dr", "prof", "univ", "dept", "e.g", "i.e", "vs", "cf", "fig", "figs", "ch",
                            "sect", "trans", "rev", "repr", "suppl", "n.d", "et", "ser", "mr", "mrs", "ms"})
_CONTAINER_END = re.compile(r"(?:,|\.|;)?\s*(?:\(?\b(?:vol|volume|no|issue)\b\.?\s*\d|\d+\s*\(|\d+\s*[,:;]|"
                            r"\(?" + _YEAR + r"\b|pp?\.\s*\d|pages\s+\d|\bin press\b)", re.IGNORECASE)
_RANGE = r"[A-Za-z]?\d+(?:\s*[-–—]\s*[A-Za-z]?\d+)?"
_PAGES = re.compile(r"\b(?:pp?\.|pages)\s*(" + _RANGE + ")", re.IGNORECASE)
_VOLUME = re.compile(r"\bvol(?:ume)?\.?\s*(\d+)", re.IGNORECASE)
_NUMBER = re.compile(r"\b(?:no|issue)\.?\s*(\d+(?:\s*[-–]\s*\d+)?)", re.IGNORECASE)
# "33(8):831-8", "6 (3): 255-64", "14(1):3–35", "33, 831–838", "2006;11(15-16):741-8"
_COMPACT = re.compile(r"(?<![\d.])(?P<volume>\d{1,5})\s*(?:\(\s*(?P<issue>[\w\-–/ ]{1,12}?)\s*\))?\s*[:,]\s*"
                      r"(?P<pages>" + _RANGE + r")(?![\d])")
_PARTICLES = frozenset({"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "dos", "das", "le", "la",
                        "ter", "ten", "zu", "af", "bin", "ibn", "st."})
_COMPOUND_HEADS = frozenset({"self", "high", "low", "well", "time", "long", "short", "large", "small", "full", "cross",
                             "non", "co", "multi", "semi", "anti", "pre", "post", "real", "two", "three", "first",
                             "second", "one", "state", "model", "data", "goal", "user", "open", "closed", "fine",
                             "coarse", "sub", "super", "inter", "intra", "meta", "mid", "over", "under", "re"})
_NAME_WORD = re.compile(r"^(?:[" + _UPPER + r"][\w'’\-]*\.?|[" + _UPPER + r"]{1,3}|[" + _UPPER
                        + r"]\.(?:-?[" + _UPPER + r"]\.?)*)$")
_INITIALS = re.compile(r"^(?:[" + _UPPER + r"][a-z]?\.?\s*-?\s*){1,4}$")
_ORGANISATION = re.compile(r"\b(?:Organi[sz]ation|Association|Society|Institute|Consortium|Group|Committee|Council|"
                           r"Agency|Department|Ministry|University|Cent(?:re|er)|Foundation|Collaboration|Network|"
                           r"Team|Office|Board|Commission|Bureau|Project)\b")
_IEEE_NAME = re.compile(r"(?:[" + _UPPER + r"][a-z]?\.\s?-?\s?)+(?:(?:van|von|der|den|de|del|di|da|du|le|la)\s)*["
                        + _UPPER + r"][\w'’\-]+(?:\s[" + _UPPER + r"][\w'’\-]+(?=[\s,]))?")
_IEEE_AUTHORS = re.compile(r"^(" + _IEEE_NAME.pattern + r"(?:(?:,\s(?:and\s)?|\sand\s)" + _IEEE_NAME.pattern
                           + r")*(?:,?\s+et\s+al\.)?),\s+")
_INVERTED_NAME = (r"(?:(?:van|von|der|den|de|del|di|da|du|le|la)\s)*[" + _UPPER + r"][\w'’\-]+(?:\s[" + _UPPER
                  + r"][\w'’\-]+)?,\s(?:[" + _UPPER + r"][a-z]?\.\s?-?\s?)+")
_INVERTED_AUTHORS = re.compile(r"^(" + _INVERTED_NAME + r"(?:(?:,\s|,?\s&\s|,?\sand\s)" + _INVERTED_NAME
                               + r")*(?:,?\s*et\s+al\.)?)\s*(?=[" + _UPPER + r"“\"0-9])")
_VANCOUVER_INITIALS = re.compile(r"^[" + _UPPER + r"]{1,4}$")


@dataclass
class ReferenceList:
    references: list[FoundReference] = field(default_factory=list)
    unparsed: list[tuple[int, str]] = field(default_factory=list)  # (line, text) read as neither
    layout: str = ""  # "numbered", "hanging", "blank", "content"


# -------------------------------------------------------------------------------------------------
# step 1: lines -> reference texts


@dataclass
class _Line:
    number: int  # 1-based, as an editor counts
    text: str  # form feeds and control characters removed, right-stripped
    indent: int
    page_break: bool = False  # a form feed was on this line


def _clean(lines: list[str]) -> list[_Line]:
    cleaned = []
    for number, raw in enumerate(lines, 1):
        text = re.sub(r"[\f\v\x00-\x08\x0e-\x1f]", "", raw).replace("\t", "    ").rstrip()
        cleaned.append(_Line(number, text, len(text) - len(text.lstrip()), "\f" in raw))
    return cleaned


def _furniture(lines: list[_Line]) -> set[int]:
    """Line numbers of page numbers, headings, and running headers or footers: a short line next to
    a page break whose shape (digits aside) recurs at other page breaks."""
    content = [line for line in lines if line.text.strip()]
    near_break: list[_Line] = []
    for index, line in enumerate(content):
        if line.page_break:
            near_break.extend(content[max(index - 1, 0):index + 2])
    shape = Counter(re.sub(r"\d+", "#", line.text.strip()) for line in near_break if len(line.text.strip()) <= 80)
    dropped = set()
    for line in content:
        stripped = line.text.strip()
        if _PAGE_NUMBER.match(stripped) or _HEADING.match(stripped):
            dropped.add(line.number)
    for line in near_break:
        stripped = line.text.strip()
        if len(stripped) <= 80 and shape[re.sub(r"\d+", "#", stripped)] >= 2 and not _YEAR_IN.search(stripped):
            dropped.add(line.number)
    return dropped


_YEAR_IN = re.compile(r"\b" + _YEAR + r"\b|10\.\d{4}")


def is_reference_heading(line: str) -> bool:
    """'References', '## Bibliography', 'Works Cited', 'Chapter 2 References', 'REFERENCES:'."""
    return bool(_HEADING.match(line))


def _markers(lines: list[_Line]) -> dict[int, int]:
    """Line number -> list number for numbered starts in sequence (1, 2, 3 ... or restarting at 1)."""
    found: dict[int, int] = {}
    expected = None
    for line in lines:
        match = _MARKER.match(line.text)
        if not match or not (match.group(1) or match.group(2)):
            continue
        number = int(match.group(1) or match.group(2))
        if number == 1 or (expected is not None and number == expected) or (expected is None and number <= 3):
            found[line.number] = number
            expected = number + 1
    return found


def _starts(lines: list[_Line]) -> tuple[set[int], str]:
    """Which lines open a reference, and the layout that says so."""
    content = [line for line in lines if line.text.strip()]
    if not content:
        return set(), ""
    numbered = _markers(content)
    if len(numbered) >= 3 and len(numbered) >= len(content) / 8:
        return set(numbered) | _unnumbered_starts(lines, set(numbered)), "numbered"
    bullets = {line.number for line in content if _MARKER.match(line.text)}
    if len(bullets) >= 3 and len(bullets) >= len(content) / 8:
        return bullets, "numbered"
    base = min(line.indent for line in content)
    at_base = [line for line in content if line.indent == base]
    indented = len(content) - len(at_base)
    if indented >= len(content) / 5 and sum(map(_opens_reference, at_base)) >= 0.7 * len(at_base):
        return {line.number for line in at_base}, "hanging"
    numbers = [line.number for line in lines]
    after_blank = {line.number for index, line in enumerate(lines) if line.text.strip()
                   and (index == 0 or not lines[index - 1].text.strip())}
    blocks = len(after_blank)
    if blocks >= 3 and len(content) > blocks * 1.2 and numbers:
        return after_blank, "blank"
    return _content_starts(lines), "content"


def _unnumbered_starts(content: list[_Line], numbered: set[int]) -> set[int]:
    """In a list that mixes styles, unnumbered references between numbered ones: a flush line that
    is a reference with authors and a year by itself, after a complete reference."""
    base = min(line.indent for line in content if line.number in numbered)
    starts, current = set(), ""
    for line in content:
        text = line.text.strip()
        if not text:
            current = ""
            continue
        if line.number in numbered:
            current = text
            continue
        if line.indent <= base and (not current or _complete(current)) and _author_start(text):
            ref = parse_reference_text(text)
            if ref is not None and ref.year and ref.authors:
                starts.add(line.number)
                current = text
                continue
        current += " " + text
    return starts


def _opens_reference(line: _Line) -> bool:
    """A line that can open a reference: an author list or an organisation, then more text."""
    text = _MARKER.sub("", line.text.strip())
    return bool(text) and (text[0].isupper() or text[0] in "“\"") and len(text) > 12


def _content_starts(lines: list[_Line]) -> set[int]:
    """Flush-left lists without blank lines: a line opens a reference when, read with the next line,
    it is one that starts with its authors, and the text so far already holds a year (so a wrapped
    author list is never cut). When the line names its year itself ('Smith, J. (2010).', 'Smith, J.,
    2010.') that is enough; otherwise the text so far must also end like a reference."""
    starts, current = set(), ""
    texts = [line.text.strip() for line in lines]
    for index, (line, text) in enumerate(zip(lines, texts)):
        if not text:
            current = ""
            continue
        following = texts[index + 1] if index + 1 < len(texts) else ""
        if not current or _ANY_YEAR.search(current) and _opens_with_authors(text, following, _complete(current)):
            starts.add(line.number)
            current = text
        else:
            current += " " + text
    return starts


def _opens_with_authors(text: str, following: str, after_complete: bool) -> bool:
    if not (after_complete and _author_start(text)) and not _PAREN_YEAR.search(text) \
            and not _AFTER_AUTHORS_YEAR.search(text):
        return False
    ref = parse_reference_text(f"{text} {following}".strip())
    if ref is None or not ref.authors or not (ref.year or ref.doi):
        return False
    first = ref.authors[0].family.split()[0] if ref.authors[0].family else ""
    if not first or first not in text[:80]:
        return False
    return after_complete or (ref.year in text and text.index(ref.year) < len(text) * 0.9)


def _complete(text: str) -> bool:
    return bool(_ANY_YEAR.search(text)) and bool(re.search(r"[.)\d]\s*$|\S+/\S+$", text))


_AUTHOR_START = re.compile(r"^(?:\[\d+\]|\d+[.)])?\s*(?:(?:" + "|".join(sorted(_PARTICLES)) + r")\s+)*[" + _UPPER
                           + r"][\w'’\-]+(?:,\s*[" + _UPPER + r"][\w.\-]*|\s+[" + _UPPER + r"]{1,3}[,.\s]|\s+["
                           + _UPPER + r"]\.|\s+[" + _UPPER + r"][\w'’\-]+[,\s])")


_INITIALS_START = re.compile(r"^(?:\[\d+\]|\d+[.)])?\s*[" + _UPPER + r"]\.(?:\s?-?[" + _UPPER + r"]\.)*\s+(?:(?:"
                             + "|".join(sorted(_PARTICLES)) + r")\s+)*[" + _UPPER + r"][\w'’\-]+[,\s]")


def _author_start(text: str) -> bool:
    """'Smith, J.', 'Smith J,', 'Smith, John', 'John Smith,', 'J. Smith,' at the start of a line."""
    return bool(_AUTHOR_START.match(text) or _INITIALS_START.match(text))


def _join(parts: list[str], vocabulary: set[str]) -> str:
    """Lines of one reference as one string: hyphenation undone, broken links rejoined."""
    joined = ""
    for part in (p.strip() for p in parts):
        if not joined:
            joined = part
            continue
        if _ends_inside_link(joined, part):
            joined += part
            continue
        hyphen = re.search(r"(\w+)-$", joined)
        head = re.match(r"([a-zà-ÿ]\w*)", part)
        if hyphen and head and not joined.rsplit(None, 1)[-1].startswith(("http", "10.")):
            first, second = hyphen.group(1), head.group(1)
            if _keeps_hyphen(first, second, vocabulary):
                joined += part
            else:
                joined = joined[:-1] + part
            continue
        joined += " " + part
    return joined


def _ends_inside_link(joined: str, part: str) -> bool:
    """A DOI or URL broken at the end of the line continues, without a space, on the next."""
    last = joined.rsplit(None, 1)[-1] if joined.split() else ""
    if not re.search(r"(?:https?://|doi\.org/|^doi:|^10\.\d{4,9}/)", last, re.IGNORECASE):
        return False
    first = part.split(None, 1)[0] if part.split() else ""
    if last.endswith((".", ",")) and not re.search(r"[/._\-]$", last.rstrip(".,")):
        return bool(re.match(r"^[\w./\-]+$", first)) and " " not in part.strip() and not first[0].isupper()
    return bool(re.search(r"[/._\-=?&]$", last)) or (" " not in part.strip() and not first[:1].isupper())


def _keeps_hyphen(first: str, second: str, vocabulary: set[str]) -> bool:
    whole = (first + second).casefold()
    if f"{first}-{second}".casefold() in vocabulary:
        return True
    if whole in vocabulary:
        return False
    return first.isupper() or any(c.isdigit() for c in first) or first.casefold() in _COMPOUND_HEADS


def _vocabulary(text: str) -> set[str]:
    return {w.casefold() for w in re.findall(r"\w+(?:-\w+)*", text)}


# -------------------------------------------------------------------------------------------------
# step 2: a reference text -> fields


def _sentence_ends(text: str, allow_initials: bool) -> list[int]:
    """Offsets just after each sentence end (., ?, !) followed by a space, skipping abbreviations
    and (unless allowed) single-letter initials."""
    ends = []
    for match in re.finditer(r"[.?!][”\"’']?\s+", text):
        before = text[:match.start()]
        word = re.search(r"([\w.]+)$", before)
        token = word.group(1) if word else ""
        if text[match.start()] == ".":
            bare = token.rstrip(".").casefold()
            if bare in _ABBREVIATIONS:
                continue
            bare_token = token.rstrip(".")
            if not allow_initials and bare_token[:1].isupper() and (
                    len(bare_token) == 1 or bare_token.isupper() and len(bare_token) <= 3
                    or bare_token in _TWO_LETTER_INITIALS):
                continue  # "J. Smith", "JA", "Th. Mann"; but "Jia Yu." ends the author list
            if re.fullmatch(r"(?:[A-Z]\.){2,}", token + "."):
                continue
        ends.append(match.end())
    return ends


def _vancouver_authors(text: str) -> int | None:
    """End offset of a Vancouver author list ('Smith JA, Jones K, et al. '), else None."""
    match = re.match(r"^((?:(?:" + "|".join(sorted(_PARTICLES)) + r")\s+)*[" + _UPPER + r"][\w'’\-]+(?:\s[" + _UPPER
                     + r"][\w'’\-]+)*\s[" + _UPPER + r"]{1,4}(?:,\s+|\.\s+|;\s+|$))+(?:et\s+al\.?\s*)?", text)
    if not match or not match.group(0).rstrip().endswith((".", "al")):
        return None
    # "Matthew J. Zahr, Kevin ...": the initial belonged to a name in natural order.
    if re.match(r"[" + _UPPER + r"][\w'’\-]+(?:,|\s+and\s)", text[match.end():]):
        return None
    return match.end()


def split_people(text: str) -> tuple[Person, ...]:
    """An author list in any order -> Persons ('et al.' becomes Person('others'))."""
    text = re.sub(r"\s+", " ", text).strip().rstrip(".,;: ")
    truncated = bool(re.search(r",?\s*(?:et al\.?|and others|…|\.\.\.)\s*$", text))
    text = re.sub(r",?\s*(?:et al\.?|and others)\s*$", "", text)
    parts = [p.strip() for p in re.split(r"\s*(?:;|,?\s+and\s+|,?\s*&\s*|,?\s+\.\.\.\s*|…|,)\s*", text) if p.strip()]
    people: list[Person] = []
    index = 0
    first = parts[0].split() if parts else []
    # "John Smith, Kate Jones": natural order throughout, unless the first name is a family name
    # with particles followed by its given names ("van der Berg, Anna").
    natural = len(first) >= 2 and not _VANCOUVER_INITIALS.match(first[-1]) \
        and not (first[0].casefold() in _PARTICLES and len(parts) > 1 and _is_given(parts[1]))
    while index < len(parts):
        part = parts[index]
        following = parts[index + 1] if index + 1 < len(parts) else ""
        words = part.split()
        family_like = len(words) == 1 or words[0].casefold() in _PARTICLES or (index == 0 and _is_family_phrase(words))
        vancouver = len(words) >= 2 and _VANCOUVER_INITIALS.match(words[-1]) and not _VANCOUVER_INITIALS.match(words[0])
        if not vancouver and not natural and following and _is_given(following) and family_like:
            people.append(Person(part, following))  # "Smith, J. A." / "Smith, John"
            index += 2
            continue
        if vancouver:
            people.append(Person(" ".join(words[:-1]), " ".join(words[-1])))  # "Smith JA"
        elif _ORGANISATION.search(part):
            people.append(Person(part))  # "World Health Organization"
        elif len(words) >= 2:
            people.append(_natural(words))  # "John A. Smith", "Bart van Bloemen Waanders"
        elif words:
            people.append(Person(part))  # an organisation or a lone name
        index += 1
    if truncated:
        people.append(Person("others"))
    return tuple(people)


def _is_given(text: str) -> bool:
    """'J. A.', 'J.-P.', 'JA', 'John', 'Kristin D.', 'Jean-Philippe' (a given-name part of 'Family, Given')."""
    words = text.split()
    if not words or len(words) > 3 or any(w.casefold() in _PARTICLES for w in words):
        return False
    if _INITIALS.match(text):
        return True
    return all(re.fullmatch(r"[" + _UPPER + r"][a-zà-ÿ'’]+(?:-[" + _UPPER + r"][a-zà-ÿ'’]+)?|[" + _UPPER + r"]\.?", w)
               for w in words) and len(words) <= 2


def _is_family_phrase(words: list[str]) -> bool:
    """'van der Berg', 'García Márquez', 'De Las Rivas': a family name of several words."""
    return len(words) <= 4 and (words[0].casefold() in _PARTICLES or all(w[:1].isupper() and len(w) > 2
                                                                          and not w.endswith(".") for w in words))


def _natural(words: list[str]) -> Person:
    """'Lorenz T Biegler' -> Biegler, 'Lorenz T'; particles and Jr stay with the family name."""
    suffix = [words.pop()] if len(words) > 2 and words[-1].rstrip(".").casefold() in ("jr", "sr", "ii", "iii") else []
    start = len(words) - 1
    while start > 1 and words[start - 1].casefold() in _PARTICLES:
        start -= 1
    return Person(" ".join(words[start:] + suffix), " ".join(words[:start]))


_TWO_LETTER_INITIALS = frozenset({"Th", "Ch", "Ph", "Sh", "Gy", "Zs", "Kh", "Ts", "Wm", "Jr", "Sr", "St"})
_LINKING = frozenset({"and", "et", "al", "al.", "others", "&"})
_ORGANISATION_LINKING = frozenset({"of", "for", "the", "on", "in", "and"})


def _looks_like_authors(text: str) -> bool:
    """Names only: every word capitalised, an initial, a particle or a linking word ('and', 'et al.');
    an organisation may also hold 'of', 'for', 'the'. Prose ('its effects are grounded') is not."""
    words = re.findall(r"[^\s,;&()]+", text)
    if not words or len(text) > 1200:
        return False
    organisation = bool(_ORGANISATION.search(text))
    for word in words:
        bare = word.strip(".:'’\"“”")
        if not bare or bare[0].isupper() or bare[0].isdigit() and organisation or word in ("…", "..."):
            continue
        folded = bare.casefold()
        if folded in _LINKING or folded in _PARTICLES or organisation and folded in _ORGANISATION_LINKING:
            continue
        return False
    people = split_people(text)
    return bool(people) and all(len(p.family.split()) <= 5 for p in people)


def _strip_links(text: str) -> tuple[str, str, str]:
    doi = ""
    match = _DOI.search(text)
    if match:
        doi = normalise_doi(match.group(1))
        text = (text[:match.start()] + text[match.end():]).strip()
    url = ""
    link = _URL.search(text)
    if link:
        url = link.group(1).rstrip(".,;")
        text = (text[:link.start()] + text[link.end():]).strip()
    text = re.sub(r"\s*\b(?:PMID|PMCID|ISBN|ISSN)\s*:?\s*[\w\-]+\.?", "", text)
    return re.sub(r"\s+", " ", text).strip(" ,;"), doi, url


def _title_and_rest(body: str) -> tuple[str, str]:
    body = body.strip().lstrip(".,: ")
    quoted = _QUOTED.match(body)
    if quoted:
        return quoted.group("title").strip().rstrip(".,"), body[quoted.end():]
    italic = re.match(r"^\*([^*]{3,})\*", body)
    if italic:
        return italic.group(1).strip().rstrip("."), body[italic.end():]
    ends = _sentence_ends(body, allow_initials=True)
    if not ends:
        return body.rstrip(". "), ""
    title = body[:ends[0]].strip()
    return (title[:-1] if title.endswith(".") else title).strip(), body[ends[0]:]


def _container_and_numbers(rest: str) -> dict[str, str]:
    rest = re.sub(r"^(?:In:?\s+|\[[^\]]*\]\.?\s*)", "", rest.strip().replace("*", ""), flags=re.IGNORECASE)
    fields: dict[str, str] = {}
    end = _CONTAINER_END.search(rest)
    container = (rest[:end.start()] if end else rest).strip(" .,;:")
    if container and len(container.split()) <= 20 and not re.match(r"^(?:pp?\.|\d)", container):
        fields["container"] = container
    volume, number, pages = _VOLUME.search(rest), _NUMBER.search(rest), _PAGES.search(rest)
    compact = None
    for match in _COMPACT.finditer(rest):
        if not re.fullmatch(_YEAR, match.group("pages")) and not re.fullmatch(_YEAR, match.group("volume")):
            compact = match
            break
    if volume or compact:
        fields["volume"] = volume.group(1) if volume else compact.group("volume")  # type: ignore[union-attr]
    issue = number.group(1) if number else compact.group("issue") if compact and not volume else ""
    if issue:
        fields["issue"] = issue.strip()
    found = pages.group(1) if pages else compact.group("pages") if compact and not volume else ""
    if found:
        fields["pages"] = re.sub(r"\s*[–—-]\s*", "-", found)
    return fields


def parse_reference_text(text: str, *, source: str = "", line: int | None = None) -> Reference | None:
    """One reference string in any of the styles above -> Reference; None when it is not one
    (no year, DOI or URL, or fewer than four words)."""
    raw = re.sub(r"\s+", " ", text).strip()
    body = _MARKER.sub("", raw, count=1).strip()
    body, doi, url = _strip_links(body)
    if len(body.split()) < 4 and not doi:
        return None
    authors_text, year, after = _split_authors_year(body)
    if authors_text is None:
        return None
    if not year:
        years = _ANY_YEAR.findall(after)
        year = years[-1] if years else ""
    if not (year or doi or url):
        return None
    title, rest = _title_and_rest(after)
    # A title that swallowed the year is a book or report title followed by its imprint.
    fields = _container_and_numbers(rest)
    entry_type = "article" if fields.get("volume") or fields.get("container") and fields.get("pages") else "misc"
    if re.search(r"\b(?:thesis|dissertation)\b", rest, re.IGNORECASE):
        entry_type = "phdthesis"
    elif re.search(r"\btechnical report\b|\breport\b", rest, re.IGNORECASE) and entry_type != "article":
        entry_type = "techreport"
    elif re.search(r"\barxiv\b", rest + url, re.IGNORECASE):
        entry_type = "preprint"
    elif re.match(r"\s*In[:\s]", rest) or re.search(r"\bProceedings\b|\bProc\.", rest):
        entry_type = "incollection" if re.match(r"\s*In[:\s]", rest) and "Proc" not in rest else "inproceedings"
    elif entry_type == "misc" and re.search(r"\b(?:Press|Publishers?|Springer|Wiley|Elsevier|SIAM|Books?)\b", rest):
        entry_type = "book"
    return Reference(key="", entry_type=entry_type, authors=split_people(authors_text), year=year, title=title,
                     doi=doi, url=url, source=source, line=line, raw=raw,
                     eprint=_arxiv(rest + " " + url), **fields)


def _arxiv(text: str) -> str:
    match = re.search(r"arxiv(?:\.org/abs/|:)\s*(\d{4}\.\d{4,5}|[a-z\-]+/\d{7})", text, re.IGNORECASE)
    return f"arXiv:{match.group(1)}" if match else ""


def _split_authors_year(body: str) -> tuple[str | None, str, str]:
    """(authors, year, what follows them) by the first anchor that fits; authors None: not a reference."""
    paren = _PAREN_YEAR.search(body)
    quoted = _QUOTED.search(body)
    # "Smith, J. (2010). Title": prose ("However, Smith (2010) found") has no full stop after the year.
    if paren and paren.start() > 0 and (not quoted or paren.start() < quoted.start()) \
            and (paren.group(0).endswith(".") or re.search(r"\b[" + _UPPER + r"]\.", body[:paren.start()])) \
            and _looks_like_authors(body[:paren.start()]):
        year = paren.group(1).replace(" ", "")  # "n.d." and "in press" are kept: no other year is looked for
        return body[:paren.start()], year, body[paren.end():]
    after = _AFTER_AUTHORS_YEAR.search(body)
    if after and (not quoted or after.start() < quoted.start()) and _looks_like_authors(body[:after.start()]) \
            and not _sentence_ends(body[:after.start() + 1] + " ", allow_initials=False)[:-1]:
        return body[:after.start()], after.group(1)[:4], body[after.end():]
    if quoted and quoted.start() > 0 and _looks_like_authors(body[:quoted.start()].rstrip(" ,.:")):
        return body[:quoted.start()].rstrip(" ,.:"), "", body[quoted.start():]
    vancouver = _vancouver_authors(body)
    if vancouver:
        return body[:vancouver], "", body[vancouver:]
    inverted = _INVERTED_AUTHORS.match(body)  # Nature, Science: "Smith, J. A. & Jones, K. Title. ..."
    if inverted:
        return inverted.group(1), "", body[inverted.end():]
    initials_first = _IEEE_AUTHORS.match(body)  # "S. W. Porges, The Polyvagal Theory. ..."
    if initials_first and not re.match(r"(?:and\s|&\s)|" + _IEEE_NAME.pattern, body[initials_first.end():]):
        return initials_first.group(1), "", body[initials_first.end():]
    colon = re.match(r"^([^:]{3,300}?):\s", body)  # LNCS: "Smith, J., Jones, K.: Title. ..."
    if colon and _INITIALS.match(colon.group(1).rsplit(",", 1)[-1].strip()) and _looks_like_authors(colon.group(1)):
        return colon.group(1), "", body[colon.end():]
    ends = _sentence_ends(body, allow_initials=False)
    if ends and _looks_like_authors(body[:ends[0]]):
        return body[:ends[0]], "", body[ends[0]:]
    return None, "", ""


# -------------------------------------------------------------------------------------------------
# the whole list


def read_reference_list(text: str, source: str = "") -> ReferenceList:
    """Every reference in `text` (a reference list, or the reference section of a document)."""
    lines = _clean(split_lines(text))
    furniture = _furniture(lines)
    kept = [line for line in lines if line.number not in furniture]
    starts, layout = _starts(kept)
    vocabulary = _vocabulary(text)
    result = ReferenceList(layout=layout)
    groups: list[list[_Line]] = []
    for line in kept:
        if not line.text.strip():
            if layout != "hanging" and layout != "numbered":
                groups.append([])
            continue
        if line.number in starts or not groups:
            groups.append([line])
        elif groups[-1] or layout in ("hanging", "numbered"):
            (groups[-1] if groups[-1] else groups[-2]).append(line)
        else:
            groups[-1].append(line)
    for group in (g for g in groups if g):
        joined = _join([line.text for line in group], vocabulary)
        ref = parse_reference_text(joined, source=source, line=group[0].number)
        if ref is None:
            result.unparsed.extend((line.number, line.text.strip()) for line in group)
        else:
            result.references.append(FoundReference(ref, group[0].number, group[-1].number))
    return result
