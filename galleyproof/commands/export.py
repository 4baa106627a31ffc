"""Make a checked submission package for one journal.

Runs the pre-submission checks of the journal's profile (word counts, abstract, keywords, references,
every citation resolved, figures with captions and resolution, citation audit, claim checker) and,
when they pass, writes _output/submission/ID/ and _output/submission/ID.zip: the manuscript as PDF and
DOCX in the journal's citation style, an anonymised copy and a separate title page for double-blind
journals, cover letter, highlights, figures, JATS XML and a MECA archive where the journal takes them,
and checklist.md. A failing check stops the export (exit 1) unless --draft.

The citation audit gate reads citations.lock.json (offline) unless --online: references the lock does
not cover are "unverified", shown as a warning, never a failure. Profiles: galleyproof export --list;
a project adds or overrides them in the directory named by `export.profiles` in galleyproof.yml.

examples:
  galleyproof export --list
  galleyproof export --journal health-psychology
  python build.py export --journal preprint --draft --format json
"""

from __future__ import annotations

from galleyproof.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from galleyproof.report.output import add_output_arguments, count, emit_json, emit_text, stderr_console, stdout_console


def add_arguments(parser) -> None:
    parser.add_argument("--journal", "-j", metavar="ID", help="journal profile id (see --list)")
    parser.add_argument("--list", action="store_true", help="print the profile ids with their names and exit")
    parser.add_argument("--draft", action="store_true",
                        help="write the package and checklist even when checks fail (exit 0)")
    parser.add_argument("--online", action="store_true",
                        help="let the citation audit query Crossref/DataCite (default: citations.lock.json only)")
    parser.add_argument("--fresh", action="store_true", help="re-execute every cell, ignoring the cache")
    parser.add_argument("--project", default=".", metavar="DIR", help="project directory (default: here)")
    add_output_arguments(parser, formats=("table", "json"))


def _list(args) -> int:
    from galleyproof.export.profiles import list_profiles
    from galleyproof.project import ConfigError, load_project

    try:
        project = load_project(args.project)
    except ConfigError:
        project = None  # outside a project: the bundled profiles still list
    rows = [{"id": p.id, "name": p.name, "style": p.citation_style, "review": p.review}
            for p in list_profiles(project)]
    if args.format == "json":
        emit_json(rows, args.output)
    else:
        width = max(len(r["id"]) for r in rows)
        emit_text("".join(f"{r['id']:<{width}}  {r['name']}\n" for r in rows), args.output)
    return EXIT_OK


def _table(result) -> None:
    from rich.table import Table

    styles = {"pass": "green", "fail": "bold red", "warn": "yellow", "skip": "dim"}
    table = Table(title=f"{result.profile.name} ({result.profile.id})", title_justify="left")
    for column in ("", "check", "measured", "limit", "detail"):
        table.add_column(column, overflow="fold")
    for check in result.checks:
        table.add_row(f"[{styles[check.status]}]{check.status.upper()}[/]", check.label, check.measured,
                      check.limit, check.detail)
    stdout_console().print(table)


def run(args) -> int:
    if args.list:
        return _list(args)
    if not args.journal:
        raise UsageError("name a journal with --journal ID (galleyproof export --list shows them)")
    from galleyproof.export.checklist import checklist_markdown, result_data
    from galleyproof.pipeline.export import export_submission
    from galleyproof.pipeline.progress import RichReporter
    from galleyproof.project import load_project

    project = load_project(args.project)
    reporter = RichReporter(stderr_console())
    try:
        result = export_submission(project, args.journal, draft=args.draft, fresh=args.fresh,
                                   audit_mode="auto" if args.online else "offline", reporter=reporter)
    finally:
        reporter.close()
    if args.format == "json":
        emit_json(result_data(result), args.output)
    elif args.output:
        emit_text(checklist_markdown(result), args.output)
    else:
        _table(result)
    err = stderr_console()
    failed = result.failed
    if result.written and result.package_dir and result.zip_path:
        note = f" (draft: {count(len(failed), 'failed check')})" if failed else ""
        err.print(f"wrote {project.relative(result.package_dir)}/ and {project.relative(result.zip_path)}{note}",
                  soft_wrap=True)
        return EXIT_OK
    names = ", ".join(c.label.split(":")[0].split(" (")[0].lower() for c in failed)
    err.print(f"export stopped: {count(len(failed), 'check')} failed ({names}); "
              "nothing was written (use --draft to write the package anyway)", soft_wrap=True)
    return EXIT_FINDINGS
