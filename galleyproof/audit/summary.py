"""The audit as pandas tables, for the manuscript's analysis cells and the build's summary.

    summary_frame(audit)    one row per status: status, count, share (of all references)[, keys]
    references_frame(audit) one row per reference: key, status, doi, file, line, problems, suggested_doi
"""

from __future__ import annotations

import pandas as pd

from galleyproof.audit.model import STATUSES


def summary_frame(audit: dict, *, keys: bool = False) -> pd.DataFrame:
    """One row per status, least to most severe; `keys=True` adds the sorted keys of each status."""
    counts = audit["summary"]["statuses"]
    total = sum(counts.values())
    frame = pd.DataFrame({"status": list(STATUSES), "count": [counts.get(s, 0) for s in STATUSES],
                          "share": [(counts.get(s, 0) / total) if total else 0.0 for s in STATUSES]})
    if keys:
        frame["keys"] = [sorted(r["key"] for r in audit["references"] if r["status"] == s) for s in STATUSES]
    return frame


def references_frame(audit: dict) -> pd.DataFrame:
    rows = [{"key": r["key"], "status": r["status"], "doi": r["doi"], "file": r["file"], "line": r["line"],
             "problems": "; ".join(f"{p['field']}: {p['kind']}" for p in r["problems"]),
             "suggested_doi": r["suggested_doi"]} for r in audit["references"]]
    return pd.DataFrame(rows, columns=["key", "status", "doi", "file", "line", "problems", "suggested_doi"])
