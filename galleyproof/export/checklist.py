"""The pre-submission checklist as Markdown (the file in the package) and as plain data (JSON)."""

from __future__ import annotations

from dataclasses import asdict

from galleyproof.report.output import count

MARK = {"pass": "PASS", "fail": "FAIL", "warn": "WARN", "skip": "SKIP"}


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def checklist_markdown(result) -> str:
    profile = result.profile
    failed = len(result.failed)
    state = "ready to submit" if not failed else f"{count(failed, 'check')} failed"
    lines = [
        f"# Submission checklist: {profile.name}",
        "",
        f"Journal profile `{profile.id}`; citation style `{profile.citation_style}`; review {profile.review}."
        + (" Draft export." if result.draft else ""),
        f"Result: {state}.",
        "",
        "| | Check | Measured | Limit | Detail |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += [f"| {MARK[c.status]} | {_cell(c.label)} | {_cell(c.measured)} | {_cell(c.limit)} | {_cell(c.detail)} |"
              for c in result.checks]
    if result.files:
        lines += ["", "## Files", ""] + [f"- `{f.name}`: {f.description}" for f in result.files]
        if not any(f.name == "checklist.md" for f in result.files):
            lines.append("- `checklist.md`: this checklist")
    return "\n".join(lines) + "\n"


def result_data(result) -> dict:
    """The JSON contract of `galleyproof export --format json`."""
    return {
        "journal": result.profile.id,
        "name": result.profile.name,
        "ok": result.ok,
        "draft": result.draft,
        "written": result.written,
        "package": str(result.package_dir) if result.package_dir else None,
        "zip": str(result.zip_path) if result.zip_path else None,
        "checks": [asdict(c) for c in result.checks],
        "files": [f.name for f in result.files],
    }
