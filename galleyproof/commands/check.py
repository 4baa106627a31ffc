"""Find where the manuscript disagrees with itself: conflicting claims, summary claims the body never
makes, abbreviation slips, duplicated passages, uncited evidential or numeric claims, inconsistent
figures and citations, and mixed or skipped section numbering.

PATH is a project directory (default: the project around the current directory) or a single .qmd,
.md or .txt manuscript. Code cells are never executed. Findings listed in accepted-findings.yml
(in the project root, or beside a single manuscript file) by id with a reason are reported as
accepted and never fail the command. Severities and extra lexicon terms come from galleyproof.yml:
`claims: {severity: {KIND: error|warning|info}, lexicon: FILE}`.
"""

from __future__ import annotations

from pathlib import Path

from galleyproof.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from galleyproof.report.output import add_output_arguments, emit_json, emit_text, stderr_console, stdout_console


def add_arguments(parser) -> None:
    parser.add_argument("path", nargs="?", type=Path, default=Path("."), metavar="PATH",
                        help="project directory or manuscript file (default: the current project)")
    add_output_arguments(parser)
    parser.add_argument("--fail-on", choices=("error", "warning", "info"), default="error",
                        help="exit 1 when an unaccepted finding is at least this severe (default: error)")


def run(args) -> int:
    from galleyproof.claims.run import check_path
    from galleyproof.pipeline.policy import check_failures
    from galleyproof.report.claims import findings_table, summary_line

    console = stderr_console()
    with console.status("checking claims") as status:
        result = check_path(args.path, progress=lambda rule: status.update(f"checking claims: {rule}"))
    if args.format == "json":
        emit_json(result, args.output)
    elif args.format == "html":
        try:
            from galleyproof.report.html import render_report
        except ImportError as exc:
            raise UsageError(f"the HTML report is not available in this installation ({exc})") from None
        emit_text(render_report(audit=None, check=result), args.output)
    elif args.output:
        out = stdout_console()
        with out.capture() as captured:
            out.print(findings_table(result))
            out.print(summary_line(result))
        emit_text(captured.get(), args.output)
    else:
        out = stdout_console()
        if result["findings"]:
            out.print(findings_table(result))
        out.print(summary_line(result))
    return EXIT_FINDINGS if check_failures(result, args.fail_on) else EXIT_OK
