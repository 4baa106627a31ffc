"""What to audit: references (and, for a manuscript, its citations) from a project or a path.

    a project            its bibliography plus every citation in its chapters
    a bibliography file  its entries (no citations, so no cited/uncited findings): .bib (BibTeX,
                         biblatex), .json (CSL-JSON), .yaml/.yml (CSL-YAML)
    a .qmd or .md file   the bibliography named by its `bibliography:` front matter, and its citations
    anything else        a plain-text manuscript or APA-style reference list (galleyproof.manuscript.source):
                         its references, and its author-year citations when the prose has any

Nothing here executes a manuscript's code: .qmd files are only read as text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from galleyproof.audit.memo import load_bibliography  # the bib reader, memoised by file content
from galleyproof.bib.bibliography import READERS
from galleyproof.bib.encoding import decode, split_lines
from galleyproof.bib.model import BibIssue, Reference
from galleyproof.bib.reflist import is_reference_heading, read_reference_list
from galleyproof.errors import BibliographyError, ManuscriptError
from galleyproof.manuscript.book import Book
from galleyproof.manuscript.document import Citation
from galleyproof.manuscript.qmd import read_project_document, read_qmd

MANUSCRIPT_SUFFIXES = (".qmd", ".md", ".markdown", ".rmd")


@dataclass
class AuditInput:
    references: list[Reference]
    citations: list[Citation] | None  # None: no manuscript, so nothing can be cited or uncited
    source: str  # what was audited, as the user named it
    issues: list[BibIssue] = field(default_factory=list)  # what the readers noticed (warnings, unreadable entries)

    @property
    def warnings(self) -> list[str]:
        return [str(issue) for issue in self.issues if not issue.is_error]


def from_project(project, book: Book | None = None) -> AuditInput:
    """The project's references and citations; from `book` when the build has already read them."""
    if project.bibliography is None:
        raise BibliographyError("the project names no bibliography in _quarto.yml", project.config_path)
    if book is not None and book.bibliography is not None:
        return AuditInput(list(book.bibliography.references), book.document.citations, str(project.root),
                          list(book.bibliography.issues))
    bib = load_bibliography(project.bibliography, project.relative(project.bibliography))
    return AuditInput(bib.references, read_project_document(project).citations, str(project.root), bib.issues)


def _bibliographies(metadata: dict) -> list[str]:
    value = metadata.get("bibliography")
    if not value:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def from_path(path: Path | str) -> AuditInput:
    path = Path(path)
    if not path.is_file():
        raise ManuscriptError("no such file to audit", path)
    if path.suffix.lower() in READERS and not _is_project_file(path):
        bib = load_bibliography(path)
        return AuditInput(bib.references, None, str(path), bib.issues)
    if path.suffix.lower() in MANUSCRIPT_SUFFIXES:
        doc = read_qmd(path)
        bibs = [_bibliography_path(path, bib, index) for index, bib in enumerate(_bibliographies(doc.metadata))]
        if bibs:
            loaded = [load_bibliography(bib, str(bib)) for bib in bibs]
            return AuditInput([r for bib in loaded for r in bib.references], doc.citations, str(path),
                              [i for bib in loaded for i in bib.issues])
        if path.suffix.lower() == ".qmd":
            raise ManuscriptError("the front matter names no bibliography: to audit", path, 1)
    return _plain_text(path)


def _bibliography_path(manuscript: Path, value: str, index: int) -> Path:
    """A front matter's bibliography, refused (file and line) unless inside the manuscript's project: the
    folder of the nearest _quarto.yml, or the manuscript's own folder (its entries go to the registries)."""
    from galleyproof import paths, safe_yaml
    from galleyproof.errors import ConfigError
    from galleyproof.project import find_root

    try:
        root = find_root(manuscript.parent)
    except ConfigError:
        root = manuscript.parent.resolve()
    line = safe_yaml.line_in_file(manuscript, ("bibliography", index))
    return paths.inside_project(value, root, base=manuscript.parent, what="bibliography", source=manuscript,
                                line=line)


def _is_project_file(path: Path) -> bool:
    """_quarto.yml, galleyproof.yml and the like are configuration, not CSL bibliographies."""
    return path.name.startswith("_") or path.stem in ("galleyproof", "accepted-findings")


def _plain_text(path: Path) -> AuditInput:
    """A plain-text manuscript or reference list, in any common reference style.

    Two readers look at it: the manuscript reader (galleyproof.manuscript.source: prose, APA
    references and the author-year citations that point at them) and the reference-list reader
    (galleyproof.bib.reflist: APA, Harvard, Vancouver, numbered, Chicago, MLA), which reads the lines
    after the last References heading, or the whole file when there is none. The manuscript reader
    wins when it finds as many references, so a manuscript keeps its cited/uncited findings; otherwise
    the list is audited as a bare list, which cites nothing, so no citation is ever invented from it."""
    from galleyproof.bib.apa import assign_keys
    from galleyproof.manuscript.source import parse_source

    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise ManuscriptError("not a text file", path)
    decoded = decode(data)
    issues = [BibIssue("encoding", f"the file {decoded.note}", str(path))] if decoded.note else []
    listing = read_reference_list(_reference_section(decoded.text), str(path))
    manuscript = parse_source(decoded.text, str(path))
    if manuscript.references and len(manuscript.references) >= len(listing.references):
        return AuditInput(manuscript.references, manuscript.document.citations or None, str(path), issues)
    if not listing.references:
        raise BibliographyError("found no references in this file (read as APA, Harvard, Vancouver, numbered, "
                                "Chicago and MLA reference lists)", path)
    issues += [BibIssue("unparsed_reference", f"line {line} is not a reference: {text[:60]!r}", str(path), line)
               for line, text in listing.unparsed]
    return AuditInput(assign_keys([found.reference for found in listing.references]), None, str(path), issues)


def _reference_section(text: str) -> str:
    """The text after the last reference-list heading (earlier lines blanked, so line numbers hold)."""
    lines = split_lines(text)
    headings = [index for index, line in enumerate(lines) if is_reference_heading(line)]
    if not headings or headings[-1] == len(lines) - 1:
        return text
    first = _first_heading_of_last_run(lines, headings)
    return "\n" * first + "\n".join(lines[first:])


def _first_heading_of_last_run(lines: list[str], headings: list[int]) -> int:
    """Per-chapter lists put a heading before each list: read from the first heading that is
    followed only by reference lists, i.e. the first heading after the last paragraph of prose."""
    prose = [index for index, line in enumerate(lines) if len(line.split()) > 12 and not any(
        ch.isdigit() for ch in line) and index < headings[-1]]
    after_prose = [h for h in headings if not prose or h > prose[-1]]
    return after_prose[0] if after_prose else headings[-1]
