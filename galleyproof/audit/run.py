"""Audit every reference of a project or a file against Crossref and DataCite (or the lock).

    audit_project(project, mode="auto", ...) -> dict
    audit_path(path, mode="auto", ...) -> dict

Both return the JSON contract documented in docs/audit-json.md:

    {"references": [{"key", "status", "doi", "problems": [{"kind", "field", "cited", "registered", "note"}],
                     "suggested_doi", "registered": {...} | null, "file", "line", "cited": {...}, "message"}],
     "project": [{"kind", "key", "file", "line", "message", "related"}],
     "summary": {"total", "statuses": {status: count}, "project": {kind: count}, "worst", "severity",
                 "mode", "online", "lock", "source", "warnings"}}

Modes (galleyproof.registry.resolver): "auto" (lock, then online if a single connect probe
succeeds, else one warning), "online", "offline" (lock only) and "refresh". A registry that does
not answer makes a reference `unverified`, never wrong.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from galleyproof.audit.compare import (
    compare,
    matches_candidate,
    person_name,
    registered_titles,
    registered_years,
    supported_by_string,
)
from galleyproof.audit.fields import usually_without_doi
from galleyproof.audit.inputs import AuditInput, from_path, from_project
from galleyproof.audit.memo import Verdicts, fingerprint, paused_gc, remember_verified_lock, verified_lock
from galleyproof.audit.model import PROJECT_KINDS, STATUSES, ReferenceResult, worst
from galleyproof.audit.project_checks import project_findings, unreadable_entries
from galleyproof.bib.model import Reference
from galleyproof.errors import ConfigError, GalleyproofError
from galleyproof.manuscript.book import Book
from galleyproof.project import LOCK_FILE, find_root, load_project
from galleyproof.registry.endpoints import resolve_endpoints
from galleyproof.registry.http import RetryPolicy
from galleyproof.registry.lock import CitationLock
from galleyproof.registry.resolver import Lookup, Resolver

SEARCH_STATUSES = ("no_doi", "missing_doi", "points_elsewhere", "not_found")


class Reporter(Protocol):
    """Where progress goes (the CLI draws a rich progress bar; the library stays silent)."""

    def start(self, total: int) -> None: ...
    def advance(self, label: str) -> None: ...
    def warning(self, message: str) -> None: ...


class SilentReporter:
    def start(self, total: int) -> None:
        pass

    def advance(self, label: str) -> None:
        pass

    def warning(self, message: str) -> None:
        pass


def cited_view(ref: Reference) -> dict:
    return {"title": ref.title, "authors": [p.family for p in ref.authors], "year": ref.year,
            "container": ref.container, "volume": ref.volume, "issue": ref.issue, "pages": ref.pages,
            "type": ref.entry_type}


def registered_view(lookup: Lookup) -> dict | None:
    """The registered record in the flat shape reports show beside the cited values."""
    work = lookup.record
    if not work:
        return None
    titles, years = registered_titles(work), registered_years(work)
    return {
        "source": lookup.source, "retrieved": lookup.retrieved, "from_lock": lookup.from_lock,
        "doi": work.get("DOI", lookup.doi), "type": work.get("type", ""),
        "title": titles[-1] if titles else "",
        "authors": [person_name(a) for a in work.get("author") or []],
        "year": years[0] if years else "", "years": years,
        "container": (work.get("container-title") or [""])[0],
        "short_container": (work.get("short-container-title") or [""])[0],
        "volume": work.get("volume", ""), "issue": work.get("issue", ""),
        "pages": work.get("page", "") or work.get("article-number", ""),
        "updated_by": work.get("updated-by") or [],
    }


def query_for(ref: Reference) -> str:
    """The reference string for `query.bibliographic`: as written when parsed from text."""
    if ref.raw:
        return ref.raw
    authors = ", ".join(f"{p.family}, {p.given}".strip(", ") for p in ref.authors)
    numbers = ", ".join(x for x in (ref.volume, ref.issue and f"({ref.issue})", ref.pages) if x)
    return " ".join(x for x in (authors, f"({ref.year})." if ref.year else "", ref.title + ".",
                                ref.container, numbers) if x).strip()


def judge(ref: Reference, lookup: Lookup | None, verdicts: Verdicts | None = None) -> ReferenceResult:
    """One reference's result from its lookup (None when it has no DOI); `verdicts` remembers
    compare()'s answer per (cited fields, record hash), so a warm audit compares nothing again."""
    result = ReferenceResult(ref.key, "verified", ref.doi, ref.source, ref.line, cited=cited_view(ref))
    if lookup is None and usually_without_doi(ref):
        result.status, result.message = "no_doi", f"no DOI given; usual for this kind of work ({ref.entry_type})"
    elif lookup is None:
        result.status, result.message = "missing_doi", "the reference gives no DOI"
    elif lookup.outcome == "unavailable":
        result.status, result.message = "unverified", f"could not be resolved: {lookup.error}"
    elif lookup.outcome == "not_found" or lookup.record is None:
        result.status, result.message = "not_found", "registered at neither Crossref nor DataCite"
    else:
        key = fingerprint(ref, lookup.sha256) if verdicts is not None and lookup.sha256 else ""
        known = verdicts.get(key) if key and verdicts is not None else None
        result.status, result.problems = known or compare(ref, lookup.record)
        if key and verdicts is not None and known is None:
            verdicts.put(key, result.status, result.problems)
        result.registered = registered_view(lookup)
        result.message = "; ".join(f"{p.field}: {p.note or p.kind}" for p in result.problems)
    return result


def suggest(ref: Reference, resolver: Resolver) -> str | None:
    """A DOI for the cited work from a `query.bibliographic` search, only when the candidate really is
    it: by the parsed fields, or, for a reference string whose fields could not all be read, by the
    string itself (title words, first author and year in it)."""
    candidates = resolver.search(query_for(ref)) or []
    unparsed = bool(ref.raw) and not (ref.title and ref.authors and ref.year)
    for candidate in candidates:
        if not candidate.get("DOI") or candidate["DOI"].lower() == ref.doi:
            continue
        if matches_candidate(ref, candidate) or unparsed and supported_by_string(ref.raw, candidate):
            return candidate["DOI"].lower()
    return None


def summarise(results: list[ReferenceResult], project: list, resolver: Resolver, source: str) -> dict:
    statuses = {s: 0 for s in STATUSES}
    for r in results:
        statuses[r.status] += 1
    kinds = {k: 0 for k in PROJECT_KINDS}
    for f in project:
        kinds[f.kind] += 1
    return {
        "total": len(results), "statuses": statuses, "project": kinds,
        "worst": worst(r.status for r in results), "severity": list(STATUSES),
        "mode": resolver.mode, "online": resolver.online,
        "lock": str(resolver.lock.path) if resolver.lock.path else None,
        "source": source, "warnings": list(resolver.warnings),
    }


def run_audit(data: AuditInput, resolver: Resolver, reporter: Reporter | None = None, search: bool = True) -> dict:
    """Resolve, compare, search for missing DOIs (unless `search` is off), check the bibliography."""
    reporter = reporter or SilentReporter()
    dois = [r.doi for r in data.references if r.doi]
    resolver.start()
    for warning in data.warnings + resolver.warnings:
        reporter.warning(warning)
    seen_warnings = len(resolver.warnings)
    reporter.start(len(set(dois)) + len(data.references))
    try:
        lookups = resolver.resolve_many(dois, progress=reporter.advance)
        results = []
        verdicts = Verdicts(resolver.lock.path)
        for ref in data.references:
            result = judge(ref, lookups.get(ref.doi) if ref.doi else None, verdicts)
            if search and result.status in SEARCH_STATUSES and (ref.title or ref.raw):
                result.suggested_doi = suggest(ref, resolver)
            results.append(result)
            reporter.advance(ref.key)
    finally:
        resolver.close()
        if resolver.lock.changed and resolver.mode != "offline":
            resolver.lock.save()
    verdicts.save()
    if resolver.lock.path and not resolver.lock.problems and not resolver.lock.changed:
        remember_verified_lock(resolver.lock.path, resolver.lock.file_sha)
    for warning in resolver.warnings[seen_warnings:]:
        reporter.warning(warning)
    project = project_findings(data.references, data.citations) + unreadable_entries(data.issues)
    summary = summarise(results, project, resolver, data.source)
    # References a registry failed to answer while online: failures whatever --fail-on says, so an
    # outage or a garbage-spewing registry never turns a failing audit into a passing one.
    summary["registry_failures"] = sorted({ref.key for ref in data.references
                                           if ref.doi and ref.doi in lookups and lookups[ref.doi].failed})
    summary["warnings"] = data.warnings + summary["warnings"]
    return {"references": [r.to_dict() for r in results], "project": [f.to_dict() for f in project],
            "summary": summary}


def _resolver(project, lock_path: Path | None, mode: str, crossref_url, datacite_url, mailto,
              policy: RetryPolicy | None, probe_timeout: float, local=None) -> Resolver:
    endpoints = resolve_endpoints(project, crossref_url=crossref_url, datacite_url=datacite_url, mailto=mailto)
    trusted = verified_lock(lock_path) if lock_path else ""
    return Resolver(endpoints, CitationLock.load(lock_path, trusted), mode, policy=policy or RetryPolicy(),
                    probe_timeout=probe_timeout, local=local)


@paused_gc()
def audit_project(project, *, mode: str = "auto", crossref_url: str | None = None,
                  datacite_url: str | None = None, mailto: str | None = None, reporter: Reporter | None = None,
                  lock_path: Path | str | None = None, policy: RetryPolicy | None = None,
                  probe_timeout: float = 2.0, search: bool = True, local=None, book: Book | None = None) -> dict:
    """Audit a loaded project (`galleyproof.project.load_project`): its bibliography, its chapters'
    citations, and its `citations.lock.json` (or `lock_path`). `local` (a registry snapshot) stands in
    for Crossref and DataCite; `book` is the project's sources as the build already read them
    (manuscript.book.read_book). Returns the JSON contract."""
    resolver = _resolver(project, Path(lock_path) if lock_path else project.lock_path, mode, crossref_url,
                         datacite_url, mailto, policy, probe_timeout, local)
    return run_audit(from_project(project, book), resolver, reporter, search)


def default_lock(path: Path) -> Path:
    """The lock of the project holding `path`, else of the project around the working directory,
    else ./citations.lock.json."""
    for start in (path.parent, Path.cwd()):
        try:
            return find_root(start) / LOCK_FILE
        except ConfigError:  # not inside a project: try the next place
            continue
    return Path.cwd() / LOCK_FILE


@paused_gc()
def audit_path(path: Path | str, *, mode: str = "auto", crossref_url: str | None = None,
               datacite_url: str | None = None, mailto: str | None = None, reporter: Reporter | None = None,
               lock_path: Path | str | None = None, policy: RetryPolicy | None = None,
               probe_timeout: float = 2.0, search: bool = True, local=None) -> dict:
    """Audit a .bib file, a .qmd/.md manuscript (its `bibliography:`), or a plain-text reference list."""
    path = Path(path)
    data = from_path(path)
    project = None
    try:
        project = load_project(path.parent)
    except GalleyproofError:  # a file outside any project has no galleyproof.yml settings
        project = None
    resolver = _resolver(project, Path(lock_path) if lock_path else default_lock(path), mode, crossref_url,
                         datacite_url, mailto, policy, probe_timeout, local)
    return run_audit(data, resolver, reporter, search)
