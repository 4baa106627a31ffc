"""The one pass/fail policy: which results make a command fail (exit 1).

    audit    references and project findings ranked at or above `--fail-on` (default: mismatch); a
             project finding ranks as audit.model.PROJECT_SEVERITY says (an undefined key as not_found);
             a reference a registry failed to answer while online fails at any threshold
    check    open (unaccepted) claim findings at or above `--fail-on` (default: error)
    build    with --strict, the audit at its `--fail-on` and the claim checker at error
    export   a failing pre-submission check, unless --draft; its citation-audit and claim rows apply
             the audit and check policies at their defaults

The ranks are data of their own parts (audit.model.STATUSES, claims.findings.SEVERITIES); what fails is
decided here and nowhere else.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from galleyproof.audit.model import DEFAULT_FAIL_ON, PROJECT_SEVERITY, SEVERITY, STATUSES, at_or_above
from galleyproof.claims.findings import SEVERITIES
from galleyproof.errors import UsageError
from galleyproof.report.output import count

AUDIT_FAIL_ON = DEFAULT_FAIL_ON
CHECK_FAIL_ON = "error"


def audit_failures(audit: dict, fail_on: str = AUDIT_FAIL_ON) -> list[dict]:
    """References and project findings at or above `fail_on`, and references a registry failed to answer
    while online (whatever `fail_on` says: a reference nobody could check is not a pass)."""
    if fail_on not in SEVERITY:
        raise UsageError(f"unknown --fail-on status {fail_on!r} (choose from {', '.join(STATUSES)})")
    unanswered = set(audit.get("summary", {}).get("registry_failures") or ())  # could not be checked online
    refs = [r for r in audit.get("references", []) if at_or_above(r["status"], fail_on) or r["key"] in unanswered]
    project = [f for f in audit.get("project", []) if at_or_above(PROJECT_SEVERITY[f["kind"]], fail_on)]
    return refs + project


def check_failures(check: dict | None, fail_on: str = CHECK_FAIL_ON) -> int:
    """How many open (unaccepted) claim findings are at or above `fail_on` (error > warning > info)."""
    if not check:
        return 0
    if fail_on not in SEVERITIES:
        raise UsageError(f"unknown --fail-on severity {fail_on!r} (choose from {', '.join(SEVERITIES)})")
    levels = SEVERITIES[: SEVERITIES.index(fail_on) + 1]
    summary: dict[str, Any] = check.get("summary") or {}
    if isinstance(summary.get("open"), dict):
        return sum(summary["open"].get(level, 0) for level in levels)
    if fail_on == "error" and isinstance(summary.get("errors"), int):
        return summary["errors"]
    return sum(1 for f in check.get("findings", []) if f.get("severity") in levels and not f.get("accepted"))


def build_failures(audit: dict | None, check: dict | None, fail_on: str = AUDIT_FAIL_ON) -> list[str]:
    """Why a --strict build fails, one line per cause: audit findings at or above `fail_on` and
    claim-checker errors."""
    if fail_on not in SEVERITY:
        raise UsageError(f"unknown --fail-on status {fail_on!r} (choose from {', '.join(STATUSES)})")
    failures = []
    if audit:
        counts = Counter(str(item.get("status") or item.get("kind")) for item in audit_failures(audit, fail_on))
        failures += [f"audit: {count(n, 'reference')} {status}" if status in SEVERITY
                     else f"audit: {count(n, status.replace('_', ' ') + ' finding')}"
                     for status, n in counts.items()]
    errors = check_failures(check)
    if errors:
        failures.append(f"check: {count(errors, 'error')}")
    return failures


def export_failures(checks: list) -> list:
    """The pre-submission checks (export.checks.Check) that failed."""
    return [c for c in checks if c.failed]
