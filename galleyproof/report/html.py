"""The reviewer report: one self-contained HTML file with the citation audit and the claim checks.

    render_report(audit, check, title="") -> str

`audit` is the citation audit's JSON contract (docs/audit-json.md), `check` the claim checker's
(`{"findings": [{"kind", "severity", "message", "locations": [...], "entities"}], "summary"}`);
either may be None. CSS and JavaScript are inline and nothing is fetched, so the file can be
mailed to a reviewer. Every value goes through Jinja2's autoescaping; data handed to the script
goes through `tojson`, which escapes `<`, `>`, `&` and `'` so a `</script>` inside a title
cannot end the script element.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from jinja2 import ChainableUndefined, Environment, FileSystemLoader

from galleyproof import __version__
from galleyproof.audit.model import PROJECT_SEVERITY, STATUSES

TEMPLATES = Path(__file__).parent / "templates"
SEVERITIES = ("error", "warning", "info")


def _environment() -> Environment:
    # ChainableUndefined: optional keys of other tools' JSON render empty.
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=ChainableUndefined,
                       trim_blocks=True, lstrip_blocks=True)


def _where(item: dict) -> str:
    file, line = item.get("file") or "", item.get("line")
    return f"{file}:{line}" if file and line else file


def _audit_view(audit: dict | None) -> dict | None:
    if audit is None:
        return None
    present = [s for s in STATUSES if audit["summary"]["statuses"].get(s)]
    return {"references": audit["references"], "project": audit["project"], "summary": audit["summary"],
            "present": present, "rank": {s: i for i, s in enumerate(STATUSES)}}


def _check_view(check: dict | None) -> dict | None:
    if check is None:
        return None
    findings = check.get("findings") or []
    return {"findings": findings, "summary": check.get("summary") or {},
            "severities": [s for s in SEVERITIES if any(f.get("severity") == s for f in findings)],
            "kinds": sorted({f.get("kind", "") for f in findings})}


def generated_at(timestamped: bool = True) -> str:
    """When the report was made: SOURCE_DATE_EPOCH when set (https://reproducible-builds.org/specs/
    source-date-epoch/), else now; "" for a report that must be byte-identical from identical inputs."""
    if not timestamped:
        return ""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch.isdigit() else datetime.now(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def render_report(audit: dict | None, check: dict | None, title: str = "", *, timestamped: bool = True) -> str:
    """One HTML page: a Citations tab (sortable, filterable by status) and a Consistency tab
    (filterable by severity and kind). `timestamped=False` leaves out the generation time."""
    template = _environment().get_template("report.html.j2")
    return template.render(
        title=title or "Reviewer report", audit=_audit_view(audit), check=_check_view(check),
        statuses=STATUSES, project_severity=PROJECT_SEVERITY, where=_where, version=__version__,
        generated=generated_at(timestamped),
    )
