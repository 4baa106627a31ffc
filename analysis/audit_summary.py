"""The citation audit in one table, from the report the build's audit step writes.

No network from inside a cell: the build runs the audit (`galleyproof audit`, against Crossref and
DataCite or the lock file) before it executes the chapters, and writes _output/reports/audit.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from galleyproof.audit.summary import summary_frame

AUDIT_REPORT = Path("_output/reports/audit.json")


def load_audit(path: str | Path = AUDIT_REPORT) -> dict | None:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def status_table(audit: dict | None) -> pd.DataFrame:
    """Per audit status that occurs (least to most severe): how many references, and which."""
    if audit is None:
        return pd.DataFrame([{"Status": "not run (build with python build.py)", "References": 0, "Keys": []}])
    frame = summary_frame(audit, keys=True)
    frame = frame[frame["count"] > 0]
    return pd.DataFrame({"Status": frame["status"].str.replace("_", " "), "References": frame["count"],
                         "Keys": frame["keys"]}).reset_index(drop=True)
