"""The citation audit in one table, from the report the build's audit step writes.

No network from inside a cell: the build runs the audit (`galleyproof audit`, against Crossref and
DataCite or the lock file) before it executes the chapters, and writes _output/reports/audit.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

AUDIT_REPORT = Path("_output/reports/audit.json")


def load_audit(path: str | Path = AUDIT_REPORT) -> dict | None:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def status_table(audit: dict | None) -> pd.DataFrame:
    """Per audit status (in the audit's order of severity): how many references, and which."""
    if audit is None:
        return pd.DataFrame([{"Status": "not run (build with python build.py)", "References": 0, "Keys": []}])
    summary = audit.get("summary", {})
    order = summary.get("severity") or sorted({r["status"] for r in audit.get("references", [])})
    rows = []
    for status in order:
        keys = sorted(r["key"] for r in audit.get("references", []) if r["status"] == status)
        if keys:
            rows.append({"Status": status.replace("_", " "), "References": len(keys), "Keys": keys})
    return pd.DataFrame(rows, columns=["Status", "References", "Keys"])
