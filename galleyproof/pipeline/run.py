"""`build()`: validate the inputs, run the citation audit and the claim checks, render every format.

The order is the user's: bad input (a broken _quarto.yml, a missing bibliography, an undefined
citation key) fails first with file and line, before any kernel starts; the audit and check reports
are written to `<output-dir>/reports/` so the appendix cells and the reviewer can read them; then the
chosen engine renders. `strict` turns audit findings at or above `fail_on`, or checker errors, into a
failed build (the outputs are still written, so the author can see what the findings refer to).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from galleyproof.audit.model import SEVERITY, STATUSES
from galleyproof.audit.model import failures as audit_failures
from galleyproof.audit.run import audit_project
from galleyproof.bib.bibtex import read_bibliography
from galleyproof.claims.run import check_project
from galleyproof.errors import BibliographyError, CitationKeyError, UsageError
from galleyproof.fileio import atomic_write_text
from galleyproof.manuscript.qmd import read_project_document
from galleyproof.pipeline.progress import NullReporter, Reporter
from galleyproof.project import QUARTO_FILE, Project, line_of_key
from galleyproof.render import quarto
from galleyproof.render.documents import render_project
from galleyproof.render.embedded import ChapterStatus
from galleyproof.report.html import render_report
from galleyproof.report.output import count, to_json

ENGINES = ("auto", "embedded", "quarto")
BUILD_FORMATS = ("html", "pdf", "docx", "jats", "typst")
REPORTS_DIR = "reports"


@dataclass
class BuildResult:
    engine: str
    outputs: dict[str, Path] = field(default_factory=dict)
    chapters: list[ChapterStatus] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    audit: dict | None = None
    check: dict | None = None
    reports: dict[str, Path] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)  # why a strict build failed
    unresolved: list[str] = field(default_factory=list)  # cross-references to no label, with file and line
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "engine": self.engine,
            "outputs": {k: str(v) for k, v in self.outputs.items()},
            "chapters": [{"chapter": c.chapter, "cells": c.cells, "status": c.status} for c in self.chapters],
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "audit": (self.audit or {}).get("summary"), "check": (self.check or {}).get("summary"),
            "reports": {k: str(v) for k, v in self.reports.items()},
            "failures": self.failures, "warnings": self.warnings,
        }


def validate_inputs(project: Project) -> None:
    """Raise BibliographyError or CitationKeyError (file and line) before any work is done."""
    doc = read_project_document(project)
    if project.bibliography is None:
        if doc.citations:
            first = doc.citations[0]
            raise BibliographyError(f"@{first.key} is cited but {QUARTO_FILE} names no bibliography",
                                    first.file, first.line)
        return
    if not project.bibliography.is_file():
        raise BibliographyError(f"bibliography {project.relative(project.bibliography)} does not exist",
                                project.config_path, line_of_key(project.config_path, "bibliography"))
    known = {ref.key for ref in read_bibliography(project.bibliography)}
    unknown = [c for c in doc.citations if c.key not in known]
    if unknown:
        first = unknown[0]
        others = len({c.key for c in unknown}) - 1
        more = f" (and {count(others, 'other undefined key')})" if others else ""
        raise CitationKeyError(f"@{first.key} is not defined in {project.relative(project.bibliography)}{more}",
                               first.file, first.line)


def choose_engine(engine: str) -> str:
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
          fresh: bool = False, strict: bool = False, fail_on: str = "mismatch", offline: bool | None = None,
          reporter: Reporter | None = None) -> BuildResult:
    """Build `project` into its output directory; see the module docstring for the order of steps.

    `formats` defaults to the `format:` keys of _quarto.yml; `offline` audits from the lock file only.
    Raises InputError subclasses for bad input, CellError/RenderError when rendering fails.
    """
    reporter = reporter or NullReporter()
    started = time.perf_counter()
    requested = tuple(formats) if formats else None  # None: each document's own `format:` (render/formats.py)
    formats = tuple(formats or [f for f in project.formats if f in BUILD_FORMATS] or BUILD_FORMATS)
    unknown = [f for f in formats if f not in BUILD_FORMATS]
    if unknown:
        raise UsageError(f"cannot build {', '.join(unknown)} (formats: {', '.join(BUILD_FORMATS)})")
    chosen = choose_engine(engine)
    validate_inputs(project)
    result = BuildResult(engine=chosen)
    reports = project.output_dir / REPORTS_DIR
    result.audit = _audit_step(project, offline, reporter)
    result.check = _check_step(project, reporter)
    _write_reports(result, reports, reporter)
    result.failures = policy_failures(result.audit, result.check, fail_on) if strict else []
    result.timings["checks"] = time.perf_counter() - started
    if chosen == "quarto":
        result.outputs = quarto.render(project, formats, fresh=fresh)
    else:
        _render_embedded(project, requested, fresh, reporter, result)
        if strict:
            result.failures += result.unresolved
    result.timings["total"] = time.perf_counter() - started
    return result


def _render_embedded(project: Project, formats: tuple[str, ...] | None, fresh: bool, reporter: Reporter,
                     result: BuildResult) -> None:
    rendered = render_project(project, formats, fresh=fresh, reporter=reporter, stem=output_stem(project))
    result.chapters, result.outputs, result.unresolved = rendered.chapters, rendered.outputs, rendered.unresolved
    result.timings.update(rendered.timings)
    for warning in rendered.warnings + rendered.unresolved:
        reporter.warn(warning)
    result.warnings += rendered.warnings + rendered.unresolved


class _StepReporter:
    """The audit's progress protocol (start/advance/warning) on top of ours."""

    def __init__(self, reporter: Reporter, stage: str):
        self.reporter, self.stage = reporter, stage

    def start(self, total: int) -> None:
        self.reporter.stage(self.stage, total)

    def advance(self, label: str) -> None:
        self.reporter.advance(self.stage, label)

    def warning(self, message: str) -> None:
        self.reporter.warn(message)


def _audit_step(project: Project, offline: bool | None, reporter: Reporter) -> dict | None:
    if project.bibliography is None:  # a document that cites nothing (validate_inputs checked that)
        reporter.info("audit: no bibliography")
        return None
    audit = audit_project(project, mode="offline" if offline else "auto", reporter=_StepReporter(reporter, "audit"))
    statuses = {k: v for k, v in audit.get("summary", {}).get("statuses", {}).items() if v}
    reporter.info("audit: " + (", ".join(f"{n} {s}" for s, n in statuses.items()) or "no references"))
    return audit


def _check_step(project: Project, reporter: Reporter) -> dict:
    check = check_project(project)
    reporter.info(f"check: {count(len(check.get('findings', [])), 'finding')}, {count(checker_errors(check), 'error')}")
    return check


def _write_reports(result: BuildResult, reports: Path, reporter: Reporter) -> None:
    if result.audit is not None:
        result.reports["audit"] = reports / "audit.json"
        atomic_write_text(result.reports["audit"], to_json(result.audit))
    if result.check is not None:
        result.reports["check"] = reports / "check.json"
        atomic_write_text(result.reports["check"], to_json(result.check))
    result.reports["report"] = reports / "report.html"
    # No generation time: a build's outputs are byte-identical from identical inputs.
    atomic_write_text(result.reports["report"], render_report(audit=result.audit, check=result.check,
                                                              timestamped=False))


def checker_errors(check: dict | None) -> int:
    if not check:
        return 0
    summary = check.get("summary") or {}
    if isinstance(summary.get("errors"), int):
        return summary["errors"]
    return sum(1 for f in check.get("findings", []) if f.get("severity") == "error")


def policy_failures(audit: dict | None, check: dict | None, fail_on: str) -> list[str]:
    """Why a strict build fails: audit findings at or above `fail_on` (references and project-level
    findings such as undefined keys, ranked by galleyproof.audit.model), and checker errors."""
    if fail_on not in SEVERITY:
        raise UsageError(f"unknown --fail-on status {fail_on!r} (choose from {', '.join(STATUSES)})")
    failures = []
    if audit:
        counts = Counter(str(item.get("status") or item.get("kind")) for item in audit_failures(audit, fail_on))
        failures += [f"audit: {count(n, 'reference')} {status}" if status in SEVERITY
                     else f"audit: {count(n, status.replace('_', ' ') + ' finding')}"
                     for status, n in counts.items()]
    errors = checker_errors(check)
    if errors:
        failures.append(f"check: {count(errors, 'error')}")
    return failures
