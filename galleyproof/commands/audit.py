"""Validate every citation against its DOI at Crossref (then DataCite), with a lockfile.

With no PATH, audits the project in the current directory: references.bib and every citation in
its chapters. PATH may be a project directory, a bibliography (.bib, CSL .json or .yaml), a .qmd/.md
manuscript (its `bibliography:`), or a plain-text reference list.

Each reference gets one status, least to most severe: verified, no_doi, unverified, corrected,
missing_doi, mismatch, points_elsewhere, not_found, retracted. Registered records are kept in
citations.lock.json (commit it): by default the audit uses the lock and fetches only DOIs not in
it, falling back to the lock with a warning when the network is unreachable; --offline never
touches the network; --refresh fetches every DOI again. Set GALLEYPROOF_MAILTO (or
crossref.mailto in galleyproof.yml) to use Crossref's faster polite pool, and
GALLEYPROOF_CROSSREF_TOKEN to send a Crossref Metadata Plus token (never shown or stored).

--registry snapshot:FILE audits from a local Crossref snapshot (`galleyproof registry import`) with
no network at all. --batch DIR|LIST audits many manuscripts from a snapshot on Dask distributed (a
local cluster, or --scheduler ADDRESS), streaming one JSON line per manuscript to --results and
printing a summary table; run it again to resume.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from galleyproof.audit.model import DEFAULT_FAIL_ON, STATUSES
from galleyproof.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from galleyproof.pipeline.policy import audit_failures
from galleyproof.report.output import add_output_arguments, count, emit_json, stderr_console, stdout_console


def registry_option(value: str) -> Path:
    """`snapshot:FILE` -> FILE (argparse type of --registry)."""
    kind, _, location = value.partition(":")
    if kind != "snapshot" or not location:
        raise argparse.ArgumentTypeError(f"expected snapshot:FILE, got {value!r}")
    return Path(location)


def add_registry_arguments(parser) -> None:
    """Options shared by `audit` and `report`."""
    parser.add_argument("path", nargs="?", type=Path, metavar="PATH",
                        help="project directory, .bib, .qmd/.md or plain-text reference list "
                             "(default: the project here)")
    modes = parser.add_mutually_exclusive_group()
    modes.add_argument("--offline", dest="mode", action="store_const", const="offline",
                       help="use citations.lock.json only; never touch the network")
    modes.add_argument("--online", dest="mode", action="store_const", const="online",
                       help="fail instead of falling back to the lock when the registries are unreachable")
    modes.add_argument("--refresh", dest="mode", action="store_const", const="refresh",
                       help="fetch every DOI again and rewrite its lock record")
    parser.set_defaults(mode="auto")
    parser.add_argument("--lock", type=Path, metavar="FILE",
                        help="lock file (default: citations.lock.json of the project)")
    parser.add_argument("--crossref-url", metavar="URL",
                        help="Crossref REST API base (default: $GALLEYPROOF_CROSSREF_URL or https://api.crossref.org)")
    parser.add_argument("--datacite-url", metavar="URL",
                        help="DataCite REST API base (default: $GALLEYPROOF_DATACITE_URL or https://api.datacite.org)")
    parser.add_argument("--no-search", dest="search", action="store_false",
                        help="do not search Crossref for references without a DOI (or whose DOI is wrong)")
    parser.add_argument("--mailto", metavar="EMAIL",
                        help="contact address for Crossref's polite pool "
                             "(default: $GALLEYPROOF_MAILTO or crossref.mailto)")
    parser.add_argument("--registry", type=registry_option, metavar="snapshot:FILE",
                        help="read works from a local snapshot (galleyproof registry import) instead of the network")


def add_arguments(parser) -> None:
    add_registry_arguments(parser)
    parser.add_argument("--fail-on", choices=STATUSES, default=DEFAULT_FAIL_ON, metavar="STATUS",
                        help=f"exit 1 when any reference is at or above STATUS (default: {DEFAULT_FAIL_ON}; "
                             f"order: {', '.join(STATUSES)})")
    batch = parser.add_argument_group("batch audits")
    batch.add_argument("--batch", type=Path, metavar="DIR|LIST",
                       help="audit every project, .bib, .qmd, .md and .txt in DIR (or listed in LIST, one a line) "
                            "on Dask distributed; needs --registry")
    batch.add_argument("--scheduler", metavar="ADDRESS",
                       help="Dask scheduler to use (default: a local cluster of --workers processes)")
    batch.add_argument("--workers", type=int, default=2, metavar="N", help="local cluster size (default: 2)")
    batch.add_argument("--results", type=Path, default=Path("audit-batch.jsonl"), metavar="FILE",
                       help="JSON lines, one per manuscript, appended as they finish (default: audit-batch.jsonl)")
    add_output_arguments(parser, formats=("table", "json"))


def run_audit_command(args) -> dict:
    """Audit what the arguments name, with a progress bar on stderr; shared by `audit` and `report`."""
    from galleyproof.audit.run import audit_path, audit_project
    from galleyproof.pipeline.progress import AuditProgress, RichReporter
    from galleyproof.project import load_project

    reporter = AuditProgress(RichReporter(stderr_console()), "auditing")
    options = dict(mode=args.mode, crossref_url=args.crossref_url, datacite_url=args.datacite_url,
                   mailto=args.mailto, reporter=reporter, lock_path=args.lock,
                   search=args.search)
    snapshot = None
    if args.registry:
        from galleyproof.registry.snapshot import Snapshot

        snapshot = options["local"] = Snapshot.open(args.registry)
    try:
        if args.path is None or args.path.is_dir():
            return audit_project(load_project(args.path or Path(".")), **options)
        return audit_path(args.path, **options)
    finally:
        reporter.stop()
        if snapshot is not None:
            snapshot.close()


def run_batch_command(args) -> int:
    from galleyproof.audit.batch import find_manuscripts, run_batch, summary_rows
    from galleyproof.report.batch import print_batch

    if args.registry is None:
        raise UsageError("--batch reads a registry snapshot: add --registry snapshot:FILE")
    if args.path is not None:
        raise UsageError("give either PATH or --batch, not both")
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from galleyproof.audit.batch import finished

    paths = find_manuscripts(args.batch)
    todo = len(paths) - len(finished(args.results) & {str(p.resolve()) for p in paths})
    err = stderr_console()
    where = args.scheduler or "a local cluster of " + count(args.workers, "worker")
    bar = Progress(TextColumn("auditing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=err, transient=True)

    def progress(line: dict) -> None:
        bar.update(task, advance=1)
        if not line["ok"]:
            err.print(f"failed: {line['manuscript']}: {line['error']}", highlight=False)

    err.print(f"auditing {count(todo, 'manuscript')} on {where}", highlight=False)
    with bar:
        task = bar.add_task("", total=todo)
        batch = run_batch(paths, args.registry, args.results, scheduler=args.scheduler, workers=args.workers,
                          search=args.search, on_result=progress)
    rows = summary_rows(batch.done)
    if args.format == "json":
        emit_json({"results": str(batch.results), "skipped": batch.skipped, "seconds": round(batch.seconds, 3),
                   "manuscripts": rows}, args.output)
    else:
        print_batch(rows, batch, stdout_console())
    failing = any(not line["ok"] or audit_failures(line["audit"], args.fail_on) for line in batch.done)
    return EXIT_FINDINGS if failing else EXIT_OK


def run(args) -> int:
    from galleyproof.report.terminal import print_audit

    if args.batch is not None:
        return run_batch_command(args)
    audit = run_audit_command(args)
    if args.format == "json":
        emit_json(audit, args.output)
    elif args.output:
        from rich.console import Console

        with open(args.output, "w", encoding="utf-8") as handle:
            print_audit(audit, Console(file=handle, width=160, highlight=False))
    else:
        print_audit(audit, stdout_console())
    return EXIT_FINDINGS if audit_failures(audit, args.fail_on) else EXIT_OK
