"""The export step: what the build produced, handed to export/ to package for one journal.

The sources, the audit and the claim checks come from the build's own steps (run.stage: reused from the
last build when nothing they were made from changed); the manuscript is prepared by the embedded engine
(cells executed or taken from the cell cache) only when export asks for it, after the checks that need
no cells passed; its converter writes the journal's formats. export/ sees none of render/ or run.py.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from galleyproof.export.checks import Figure
from galleyproof.export.package import ExportResult, Produced, Rendered, package_submission
from galleyproof.manuscript.book import Book
from galleyproof.pipeline.progress import NullReporter, Reporter
from galleyproof.pipeline.run import Staged, stage
from galleyproof.project import Project


def export_submission(project: Project, journal_id: str, *, draft: bool = False, fresh: bool = False,
                      audit_mode: str = "offline", reporter: Reporter | None = None,
                      staged: Staged | None = None) -> ExportResult:
    """`staged`: the build's sources, audit and claim checks, staged here when not given. `fresh`
    re-executes every cell; `audit_mode` "offline" audits from citations.lock.json only."""
    reporter = reporter or NullReporter()
    staged = staged or stage(project, offline=audit_mode == "offline", reporter=reporter)
    produced = Produced(staged.book.document, list(staged.book.references or ()), staged.audit or {},
                        staged.check or {}, lambda: render_manuscript(project, staged.book, fresh, reporter))
    return package_submission(project, journal_id, produced, draft=draft, reporter=reporter)


def render_manuscript(project: Project, book: Book, fresh: bool, reporter: Reporter) -> Rendered:
    """The manuscript assembled by the embedded engine, with a converter over it."""
    from galleyproof.render import embedded

    prepared = embedded.prepare(project, fresh=fresh, reporter=reporter, book=book)

    def convert(fmt: str, out: Path, *, markdown: Path | None = None, metadata: dict | None = None,
                csl: Path | None = None, bare: bool = False) -> Path:
        source = prepared if markdown is None else dataclasses.replace(prepared, markdown=markdown)
        if bare:  # letters: no bibliography and none of the manuscript's metadata
            source = dataclasses.replace(source, metadata={}, bibliography=None)
        return embedded.convert(source, fmt, out, csl=csl, metadata=metadata)

    figures = [Figure(Path(f.path), f.caption, f.label) for f in prepared.figures]
    return Rendered(prepared.markdown.read_text(encoding="utf-8"), prepared.resource_dir, figures,
                    dict(prepared.metadata), convert)
