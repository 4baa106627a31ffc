"""The embedded engine: execute cells (or take them from the cache), assemble Pandoc Markdown, convert.

`prepare()` turns a project into one Pandoc Markdown file plus figures in a work directory;
`convert()` turns that into HTML, PDF (pandoc's Typst writer, then the `typst` package), DOCX, JATS,
Typst or plain text. Quarto's own syntax that plain pandoc lacks is handled here: cells become their
outputs (cells.py), notebooks are sources (manuscript/notebook.py), shortcodes and inline code are
replaced (shortcodes.py), `execute:` defaults and a chapter's `title:` are honoured, and
cross-references, equations and callouts are handled by xref.lua before `--citeproc` (see
../../shared/NOTES.md: pandoc would otherwise read `@sec-x` as a citation). A document Quarto froze
(`execute: freeze`, or whose kernel is missing here) takes its Markdown from `_freeze/` (freeze.py).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload
from xml.etree import ElementTree

import yaml

from galleyproof import paths
from galleyproof.bib.encoding import utf8_copy
from galleyproof.errors import ConfigError, GalleyproofError, ManuscriptError, RenderError
from galleyproof.fileio import atomic_write_text
from galleyproof.manuscript.book import Book
from galleyproof.manuscript.document import CodeCell
from galleyproof.manuscript.metadata import authors as normalise_authors
from galleyproof.manuscript.metadata import flat_author, merge
from galleyproof.manuscript.notebook import is_notebook, read_notebook, relocate
from galleyproof.manuscript.qmd import front_matter, parse_qmd
from galleyproof.pipeline.progress import NullReporter, Reporter
from galleyproof.project import Output, Project, read_yaml
from galleyproof.render import freeze, look, pandoc
from galleyproof.render.cache import CACHE_DIR, Awaited, CellCache, ChapterRecord, ChapterStatus, cell_keys
from galleyproof.render.cells import Figure, cell_options, render_cell, should_evaluate
from galleyproof.render.kernel import (
    SOURCE_DATE_EPOCH,
    choose_kernel,
    execute_chapter,
    foreign_cells_message,
    kernel_identity,
)
from galleyproof.render.shortcodes import Embed, InlineCode, Scan, expand_includes, prose_lines, scan, substitute
from galleyproof.render.xrefs import unresolved_references

WORK_DIR = "work"
MARKDOWN_NAME = "manuscript.md"
# Document metadata handed to pandoc (Quarto's front matter keys, https://quarto.org/docs/reference/formats/html.html).
METADATA_KEYS = ("title", "subtitle", "author", "date", "abstract", "keywords", "lang", "abstract-title",
                 "number-sections", "crossref", "citation", "license", "copyright", "funding", "categories")
# Output format -> pandoc writer and options (pandoc manual, "Options", "Math rendering in HTML"; JATS per NOTES.md).
WRITERS: dict[str, list[str]] = {
    "html": ["-t", "html5", "--standalone", "--embed-resources", "--section-divs", "--mathml"],
    "docx": ["-t", "docx"],
    "typst": ["-t", "typst", "--standalone"],
    "pdf": ["-t", "typst", "--standalone"],
    "jats": ["-t", "jats_archiving+element_citations", "--standalone"],
    "plain": ["-t", "plain", "--wrap=none"],
}
SUFFIX = {"html": ".html", "docx": ".docx", "typst": ".typ", "pdf": ".pdf", "jats": ".xml", "plain": ".txt"}
# Cells Quarto shows as diagrams or runs in the browser: the embedded engine keeps them as code.
DISPLAY_ONLY = ("mermaid", "ojs", "dot", "graphviz")


@dataclass
class Prepared:
    """The assembled manuscript, ready for `convert()`."""

    root: Path
    markdown: Path
    resource_dir: Path
    metadata: dict[str, Any]
    figures: list[Figure]
    bibliography: Path | None
    csl: Path | None
    options: dict[str, dict[str, Any]] = field(default_factory=dict)  # format -> its `format:` options
    chapters: list[ChapterStatus] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # kernel, execute, pandoc, typst (seconds)
    warnings: list[str] = field(default_factory=list)
    bibliographies: tuple[Path, ...] = ()
    stem: str = "manuscript"
    unresolved: list[str] = field(default_factory=list)  # "file:line: @fig-x ..." cross-references
    heading_shift: int = 0  # pandoc's --shift-heading-level-by
    reads: set[str] = field(default_factory=set)  # files the cells read, relative to the root (build manifest)


def prepare(project: Project, *, fresh: bool = False, reporter: Reporter | None = None,
            work_dir: Path | None = None, output: Output | None = None, book: Book | None = None,
            awaited: Awaited | None = None) -> Prepared:
    """Execute (or load from the cache) every chapter of `output` (default: the project's first document)
    and write the assembled Markdown and figures.

    Chapters whose cells must run execute concurrently, one kernel each (a kernel spends most of its
    start-up waiting); a failure is raised for the first failing chapter in book order. Everything that
    can be wrong with the input (a missing CSL, an embed of a missing notebook, R cells without an R
    kernel) is reported before any kernel starts. `book`: the sources as the build already read them
    (manuscript.book), so no chapter is parsed twice. `awaited`: files the build is still writing (its
    claim-check report); the cells that may read them wait for them, the rest of the work does not.
    """
    reporter = reporter or NullReporter()
    output = output or project.outputs[0]
    folder = WORK_DIR if len(project.outputs) < 2 else f"{WORK_DIR}-{output.stem}"
    work = work_dir or project.root / CACHE_DIR / folder
    (work / "figures").mkdir(parents=True, exist_ok=True)
    for stale in (work / "figures").iterdir():
        stale.unlink()
    # A Latin-1 or BOM-prefixed .bib goes to pandoc as a UTF-8 copy (the audit names its encoding).
    bibliographies = tuple(utf8_copy(b, work) for b in _meta_paths(output.metadata, "bibliography"))
    csl = (_meta_paths(output.metadata, "csl") or (None,))[0]
    check_csl(project, csl)
    prepared = Prepared(project.root, work / MARKDOWN_NAME, work, {}, [], bibliographies[0] if bibliographies else None,
                        csl, timings={"kernel": 0.0, "execute": 0.0, "pandoc": 0.0, "typst": 0.0},
                        bibliographies=bibliographies, stem=output.stem)
    try:
        bodies = _assemble(project, output, prepared, fresh, reporter, book, awaited)
    except GalleyproofError as exc:
        raise in_notebook_cells(project, exc) from None
    prepared.warnings = [in_notebook_cells(project, w) for w in prepared.warnings]
    prepared.unresolved = [in_notebook_cells(project, w) for w in prepared.unresolved]
    if project.kind != "book":
        prepared.heading_shift = 1 - top_heading_level(bodies)
    atomic_write_text(prepared.markdown, "\n\n".join(b.strip("\n") for b in bodies) + "\n")
    return prepared


def _assemble(project: Project, output: Output, prepared: Prepared, fresh: bool, reporter: Reporter,
              book: Book | None = None, awaited: Awaited | None = None) -> list[str]:
    """Read, execute and render every chapter of `output`; the Markdown of each."""
    defaults: dict[str, Any] = output.metadata["execute"] if isinstance(output.metadata.get("execute"), dict) else {}
    chapters = [_read_chapter(project, path, defaults, output.metadata, book, fresh) for path in output.sources]
    notebooks = _embedded_notebooks(project, chapters, fresh)
    reporter.stage("chapters", len(chapters) + len(notebooks))
    cache = CellCache(project.root, digests=book.digests if book else None)
    _execute(project, chapters + notebooks, cache, fresh, prepared, reporter, awaited)
    by_path = {c.path: c for c in notebooks}
    bodies = [_chapter_markdown(project, chapter, prepared, by_path, book=project.kind == "book")
              for chapter in chapters]
    if project.appendices:  # xref.lua letters the chapters after this marker (Appendix A, Figure A.1)
        first = next((i for i, c in enumerate(chapters) if c.path in project.appendices), None)
        if first is not None:
            bodies[first] = "::: {.gp-appendices}\n:::\n\n" + bodies[first]
    prepared.metadata = _metadata(project, output)
    prepared.options = dict(output.format_options)
    # References are looked for in the author's lines, so their line numbers are the author's.
    prepared.unresolved = unresolved_references(
        [_Lines(c.name, c.source_lines, c.source_start) if c.thawed else c for c in chapters], bodies)
    return bodies


_NOTEBOOK_AT = re.compile(r"^(\S+\.ipynb):(\d+)(?=:)")


@overload
def in_notebook_cells(project: Project, found: str) -> str: ...
@overload
def in_notebook_cells(project: Project, found: GalleyproofError) -> GalleyproofError: ...
def in_notebook_cells(project, found):
    """A notebook's place given by its cell, not by a line of the Markdown it was read as."""
    if isinstance(found, str):
        match = _NOTEBOOK_AT.match(found)
        where = match and relocate(match.group(1), project.root / match.group(1), int(match.group(2)))
        return f"{where}{found[match.end():]}" if match and where else found
    if found.path and found.path.endswith(".ipynb") and found.line:
        where = relocate(found.path, project.root / found.path, found.line)
        if where:
            found.path, found.line = where, None
    return found


def top_heading_level(bodies: list[str]) -> int:
    """The highest heading level used. An article whose sections are `##` is numbered 1, 2, ... by Quarto
    (the title is the only level-1 heading), so the headings are shifted up for pandoc's numbering."""
    levels = [len(m.group(1)) for body in bodies for index in prose_lines(body.splitlines())
              if (m := re.match(r"^(#{1,6})\s", body.splitlines()[index]))]
    return min(levels, default=1)


def _meta_paths(meta: dict[str, Any], key: str) -> tuple[Path, ...]:
    value = meta.get(key)
    return tuple(Path(v) for v in (value if isinstance(value, list) else [value]) if v)


def check_csl(project: Project, csl: Path | None) -> None:
    """A missing or malformed CSL style stops the build here, naming the file, before any cell runs."""
    if csl is None:
        return
    name = project.relative(csl)
    if not csl.is_file():
        raise ConfigError(f"citation style {name} does not exist", project.config_path if project.config_path.is_file()
                          else name)
    try:
        root = ElementTree.parse(csl).getroot()
    except ElementTree.ParseError as exc:
        raise ConfigError(f"citation style is not valid XML: {exc}", name, exc.position[0]) from None
    if not root.tag.endswith("style"):
        raise ConfigError(f"not a CSL style (its root element is <{root.tag.split('}')[-1]}>, not <style>)", name, 1)


@dataclass
class _Chapter:
    name: str  # relative to the project root
    path: Path
    lines: list[str]
    body_start: int  # index of the first line after the front matter
    meta: dict[str, Any]
    defaults: dict[str, Any]  # `execute:` of _quarto.yml and the chapter's front matter
    cells: list[CodeCell]  # what runs in the kernel, in order: code cells and inline expressions
    sources: list[str | None]  # None: `eval: false`
    kernel: str
    cwd: Path
    scan: Scan
    shown: list[CodeCell] = field(default_factory=list)  # mermaid/ojs/dot cells kept as code
    stored: list[list[dict]] | None = None  # a notebook's own outputs, used when it is not executed
    outputs: list[list[dict]] = field(default_factory=list)
    thawed: freeze.Thawed | None = None  # Quarto's frozen result stands in for the cells (render/freeze.py)
    note: str = ""  # why a frozen result stands in although execution was asked for, or why it could not
    source_lines: list[str] = field(default_factory=list)  # the author's lines when `lines` are the frozen ones
    source_start: int = 0


@dataclass
class _Lines:
    name: str
    lines: list[str]
    body_start: int


def _read_chapter(project: Project, path: Path, defaults: dict, meta: dict[str, Any],
                  book: Book | None = None, fresh: bool = False) -> _Chapter:
    name = project.relative(path)
    notebook = read_notebook(path, name) if is_notebook(path) else None
    try:
        text = notebook.text if notebook else path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManuscriptError(f"cannot read chapter: {exc}", name) from None
    text = expand_includes(text, path, project.root, name)
    read = book.chapter(name) if book else None
    doc = read.document if read is not None and read.text == text else parse_qmd(text, name)  # parsed once
    # Before any cell runs; images are looked up from the chapter's folder, as Quarto does.
    paths.check_resources(rebase_images(text, path.parent, project.root), project.root, source=name)
    lines = text.splitlines()
    front, start = front_matter(lines, name)
    chapter_meta = merge(meta, front) if front else meta
    chapter_defaults = {**defaults, **(front.get("execute") or {})}
    found = scan(lines, start, path, project.root, name)
    execute_dir = (project.quarto.get("project") or {}).get("execute-dir")
    cwd = project.root if execute_dir == "project" else path.parent
    # `execute: enabled: false` turns execution off (https://quarto.org/docs/computations/execution-options.html).
    enabled = chapter_defaults.get("enabled") is not False
    # Quarto freezes what an engine executes: code cells or inline code, in a document that runs them
    # (a notebook runs only with `enabled: true`; otherwise its stored outputs are used, no kernel either way).
    executes = enabled and (notebook is None or chapter_defaults.get("enabled") is True) and (
        bool(found.inline or found.knitr_inline) or any(c.language.lower() not in DISPLAY_ONLY for c in doc.cells))
    # Freeze governs whole-project renders; a file rendered on its own always executes (Quarto, "Freeze").
    setting = freeze.policy(chapter_defaults) if executes and not fresh and not project.single else False
    # With `auto`, an outdated result is not converted at all (no pandoc run for its tables, and a figure
    # missing from it cannot stop a build that executes the cells anyway).
    thawed = freeze.thaw(project.root, path, pandoc.html_to_markdown, text,
                         current_only=setting == "auto") if setting else None
    if thawed is not None:
        return _thawed_chapter(project, path, name, (lines, start, front, chapter_defaults, cwd, found), thawed)
    note = freeze.unreadable(project.root, path) if setting else ""
    try:
        kernel, language = choose_kernel(chapter_meta, notebook, doc.cells, name,
                                         found.knitr_inline[0] if found.knitr_inline else None)
        runs, shown = _runnable(doc.cells, found.inline, language, name)
    except (RenderError, ManuscriptError) as exc:
        # No kernel here runs this document: its frozen result, when committed, stands in (with a note).
        thawed = freeze.thaw(project.root, path, pandoc.html_to_markdown, text) if executes else None
        if thawed is None:
            raise
        chapter = _thawed_chapter(project, path, name, (lines, start, front, chapter_defaults, cwd, found), thawed)
        chapter.note = (f"{exc}; the frozen result {thawed.results} is shown instead"
                        + ("" if thawed.current else ", made from an earlier version of the file"))
        return chapter
    sources = [c.source if enabled and should_evaluate(cell_options(c, chapter_defaults)) else None for c in runs]
    chapter = _Chapter(name, path, lines, start, front, chapter_defaults, runs, sources, kernel, cwd, found, shown)
    chapter.note = note
    if notebook is not None and not chapter_defaults.get("enabled", False):
        chapter.stored = _align_stored(runs, notebook.outputs)
    return chapter


def _thawed_chapter(project: Project, path: Path, name: str, read: tuple, thawed: freeze.Thawed) -> _Chapter:
    """A chapter whose Markdown is its frozen result: nothing runs; diagrams stay code as usual."""
    lines, start, front, defaults, cwd, source = read
    frozen_start = front_matter(thawed.lines, name)[1]
    found = scan(thawed.lines, frozen_start, path, project.root, name)
    found.unknown = source.unknown  # reported at the author's lines, not the frozen Markdown's
    shown = [c for c in parse_qmd("\n".join(thawed.lines), thawed.results).cells if c.language.lower() in DISPLAY_ONLY]
    return _Chapter(name, path, thawed.lines, frozen_start, front, defaults, [], [], "", cwd, found, shown,
                    thawed=thawed, source_lines=lines, source_start=start)


def _runnable(cells: list[CodeCell], inline: list[InlineCode], language: str,
              name: str) -> tuple[list[CodeCell], list[CodeCell]]:
    """The kernel's cells and inline expressions in document order, and the cells kept as code."""
    runs, shown = [], []
    for cell in cells:
        lang = cell.language.lower()
        if lang in DISPLAY_ONLY:
            shown.append(cell)
        elif lang == language:
            runs.append(cell)
        else:
            raise ManuscriptError(foreign_cells_message(lang, language), name, cell.line)
    for code in inline:
        if code.language != language:
            raise ManuscriptError(foreign_cells_message(code.language, language, inline=True), name, code.line)
        runs.append(CodeCell(language, INLINE_SOURCE.format(code=code.code), {"echo": False, "inline": True},
                             name, code.line, code.line))
    return sorted(runs, key=lambda c: c.line), shown


# Inline code prints its value as Markdown: a string as it is, an object by its Markdown repr or str().
INLINE_SOURCE = """_gp_value = ({code})
_gp_markdown = getattr(_gp_value, "_repr_markdown_", None)
print(_gp_markdown() if callable(_gp_markdown) else str(_gp_value), end="")"""


def _align_stored(runs: list[CodeCell], stored: list[list[dict]]) -> list[list[dict]]:
    """A notebook's stored outputs, one list per code cell (inline expressions have none stored)."""
    outputs, cells = [], iter(stored)
    for cell in runs:
        outputs.append([] if cell.options.get("inline") else next(cells, []))
    return outputs


def _embedded_notebooks(project: Project, chapters: list[_Chapter], fresh: bool = False) -> list[_Chapter]:
    """The notebooks that chapters embed from, each read once, with its own metadata and kernel."""
    found: dict[Path, _Chapter] = {}
    for chapter in chapters:
        for embed in chapter.scan.embeds:
            if embed.notebook not in found:
                meta = merge(project.quarto, {})
                defaults: dict[str, Any] = meta["execute"] if isinstance(meta.get("execute"), dict) else {}
                found[embed.notebook] = _read_chapter(project, embed.notebook, defaults, meta, fresh=fresh)
            target = found[embed.notebook]
            labels = target.thawed.cells if target.thawed else [str(c.options.get("label") or "") for c in target.cells]
            if embed.label not in labels:
                raise ManuscriptError(f"{{{{< embed >}}}}: {target.name} has no cell labelled {embed.label!r}",
                                      embed.file, embed.line)
    return list(found.values())


def _execute(project: Project, chapters: list[_Chapter], cache: CellCache, fresh: bool, prepared: Prepared,
             reporter: Reporter, awaited: Awaited | None = None) -> None:
    """Fill each chapter's outputs from the notebook, the cache or a kernel; record statuses and timings."""
    fig_dpi = figure_dpi(project)
    pending = []
    for chapter in chapters:
        if chapter.note:
            _warn(prepared, chapter.note)
        if chapter.thawed is not None:
            prepared.reads.update(chapter.thawed.files)  # a new frozen result rebuilds the document
            for warning in chapter.thawed.warnings:
                _warn(prepared, f"{chapter.thawed.results}: {warning}")
            prepared.chapters.append(ChapterStatus(chapter.name, len(chapter.cells), "frozen"))
            reporter.item("chapters", chapter.name, "frozen")
            continue
        if chapter.stored is not None:
            chapter.outputs = chapter.stored
            prepared.chapters.append(ChapterStatus(chapter.name, len(chapter.cells), "stored"))
            reporter.item("chapters", chapter.name, "stored")
            continue
        if chapter.cells and all(source is None for source in chapter.sources):
            chapter.outputs = [[] for _ in chapter.cells]  # nothing to evaluate: no kernel
            prepared.chapters.append(ChapterStatus(chapter.name, len(chapter.cells), "not executed"))
            reporter.item("chapters", chapter.name, "not executed")
            continue
        kernel = _kernel_key(project, chapter, fig_dpi)
        keys = cell_keys(chapter.sources, kernel)
        record = None if fresh or not chapter.cells else cache.lookup(chapter.name, keys, awaited)
        if chapter.cells and record is None:
            pending.append((chapter, keys, kernel))
            continue
        chapter.outputs = record.outputs if record else []
        prepared.reads.update(record.inputs if record else ())
        status = "cached" if record else "no cells"
        prepared.chapters.append(ChapterStatus(chapter.name, len(chapter.cells), status))
        reporter.item("chapters", chapter.name, status)
    if pending:
        _run_pending(project, pending, cache, prepared, reporter, fig_dpi, awaited)
    order = {c.name: i for i, c in enumerate(chapters)}
    prepared.chapters.sort(key=lambda status: order[status.chapter])


def _kernel_key(project: Project, chapter: _Chapter, fig_dpi: int | None) -> str:
    """Outputs depend on the kernel, the resolution and the working directory."""
    key = kernel_identity(chapter.kernel) + (f"/fig-dpi-{fig_dpi}" if fig_dpi else "")
    cwd = project.relative(chapter.cwd)
    return key + ("" if cwd in (".", str(project.root)) else f"/cwd-{cwd}")


def _run_pending(project: Project, pending: list, cache: CellCache, prepared: Prepared, reporter: Reporter,
                 fig_dpi: int | None, awaited: Awaited | None = None) -> None:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=min(len(pending), os.cpu_count() or 1)) as pool:
        futures = [pool.submit(execute_chapter, chapter.sources, cwd=chapter.cwd, chapter=chapter.name,
                               lines=[c.line for c in chapter.cells], fig_dpi=fig_dpi, kernel_name=chapter.kernel,
                               timeout=cell_timeout(chapter.defaults),
                               code_lines=[c.first_code_line for c in chapter.cells],
                               ready=awaited.wait if awaited else None) for chapter, _, _ in pending]
        for (chapter, keys, kernel), future in zip(pending, futures):
            run = future.result()  # re-raises the chapter's CellError
            chapter.outputs = run.outputs
            inputs = cache.input_hashes(run.reads, exclude=(project.root / CACHE_DIR,))
            cache.store(ChapterRecord(chapter.name, kernel, keys, run.outputs, inputs))
            prepared.reads.update(inputs)
            prepared.timings["kernel"] += run.kernel_seconds
            prepared.timings["execute"] += run.execute_seconds
            seconds = run.kernel_seconds + run.execute_seconds
            prepared.chapters.append(ChapterStatus(chapter.name, len(chapter.cells), "executed", seconds))
            reporter.item("chapters", chapter.name, "executed")
    prepared.timings["cells_wall"] = prepared.timings.get("cells_wall", 0.0) + time.perf_counter() - started


def cell_timeout(defaults: dict[str, Any]) -> int:
    """Seconds a cell may run: `execute: timeout` (as in Jupyter Book and papermill), else 600."""
    value = defaults.get("timeout")
    return int(value) if isinstance(value, (int, float)) and value > 0 else 600


def _chapter_markdown(project: Project, chapter: _Chapter, prepared: Prepared, notebooks: dict[Path, _Chapter],
                      *, book: bool) -> str:
    lines = _inline_values(chapter)
    meta = {**project.metadata, **chapter.meta}
    embeds = {e.line: e for e in chapter.scan.embeds}
    lines = substitute(lines, chapter.body_start, meta, _variables(project),
                       lambda line: _embed_markdown(embeds[line], notebooks, prepared) if line in embeds else None)
    for file, line, code in chapter.scan.unknown:
        _warn(prepared, f"{file}:{line}: shortcode {code} is not supported by the embedded engine; left as written")
    replacements = {}
    outputs = dict(zip((c.line for c in chapter.cells), chapter.outputs))
    for index, cell in enumerate(chapter.cells, 1):
        if cell.options.get("inline"):
            continue
        rendered = _render(cell, cell_options(cell, chapter.defaults), outputs.get(cell.line, []), prepared,
                           f"{_stem(chapter.name)}-cell{index}")
        replacements[cell.line] = (_closing_fence(chapter.lines, cell), rendered)
    for cell in chapter.shown:
        _warn(prepared, f"{chapter.name}:{cell.line}: {cell.language} cells are not run by the embedded engine; "
                        "shown as code")
        replacements[cell.line] = (_closing_fence(chapter.lines, cell), _code_block(cell))
    body = _substitute(lines, chapter.body_start, replacements)
    body = _stage_frozen(prepared, rebase_images(body, chapter.path.parent, project.root))
    title = chapter.meta.get("title")
    if book and title and title != project.title:  # a book chapter's title is its heading; index.qmd repeats the book's
        body = f"# {title}\n\n{body}"
    return body


def _render(cell: CodeCell, options: dict[str, Any], outputs: list[dict], prepared: Prepared, stem: str) -> str:
    rendered = render_cell(
        cell, options, outputs,
        figure_path=lambda n: prepared.resource_dir / "figures" / f"{stem}-{n}.png",
        figure_ref=lambda p: p.relative_to(prepared.resource_dir).as_posix(),
        html_to_markdown=pandoc.html_to_markdown)
    prepared.figures += rendered.figures
    for warning in rendered.warnings:
        _warn(prepared, f"{cell.file}:{cell.line}: {warning}")
    return rendered.markdown


def _embed_markdown(embed: Embed, notebooks: dict[Path, _Chapter], prepared: Prepared) -> str:
    """The labelled cell's outputs, captioned and labelled as in the notebook; code only with `echo=true`."""
    notebook = notebooks[embed.notebook]
    if notebook.thawed is not None:
        code, shown = notebook.thawed.cells[embed.label]
        return "\n\n".join([code, shown] if embed.options.get("echo") == "true" and code else [shown])
    outputs = dict(zip((c.line for c in notebook.cells), notebook.outputs))
    cell = next(c for c in notebook.cells if str(c.options.get("label") or "") == embed.label)
    options = {**cell_options(cell, notebook.defaults), "echo": embed.options.get("echo") == "true", "include": True}
    return _render(cell, options, outputs.get(cell.line, []), prepared, f"{_stem(notebook.name)}-{embed.label}")


def _stage_frozen(prepared: Prepared, body: str) -> str:
    """Frozen figures (`_freeze/...`, render/freeze.py) copied beside the executed ones in the work
    directory and named from there: every writer, and an export's package, finds them as it finds those."""
    staged = {path: "figures/frozen-" + re.sub(r"[^A-Za-z0-9._-]", "-", path.split("/", 1)[1])
              for path in freeze.references(body)}
    for path, name in staged.items():
        if not (prepared.resource_dir / name).is_file():
            shutil.copyfile(prepared.root / path, prepared.resource_dir / name)
    for path, caption, label in freeze.figures(body):
        figure = Figure(prepared.resource_dir / staged[path], caption, label)
        if figure not in prepared.figures:
            prepared.figures.append(figure)
    for path, name in staged.items():
        body = body.replace(path, name)
    return body


def _inline_values(chapter: _Chapter) -> list[str]:
    """Lines with each inline expression replaced by the text its evaluation printed."""
    lines = list(chapter.lines)
    values: dict[int, list[str]] = {c.line: [] for c in chapter.cells if c.options.get("inline")}
    for cell, outputs in zip(chapter.cells, chapter.outputs):
        if cell.options.get("inline"):
            values[cell.line].append("".join(_stream_text(o) for o in outputs))
    for code in reversed(chapter.scan.inline):
        queue = values.get(code.line) or []
        index = [c for c in chapter.scan.inline if c.line == code.line].index(code)
        value = queue[index] if index < len(queue) else None
        if value is None:
            continue  # not evaluated (a notebook's stored outputs have none): left as code
        line = lines[code.line - 1]
        lines[code.line - 1] = line[:code.span[0]] + value + line[code.span[1]:]
    return lines


def _stream_text(output: dict) -> str:
    if output.get("output_type") == "stream" and output.get("name") == "stdout":
        text = output.get("text", "")
        return "".join(text) if isinstance(text, list) else str(text)
    return ""


def _variables(project: Project) -> dict[str, Any]:
    path = project.root / "_variables.yml"
    return (read_yaml(path) or {}) if path.is_file() else {}


def _code_block(cell: CodeCell) -> str:
    ticks = "`" * max(3, max((len(m) for m in re.findall(r"`{3,}", cell.source)), default=0) + 1)
    return f"{ticks} {{.{cell.language.lower()} .cell-code}}\n{cell.source.strip(chr(10))}\n{ticks}"


_IMAGE = re.compile(r"(!\[(?:[^\[\]]|\[[^\]]*\])*\]\()([^)\s]+)")


def rebase_images(body: str, folder: Path, root: Path) -> str:
    """Image paths written relative to a chapter in a subfolder, made relative to the project root (where
    the assembled document looks for them)."""
    if folder == root:
        return body

    def rebase(match: re.Match) -> str:
        src = match.group(2)
        if re.match(r"^[a-zA-Z][\w+.-]*:|^/", src) or not (folder / src).is_file():
            return match.group(0)
        return match.group(1) + os.path.relpath(folder / src, root).replace(os.sep, "/")

    return _IMAGE.sub(rebase, body)


def _stem(name: str) -> str:
    return name.replace("/", "-").rsplit(".", 1)[0]


def _warn(prepared: Prepared, message: str) -> None:
    if message not in prepared.warnings:
        prepared.warnings.append(message)


def _closing_fence(lines: list[str], cell: CodeCell) -> int:
    """0-based index of the line closing the cell opened at (1-based) `cell.line`."""
    opener = lines[cell.line - 1].strip()
    marker = opener[0]
    width = len(opener) - len(opener.lstrip(marker))
    for index in range(cell.line, len(lines)):
        stripped = lines[index].strip()
        if len(stripped) >= width and stripped == marker * len(stripped):
            return index
    return len(lines)  # left open: it runs to the end of the file (CommonMark), as parse_qmd reads it


def _substitute(lines: list[str], start: int, replacements: dict[int, tuple[int, str]]) -> str:
    out, index = [], start
    while index < len(lines):
        if index + 1 in replacements:
            end, markdown = replacements[index + 1]
            out += ["", markdown, ""] if markdown else []
            index = end + 1
            continue
        out.append(lines[index])
        index += 1
    return "\n".join(out)


def _metadata(project: Project, output: Output) -> dict[str, Any]:
    """The document metadata pandoc gets; authors flattened (metadata.flat_author), dates resolved."""
    meta = {k: output.metadata[k] for k in METADATA_KEYS if output.metadata.get(k) not in (None, "")}
    meta["title"] = str(output.metadata.get("title") or project.title)
    meta["author"] = [flat_author(a) for a in normalise_authors(output.metadata)]
    if project.kind == "book" and output.metadata.get("number-sections", True) is not False:
        meta["number-sections"] = True
        meta["gp-chapters"] = True  # xref.lua: chapter-prefixed figure numbers, as in Quarto books
    return meta


def figure_dpi(project: Project) -> int | None:
    """Quarto's `fig-dpi` (a format option; top level applies to every format). Cells execute once for
    all formats, so the finest resolution any format asks for serves them all."""
    values = [o.get("fig-dpi") for output in project.outputs for o in output.format_options.values()]
    values.append(project.metadata.get("fig-dpi"))
    numbers = [int(v) for v in values if isinstance(v, (int, float)) and v > 0]
    return max(numbers) if numbers else None


def _pandoc_options(options: dict[str, Any]) -> list[str]:
    """Quarto format options that are pandoc options of the same name (Quarto reference, "Table of Contents",
    "Numbering")."""
    args = ["--toc"] if options.get("toc") else []
    if options.get("toc") and options.get("toc-depth"):
        args.append(f"--toc-depth={int(options['toc-depth'])}")
    if options.get("number-sections"):
        args.append("--number-sections")
    return args


def _format_metadata(metadata: dict[str, Any], fmt: str) -> dict[str, Any]:
    """Per writer: pandoc's Typst and JATS templates read author.name/affiliation/email; the others print
    `author` as text. For Typst, `by-author` also carries Quarto's `attributes.corresponding` and each
    affiliation its `id`, and `affiliations` lists them: what an extension's Typst partials read."""
    meta = dict(metadata)
    if fmt in ("typst", "pdf") and meta.get("by-author"):
        meta["by-author"] = [{**a, "attributes": {"corresponding": bool(a.get("corresponding"))},
                              "affiliations": [{**f, "id": str(f.get("id") or f.get("number", ""))}
                                               for f in a.get("affiliations") or []]} for a in meta["by-author"]]
        meta["affiliations"] = [{**f, "id": str(f.get("id") or f.get("number", ""))}
                                for f in meta.get("by-affiliation") or []]
    if fmt not in ("typst", "pdf", "jats") and isinstance(meta.get("author"), list):
        meta["author"] = [a.get("name", "") if isinstance(a, dict) else a for a in meta["author"]]
    if isinstance(meta.get("keywords"), str):
        meta["keywords"] = [k.strip() for k in meta["keywords"].split(",") if k.strip()]
    if fmt in ("typst", "pdf") and meta.get("keywords"):
        # The Typst template splices keywords in bare, `keywords: (a,b)`; give it Typst strings.
        meta["keywords"] = ["`" + json.dumps(str(k)) + "`{=typst}" for k in meta["keywords"]]
    return meta


def convert(prepared: Prepared, fmt: str, out_path: Path, *, csl: Path | None = None,
            metadata: dict[str, Any] | None = None, extra_args: tuple[str, ...] | list[str] = (),
            typst_packages: Path | None = None) -> Path:
    """Write `prepared` as `fmt` (html | pdf | docx | jats | typst | plain) to `out_path`.

    `metadata` is merged over the document's (a key set to [] or "" clears it: anonymised copies);
    `extra_args` go to pandoc last (a format's template); `typst_packages` is a local Typst package folder.
    """
    if fmt not in WRITERS:
        raise RenderError(f"unknown output format {fmt!r} (known: {', '.join(WRITERS)})")
    out_path = paths.unlinked(Path(out_path).parent.resolve() / Path(out_path).name)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    # Cell outputs (`output: asis`) and export templates add Markdown after the chapters were checked.
    paths.check_resources(prepared.markdown.read_text(encoding="utf-8"), prepared.root, source=prepared.markdown,
                          bases=(prepared.resource_dir,))
    meta = _format_metadata(look.metadata({**prepared.metadata, **(metadata or {})}), fmt)
    if prepared.heading_shift:
        meta["gp-heading-shift"] = prepared.heading_shift  # xref.lua numbers sections as pandoc will
    fd, meta_file = tempfile.mkstemp(dir=prepared.resource_dir, prefix=".meta-", suffix=".yaml")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        yaml.safe_dump(meta, handle, allow_unicode=True, sort_keys=True)
    target = prepared.resource_dir / f".{out_path.stem}.typ" if fmt == "pdf" else out_path
    started = time.perf_counter()
    try:
        _, warnings = pandoc.run_pandoc([*pandoc_args(prepared, fmt, target, Path(meta_file), csl), *extra_args],
                                        cwd=prepared.resource_dir)
    finally:
        Path(meta_file).unlink(missing_ok=True)
    prepared.timings["pandoc"] = prepared.timings.get("pandoc", 0.0) + time.perf_counter() - started
    # Unresolved cross-references are reported by the build with file and line (prepared.unresolved).
    prepared.warnings += [w for w in warnings if w not in prepared.warnings and "unresolved cross-reference" not in w]
    if fmt == "pdf":
        _typst_pdf(prepared, target, out_path, typst_packages)
    return out_path


def pandoc_args(prepared: Prepared, fmt: str, target: Path, meta_file: Path, csl: Path | None = None) -> list[str]:
    """pandoc's arguments for one format: writer, Quarto options, filters in order, citations."""
    options = {"number-sections": prepared.metadata.get("number-sections") is True, **prepared.options.get(fmt, {})}
    args = ["-f", "markdown", str(prepared.markdown), *WRITERS[fmt], *_pandoc_options(options), "-o", str(target),
            *([f"--shift-heading-level-by={prepared.heading_shift}"] if prepared.heading_shift else []),
            "--metadata-file", str(meta_file), "--lua-filter", str(pandoc.FILTERS / "xref.lua"),
            f"--resource-path={prepared.resource_dir}{os.pathsep}{prepared.root}"]
    if fmt in ("typst", "pdf"):
        args += ["--include-in-header", str(pandoc.FILTERS / "breakable_tables.typ")]
    if prepared.bibliography:
        args += ["--citeproc", "-M", "link-citations=true"]
        for bibliography in prepared.bibliographies or (prepared.bibliography,):
            args += ["--bibliography", str(bibliography)]
        style = csl or prepared.csl
        if style:
            args += ["--csl", str(style)]
        if fmt != "jats":  # the JATS writer reads `bibliography` itself for <element-citation>
            args += ["--lua-filter", str(pandoc.FILTERS / "build_meta.lua")]
    args += ["--lua-filter", str(pandoc.FILTERS / "table_widths.lua")]  # after citeproc: printed widths
    args += look.arguments(fmt)  # template, CSS, author block (render/look/)
    return args


def _typst_pdf(prepared: Prepared, typ: Path, out_path: Path, packages: Path | None = None) -> None:
    import typst

    started = time.perf_counter()
    try:
        # Typst's embedded fonts only, and a fixed date: the same PDF bytes on any machine.
        typst.compile(str(typ), output=str(out_path), root=str(prepared.root), ignore_system_fonts=True,
                      timestamp=int(SOURCE_DATE_EPOCH), package_path=str(packages) if packages else None)
    except Exception as exc:  # the binding raises a plain RuntimeError carrying Typst's diagnostics
        message = " ".join(str(exc).split())  # Typst's diagnostics span lines; the user gets one sentence
        raise RenderError(f"typst failed: {message[:400]}", typ) from None
    finally:
        prepared.timings["typst"] = prepared.timings.get("typst", 0.0) + time.perf_counter() - started
        typ.unlink(missing_ok=True)
