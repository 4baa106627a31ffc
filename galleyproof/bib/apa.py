"""APA-style reference strings -> Reference records, and the citation keys we give them.

The shapes follow the APA Publication Manual, 7th edition, chapter 10 (reference examples):

    Author, A. A., Author, B. B., & Author, C. C. (Year). Title of article. Journal, 1(2), 3-4. https://doi.org/...
    Author, A. A. (Year). *Title of book*. Publisher.
    Author, A. A. (Year). Title of chapter. In E. Editor (Ed.), *Book* (pp. 1-10). Publisher.

As printed in manuscripts and on web pages: with or without Markdown italics (`*...*`), en dashes
in page ranges, DOIs as bare URLs or in angle brackets, an ellipsis for elided authors (APA 7 lists
the first 19, "...", then the last). We read what the author wrote and never correct it: a wrong
initial or journal stays wrong, so the audit can compare it with the registry.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import partial

from galleyproof.bib.doi import normalise_doi
from galleyproof.bib.model import Person, Reference

_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
# "(2010)." / "(2010a)." / "(n.d.)." closing the author part.
# No leading \s*: searched, it would rescan every blank run to its end (quadratic); callers strip.
_YEAR = re.compile(r"\((\d{4}[a-z]?|n\.\s?d\.)\)\.?\s*")
# One author: family name, comma, initials ("J. K.", "J.-P.", "Th.") or, as some lists print them,
# given names ("Kristin D.", "Jean-Philippe").
_INITIALS = r"(?:[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]?\.(?:\s*-\s*|\s+(?=[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]?\.))?)+"
_GIVEN_NAMES = (r"[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+(?:-[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+)?"
                r"(?:\s+(?:[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+|[A-ZÀ-ÖØ-Þ]\.)){0,2}(?=\s*(?:,|&|$))")
_AUTHOR = re.compile(r"(?P<family>[^\s,&.][^,&]*?),\s*(?P<given>" + _INITIALS + "|" + _GIVEN_NAMES + r")")
_ONLY_INITIALS = re.compile(r"^" + _INITIALS + r"$")
_AUTHOR_START = re.compile(r"^\s*(?:[-*+•]\s+)?" + _AUTHOR.pattern)
_SEPARATOR = re.compile(r"^[\s,&]*(?:(?:\.\s?\.\s?\.|…)[\s,&]*)?$")
_LINK = re.compile(r"\s*<?(?P<link>(?:https?://|doi:\s*)\S+?)>?\s*$", re.IGNORECASE)
_ARTICLE_TAIL = re.compile(
    r"(?P<container>[^,]+(?:,[^,]+?)*?),\s*(?P<volume>\d+[A-Za-z]?)"
    r"(?:\s*\((?P<issue>[^)]+)\))?"
    r"(?:,\s*(?P<pages>[A-Za-z]?\d+[A-Za-z]?(?:\s*[-–—]\s*[A-Za-z]?\d+[A-Za-z]?)?))?\.?$")
_CHAPTER_TAIL = re.compile(
    r"In\s+(?P<editors>.+?)\s+\((?:Eds?|Trans)\.\),\s*(?P<book>.+?)"
    r"(?:\s*\((?:pp?\.\s*)?(?P<pages>[A-Za-z]?\d+(?:\s*[-–—]\s*[A-Za-z]?\d+)?)\))?\.\s*(?P<publisher>.+?)\.?$")
# A title ends at sentence punctuation (possibly inside a closing quote) followed by a space.
_TITLE_END = re.compile(r"[.?!][”\"’']?\s+")
_DASHES = re.compile(r"\s*[–—]\s*")


def _split_authors(text: str) -> tuple[Person, ...] | None:
    """'Kiecolt-Glaser, J. K., Gouin, J.-P., & Hantsoo, L.' -> Persons; None unless wholly authors."""
    people, position = [], 0
    for match in _AUTHOR.finditer(text):
        if not _SEPARATOR.match(text[position:match.start()]):
            return None
        family = match.group("family").strip()
        if not family or len(family.split()) > 4 or not family[0].isalpha():
            return None
        people.append(Person(family=family, given=match.group("given").strip()))
        position = match.end()
    if not people or not _SEPARATOR.match(text[position:]):
        return None
    return tuple(people)


def _split_link(text: str) -> tuple[str, str, str]:
    """Remove a trailing DOI or URL; returns (rest, doi, url)."""
    match = _LINK.search(text)
    if not match:
        return text, "", ""
    link = match.group("link").rstrip(">")
    rest = text[:match.start()].rstrip()
    doi = normalise_doi(link) if re.search(r"doi\.org/|^doi:", link, re.IGNORECASE) else ""
    return rest, doi, "" if doi else link.rstrip(".")


def _split_title(body: str, italic_title: str) -> tuple[str, str]:
    """Title and what follows it. An italic span at the start is a book's title."""
    if italic_title and body.startswith(italic_title):
        return italic_title.strip(), body[len(italic_title):].lstrip(" .")
    for match in _TITLE_END.finditer(body):
        title = body[:match.end()].strip()
        # Keep the full stop inside a closing quote ('“... imagery.”'); drop one that ends the title.
        return (title[:-1] if title.endswith(".") else title), body[match.end():]
    return body.rstrip(". "), ""


def parse_reference(text: str, *, source: str = "", line: int | None = None, key: str = "") -> Reference | None:
    """One APA reference string -> Reference, or None when the text is not a reference."""
    raw = _BULLET.sub("", text.strip()).strip()
    year = _YEAR.search(raw)
    if not year or year.start() == 0:
        return None
    authors = _split_authors(raw[:year.start()].strip())
    if authors is None:
        return None
    if "." not in year.group(0) and not all(_ONLY_INITIALS.match(p.given) for p in authors):
        return None  # "However, Smith (2010) found..." is prose: a reference puts a full stop after the year
    body = raw[year.end():].strip()
    italic = re.match(r"\*([^*]+)\*", body)
    body = body.replace("*", "")
    body, doi, url = _split_link(body)
    title, tail = _split_title(body, italic.group(1) if italic else "")
    if not title:
        return None
    make = partial(Reference, key=key, authors=authors, year=year.group(1).replace(" ", ""), title=title,
                   doi=doi, url=url, source=source, line=line, raw=text.strip())
    tail = tail.strip()
    chapter = _CHAPTER_TAIL.match(tail)
    if chapter:
        return make(entry_type="incollection", container=chapter.group("book").strip(),
                    pages=_DASHES.sub("-", chapter.group("pages") or ""),
                    publisher=chapter.group("publisher").strip())
    article = _ARTICLE_TAIL.match(tail)
    if article and not italic:
        return make(entry_type="article", container=article.group("container").strip(),
                    volume=article.group("volume"), issue=(article.group("issue") or "").strip(),
                    pages=_DASHES.sub("-", article.group("pages") or ""))
    if tail and not re.search(r"\d", tail):
        return make(entry_type="book", publisher=tail.rstrip(". "))
    if not tail:
        return make(entry_type="misc")
    return None


@dataclass(frozen=True)
class FoundReference:
    reference: Reference
    first: int  # 1-based line the reference starts on
    last: int  # 1-based line it ends on (the same line unless it wraps)


def find_references(lines: list[str], source: str = "") -> list[FoundReference]:
    """The APA references among `lines`, each with the lines it spans (blank a line to hide it).

    Works on a reference section (bulleted or not, one reference per line or wrapped across lines,
    as lists copied from PDFs are) and on prose with references interleaved: a line is taken when it
    starts a reference, and the lines after it are joined to it only while each adds bibliographic
    fields (journal, volume, pages, DOI...) and is not a reference itself. A claim sentence after a
    complete reference adds nothing and stays out.
    """
    found, index = [], 0
    while index < len(lines):
        ref, joined, end = _reference_starting_at(lines, index, source)
        if ref is None:
            index += 1
            continue
        ref, joined, end = _extend(lines, ref, joined, end, source, index + 1)
        found.append(FoundReference(replace(ref, raw=joined, line=index + 1), index + 1, end))
        index = end
    return found


def parse_reference_list(text: str, source: str = "") -> list[Reference]:
    """Every APA reference in `text` (see `find_references`), keyed by `assign_keys`."""
    return assign_keys([f.reference for f in find_references(text.splitlines(), source)])


_MAX_WRAPPED_LINES = 4


def _reference_starting_at(lines: list[str], index: int, source: str) -> tuple[Reference | None, str, int]:
    """A reference whose text starts on `lines[index]`: that line alone, or, when the author list
    wraps before the year, with the next few lines; returns (reference, text, index after it)."""
    joined = lines[index].strip()
    ref = parse_reference(joined, source=source, line=index + 1)
    if ref is not None or not _AUTHOR_START.match(joined):
        return ref, joined, index + 1
    for end in range(index + 1, min(index + _MAX_WRAPPED_LINES, len(lines))):
        if not lines[end].strip():
            break
        joined += " " + lines[end].strip()
        ref = parse_reference(joined, source=source, line=index + 1)
        if ref is not None:
            return ref, joined, end + 1
    return None, lines[index].strip(), index + 1


def _extend(lines: list[str], ref: Reference, joined: str, end: int, source: str,
            line: int) -> tuple[Reference, str, int]:
    """Join the following lines while each makes the reference more complete."""
    while end < len(lines) and lines[end].strip() and end - line < _MAX_WRAPPED_LINES * 2:
        following = lines[end].strip()
        if parse_reference(following) is not None or _AUTHOR_START.match(following) and _YEAR.search(following):
            break
        candidate = parse_reference(joined + " " + following, source=source, line=line)
        if candidate is None or _completeness(candidate) <= _completeness(ref):
            break
        ref, joined, end = candidate, joined + " " + following, end + 1
    return ref, joined, end


def _completeness(ref: Reference) -> int:
    """How much of a reference's bibliographic detail is known; a wrapped line must add to it."""
    details = (ref.container, ref.volume, ref.issue, ref.pages, ref.doi, ref.url, ref.publisher)
    return sum(1 for value in details if value) + (ref.entry_type != "misc")


def ascii_letters(text: str) -> str:
    """'Kiecolt-Glaser' -> 'kiecoltglaser'; 'Müller' -> 'muller' (accents folded, non-letters dropped)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z]", "", folded.lower())


def make_key(ref: Reference) -> str:
    """First author's family name in lower-case ASCII, then the year: 'neff2003'."""
    name = ascii_letters(ref.first_author) or ascii_letters(ref.title.split()[0] if ref.title else "") or "anon"
    return name + (ref.year if ref.year[:1].isdigit() else "nd")


def assign_keys(refs: list[Reference]) -> list[Reference]:
    """Give each reference its key; works sharing a key all get 'a', 'b', ... in list order."""
    keys = [make_key(ref) for ref in refs]
    counts = {key: keys.count(key) for key in keys}
    seen: dict[str, int] = {}
    keyed = []
    for ref, key in zip(refs, keys):
        if counts[key] > 1:
            seen[key] = seen.get(key, 0) + 1
            key += _suffix(seen[key])
        keyed.append(replace(ref, key=key))
    return keyed


def _suffix(n: int) -> str:
    """1 -> 'a', 26 -> 'z', 27 -> 'aa'."""
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(ord("a") + rem) + letters
    return letters
