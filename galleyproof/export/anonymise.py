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

import yaml

from galleyproof.export.identity import ORCID, Identity, term_pattern
from galleyproof.export.identity import identity_of as _identity_of
from galleyproof.manuscript import numbering
from galleyproof.manuscript.qmd import front_matter
from galleyproof.project import Author

MARKER = "[anonymised for review]"
IDENTIFYING_KEYS = ("author", "authors", "affiliation", "affiliations", "institute", "email", "thanks",
                    "acknowledgements", "acknowledgments", "funding", "corresponding", "orcid")
REMOVED_SECTIONS = re.compile(r"^(acknowledge?ments?|funding|author contributions?|declarations? of interest|"
                              r"conflicts? of interest|author note)\b", re.IGNORECASE)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*(\{[^{}]*\})?\s*$")
_WHITESPACE = re.compile(r"\s+")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


def identity_of(authors: tuple[Author, ...]) -> Identity:
    """The identity set of the authors alone (names, e-mails, affiliations); see identity.identity_of."""
    return _identity_of(authors)


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
        # collapsed whitespace: the lazy title and `\s*` cannot then split a long blank run many ways
        heading = None if fence or not line.startswith("#") else _HEADING.match(_WHITESPACE.sub(" ", line))
        if heading:
            level = len(heading.group(1))
            title = numbering.title(heading.group(2).strip("*_ "))  # "VI. Acknowledgements", "A. Funding"
            if dropping_level and level <= dropping_level:
                dropping_level = 0
            if not dropping_level and titles.match(title):
                dropping_level = level
        (dropped if dropping_level else kept).append(line)
    return kept, dropped


def identifying_sections(text: str) -> str:
    """The Markdown of the acknowledgements-like sections and run-in paragraphs, for the title page."""
    _, body = _split_front_matter(text)
    lines = split_sections(body.splitlines(keepends=True))[1]
    return "".join(lines + split_run_in(body.splitlines(keepends=True))[1])


def split_run_in(lines: list[str], titles: re.Pattern = REMOVED_SECTIONS) -> tuple[list[str], list[str]]:
    """(lines kept, lines of run-in paragraphs such as `**Acknowledgements.** We thank ...`): a paragraph
    that opens with an acknowledgements-like title followed by `.`, `:` or the end of its emphasis."""
    kept: list[str] = []
    dropped: list[str] = []
    paragraph: list[str] = []
    fence = ""

    def flush() -> None:
        first = paragraph[0].lstrip(" >*_") if paragraph else ""
        match = titles.match(first)
        run_in = match is not None and first[match.end():match.end() + 1] in (".", ":", "*", "_")
        (dropped if run_in else kept).extend(paragraph)
        paragraph.clear()

    for line in lines:
        fence_match = _FENCE.match(line)
        if fence_match and (not fence or fence_match.group(1).startswith(fence)):
            fence = "" if fence else fence_match.group(1)
        if fence or fence_match or not line.strip():
            flush()
            kept.append(line)
        else:
            paragraph.append(line)
    flush()
    return kept, dropped


_URL = re.compile(r"<?(?:https?|ftp|mailto):[^\s<>()\[\]{}\"']*[^\s<>()\[\]{}\"'.,;:!?]>?", re.IGNORECASE)
# Code hosting and data archives: a link there names the authors' account or project.
_FORGE = re.compile(r"^<?(?:https?://)?(?:www\.)?(?:github\.com|gitlab\.com|bitbucket\.org|codeberg\.org|"
                    r"sr\.ht|osf\.io|huggingface\.co)/", re.IGNORECASE)
_ORCID_URL = re.compile(r"(?:https?://)?orcid\.org/" + ORCID.pattern, re.IGNORECASE)
_IMAGE = r"!\[(?P<alt>[^\[\]\n]*)\]\([^()\n]*\)"
# Link and image targets, attributes, inline code and citation keys are syntax, not prose.
_PROTECTED = r"\]\([^()\n]*\)|\{[^{}\n]*\}|`[^`\n]*`|(?<![\w.])@[\w:.#$%&+?<>~/-]+"


def redact(text: str, identity: Identity) -> str:
    """Replace identifying strings: the identity's terms, ORCID iDs and links to the authors' repositories,
    in prose and in code alike (echoed code and outputs reach the reviewer too). Syntax stays working:
    a link naming the authors loses its target (its text stays), an id or cross-reference `anon`."""
    pattern = term_pattern(identity)
    terms = pattern.pattern if pattern is not None else r"(?!x)x"
    combined = re.compile(rf"(?P<image>{_IMAGE})|(?P<keep>{_PROTECTED})|(?P<url>{_URL.pattern})|"
                          rf"(?P<orcid>{_ORCID_URL.pattern}|{ORCID.pattern})|(?P<term>{terms})", re.IGNORECASE)
    return combined.sub(lambda m: _replace(m, pattern), text)


def _replace(match: re.Match, pattern: re.Pattern | None) -> str:
    if match.group("image") is not None:  # the caption is prose; the file name is the package's business
        alt = match.group("alt")
        return "![" + (pattern.sub(MARKER, alt) if pattern is not None else alt) + match.group("image")[len(alt) + 2:]
    keep = match.group("keep")
    if keep is not None:
        if keep.startswith("](") and (pattern is not None and pattern.search(keep) or _FORGE.match(keep[2:])
                                      or _ORCID_URL.search(keep)):
            return "]{}"  # the link text stays, as a plain span
        if keep.startswith(("{", "@")) and pattern is not None:
            return pattern.sub("anon", keep)
        if keep.startswith("`") and pattern is not None:
            return pattern.sub(MARKER, keep)
        return keep
    url = match.group("url")
    if url is not None:
        if _FORGE.match(url) or (pattern is not None and pattern.search(url)) or _ORCID_URL.search(url):
            return MARKER
        return url
    return MARKER


def anonymise_markdown(text: str, identity: Identity) -> str:
    """The anonymised Pandoc Markdown of a whole manuscript."""
    metadata, body = _split_front_matter(text)
    metadata = {k: v for k, v in metadata.items() if k.lower() not in IDENTIFYING_KEYS}
    lines = split_sections(body.splitlines(keepends=True))[0]
    body = redact("".join(split_run_in(lines)[0]), identity)
    front = f"---\n{yaml.safe_dump(metadata, allow_unicode=True, sort_keys=False)}---\n\n" if metadata else ""
    return front + body


def metadata_override() -> dict:
    """Metadata for the renderer: pandoc writes `author` into PDF (Typst) and DOCX core properties."""
    return {"author": [], "affiliation": [], "email": "", "thanks": "", "institute": []}


def find_identity(text: str, identity: Identity) -> list[str]:
    """Identifying strings still present in `text` (e.g. extracted from a rendered PDF)."""
    pattern = term_pattern(identity)
    if pattern is None:
        return []
    flat = re.sub(r"\s+", " ", text)
    return sorted({m.group(0) for m in pattern.finditer(flat)}, key=str.lower)
