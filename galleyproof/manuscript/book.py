"""A project's sources read once: every chapter's text and Document, and the parsed bibliography.

The build reads a `Book` at its start and hands it to each step (validation, audit, claim checks,
cells), so no step reads or parses a chapter or the bibliography again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from galleyproof.bib.bibliography import load_bibliography
from galleyproof.bib.model import Bibliography, Reference
from galleyproof.manuscript.document import Document, read_text
from galleyproof.manuscript.qmd import parse_qmd

PARSED = "parsed:"  # the prefix of a digest of parsed content (render.cache compares it)


@dataclass(frozen=True)
class Chapter:
    path: Path
    name: str  # relative to the project root, as findings and errors name it
    text: str
    document: Document


@dataclass(frozen=True)
class Book:
    chapters: tuple[Chapter, ...]
    document: Document  # every chapter, in book order
    bibliography: Bibliography | None  # None: the project names no bibliography, or it is missing
    # Relative path -> digest of the parsed content, for files cells may read as well (the bibliography):
    # the cell cache keys on these, so a whitespace edit does not re-execute cells.
    digests: dict[str, str] = field(default_factory=dict)

    @property
    def references(self) -> list[Reference] | None:
        return self.bibliography.references if self.bibliography is not None else None

    def texts(self) -> dict[str, str]:
        return {c.name: c.text for c in self.chapters}

    def chapter(self, name: str) -> Chapter | None:
        return next((c for c in self.chapters if c.name == name), None)


def read_book(project) -> Book:
    """Read and parse every chapter and the bibliography (a missing bibliography is left to the caller
    to report with the _quarto.yml line that names it). Notebooks are left to the renderer."""
    chapters = []
    document = Document()
    for path in project.chapters:
        if Path(path).suffix.lower() == ".ipynb":
            continue
        name = project.relative(path)
        text = read_text(path)
        chapter = Chapter(path, name, text, parse_qmd(text, name))
        chapters.append(chapter)
        document.extend(_copy(chapter.document))
    bib = project.bibliography
    if bib is None or not bib.is_file():
        return Book(tuple(chapters), document, None)
    name = project.relative(bib)
    bibliography = load_bibliography(bib, name)
    digests = {name: f"{PARSED}{bibliography.digest}"} if bibliography.digest else {}
    return Book(tuple(chapters), document, bibliography, digests)


def _copy(doc: Document) -> Document:
    """A shallow copy, so extending the book's Document leaves each chapter's own lists alone."""
    return Document(list(doc.files), dict(doc.metadata), list(doc.headings), list(doc.blocks),
                    list(doc.citations), list(doc.cells))
