"""Turn a plain-text or Markdown-ish manuscript into a Quarto book project.

The layout follows Quarto's book projects (https://quarto.org/docs/books/book-structure.html):
`_quarto.yml` lists `index.qmd` (front matter and abstract), one chapter per top-level section
and `chapters/references.qmd`, whose `::: {#refs}` div is where pandoc's citeproc puts the
bibliography (pandoc manual, "Placement of the bibliography"). Citations become pandoc citations
(`[@key]`, narrative `@key`); every other character of the author's prose is carried over as
written. What cannot be mapped is returned as ImportIssues; the import still completes.

`plan_import` is pure (source in, file texts out); `write_import` is the only part that touches disk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from galleyproof.bib.bibtex import format_bibliography
from galleyproof.errors import UsageError
from galleyproof.fileio import atomic_write_text
from galleyproof.manuscript.authoryear import rewrite_line
from galleyproof.manuscript.document import Heading
from galleyproof.manuscript.qmd import strip_emphasis
from galleyproof.manuscript.reimport import (
    ChapterChanges,
    ImportRecord,
    chapter_changes,
    config_chapters,
    update_chapters,
)
from galleyproof.manuscript.source import Element, ImportIssue, SourceManuscript, load_source, slugify
from galleyproof.project import QUARTO_FILE, style_path

INDEX = "index.qmd"
REFERENCES_CHAPTER = "chapters/references.qmd"
BIBLIOGRAPHY = "references.bib"
CSL = "apa.csl"
CHAPTER_DIR = "chapters"
_BULLET = re.compile(r"^(\s*)[•◦▪‣]\s+")


@dataclass
class ImportPlan:
    """The project an import would write: relative path -> text, in writing order."""

    files: dict[str, str]
    chapters: list[str]  # chapter files in book order (as listed in _quarto.yml)
    issues: list[ImportIssue]


@dataclass
class ImportResult:
    into: Path
    written: list[str] = field(default_factory=list)  # relative paths written (new or changed)
    unchanged: list[str] = field(default_factory=list)  # already there with the same text
    kept: list[str] = field(default_factory=list)  # left alone (an existing _quarto.yml without --force)
    chapters: list[str] = field(default_factory=list)
    issues: list[ImportIssue] = field(default_factory=list)
    references: int = 0
    citations: int = 0
    changes: ChapterChanges = field(default_factory=ChapterChanges)  # against the existing book.chapters
    deleted: list[str] = field(default_factory=list)  # chapters dropped from the book, untouched: removed
    left: list[str] = field(default_factory=list)  # chapters dropped from the book but edited: left alone

    def as_dict(self) -> dict:
        return {"into": str(self.into), "written": self.written, "unchanged": self.unchanged,
                "kept": self.kept, "chapters": self.chapters, "references": self.references,
                "citations": self.citations, "issues": [i.as_dict() for i in self.issues],
                "chapter_changes": self.changes.as_dict(), "deleted": self.deleted, "left": self.left}


# --------------------------------------------------------------------------------------------------
# text of the pieces


def heading_text(element: Element) -> str:
    """The heading as written minus emphasis and a trailing colon: '2-1-3 Theoretical Dimensions ...'."""
    return strip_emphasis(element.lines[0]).strip().rstrip(":").strip()


def markdown_heading(element: Element, heading: Heading) -> str:
    level = min(max(heading.level, 1), 6)
    return f"{'#' * level} {heading_text(element)} {{#{heading.id}}}"


def prose_text(element: Element) -> str:
    """The element's lines as written, with author-year citations turned into pandoc citations and,
    in a list, typographic bullets ("•", pasted from a word processor) turned into Markdown's "-"."""
    lines = list(element.lines)
    for index in range(len(lines)):
        here = [c for c in element.citations if c.line == element.line + index]
        if here:
            lines[index] = rewrite_line(lines[index], here)
        if element.kind == "list":
            lines[index] = _BULLET.sub(r"\1- ", lines[index])
    return "\n".join(lines)


def _body(elements: list[Element]) -> str:
    parts = [markdown_heading(e, e.heading) if e.heading else prose_text(e) for e in elements]
    return "\n\n".join(parts) + "\n"


class _Dumper(yaml.SafeDumper):
    """Multi-line strings (an abstract from the source's front matter) as `|` blocks, as authors write them."""


_Dumper.add_representer(str, lambda dumper, value: dumper.represent_scalar(
    "tag:yaml.org,2002:str", value, style="|" if "\n" in value else None))


def _yaml(data: dict) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False,
                     width=4096)


def _authors(source: SourceManuscript) -> list[dict]:
    authors = []
    for author in source.front.authors:
        entry = {"name": author.name}
        if author.affiliation:
            entry["affiliation"] = author.affiliation
        if author.email:
            entry["email"] = author.email
        authors.append(entry)
    return authors


def index_text(source: SourceManuscript, before_chapters: list[Element]) -> str:
    """index.qmd: the source's own YAML front matter as written when it has one, else what the reader
    found (title, authors, keywords, dates), then the abstract and any text before the first chapter."""
    front = source.front
    meta: dict = dict(front.metadata) or {"title": front.title}
    if front.authors and not front.metadata:
        meta["author"] = _authors(source)
    if front.keywords and not front.metadata:
        meta["keywords"] = front.keywords
    if not front.metadata:
        meta.update(front.dates)
    parts = ["---\n" + _yaml(meta) + "---"]
    if front.abstract:
        parts.append("# Abstract {.unnumbered #sec-abstract}")
        parts += [prose_text(e) for e in front.abstract]
    if front.keywords_line:
        parts.append(front.keywords_line)
    if before_chapters:
        parts.append(_body(before_chapters).rstrip("\n"))
    return "\n\n".join(parts) + "\n"


def quarto_config(source: SourceManuscript, chapters: list[str]) -> str:
    """The `_quarto.yml` of a book (https://quarto.org/docs/reference/projects/books.html).

    `number-sections: false` because the author's own numbering stays in the heading text."""
    book: dict = {"title": source.front.title}
    written = source.front.metadata.get("author") or source.front.metadata.get("authors")
    if written:
        book["author"] = written  # Quarto's author schema, as the source's front matter wrote it
    elif source.front.authors:
        book["author"] = _authors(source)
    book["chapters"] = [INDEX, *chapters, REFERENCES_CHAPTER]
    config = {
        "project": {"type": "book", "output-dir": "_output", "execute-dir": "project"},
        "book": book,
        "bibliography": BIBLIOGRAPHY,
        "csl": CSL,
        "number-sections": False,
        "format": {"html": {"toc": True}, "pdf": {}, "docx": {}},
    }
    return _yaml(config)


def references_chapter() -> str:
    return "# References {.unnumbered #sec-references}\n\n::: {#refs}\n:::\n"


# --------------------------------------------------------------------------------------------------
# planning and writing


def split_chapters(elements: list[Element]) -> tuple[list[Element], list[list[Element]]]:
    """(elements before the first chapter, one element list per level-1 heading)."""
    before: list[Element] = []
    chapters: list[list[Element]] = []
    for element in elements:
        if element.heading and element.heading.level <= 1:
            chapters.append([element])
        elif chapters:
            chapters[-1].append(element)
        else:
            before.append(element)
    return before, chapters


def plan_import(source: SourceManuscript) -> ImportPlan:
    """Every file of the project, as text; issues are the reader's plus the importer's own."""
    issues = list(source.issues)
    if not source.front.title:
        issues.append(ImportIssue("no-title", "no title found (a first heading or title-like line); "
                                  "the book title is left empty", source.file, None))
    before, chapters = split_chapters(source.elements)
    if before and chapters and any(e.heading and e.heading.number for e in source.elements):
        issues.append(ImportIssue("heading-unplaced", "text before the first numbered section; put after "
                                  "the abstract in index.qmd", source.file, before[0].line,
                                  before[0].lines[0].strip()))
    names: list[str] = []
    files: dict[str, str] = {}
    for number, chapter in enumerate(chapters, 1):
        heading = chapter[0].heading  # split_chapters opens every chapter with its heading
        name = f"{CHAPTER_DIR}/{number:02d}-{slugify(heading.title if heading else '')}.qmd"
        names.append(name)
        files[name] = _body(chapter)
    files = {QUARTO_FILE: quarto_config(source, names), INDEX: index_text(source, before), **files,
             REFERENCES_CHAPTER: references_chapter(), BIBLIOGRAPHY: format_bibliography(source.references),
             CSL: style_path("apa").read_text(encoding="utf-8")}
    return ImportPlan(files, names, sorted(issues, key=lambda issue: issue.line or 0))


def write_import(plan: ImportPlan, into: Path | str, *, force: bool = False) -> ImportResult:
    """Write the plan under `into`.

    Into an existing project (reimport.py): `_quarto.yml` keeps every hand edit and only has its
    `book.chapters` brought up to date (replaced whole with `force`); a file the last import wrote and
    nobody edited since takes the new draft's text; any other file whose text would change is an error
    unless `force`, so a re-import never silently overwrites the author's edits. Chapters dropped from
    the book are deleted when untouched since the last import, else left in place; all is reported."""
    into = Path(into)
    if into.exists() and not into.is_dir():
        raise UsageError("--into must be a directory", into)
    result = ImportResult(into=into, chapters=plan.chapters, issues=list(plan.issues))
    record = ImportRecord.load(into)
    texts = dict(plan.files)
    book = [INDEX, *plan.chapters, REFERENCES_CHAPTER]
    old_book, rewritten = _update_config(into, texts, book, force, result)
    if old_book is not None:
        old_texts = {n: _read(into / n) for n in old_book if (into / n).is_file()}
        result.changes = chapter_changes(old_book, book, old_texts, texts)
    conflicts = []
    for name, text in texts.items():
        path = into / name
        if not path.exists():
            continue
        current = _read(path)
        if current == text:
            result.unchanged.append(name)
        elif name == QUARTO_FILE:
            if not force and not rewritten:
                result.kept.append(name)  # the user's file stays as it is
        elif not force and not record.untouched(name, current):
            conflicts.append(name)
    if conflicts:
        raise UsageError(f"would overwrite {', '.join(conflicts)} (changed since the last import); "
                         "use --force to replace them", into)
    for name, text in texts.items():
        if name not in result.unchanged and name not in result.kept:
            atomic_write_text(into / name, text)
            result.written.append(name)
    for old in result.changes.removed + [old for old, _ in result.changes.renamed]:
        path = into / old
        if path.is_file() and record.untouched(old, _read(path)):
            path.unlink()
            result.deleted.append(old)
        elif path.is_file():
            result.left.append(old)
    record.save(into, {n: texts[n] for n in result.written + result.unchanged if n != QUARTO_FILE})
    return result


def _update_config(into: Path, texts: dict[str, str], book: list[str], force: bool,
                   result: ImportResult) -> tuple[list[str] | None, bool]:
    """The existing `_quarto.yml`'s chapter list (None: no file, or not a plain list), and whether the
    text to write became the existing file with only its chapters replaced (not with `force`)."""
    path = into / QUARTO_FILE
    if not path.is_file():
        return None, False
    current = _read(path)
    old_book = config_chapters(current)
    if force or old_book is None or old_book == book:
        return old_book, False
    updated = update_chapters(current, book)
    if updated is None:
        result.issues.append(ImportIssue("chapters-not-updated", "_quarto.yml lists its chapters in a form "
                                         "the import does not rewrite; set book.chapters by hand",
                                         str(path), None))
        return old_book, False
    texts[QUARTO_FILE] = updated
    return old_book, True


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path.name}: {exc}", path) from None


def import_manuscript(source_path: Path | str, into: Path | str, *, force: bool = False) -> ImportResult:
    """Read `source_path` and write the Quarto project under `into`."""
    source = load_source(source_path)
    result = write_import(plan_import(source), into, force=force)
    result.references = len(source.references)
    result.citations = len(source.document.citations)
    return result
