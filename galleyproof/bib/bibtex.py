"""BibTeX files through pybtex: read into References (with the line of each entry), write back.

pybtex does the parsing and the LaTeX; we only add line numbers, which pybtex does not keep,
so that every finding about an entry can point at it.
"""

from __future__ import annotations

import re
from pathlib import Path

from pybtex.backends.plaintext import Backend as TextBackend
from pybtex.database import BibliographyData, Entry, parse_string
from pybtex.database import Person as BibPerson
from pybtex.richtext import Text
from pybtex.scanner import PybtexSyntaxError

from galleyproof.bib.doi import normalise_doi
from galleyproof.bib.model import Person, Reference
from galleyproof.errors import BibliographyError

# One backend instance: render_as("text") looks the plugin up through entry points on every
# call (about 16 ms), which made reading a 1,000-entry .bib take minutes.
_TEXT_BACKEND = TextBackend()
_ENTRY_START = re.compile(r"^\s*@(\w+)\s*[{(]\s*([^,\s]+)\s*,", re.MULTILINE)


def plain(latex: str) -> str:
    """'The {\\"O}sterreich {Story}' -> 'The Österreich Story' (braces and LaTeX accents removed)."""
    if not latex:
        return ""
    if not any(ch in latex for ch in "\\{}~$%"):
        return latex.strip()  # nothing for LaTeX to do; skipping the parse keeps large files fast
    try:
        return Text.from_latex(latex).render(_TEXT_BACKEND).strip()
    except Exception:  # pybtex raises assorted errors on unbalanced input; fall back to stripping
        return latex.replace("{", "").replace("}", "").strip()


def entry_lines(text: str) -> dict[str, int]:
    """Key -> 1-based line of its `@type{key,` opening."""
    lines: dict[str, int] = {}
    line, counted_to = 1, 0
    for match in _ENTRY_START.finditer(text):
        # Count newlines only since the previous entry: linear in the file, not quadratic.
        line += text.count("\n", counted_to, match.start(2))
        counted_to = match.start(2)
        if match.group(1).lower() not in {"comment", "preamble", "string"}:
            lines.setdefault(match.group(2), line)
    return lines


def _person(p: BibPerson) -> Person:
    family = plain(" ".join(p.prelast_names + p.last_names))
    given = plain(" ".join(p.first_names + p.middle_names))
    return Person(family=family, given=given)


def _reference(key: str, entry: Entry, source: str, line: int | None) -> Reference:
    f = entry.fields
    container = f.get("journal") or f.get("booktitle") or f.get("journaltitle") or ""
    issue = f.get("number") or f.get("issue") or ""
    return Reference(
        key=key,
        entry_type=entry.type.lower(),
        authors=tuple(_person(p) for p in entry.persons.get("author", [])),
        year=plain(f.get("year", "")),
        title=plain(f.get("title", "")),
        container=plain(container),
        volume=plain(f.get("volume", "")),
        issue=plain(issue),
        pages=f.get("pages", "").replace("{", "").replace("}", "").replace("--", "-").strip(),
        doi=normalise_doi(f.get("doi", "")),
        publisher=plain(f.get("publisher", "")),
        url=f.get("url", ""),
        source=source,
        line=line,
    )


def parse_bibliography(text: str, source: str = "<string>") -> list[Reference]:
    """Parse BibTeX text. A syntax error or duplicate key raises BibliographyError with its line."""
    try:
        data = parse_string(text, "bibtex")
    except PybtexSyntaxError as exc:
        raise BibliographyError(f"BibTeX syntax error: {exc.args[0] if exc.args else exc}", source,
                                getattr(exc, "lineno", None)) from None
    except Exception as exc:  # pybtex reports duplicate keys and bad names as generic errors
        raise BibliographyError(f"cannot read BibTeX: {exc}", source) from None
    lines = entry_lines(text)
    return [_reference(key, entry, source, lines.get(key)) for key, entry in data.entries.items()]


def read_bibliography(path: Path | str) -> list[Reference]:
    """Read a .bib file into References, in file order."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BibliographyError("bibliography file not found", path) from None
    return parse_bibliography(text, str(path))


def _bib_person(person: Person) -> BibPerson:
    return BibPerson(first=person.given, last=person.family)


def to_entry(ref: Reference) -> Entry:
    pairs = [
        ("title", ref.title), ("journal" if ref.entry_type == "article" else "booktitle", ref.container),
        ("year", ref.year), ("volume", ref.volume), ("number", ref.issue),
        ("pages", ref.pages.replace("-", "--") if ref.pages else ""),
        ("publisher", ref.publisher), ("doi", ref.doi), ("url", ref.url),
    ]
    fields = [(name, value) for name, value in pairs if value]
    persons = {"author": [_bib_person(p) for p in ref.authors]} if ref.authors else {}
    return Entry(ref.entry_type, fields=fields, persons=persons)


def format_bibliography(refs: list[Reference]) -> str:
    """BibTeX text for `refs`, in the order given, stable from run to run."""
    data = BibliographyData()
    for ref in refs:
        data.add_entry(ref.key, to_entry(ref))
    return data.to_string("bibtex")
