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
from dataclasses import replace

from galleyproof.bib.doi import normalise_doi
from galleyproof.bib.model import Person, Reference

_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
# "(2010)." / "(2010a)." / "(n.d.)." closing the author part.
_YEAR = re.compile(r"\s*\((\d{4}[a-z]?|n\.\s?d\.)\)\.?\s*")
# One author: family name, comma, initials ("J. K.", "J.-P.", "Th.").
_INITIALS = r"(?:[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]?\.(?:\s*-\s*|\s+(?=[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]?\.))?)+"
_AUTHOR = re.compile(r"(?P<family>[^\s,&.][^,&]*?),\s*(?P<given>" + _INITIALS + r")")
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
    body = raw[year.end():].strip()
    italic = re.match(r"\*([^*]+)\*", body)
    body = body.replace("*", "")
    body, doi, url = _split_link(body)
    title, tail = _split_title(body, italic.group(1) if italic else "")
    if not title:
        return None
    fields = dict(key=key, authors=authors, year=year.group(1).replace(" ", ""), title=title, doi=doi,
                  url=url, source=source, line=line, raw=text.strip())
    tail = tail.strip()
    chapter = _CHAPTER_TAIL.match(tail)
    if chapter:
        return Reference(entry_type="incollection", container=chapter.group("book").strip(),
                         pages=_DASHES.sub("-", chapter.group("pages") or ""),
                         publisher=chapter.group("publisher").strip(), **fields)
    article = _ARTICLE_TAIL.match(tail)
    if article and not italic:
        return Reference(entry_type="article", container=article.group("container").strip(),
                         volume=article.group("volume"), issue=(article.group("issue") or "").strip(),
                         pages=_DASHES.sub("-", article.group("pages") or ""), **fields)
    if tail and not re.search(r"\d", tail):
        return Reference(entry_type="book", publisher=tail.rstrip(". "), **fields)
    if not tail:
        return Reference(entry_type="misc", **fields)
    return None


def parse_reference_list(text: str, source: str = "") -> list[Reference]:
    """Every line of `text` that is an APA reference, with its 1-based line, keyed by `assign_keys`.

    Works on a reference section (one reference per line, bulleted or not) and on prose with
    references interleaved: a line is taken only when it parses as a whole reference.
    """
    refs = []
    for number, line in enumerate(text.splitlines(), 1):
        ref = parse_reference(line, source=source, line=number)
        if ref is not None:
            refs.append(ref)
    return assign_keys(refs)


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
