"""`build()`: the build as a sequence of steps over one parsed project.

1. manifest  hash the inputs of every output the last build recorded (manifest.py); when none changed
             and every output is as recorded, stop: a rebuild with nothing changed only hashes and reports
2. read      the project's sources, once (manuscript.book.read_book): every chapter and the bibliography
3. validate  bad input (a missing bibliography, an undefined citation key) fails first, with file and line
4. audit     the citation audit -> <output-dir>/reports/audit.json, which the appendix cells read
5. check and render, side by side: the claim checks run and write reports/check.json while the
             kernels start and every format is converted (render/documents.py: the formats of a document
             in parallel, one pandoc run each). Cells may read that report (the consistency appendix
             does), so a kernel runs its cells, and a cached chapter that read it is looked up, only
             once it is written; with the Quarto engine, which runs the cells itself, the check comes
             first. Then report.html
6. manifest  record what made each output

`stage()` runs steps 2-5 without rendering: it is what `export` packages, and it takes the reports of
the last build when nothing they were made from changed, so nothing is audited or checked twice.
With `strict`, policy.build_failures decides whether the build failed (the outputs are still written,
so the author can see what the findings refer to).
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from galleyproof.errors import BibliographyError, CitationKeyError, UsageError
from galleyproof.fileio import atomic_write_text, sha256_file
from galleyproof.manuscript.book import Book, read_book
from galleyproof.pipeline import manifest as manifests
from galleyproof.pipeline.policy import AUDIT_FAIL_ON, build_failures, check_failures
from galleyproof.pipeline.progress import AuditProgress, NullReporter, Reporter
from galleyproof.project import QUARTO_FILE, Project, where_set
from galleyproof.render.cache import Awaited, ChapterStatus
from galleyproof.report.output import count, to_json

ENGINES = ("auto", "embedded", "quarto")
BUILD_FORMATS = ("html", "pdf", "docx", "jats", "typst")
REPORTS_DIR = "reports"
REPORTS = {"audit": "audit.json", "check": "check.json", "report": "report.html"}


@dataclass
class BuildResult:
    engine: str
    status: str = "built"  # "built", or "unchanged": every input hashed as recorded, nothing was redone
    outputs: dict[str, Path] = field(default_factory=dict)
    chapters: list[ChapterStatus] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    audit: dict | None = None
    check: dict | None = None
    reports: dict[str, Path] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)  # why a strict build failed
    failed: list[str] = field(default_factory=list)  # documents of a default project that failed, "file:line: why"
    unresolved: list[str] = field(default_factory=list)  # cross-references to no label, with file and line
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures and not self.failed

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "engine": self.engine, "status": self.status,
            "outputs": {k: str(v) for k, v in self.outputs.items()},
            "chapters": [{"chapter": c.chapter, "cells": c.cells, "status": c.status} for c in self.chapters],
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "audit": (self.audit or {}).get("summary"), "check": (self.check or {}).get("summary"),
            "reports": {k: str(v) for k, v in self.reports.items()},
            "failures": self.failures, "failed": self.failed, "warnings": self.warnings,
        }


@dataclass
class Staged:
    """What the steps before rendering produced: the sources read once, the audit and the claim checks."""

    book: Book
    audit: dict | None = None  # None: the project has no bibliography
    check: dict | None = None
    reports: dict[str, Path] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def validate_inputs(project: Project, book: Book) -> None:
    """Raise BibliographyError or CitationKeyError (file and line) before any work is done."""
    citations = book.document.citations
    if project.bibliography is None:
        if citations:
            first = citations[0]
            raise BibliographyError(f"@{first.key} is cited but {QUARTO_FILE} names no bibliography",
                                    first.file, first.line)
        return
    if book.references is None:
        raise BibliographyError(f"bibliography {project.relative(project.bibliography)} does not exist",
                                *where_set(project, "bibliography"))
    known = {ref.key for ref in book.references}
    unknown = [c for c in citations if c.key not in known]
    if unknown:
        first = unknown[0]
        others = len({c.key for c in unknown}) - 1
        more = f" (and {count(others, 'other undefined key')})" if others else ""
        raise CitationKeyError(f"@{first.key} is not defined in {project.relative(project.bibliography)}{more}",
                               first.file, first.line)


def choose_engine(engine: str) -> str:
    from galleyproof.render import quarto

    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    if engine == "auto":
        return "quarto" if quarto.find_quarto() else "embedded"
    if engine == "quarto":
        quarto.require_quarto()  # say so now, before the audit and the checks run
    return engine


def output_stem(project: Project) -> str:
    """Quarto's `book.output-file` when set, else "manuscript" for a book; else the document's own name."""
    if project.kind != "book":
        return project.outputs[0].stem
    return str((project.quarto.get("book") or {}).get("output-file") or "manuscript")


def build(project: Project, *, engine: str = "auto", formats: tuple[str, ...] | list[str] | None = None,
          fresh: bool = False, strict: bool = False, fail_on: str = AUDIT_FAIL_ON, offline: bool | None = None,
          reporter: Reporter | None = None) -> BuildResult:
    """Build `project` into its output directory; see the module docstring for the steps.

    `formats` defaults to each document's `format:`; `offline` audits from the lock file only; `fresh`
    ignores the manifest and the cell cache. Raises InputError subclasses for bad input,
    CellError/RenderError when rendering fails.
    """
    reporter = reporter or NullReporter()
    started = time.perf_counter()
    requested = tuple(formats) if formats else None  # None: each document's own `format:` (render/formats.py)
    formats = tuple(formats or [f for f in project.formats if f in BUILD_FORMATS] or BUILD_FORMATS)
    unknown = [f for f in formats if f not in BUILD_FORMATS]
    if unknown:
        raise UsageError(f"cannot build {', '.join(unknown)} (formats: {', '.join(BUILD_FORMATS)})")
    build_failures(None, None, fail_on)  # an unknown --fail-on is a usage error before any work
    chosen = choose_engine(engine)
    options = {"engine": chosen, "audit": "offline" if offline else "auto", "formats": ",".join(requested or ())}
    hasher = manifests.InputHasher(project.root)
    if chosen == "embedded" and not fresh:
        unchanged = _unchanged(project, options, hasher, started, strict, fail_on)
        if unchanged is not None:
            return unchanged
    sources = hasher.many(manifests.project_inputs(project))  # hashed before they are read
    staged = _read_and_audit(project, offline, reporter)
    sources.update(hasher.many(manifests.source_dependencies(project, staged.book)))  # includes, images, ...
    result = BuildResult(engine=chosen, audit=staged.audit)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="galleyproof-check") as pool:
        checking = pool.submit(_check_step, project, staged, reporter)  # beside the kernels and pandoc
        if chosen == "quarto":
            from galleyproof.render import quarto

            checking.result()  # Quarto runs the cells, and they may read reports/check.json
            result.outputs = quarto.render(project, formats, fresh=fresh)
            rendered = None
        else:
            rendered = _render_embedded(project, requested, fresh, reporter, result, staged.book,
                                        _awaited(project, checking.result))
        checking.result()
    _write_reports(project, staged)
    result.check, result.reports = staged.check, staged.reports
    result.timings = {**staged.timings, **result.timings}
    result.failures = build_failures(result.audit, result.check, fail_on) if strict else []
    if strict:
        result.failures += result.unresolved
    if rendered is not None and not rendered.failed:  # a failed document must be built again next time
        _record(project, rendered.reads, result, options, hasher, sources)
    result.timings["total"] = time.perf_counter() - started
    return result


def stage(project: Project, *, offline: bool | None = True, reporter: Reporter | None = None) -> Staged:
    """Steps 2-5 without rendering: the sources read once, validated, audited and checked, the reports
    written. When the last build's reports were made from exactly these inputs, they are read back
    instead of audited and checked again."""
    reporter = reporter or NullReporter()
    reused = _recorded_reports(project, {"engine": "embedded", "audit": "offline" if offline else "auto"})
    if reused is not None:
        started = time.perf_counter()
        book = read_book(project)
        validate_inputs(project, book)
        audit, check, reports = reused
        reporter.info("audit and check: unchanged since the last build")
        return Staged(book, audit, check, reports, {"staged": time.perf_counter() - started})
    staged = _read_and_audit(project, offline, reporter)
    _check_step(project, staged, reporter)
    _write_reports(project, staged)
    return staged


def _read_and_audit(project: Project, offline: bool | None, reporter: Reporter) -> Staged:
    from galleyproof.audit.run import audit_project

    started = time.perf_counter()
    book = read_book(project)
    validate_inputs(project, book)
    staged = Staged(book)
    staged.timings["read"] = time.perf_counter() - started
    if project.bibliography is None:  # a document that cites nothing (validate_inputs checked that)
        reporter.info("audit: no bibliography")
    else:
        staged.audit = audit_project(project, mode="offline" if offline else "auto",
                                     reporter=AuditProgress(reporter, "audit"), book=book)
        statuses = {k: v for k, v in staged.audit.get("summary", {}).get("statuses", {}).items() if v}
        reporter.info("audit: " + (", ".join(f"{n} {s}" for s, n in statuses.items()) or "no references"))
        # Written now, not with the other reports: the appendix cells read it.
        staged.reports["audit"] = project.output_dir / REPORTS_DIR / REPORTS["audit"]
        atomic_write_text(staged.reports["audit"], to_json(staged.audit))
    staged.timings["audit"] = time.perf_counter() - started - staged.timings["read"]
    return staged


def _check_step(project: Project, staged: Staged, reporter: Reporter) -> None:
    """The claim checks; reports/check.json is written at once, for the cells that read it."""
    from galleyproof.claims.run import check_project

    started = time.perf_counter()
    staged.check = check_project(project, book=staged.book)
    staged.reports["check"] = project.output_dir / REPORTS_DIR / REPORTS["check"]
    atomic_write_text(staged.reports["check"], to_json(staged.check))
    staged.timings["check"] = time.perf_counter() - started
    reporter.info(f"check: {count(len(staged.check.get('findings', [])), 'finding')}, "
                  f"{count(check_failures(staged.check), 'error')}")


def _write_reports(project: Project, staged: Staged) -> None:
    from galleyproof.report.html import render_report

    staged.reports["report"] = project.output_dir / REPORTS_DIR / REPORTS["report"]
    # No generation time: a build's outputs are byte-identical from identical inputs.
    atomic_write_text(staged.reports["report"], render_report(audit=staged.audit, check=staged.check,
                                                              timestamped=False))


def _awaited(project: Project, wait) -> Awaited:
    """The check's report, which the cells may read while the check step is still writing it."""
    return Awaited(frozenset({project.relative(project.output_dir / REPORTS_DIR / REPORTS["check"])}), wait)


def _render_embedded(project: Project, formats: tuple[str, ...] | None, fresh: bool, reporter: Reporter,
                     result: BuildResult, book: Book, awaited: Awaited | None = None):
    from galleyproof.render.documents import render_project

    rendered = render_project(project, formats, fresh=fresh, reporter=reporter, stem=output_stem(project),
                              book=book, awaited=awaited)
    result.chapters, result.outputs, result.unresolved = rendered.chapters, rendered.outputs, rendered.unresolved
    result.failed = rendered.failed
    result.timings.update(rendered.timings)
    for warning in rendered.warnings + rendered.unresolved:
        reporter.warn(warning)
    result.warnings += rendered.warnings + rendered.unresolved
    return rendered


# -- the manifest ------------------------------------------------------------------------------------

def _record(project: Project, reads: set[str], result: BuildResult, options: dict[str, str],
            hasher: manifests.InputHasher, sources: dict[str, str]) -> None:
    """Write the manifest: each output with the hashes of the sources, the files the cells read and the
    tools that made it."""
    output_dir = project.output_dir.resolve()
    read = [r for r in reads if not (project.root / r).resolve().is_relative_to(output_dir)]  # outputs, not inputs
    common = {**sources, **hasher.many(read)}
    record = manifests.Manifest(options=options, tools=manifests.tool_versions(),
                                chapters=[{"chapter": c.chapter, "cells": c.cells} for c in result.chapters],
                                warnings=list(result.warnings), unresolved=list(result.unresolved))
    for name, path in [*result.outputs.items(), *((f"report:{k}", p) for k, p in result.reports.items())]:
        writer = name.rsplit(".", 1)[-1] if not name.startswith("report:") else "report"
        inputs = {**common, **hasher.many(list(manifests.output_inputs(writer)))}
        record.outputs[name] = manifests.Output(project.relative(path), sha256_file(path) or "", inputs)
    manifests.save(project.output_dir, record)


def _unchanged(project: Project, options: dict[str, str], hasher: manifests.InputHasher, started: float,
               strict: bool, fail_on: str) -> BuildResult | None:
    """The result of the last build when nothing it was made from changed, else None."""
    recorded = manifests.load(project.output_dir)
    if recorded is None or not recorded.unchanged(project.root, list(recorded.outputs), options, hasher):
        return None
    result = BuildResult(engine=options["engine"], status="unchanged")
    result.chapters = [ChapterStatus(c["chapter"], c["cells"], "unchanged") for c in recorded.chapters]
    for name, output in recorded.outputs.items():
        if name.startswith("report:"):
            result.reports[name.removeprefix("report:")] = project.root / output.path
        else:
            result.outputs[name] = project.root / output.path
    result.audit = _read_json(result.reports.get("audit"))
    result.check = _read_json(result.reports.get("check"))
    result.warnings, result.unresolved = list(recorded.warnings), list(recorded.unresolved)
    result.failures = build_failures(result.audit, result.check, fail_on) + result.unresolved if strict else []
    result.timings["hash"] = result.timings["total"] = time.perf_counter() - started
    return result


def _recorded_reports(project: Project, options: dict[str, str]) -> tuple[dict | None, dict, dict] | None:
    """(audit, check, report paths) of the last build, when every input they were made from is unchanged."""
    recorded = manifests.load(project.output_dir)
    names = [f"report:{k}" for k in ("check", "report")]
    if project.bibliography is not None:
        names.append("report:audit")
    if recorded is None or {k: recorded.options.get(k) for k in options} != options:
        return None
    if not recorded.unchanged(project.root, names, None, manifests.InputHasher(project.root)):
        return None
    paths = {name.removeprefix("report:"): project.root / recorded.outputs[name].path for name in names}
    check = _read_json(paths["check"])
    if check is None:
        return None
    return _read_json(paths.get("audit")), check, paths


def _read_json(path: Path | None) -> dict | None:
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None

