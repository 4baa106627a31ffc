"""Render the manuscript to HTML, PDF and DOCX in the output directory (`_output/` by default).

Before rendering, the build checks its inputs (a broken _quarto.yml, a missing bibliography or a
citation key that references.bib does not define stops it with the file and line), runs the citation
audit and the claim checks, and writes their reports to _output/reports/. Python cells run in a
Jupyter kernel whose working directory is the project root; their results are cached in
.galleyproof-cache/ by cell source, kernel and the files the cells read, so a rebuild with nothing
changed starts no kernel. `python build.py ARGS` is the same as `galleyproof build ARGS`.

engines:
  auto      quarto when the quarto CLI is on PATH (or QUARTO_PATH is set), else embedded
  embedded  nbclient + pandoc (--citeproc) + typst, shipped with galleyproof
  quarto    `quarto render`
"""

from __future__ import annotations

from galleyproof.audit.model import DEFAULT_FAIL_ON, STATUSES
from galleyproof.errors import EXIT_BUILD_FAILED, UsageError
from galleyproof.pipeline.run import BUILD_FORMATS, ENGINES, build
from galleyproof.project import load_project
from galleyproof.report.output import add_output_arguments, count, emit_json, emit_text


def add_arguments(parser) -> None:
    parser.add_argument("--engine", choices=ENGINES, default="auto", help="rendering engine (default: auto)")
    parser.add_argument("--to", default=None, metavar="FORMATS",
                        help="comma-separated formats to build: html,pdf,docx,jats,typst (default: the format: keys of "
                             "_quarto.yml)")
    parser.add_argument("--fresh", action="store_true", help="ignore the cell cache and execute every cell")
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 when the audit has findings at or above --fail-on or the checker has errors")
    parser.add_argument("--fail-on", choices=STATUSES, default=DEFAULT_FAIL_ON, metavar="STATUS",
                        help=f"least severe audit status that fails a --strict build (default: {DEFAULT_FAIL_ON}; "
                             f"order: {', '.join(STATUSES)})")
    parser.add_argument("--offline", action="store_true",
                        help="audit from citations.lock.json only, without asking Crossref or DataCite")
    parser.add_argument("--project", default=".", metavar="DIR",
                        help="project directory, or one .qmd/.ipynb to build on its own (default: .)")
    add_output_arguments(parser, formats=("table", "json"))


def run(args) -> int:
    formats = [f.strip() for f in args.to.split(",") if f.strip()] if args.to else None
    if formats and any(f not in BUILD_FORMATS for f in formats):
        raise UsageError(f"--to takes {', '.join(BUILD_FORMATS)}, not {args.to!r}")
    project = load_project(args.project)
    from galleyproof.pipeline.progress import RichReporter

    reporter = RichReporter()
    try:
        result = build(project, engine=args.engine, formats=formats, fresh=args.fresh, strict=args.strict,
                       fail_on=args.fail_on, offline=args.offline, reporter=reporter)
    finally:
        reporter.close()
    if args.format == "json":
        emit_json(result.to_dict(), args.output)
    else:
        emit_text(_table(result, project), args.output)
    return EXIT_BUILD_FAILED if result.failures or result.failed else 0


def _table(result, project) -> str:
    if result.status == "unchanged":
        lines = [f"nothing changed since the last build (inputs hashed in {result.timings.get('total', 0):.2f} s)"]
    else:
        lines = [f"built with the {result.engine} engine in {result.timings.get('total', 0):.1f} s"
                 + (f"; {count(len(result.failed), 'document')} failed" if result.failed else "")]
    lines += [f"  {fmt:<5} {project.relative(path)}" for fmt, path in result.outputs.items()]
    lines += [f"  report {project.relative(path)}" for path in result.reports.values()]
    lines += [f"failed: {failure}" for failure in result.failed]  # the other documents were still written
    lines += [f"strict: {failure}" for failure in result.failures]
    return "\n".join(lines) + "\n"
