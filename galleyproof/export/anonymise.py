"""Anonymised copies for double-blind review: who wrote it, and where, leaves the manuscript.

Works on the assembled Pandoc Markdown of the prepared manuscript (never on the author's chapters):
the YAML front matter loses its identifying keys, sections titled Acknowledgements / Funding /
Author contributions are dropped, and every remaining mention of an author's name, family name,
e-mail or affiliation in the prose is replaced by a neutral marker. Code blocks are left alone.
The renderer is then given `metadata_override()` so the PDF and DOCX metadata carry no author either;
`find_identity()` verifies the result in the rendered files (pypdf, python-docx), because a
self-citation in the reference list or a figure label can still name the author.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from galleyproof.manuscript.qmd import front_matter
from galleyproof.project import Author

MARKER = "[anonymised for review]"
IDENTIFYING_KEYS = ("author", "authors", "affiliation", "affiliations", "institute", "email", "thanks",
                    "acknowledgements", "acknowledgments", "funding", "corresponding", "orcid")
REMOVED_SECTIONS = re.compile(r"^(acknowledge?ments?|funding|author contributions?|declarations? of interest|"
                              r"conflicts? of interest|author note)\b", re.IGNORECASE)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*(\{[^}]*\})?\s*$")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


@dataclass(frozen=True)
class Identity:
    """The strings that identify the authors; matched case-insensitively on word boundaries."""

    names: tuple[str, ...]
    emails: tuple[str, ...]
    affiliations: tuple[str, ...]

    def terms(self) -> list[str]:
        return sorted({t for t in (*self.names, *self.emails, *self.affiliations) if len(t) >= 3},
                      key=len, reverse=True)


def identity_of(authors: tuple[Author, ...]) -> Identity:
    names, emails, affiliations = set(), set(), set()
    for author in authors:
        if author.name:
            names.add(author.name)
            parts = author.name.split()
            names |= {p for p in parts if len(p) >= 3}  # "CHARIF" and "Charif" alike (case-folded)
        if author.email:
            emails.add(author.email)
        for affiliation in filter(None, re.split(r";", author.affiliation)):
            affiliation = affiliation.strip()
            affiliations.add(affiliation)
            # "Abu Al-Qasim Saadallah University – Algiers 2": the institution alone also identifies.
            head = re.split(r"\s+[–—-]\s+|,", affiliation)[0].strip()
            if len(head.split()) >= 2:
                affiliations.add(head)
    return Identity(tuple(sorted(names)), tuple(sorted(emails)), tuple(sorted(affiliations)))


def _pattern(identity: Identity) -> re.Pattern | None:
    terms = identity.terms()
    if not terms:
        return None
    alternatives = "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in terms)
    return re.compile(rf"(?<![\w@.]){'(?:' + alternatives + ')'}(?![\w@])", re.IGNORECASE)


def _split_front_matter(text: str, name: str = "<manuscript>") -> tuple[dict, str]:
    """(front matter, the text after it), read as the Quarto Markdown reader reads it."""
    metadata, start = front_matter(text.splitlines(), name)
    return metadata, "".join(text.splitlines(keepends=True)[start:])


def split_sections(lines: list[str], titles: re.Pattern = REMOVED_SECTIONS) -> tuple[list[str], list[str]]:
    """(lines kept, lines of the sections whose title matches `titles`), headings included."""
    kept: list[str] = []
    dropped: list[str] = []
    dropping_level = 0
    fence = ""
    for line in lines:
        fence_match = _FENCE.match(line)
        if fence_match and (not fence or fence_match.group(1).startswith(fence)):
            fence = "" if fence else fence_match.group(1)
        heading = None if fence else _HEADING.match(line)
        if heading:
            level = len(heading.group(1))
            title = re.sub(r"^[\d.\-]+\s+", "", heading.group(2).strip("*_ "))
            if dropping_level and level <= dropping_level:
                dropping_level = 0
            if not dropping_level and titles.match(title):
                dropping_level = level
        (dropped if dropping_level else kept).append(line)
    return kept, dropped


def identifying_sections(text: str) -> str:
    """The Markdown of the acknowledgements-like sections, for the title page."""
    _, body = _split_front_matter(text)
    return "".join(split_sections(body.splitlines(keepends=True))[1])


def redact(text: str, identity: Identity) -> str:
    """Replace identifying strings in prose; fenced code is not prose and stays as written."""
    pattern = _pattern(identity)
    if pattern is None:
        return text
    combined = _PROTECTED_OR_TERM(pattern)
    out: list[str] = []
    prose: list[str] = []
    fence = ""
    for line in text.splitlines(keepends=True):
        fence_match = _FENCE.match(line)
        if fence_match and (not fence or fence_match.group(1).startswith(fence)):
            if not fence:  # prose ends here; a name may run across its line breaks
                out.append(combined.sub(_replace, "".join(prose)))
                prose = []
            fence = "" if fence else fence_match.group(1)
            out.append(line)
        elif fence:
            out.append(line)
        else:
            prose.append(line)
    out.append(combined.sub(_replace, "".join(prose)))
    return "".join(out)


def _PROTECTED_OR_TERM(pattern: re.Pattern) -> re.Pattern:
    # Link and image targets, attributes, inline code and citation keys are syntax, not prose:
    # redacting `charif.png` would break the image, `@charif2020` the citation.
    protected = r"\]\([^)]*\)|\{[^}]*\}|`[^`]*`|(?<![\w.])@[\w:.#$%&+?<>~/-]+"
    return re.compile(f"(?P<keep>{protected})|(?P<term>{pattern.pattern})", re.IGNORECASE)


def _replace(match: re.Match) -> str:
    return match.group("keep") or MARKER


def anonymise_markdown(text: str, identity: Identity) -> str:
    """The anonymised Pandoc Markdown of a whole manuscript."""
    metadata, body = _split_front_matter(text)
    metadata = {k: v for k, v in metadata.items() if k.lower() not in IDENTIFYING_KEYS}
    body = "".join(split_sections(body.splitlines(keepends=True))[0])
    body = redact(body, identity)
    front = f"---\n{yaml.safe_dump(metadata, allow_unicode=True, sort_keys=False)}---\n\n" if metadata else ""
    return front + body


def metadata_override() -> dict:
    """Metadata for the renderer: pandoc writes `author` into PDF (Typst) and DOCX core properties."""
    return {"author": [], "affiliation": [], "email": "", "thanks": "", "institute": []}


def find_identity(text: str, identity: Identity) -> list[str]:
    """Identifying strings still present in `text` (e.g. extracted from a rendered PDF)."""
    pattern = _pattern(identity)
    if pattern is None:
        return []
    flat = re.sub(r"\s+", " ", text)
    return sorted({m.group(0) for m in pattern.finditer(flat)}, key=str.lower)
