"""The audit's findings as plain records, and the JSON contract they serialise to (docs/audit-json.md).

Statuses, from least to most severe (the order `--fail-on` uses):

    verified          the registered record matches what is cited
    no_doi            a kind of work that usually has no DOI (book, thesis, report, software, web page,
                      arXiv preprint) gives none: information, not a fault (`suggested_doi` when a
                      search found that this one does have a DOI)
    unverified        no registry answered and the lock has no record (offline, timeout, outage)
    corrected         the registry records an update to the work: a correction, erratum, expression
                      of concern or new version, or a published version of a cited preprint
    missing_doi       a journal article (or another kind of work that normally has a DOI) gives none
                      (`suggested_doi` when a search found a real match)
    mismatch          the DOI identifies the cited work, but some fields differ
    points_elsewhere  the DOI identifies a different work
    not_found         no registration agency knows the DOI (neither Crossref nor DataCite holds it,
                      and Crossref's agency lookup names no other agency)
    retracted         the work is retracted, withdrawn or removed
"""

from __future__ import annotations

from dataclasses import dataclass, field

STATUSES = ("verified", "no_doi", "unverified", "corrected", "missing_doi", "mismatch", "points_elsewhere",
            "not_found", "retracted")
SEVERITY = {status: rank for rank, status in enumerate(STATUSES)}
DEFAULT_FAIL_ON = "mismatch"
PROJECT_KINDS = ("undefined_key", "uncited", "duplicate", "unreadable_entry")


def worst(statuses) -> str:
    return max(statuses, key=SEVERITY.__getitem__, default="verified")


def at_or_above(status: str, threshold: str) -> bool:
    return SEVERITY[status] >= SEVERITY[threshold]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a reference: a differing field, a registered update, a different work."""

    kind: str  # "mismatch" | "different_work" | "retraction" | "correction" | ... | "published_version"
    field: str  # "title", "authors", "year", "container", "volume", "issue", "pages", "doi", "updated-by"
    cited: str
    registered: str
    note: str = ""  # a few words on why, e.g. "first author differs"


@dataclass
class ReferenceResult:
    key: str
    status: str
    doi: str
    file: str
    line: int | None
    problems: list[Problem] = field(default_factory=list)
    suggested_doi: str | None = None
    registered: dict | None = None
    cited: dict = field(default_factory=dict)
    message: str = ""

    def to_dict(self) -> dict:
        return {
            "key": self.key, "status": self.status, "doi": self.doi or None,
            "problems": [dict(vars(p)) for p in self.problems],  # flat records: no deep copy needed
            "suggested_doi": self.suggested_doi, "registered": self.registered,
            "file": self.file, "line": self.line, "cited": self.cited, "message": self.message,
        }


@dataclass(frozen=True)
class ProjectFinding:
    kind: str  # "undefined_key" | "uncited" | "duplicate" | "unreadable_entry"
    key: str
    file: str
    line: int | None
    message: str = ""
    related: str = ""  # for a duplicate: the key it duplicates

    def to_dict(self) -> dict:
        return dict(vars(self))  # flat: asdict's deep copy cost a warm audit 0.3 s per 10,000


# Project-level findings ranked on the same scale, so one `--fail-on` threshold covers both:
# a key cited but undefined breaks the build like a DOI that does not exist; a duplicate entry is
# as serious as a missing DOI; an uncited entry is informational; an entry that cannot be read is
# a reference nobody checked, as serious as one whose fields are wrong (BibTeX and biber fail on it too).
PROJECT_SEVERITY = {"uncited": "corrected", "duplicate": "missing_doi", "undefined_key": "not_found",
                    "unreadable_entry": "mismatch"}
