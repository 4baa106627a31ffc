"""Write the reviewer report: one self-contained HTML file with the citation audit and the claim checks.

The "Citations" tab lists every reference with its audit status (sortable, filterable), each
finding showing the cited and the registered value; the "Consistency" tab lists where the
manuscript disagrees with itself (filterable by severity and kind). The file has no external
requests, so it can be sent to a reviewer as is. Registry options are those of `galleyproof audit`.
"""

from __future__ import annotations

from pathlib import Path

from galleyproof.commands.audit import add_registry_arguments, run_audit_command
from galleyproof.errors import EXIT_OK
from galleyproof.report.output import emit_text, stderr_console


def add_arguments(parser) -> None:
    add_registry_arguments(parser)
    parser.add_argument("--no-check", dest="check", action="store_false",
                        help="leave out the claim checks (Consistency tab)")
    parser.add_argument("--title", help="report title (default: the manuscript's title or file name)")
    parser.add_argument("--output", "-o", type=Path, metavar="FILE",
                        help="write the HTML to FILE instead of standard output")


def _check(args) -> dict | None:
    if not args.check or (args.path and args.path.suffix.lower() == ".bib"):
        return None
    try:
        from galleyproof.claims.run import check_path, check_project
    except ImportError:  # the claim checker is optional for the report
        return None
    if args.path is None:
        from galleyproof.project import load_project
        return check_project(load_project(Path(".")))
    return check_path(args.path)


def _title(args) -> str:
    if args.title:
        return args.title
    if args.path is None or args.path.is_dir():
        from galleyproof.project import load_project
        return f"Reviewer report: {load_project(args.path or Path('.')).title}"
    return f"Reviewer report: {args.path.name}"


def run(args) -> int:
    from galleyproof.report.html import render_report

    audit = run_audit_command(args)
    emit_text(render_report(audit, _check(args), _title(args)), args.output)
    if args.output:
        stderr_console().print(f"wrote {args.output}", highlight=False)
    return EXIT_OK
