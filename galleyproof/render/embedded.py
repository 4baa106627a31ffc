"""The embedded engine: execute cells (or take them from the cache), assemble Pandoc Markdown, convert.

`prepare()` turns a project into one Pandoc Markdown file plus figures in a work directory;
`convert()` turns that into HTML, PDF (pandoc's Typst writer, then the `typst` package), DOCX, JATS,
Typst or plain text. Quarto's own syntax that plain pandoc lacks is handled here: cells become their
outputs (cells.py), `execute:` defaults and a chapter's `title:` are honoured, and cross-references
are resolved by xref.lua before `--citeproc` (see ../../shared/NOTES.md: pandoc would otherwise read
`@sec-x` as a citation).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from galleyproof import paths
from galleyproof.errors import ManuscriptError, RenderError
from galleyproof.fileio import atomic_write_text
from galleyproof.manuscript.document import CodeCell
from galleyproof.manuscript.qmd import front_matter, parse_qmd
from galleyproof.pipeline.progress import NullReporter, Reporter
from galleyproof.project import Project
from galleyproof.render import look, pandoc
from galleyproof.render.cache import CACHE_DIR, CellCache, ChapterRecord, cell_keys
from galleyproof.render.cells import Figure, cell_options, render_cell, should_evaluate
from galleyproof.render.kernel import SOURCE_DATE_EPOCH, execute_chapter, kernel_identity

WORK_DIR = "work"
MARKDOWN_NAME = "manuscript.md"
# Metadata a book takes from _quarto.yml (`book:` first, then top level) and the first chapter's front matter.
METADATA_KEYS = ("title", "subtitle", "author", "date", "abstract", "keywords", "lang", "abstract-title")
# Output format -> pandoc writer and options (pandoc manual, "Options"; JATS per NOTES.md).
WRITERS: dict[str, list[str]] = {
    "html": ["-t", "html5", "--standalone", "--embed-resources", "--section-divs"],
    "docx": ["-t", "docx"],
    "typst": ["-t", "typst", "--standalone"],
    "pdf": ["-t", "typst", "--standalone"],
    "jats": ["-t", "jats_archiving+element_citations", "--standalone"],
    "plain": ["-t", "plain", "--wrap=none"],
}
SUFFIX = {"html": ".html", "docx": ".docx", "typst": ".typ", "pdf": ".pdf", "jats": ".xml", "plain": ".txt"}


@dataclass
class ChapterStatus:
    chapter: str  # relative to the project root
    cells: int
    status: str  # "executed" | "cached" | "no cells"
    seconds: float = 0.0


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
    options: dict[str, dict[str, Any]] = field(default_factory=dict)  # format -> `format:` options of _quarto.yml
    chapters: list[ChapterStatus] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # kernel, execute, pandoc, typst (seconds)
    warnings: list[str] = field(default_factory=list)


def prepare(project: Project, *, fresh: bool = False, reporter: Reporter | None = None,
            work_dir: Path | None = None) -> Prepared:
    """Execute (or load from the cache) every chapter and write the assembled Markdown and figures.

    Chapters whose cells must run execute concurrently, one kernel each (a kernel spends most of its
    start-up waiting); a failure is raised for the first failing chapter in book order.
    """
    reporter = reporter or NullReporter()
    work = work_dir or project.root / CACHE_DIR / WORK_DIR
    (work / "figures").mkdir(parents=True, exist_ok=True)
    for stale in (work / "figures").glob("*.png"):
        stale.unlink()
    prepared = Prepared(project.root, work / MARKDOWN_NAME, work, {}, [], project.bibliography,
                        project.csl, timings={"kernel": 0.0, "execute": 0.0, "pandoc": 0.0, "typst": 0.0})
    cache = CellCache(project.root)
    defaults = execute if isinstance(execute := project.quarto.get("execute"), dict) else {}
    chapters = [_read_chapter(project, path, defaults) for path in project.chapters]
    reporter.stage("chapters", len(chapters))
    _execute(project, chapters, cache, fresh, prepared, reporter)
    bodies = [_chapter_markdown(project, chapter, prepared) for chapter in chapters]
    prepared.metadata = _metadata(project, chapters[0].meta if chapters else {})
    prepared.options = _format_options(project)
    atomic_write_text(prepared.markdown, "\n\n".join(b.strip("\n") for b in bodies) + "\n")
    return prepared


@dataclass
class _Chapter:
    name: str  # relative to the project root
    lines: list[str]
    body_start: int  # index of the first line after the front matter
    meta: dict[str, Any]
    defaults: dict[str, Any]  # `execute:` of _quarto.yml and the chapter's front matter
    cells: list[CodeCell]
    sources: list[str | None]  # None: `eval: false`
    outputs: list[list[dict]] = field(default_factory=list)


def _read_chapter(project: Project, path: Path, defaults: dict) -> _Chapter:
    name = project.relative(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManuscriptError(f"cannot read chapter: {exc}", name) from None
    doc = parse_qmd(text, name)
    paths.check_resources(text, project.root, source=name)  # before any cell runs
    lines = text.splitlines()
    meta, start = front_matter(lines, name)
    chapter_defaults = {**defaults, **(meta.get("execute") or {})}
    for cell in doc.cells:
        if cell.language.lower() != "python":
            raise ManuscriptError(f"the embedded engine runs Python cells only, not {cell.language!r} "
                                  "(use --engine quarto)", name, cell.line)
    sources = [c.source if should_evaluate(cell_options(c, chapter_defaults)) else None for c in doc.cells]
    return _Chapter(name, lines, start, meta, chapter_defaults, doc.cells, sources)


def _execute(project: Project, chapters: list[_Chapter], cache: CellCache, fresh: bool, prepared: Prepared,
             reporter: Reporter) -> None:
    """Fill each chapter's outputs from the cache or a kernel; record statuses and timings."""
    fig_dpi = figure_dpi(project)
    kernel = kernel_identity() + (f"/fig-dpi-{fig_dpi}" if fig_dpi else "")  # outputs depend on both
    pending = []
    for chapter in chapters:
        keys = cell_keys(chapter.sources, kernel)
        record = None if fresh or not chapter.cells else cache.lookup(chapter.name, keys)
        if chapter.cells and record is None:
            pending.append((chapter, keys))
            continue
        chapter.outputs = record.outputs if record else []
        status = "cached" if record else "no cells"
        prepared.chapters.append(ChapterStatus(chapter.name, len(chapter.cells), status))
        reporter.item("chapters", chapter.name, status)
    if not pending:
        return
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=min(len(pending), os.cpu_count() or 1)) as pool:
        futures = [pool.submit(execute_chapter, chapter.sources, cwd=project.root, chapter=chapter.name,
                               lines=[c.line for c in chapter.cells], fig_dpi=fig_dpi,
                               code_lines=[c.first_code_line for c in chapter.cells]) for chapter, _ in pending]
        for (chapter, keys), future in zip(pending, futures):
            run = future.result()  # re-raises the chapter's CellError
            chapter.outputs = run.outputs
            inputs = cache.input_hashes(run.reads, exclude=(project.root / CACHE_DIR,))
            cache.store(ChapterRecord(chapter.name, kernel, keys, run.outputs, inputs))
            prepared.timings["kernel"] += run.kernel_seconds
            prepared.timings["execute"] += run.execute_seconds
            seconds = run.kernel_seconds + run.execute_seconds
            prepared.chapters.append(ChapterStatus(chapter.name, len(chapter.cells), "executed", seconds))
            reporter.item("chapters", chapter.name, "executed")
    prepared.timings["cells_wall"] = time.perf_counter() - started
    order = {c.name: i for i, c in enumerate(chapters)}
    prepared.chapters.sort(key=lambda status: order[status.chapter])


def _figure_path(folder: Path, stem: str, number: int) -> Path:
    return folder / f"{stem}-{number}.png"


def _chapter_markdown(project: Project, chapter: _Chapter, prepared: Prepared) -> str:
    stem = chapter.name.replace("/", "-").rsplit(".", 1)[0]
    replacements = {}

    def figure_ref(path: Path) -> str:
        return path.relative_to(prepared.resource_dir).as_posix()

    for index, (cell, outputs) in enumerate(zip(chapter.cells, chapter.outputs), 1):
        rendered = render_cell(
            cell, cell_options(cell, chapter.defaults), outputs,
            figure_path=partial(_figure_path, prepared.resource_dir / "figures", f"{stem}-cell{index}"),
            figure_ref=figure_ref,
            html_to_markdown=pandoc.html_to_markdown)
        prepared.figures += rendered.figures
        replacements[cell.line] = (_closing_fence(chapter.lines, cell), rendered.markdown)
    body = _substitute(chapter.lines, chapter.body_start, replacements)
    title = chapter.meta.get("title")
    if title and title != project.title:  # index.qmd often repeats the book title
        body = f"# {title}\n\n{body}"
    return body


def _closing_fence(lines: list[str], cell: CodeCell) -> int:
    """0-based index of the line closing the cell opened at (1-based) `cell.line`."""
    opener = lines[cell.line - 1].strip()
    marker = opener[0]
    width = len(opener) - len(opener.lstrip(marker))
    for index in range(cell.line, len(lines)):
        stripped = lines[index].strip()
        if len(stripped) >= width and stripped == marker * len(stripped):
            return index
    raise ManuscriptError("code cell is never closed", cell.file, cell.line)


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


def _metadata(project: Project, first_front: dict) -> dict[str, Any]:
    book = project.quarto.get("book") or {}
    meta: dict[str, Any] = {}
    for key in METADATA_KEYS:
        for source in (first_front, book, project.quarto):
            if key in source and source[key] not in (None, ""):
                meta[key] = source[key]
                break
    meta["title"] = project.title
    meta["author"] = [{k: v for k, v in (("name", a.name), ("affiliation", a.affiliation), ("email", a.email)) if v}
                      for a in project.authors]
    return meta


def figure_dpi(project: Project) -> int | None:
    """Quarto's `fig-dpi` (a format option; top level applies to every format). Cells execute once for
    all formats, so the finest resolution any format asks for serves them all."""
    formats = found if isinstance(found := project.quarto.get("format"), dict) else {}
    values = [project.quarto.get("fig-dpi")] + [f.get("fig-dpi") for f in formats.values() if isinstance(f, dict)]
    numbers = [int(v) for v in values if isinstance(v, (int, float)) and v > 0]
    return max(numbers) if numbers else None


def _format_options(project: Project) -> dict[str, dict[str, Any]]:
    """Per format, the Quarto options we honour: top-level `number-sections`/`toc`, then `format.<fmt>`."""
    formats = found if isinstance(found := project.quarto.get("format"), dict) else {}
    names = ("toc", "toc-depth", "number-sections")
    shared: dict[str, Any] = {k: project.quarto[k] for k in names if k in project.quarto}
    return {fmt: {**shared, **(formats[fmt] if isinstance(formats.get(fmt), dict) else {})}
            for fmt in ("html", "pdf", "docx")}


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
    """Pandoc's Typst template reads author.name/affiliation/email; the others print `author` as text."""
    meta = dict(metadata)
    if fmt not in ("typst", "pdf", "jats") and isinstance(meta.get("author"), list):
        meta["author"] = [a.get("name", "") if isinstance(a, dict) else a for a in meta["author"]]
    if isinstance(meta.get("keywords"), str):
        meta["keywords"] = [k.strip() for k in meta["keywords"].split(",") if k.strip()]
    if fmt in ("typst", "pdf") and meta.get("keywords"):
        # The Typst template splices keywords in bare, `keywords: (a,b)`; give it Typst strings.
        meta["keywords"] = ["`" + json.dumps(str(k)) + "`{=typst}" for k in meta["keywords"]]
    return meta


def convert(prepared: Prepared, fmt: str, out_path: Path, *, csl: Path | None = None,
            metadata: dict[str, Any] | None = None, extra_args: tuple[str, ...] | list[str] = ()) -> Path:
    """Write `prepared` as `fmt` (html | pdf | docx | jats | typst | plain) to `out_path`.

    `metadata` is merged over the document's (a key set to [] or "" clears it: anonymised copies).
    """
    if fmt not in WRITERS:
        raise RenderError(f"unknown output format {fmt!r} (known: {', '.join(WRITERS)})")
    out_path = paths.unlinked(Path(out_path).parent.resolve() / Path(out_path).name)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    # Cell outputs (`output: asis`) and export templates add Markdown after the chapters were checked.
    paths.check_resources(prepared.markdown.read_text(encoding="utf-8"), prepared.root, source=prepared.markdown,
                          bases=(prepared.resource_dir,))
    meta = _format_metadata(look.metadata({**prepared.metadata, **(metadata or {})}), fmt)
    fd, meta_file = tempfile.mkstemp(dir=prepared.resource_dir, prefix=".meta-", suffix=".yaml")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        yaml.safe_dump(meta, handle, allow_unicode=True, sort_keys=True)
    target = prepared.resource_dir / f".{out_path.stem}.typ" if fmt == "pdf" else out_path
    args = ["-f", "markdown", str(prepared.markdown), *WRITERS[fmt],
            *_pandoc_options(prepared.options.get(fmt, {})), "-o", str(target),
            "--metadata-file", meta_file, "--lua-filter", str(pandoc.FILTERS / "xref.lua"),
            f"--resource-path={prepared.resource_dir}{os.pathsep}{prepared.root}"]
    if fmt in ("typst", "pdf"):
        args += ["--include-in-header", str(pandoc.FILTERS / "breakable_tables.typ")]
    if prepared.bibliography:
        args += ["--citeproc", "--bibliography", str(prepared.bibliography), "-M", "link-citations=true"]
        style = csl or prepared.csl
        if style:
            args += ["--csl", str(style)]
        if fmt != "jats":  # the JATS writer reads `bibliography` itself for <element-citation>
            args += ["--lua-filter", str(pandoc.FILTERS / "build_meta.lua")]
    args += ["--lua-filter", str(pandoc.FILTERS / "table_widths.lua")]  # after citeproc: printed widths
    args += look.arguments(fmt)  # template, CSS, author block (render/look/)
    started = time.perf_counter()
    try:
        _, warnings = pandoc.run_pandoc([*args, *extra_args], cwd=prepared.resource_dir)
    finally:
        Path(meta_file).unlink(missing_ok=True)
    prepared.timings["pandoc"] = prepared.timings.get("pandoc", 0.0) + time.perf_counter() - started
    prepared.warnings += [w for w in warnings if w not in prepared.warnings]
    if fmt == "pdf":
        _typst_pdf(prepared, target, out_path)
    return out_path


def _typst_pdf(prepared: Prepared, typ: Path, out_path: Path) -> None:
    import typst

    started = time.perf_counter()
    try:
        # Typst's embedded fonts only, and a fixed date: the same PDF bytes on any machine.
        typst.compile(str(typ), output=str(out_path), root=str(prepared.root), ignore_system_fonts=True,
                      timestamp=int(SOURCE_DATE_EPOCH))
    except Exception as exc:  # the binding raises a plain RuntimeError carrying Typst's diagnostics
        raise RenderError(f"typst failed: {exc}", typ) from None
    finally:
        prepared.timings["typst"] = prepared.timings.get("typst", 0.0) + time.perf_counter() - started
        typ.unlink(missing_ok=True)
