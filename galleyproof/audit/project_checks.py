"""Findings about the bibliography as a whole: keys cited but undefined, entries never cited,
duplicate entries (the same DOI, or the same title, first author and year), and entries the
reader could not read (so nobody audited them)."""

from __future__ import annotations

from galleyproof.audit.compare import fold_key
from galleyproof.audit.model import ProjectFinding
from galleyproof.bib.model import BibIssue, Reference
from galleyproof.manuscript.document import Citation


def undefined_keys(refs: list[Reference], citations: list[Citation]) -> list[ProjectFinding]:
    defined = {r.key for r in refs}
    first: dict[str, Citation] = {}
    counts: dict[str, int] = {}
    for citation in citations:
        if citation.key not in defined:
            first.setdefault(citation.key, citation)
            counts[citation.key] = counts.get(citation.key, 0) + 1
    return [ProjectFinding("undefined_key", key, c.file, c.line,
                           f"{_as_written(c)} is cited {counts[key]} time(s) but not defined in the bibliography")
            for key, c in first.items()]


def _as_written(citation: Citation) -> str:
    """`@key` for pandoc citations; the author's own words, "(Smith & Jones, 2020)", for plain text."""
    written = citation.text.strip()
    return f"@{citation.key}" if not written or written.startswith(("[", "@")) else written


def uncited(refs: list[Reference], citations: list[Citation]) -> list[ProjectFinding]:
    cited = {c.key for c in citations}
    return [ProjectFinding("uncited", r.key, r.source, r.line, f"{r.key} is in the bibliography but never cited")
            for r in refs if r.key not in cited]


def duplicates(refs: list[Reference]) -> list[ProjectFinding]:
    findings: list[ProjectFinding] = []
    by_doi: dict[str, str] = {}  # the first key seen for each DOI, and for each folded work
    by_work: dict[tuple, str] = {}
    for ref in refs:
        work = fold_key(ref)
        if ref.doi and ref.doi in by_doi:
            findings.append(ProjectFinding("duplicate", ref.key, ref.source, ref.line,
                                           f"same DOI as {by_doi[ref.doi]} ({ref.doi})", by_doi[ref.doi]))
        elif all(work) and work in by_work:
            findings.append(ProjectFinding("duplicate", ref.key, ref.source, ref.line,
                                           f"same title, first author and year as {by_work[work]}", by_work[work]))
        if ref.doi:
            by_doi.setdefault(ref.doi, ref.key)
        if all(work):
            by_work.setdefault(work, ref.key)
    return findings


def project_findings(refs: list[Reference], citations: list[Citation] | None) -> list[ProjectFinding]:
    found = duplicates(refs)
    if citations is not None:
        found = undefined_keys(refs, citations) + uncited(refs, citations) + found
    return found


def unreadable_entries(issues: list[BibIssue]) -> list[ProjectFinding]:
    return [ProjectFinding("unreadable_entry", i.key, i.file, i.line, i.message) for i in issues if i.is_error]
