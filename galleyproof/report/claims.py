"""Claim-check results for people: a rich table for the terminal, a Markdown table for the appendix chapter.

Both render the JSON contract from `galleyproof.claims.run` (the build writes it to
reports/check.json), never the rule objects, so what the reader sees is exactly what `--format json`
reports. The claim checker itself holds no presentation.
"""

from __future__ import annotations

import re

from rich.table import Table
from rich.text import Text

# C0 and C1 control characters (ESC, BEL, CSI...): a manuscript's raw escape sequences must not reach
# the terminal, where they could recolour, retitle or rewrite it. Newlines and tabs become spaces.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` with control characters replaced: a space for whitespace ones, U+FFFD for the rest."""
    return _CONTROL.sub(lambda m: " " if m.group(0) in "\t\n\r" else "\ufffd", str(text))

SEVERITY_STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def findings_table(result: dict) -> Table:
    """One row per finding: severity and kind, then the one-sentence message and the id to accept it by."""
    table = Table(title="Claim consistency", expand=True, show_lines=True, show_header=True)
    table.add_column("severity", no_wrap=True)
    table.add_column("finding", overflow="fold", ratio=1)
    for finding in result["findings"]:
        accepted = finding.get("accepted")
        severity = Text("accepted" if accepted else finding["severity"],
                        style="dim" if accepted else SEVERITY_STYLES.get(finding["severity"], ""))
        body = Text(finding["kind"], style="bold")
        body.append("  " + finding["id"], style="dim")
        body.append("\n" + printable(finding["message"]))
        if accepted:
            body.append("\naccepted: " + printable(finding["reason"]), style="dim")
        table.add_row(severity, body)
    return table


def summary_line(result: dict) -> str:
    summary = result["summary"]
    plural = {"error": "errors", "warning": "warnings", "info": "info"}
    counts = ", ".join(f"{n} {plural[level] if n != 1 else level}" for level, n in summary["open"].items())
    accepted = f"; {summary['accepted']} accepted" if summary["accepted"] else ""
    stale = (f"; {len(summary['stale_acceptances'])} accepted finding(s) no longer occur"
             if summary["stale_acceptances"] else "")
    total = summary['total']
    return f"{total} finding{'' if total == 1 else 's'} ({counts}){accepted}{stale}"


def _cell(text: str) -> str:
    return " ".join(printable(text).split()).replace("|", "\\|")


def markdown_table(result: dict) -> str:
    """Pipe table (pandoc manual, "Tables": pipe_tables) of open and accepted findings."""
    if not result["findings"]:
        return "The checker found no inconsistencies.\n"
    rows = ["| Severity | Finding | Where |", "|:--|:------|:--|"]
    for finding in result["findings"]:
        severity = "accepted" if finding.get("accepted") else finding["severity"]
        message = finding["message"] + (f" *Accepted: {finding['reason']}*" if finding.get("accepted") else "")
        where = "; ".join(f"`{loc['file']}:{loc['line']}`" for loc in finding["locations"])
        rows.append(f"| {severity} | {_cell(message)} | {where} |")
    return "\n".join(rows) + "\n"
