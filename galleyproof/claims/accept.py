"""`accepted-findings.yml`: findings the authors reviewed and accepted, each with a reason.

    # accepted-findings.yml
    accepted:
      - id: abbreviation-unused-1a2b3c4d5e   # the id `galleyproof check` prints
        reason: The abstract defines HPA for readers who skip the body.
        accepted_by: D. Charif                # optional
        date: 2026-05-01                      # optional

A top-level list of the same entries is read too. An accepted finding stays in the output, marked
`accepted` with its reason, and no longer counts toward `--fail-on` or `--strict`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from galleyproof.claims.findings import Finding
from galleyproof.errors import ConfigError
from galleyproof.project import read_yaml


@dataclass(frozen=True)
class Acceptance:
    id: str
    reason: str
    accepted_by: str = ""
    date: str = ""
    line: int | None = None


def _entry_lines(text: str) -> list[int]:
    """Line of each list entry, so an invalid entry can be named by line."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return []
    if isinstance(root, yaml.MappingNode):
        root = next((v for k, v in root.value if k.value == "accepted"), None)
    if not isinstance(root, yaml.SequenceNode):
        return []
    return [item.start_mark.line + 1 for item in root.value]


def read_accepted(path: Path) -> list[Acceptance]:
    """Entries of an accepted-findings file; a missing file accepts nothing."""
    if not path.is_file():
        return []
    data = read_yaml(path)  # a syntax error names the file and line
    text = path.read_text(encoding="utf-8")
    if data is None:
        return []
    entries = data.get("accepted") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise ConfigError("expected a list of accepted findings under `accepted:`", path, 1)
    lines = _entry_lines(text)
    result = []
    for index, entry in enumerate(entries):
        line = lines[index] if index < len(lines) else None
        if not isinstance(entry, dict) or not entry.get("id"):
            raise ConfigError("an accepted finding needs an `id`", path, line)
        if not str(entry.get("reason") or "").strip():
            raise ConfigError(f"accepted finding {entry['id']} needs a `reason`", path, line)
        result.append(Acceptance(str(entry["id"]), str(entry["reason"]).strip(), str(entry.get("accepted_by") or ""),
                                 str(entry.get("date") or ""), line))
    return result


def apply_accepted(findings: list[Finding], accepted: list[Acceptance]) -> list[Acceptance]:
    """Mark accepted findings; returns the acceptances that matched no current finding (stale)."""
    by_id = {a.id: a for a in accepted}
    used = set()
    for finding in findings:
        acceptance = by_id.get(finding.id)
        if acceptance:
            finding.accepted, finding.reason = True, acceptance.reason
            used.add(acceptance.id)
    return [a for a in accepted if a.id not in used]
