"""The citation audit in a terminal: a rich progress bar on stderr, result tables on stdout."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

STATUS_STYLES = {"verified": "green", "no_doi": "dim", "unverified": "yellow", "corrected": "cyan",
                 "missing_doi": "yellow",
                 "mismatch": "bold red", "points_elsewhere": "bold red", "not_found": "bold red",
                 "retracted": "bold magenta"}


def _problem_text(problem: dict) -> str:
    if problem["kind"] == "mismatch":
        text = f"{problem['field']}: {problem['cited']!r} ≠ registered {problem['registered']!r}"
    elif problem["kind"] == "different_work":
        text = f"cited {problem['cited']!r}; DOI is {problem['registered']!r}"
    else:
        text = f"{problem['kind'].replace('_', ' ')}: {problem['registered']}"
    return text + (f" ({problem['note']})" if problem.get("note") and problem["kind"] == "mismatch" else "")


def references_table(audit: dict) -> Table:
    table = Table(title="Citation audit", show_lines=False, expand=False)
    # Keys and statuses are identifiers a reviewer copies: never break them.
    table.add_column("key", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("DOI", overflow="fold")
    table.add_column("findings", overflow="fold", min_width=20)
    table.add_column("where", overflow="fold", min_width=12)
    for ref in audit["references"]:
        details = [_problem_text(p) for p in ref["problems"]]
        if ref["suggested_doi"]:
            details.append(f"suggested DOI: {ref['suggested_doi']}")
        if not details and ref["status"] != "verified":
            details.append(ref["message"])
        where = f"{ref['file']}:{ref['line']}" if ref.get("line") else ref.get("file", "")
        table.add_row(Text(ref["key"]), Text(ref["status"], style=STATUS_STYLES[ref["status"]]),
                      Text(ref["doi"] or "—"), Text("\n".join(details)), Text(where))
    return table


def project_table(audit: dict) -> Table:
    table = Table(title="Bibliography", expand=False)
    for column in ("kind", "key", "message", "where"):
        table.add_column(column, overflow="fold")
    for finding in audit["project"]:
        where = f"{finding['file']}:{finding['line']}" if finding.get("line") else finding.get("file", "")
        table.add_row(Text(finding["kind"]), Text(finding["key"]), Text(finding["message"]), Text(where))
    return table


def summary_line(audit: dict) -> str:
    summary = audit["summary"]
    counts = ", ".join(f"{n} {s}" for s, n in summary["statuses"].items() if n)
    project = ", ".join(f"{n} {k}" for k, n in summary["project"].items() if n)
    where = "online" if summary["online"] else "from the lock"
    return f"{summary['total']} references ({counts or 'none'}){'; ' + project if project else ''}; audited {where}"


def print_audit(audit: dict, console: Console) -> None:
    console.print(references_table(audit))
    if audit["project"]:
        console.print(project_table(audit))
    console.print(summary_line(audit), highlight=False)
