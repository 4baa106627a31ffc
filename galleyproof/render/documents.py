"""Render every document of a project in every format it asks for, with the embedded engine.

A book or manuscript is one document; a default project renders each of its files on its own
(project.py). Each document is prepared once (cells run or come from the cache) and converted to each
format planned by formats.py; a format that is built as another, or not at all, is reported by name.
The formats of a document are converted side by side: each is its own pandoc process (and typst for a
PDF) over the same prepared Markdown.

A default (or website) project's documents are independent, so one that fails does not stop the
others (`quarto render` stops at the first failing file; quarto-cli issue 748): each failure is kept
with its file and line in `Rendered.failed`, the other documents are written, and the caller decides
the exit status. A book or manuscript is one document; its first failure is raised.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from galleyproof import safe_yaml
from galleyproof.errors import GalleyproofError
from galleyproof.manuscript.book import Book
from galleyproof.pipeline.progress import NullReporter, Reporter
from galleyproof.project import QUARTO_FILE, Output, Project
from galleyproof.render import embedded
from galleyproof.render.cache import Awaited, ChapterStatus
from galleyproof.render.formats import FormatPlan, plan_formats


@dataclass
class Rendered:
    outputs: dict[str, Path] = field(default_factory=dict)  # "html" (one document) or "template.html"
    chapters: list[ChapterStatus] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)  # "file:line: @fig-x ..." cross-references
    reads: set[str] = field(default_factory=set)  # files the cells read (relative), for the build manifest
    failed: list[str] = field(default_factory=list)  # "file:line: message" per document that failed (default projects)


def render_project(project: Project, formats: tuple[str, ...] | None = None, *, fresh: bool = False,
                   reporter: Reporter | None = None, stem: str | None = None, book: Book | None = None,
                   awaited: Awaited | None = None) -> Rendered:
    """`formats` names writers (html, pdf, docx, jats, typst) and overrides each document's `format:`;
    `book` is the sources as the build already read them (manuscript.book); `awaited`, files the build
    is still writing (embedded.prepare)."""
    reporter = reporter or NullReporter()
    rendered = Rendered()
    for warning in missing_resources(project):
        reporter.warn(warning)  # now: a later error may stop the build before warnings are shown
        rendered.warnings.append(warning)
    several = len(project.outputs) > 1
    keep_going = several and project.kind == "default"  # independent documents: one failure stops none
    for output in project.outputs:
        try:
            _render_output(project, output, formats, fresh, reporter, stem if not several else None, book,
                           rendered, keep_going, awaited)
        except GalleyproofError as exc:
            if not keep_going:
                raise
            _failed(project, rendered, exc)
    return rendered


def _render_output(project: Project, output: Output, formats: tuple[str, ...] | None, fresh: bool,
                   reporter: Reporter, stem: str | None, book: Book | None, rendered: Rendered,
                   keep_going: bool, awaited: Awaited | None = None) -> None:
    """One document in each of its formats. With `keep_going`, a format that fails is recorded and the
    document's other formats are still written."""
    several = len(project.outputs) > 1
    plans = _plans(project, output, formats)
    for plan in plans:
        if plan.note:
            rendered.warnings.append(f"{project.relative(output.sources[0])}: {plan.note}")
    prepared = embedded.prepare(project, fresh=fresh, reporter=reporter, output=output, book=book,
                                awaited=awaited)
    rendered.chapters += prepared.chapters
    rendered.reads |= prepared.reads
    built = [p for p in plans if p.writer]
    reporter.stage("formats", len(built))
    name = stem or output.stem
    for plan in built:
        assert plan.writer is not None
        prepared.options[plan.writer] = plan.options
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, len(built)), thread_name_prefix="galleyproof-format") as pool:
        convert = partial(_convert, project, prepared, name)
        for future in [pool.submit(convert, plan) for plan in built]:  # in plan order
            try:
                plan, writer, out, own = future.result()
            except GalleyproofError as exc:
                if not keep_going:
                    raise  # the first failure in plan order, as before
                _failed(project, rendered, exc)
                continue
            rendered.outputs[f"{output.stem}.{plan.name}" if several else writer] = out
            reporter.item("formats", plan.name, project.relative(out))
            for key, seconds in own.timings.items():
                prepared.timings[key] = prepared.timings.get(key, 0.0) + seconds
            prepared.warnings += [w for w in own.warnings if w not in prepared.warnings]
    prepared.timings["formats_wall"] = prepared.timings.get("formats_wall", 0.0) + time.perf_counter() - started
    for key, seconds in prepared.timings.items():
        rendered.timings[key] = rendered.timings.get(key, 0.0) + seconds
    rendered.warnings += [w for w in prepared.warnings if w not in rendered.warnings]
    rendered.unresolved += prepared.unresolved


def _failed(project: Project, rendered: Rendered, exc: GalleyproofError) -> None:
    """A document's failure as the user reads it: its file (relative to the project) and line, one sentence."""
    if exc.path and Path(exc.path).is_absolute():
        exc.path = project.relative(Path(exc.path))
    message = str(exc)
    if message not in rendered.failed:
        rendered.failed.append(message)


def missing_resources(project: Project) -> list[str]:
    """`manuscript.resources` (files a manuscript publishes with its article,
    https://quarto.org/docs/manuscripts/components.html) that are not there."""
    listed = (project.quarto.get("manuscript") or {}).get("resources") or []
    missing = []
    for index, entry in enumerate(listed if isinstance(listed, list) else [listed]):
        if not any(project.root.glob(str(entry))) and not (project.root / str(entry)).exists():
            line = safe_yaml.line_in_file(project.config_path, ("manuscript", "resources", index))
            missing.append(f"{QUARTO_FILE}:{line}: manuscript.resources lists {entry}, which does not exist"
                           if line else f"{QUARTO_FILE}: manuscript.resources lists {entry}, which does not exist")
    return missing


def _convert(project: Project, prepared: embedded.Prepared, name: str,
             plan: FormatPlan) -> tuple[FormatPlan, str, Path, embedded.Prepared]:
    """One format of one document; its timings and warnings on a copy, as formats run side by side."""
    writer = plan.writer or plan.name
    own = replace(prepared, timings={}, warnings=[])
    out = embedded.convert(own, writer, project.output_dir / f"{name}{embedded.SUFFIX[writer]}",
                           metadata=_template_variables(plan), extra_args=plan.extra_args,
                           typst_packages=plan.typst_packages, csl=plan.csl if prepared.bibliography else None)
    return plan, writer, out, own


# An extension's format options that configure Quarto itself, not its template.
NOT_VARIABLES = ("template-partials", "include-in-header", "include-before-body", "include-after-body", "filters",
                 "toc", "toc-depth", "number-sections", "fig-dpi")


def _template_variables(plan: FormatPlan) -> dict | None:
    """An extension's own options (`wordcount: true`) are variables of its template."""
    if not plan.template_variables:
        return None
    return {k: v for k, v in plan.options.items() if k not in NOT_VARIABLES and not isinstance(v, dict)}


def _plans(project: Project, output: Output, formats: tuple[str, ...] | None) -> list[FormatPlan]:
    if formats:
        return [FormatPlan(f, f, options=output.format_options.get(f, {})) for f in formats]
    return plan_formats(project.root, output.formats, output.format_options)
