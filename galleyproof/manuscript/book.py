"""A project's sources read once: every chapter's text and Document, and the parsed bibliography.

The build reads a `Book` at its start and hands it to each step (validation, audit, claim checks,
cells), so no step reads or parses a chapter or the bibliography again. `Book.prose()` is each
chapter's prose as pandoc reads it (manuscript.prose), for the claim checks: read on first use and kept
in the build cache (`.galleyproof-cache/prose/<sha256 of the text>.json`), so a rebuild, `check` or
`export` starts pandoc only for a chapter whose text changed.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

from galleyproof.bib.bibliography import load_bibliography
from galleyproof.bib.model import Bibliography, Reference
from galleyproof.fileio import atomic_write_text, sha256_text
from galleyproof.manuscript.document import Document, read_text
from galleyproof.manuscript.prose import FORMAT_VERSION, Prose, read_texts
from galleyproof.manuscript.qmd import parse_qmd
from galleyproof.paths import BUILD_CACHE
from galleyproof.tools import pandoc_signature

PARSED = "parsed:"  # the prefix of a digest of parsed content (render.cache compares it)
PROSE_CACHE = Path(BUILD_CACHE) / "prose"  # under the project root, beside the cell cache


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
    prose_cache: Path | None = None  # where `prose()` keeps its readings; None: read every time
    _prose: dict[str, Prose] = field(default_factory=dict, init=False, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    @property
    def references(self) -> list[Reference] | None:
        return self.bibliography.references if self.bibliography is not None else None

    def texts(self) -> dict[str, str]:
        return {c.name: c.text for c in self.chapters}

    def chapter(self, name: str) -> Chapter | None:
        return next((c for c in self.chapters if c.name == name), None)

    def prose(self) -> dict[str, Prose]:
        """Each chapter's prose units (file name -> Prose), from the cache where its text was read before."""
        with self._lock:  # the claim checks may ask from another thread than the one that read the book
            if not self._prose and self.chapters:
                self._prose.update(read_chapters_prose(self.texts(), self.prose_cache))
            return dict(self._prose)


def read_chapters_prose(texts: dict[str, str], cache: Path | None) -> dict[str, Prose]:
    """Prose of each text: cached readings where the text (and pandoc) are unchanged, pandoc for the rest,
    the pandoc processes run side by side. The cache keeps only the readings of the current texts."""
    reader = _reader_signature()
    keys = {file: sha256_text(f"{reader}\0{text}") for file, text in texts.items()}
    found: dict[str, Prose] = {}
    for file, key in keys.items():
        cached = _load_prose(cache / f"{key}.json", file) if cache is not None else None
        if cached is not None:
            found[file] = cached
    missing = [f for f in texts if f not in found]
    if missing:
        found.update(read_texts({f: texts[f] for f in missing}))
        if cache is not None:
            _store(cache, {keys[f]: found[f] for f in missing}, {f"{k}.json" for k in keys.values()})
    return {file: found[file] for file in texts}


def _reader_signature() -> str:
    """What a cached reading depends on besides the text: its format and the pandoc binary (path, size,
    time), so a new pandoc reads every chapter again."""
    return f"galleyproof-prose/{FORMAT_VERSION} {pandoc_signature()}"


def _load_prose(path: Path, file: str) -> Prose | None:
    try:
        return Prose.from_json(json.loads(path.read_text(encoding="utf-8")), file)
    except (OSError, ValueError, KeyError, TypeError):
        return None  # an unreadable reading is a miss, never an error


def _store(cache: Path, readings: dict[str, Prose], keep: set[str]) -> None:
    """Write the new readings and drop those of texts the project no longer has (each edit would
    otherwise leave one behind). A cache that cannot be written is only slower, never an error."""
    try:
        for key, prose in readings.items():
            atomic_write_text(cache / f"{key}.json", json.dumps(prose.to_json()) + "\n")
        for stale in cache.glob("*.json"):
            if stale.name not in keep:
                stale.unlink(missing_ok=True)
    except OSError:
        pass


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
    cache = project.root / PROSE_CACHE
    bib = project.bibliography
    if bib is None or not bib.is_file():
        return Book(tuple(chapters), document, None, prose_cache=cache)
    name = project.relative(bib)
    bibliography = load_bibliography(bib, name)
    digests = {name: f"{PARSED}{bibliography.digest}"} if bibliography.digest else {}
    return Book(tuple(chapters), document, bibliography, digests, cache)


def _copy(doc: Document) -> Document:
    """A shallow copy, so extending the book's Document leaves each chapter's own lists alone."""
    return Document(list(doc.files), dict(doc.metadata), list(doc.headings), list(doc.blocks),
                    list(doc.citations), list(doc.cells))
