"""`citations.lock.json`: the registered record of every DOI the audit has resolved.

Like a package lock it makes audits reproducible and reviewable: records are keyed by the
normalised (lower-cased) DOI, keys are sorted and the formatting is stable, so a diff shows
exactly which record changed. Each entry keeps its source (`crossref`, `datacite`, or `none`
when neither registry knows the DOI), the retrieval time (UTC) and a SHA-256 of the record's
canonical JSON. Searches for references without a DOI are kept the same way, by query string.

Crash safety: every record is appended to a journal file (`citations.lock.json.journal`, one
JSON object per line, flushed and fsynced) the moment it arrives; `save()` folds the journal into
the lock atomically (write a temporary file, rename) and removes it. A lock opened after a crash
or Ctrl-C replays the journal, so no record already fetched is lost.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from galleyproof import __version__
from galleyproof.errors import ConfigError
from galleyproof.fileio import atomic_write_text

VERSION = 1
ABOUT = ("Registered metadata of every DOI cited, as resolved by `galleyproof audit` "
         "(Crossref, then DataCite). Refresh with `galleyproof audit --refresh`.")


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(data: Any) -> str:
    return "sha256:" + hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


def utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class LockEntry:
    source: str  # "crossref" | "datacite" | "none"
    retrieved: str
    sha256: str
    record: dict | None  # a Crossref-shaped work; None when no registry knows the DOI

    def to_dict(self) -> dict:
        return {"source": self.source, "retrieved": self.retrieved, "sha256": self.sha256, "record": self.record}

    @classmethod
    def new(cls, source: str, record: dict | None) -> LockEntry:
        return cls(source, utc_now(), content_hash(record), record)


@dataclass(frozen=True)
class SearchEntry:
    retrieved: str
    sha256: str
    candidates: list[dict]

    def to_dict(self) -> dict:
        return {"retrieved": self.retrieved, "sha256": self.sha256, "candidates": self.candidates}


class CitationLock:
    """The lock file as an object. `path=None` keeps it in memory (tests, `--no-lock`)."""

    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path else None
        self.records: dict[str, LockEntry] = {}
        self.searches: dict[str, SearchEntry] = {}
        self._mutex = threading.Lock()
        self.changed = False

    @property
    def journal_path(self) -> Path | None:
        return self.path.with_name(self.path.name + ".journal") if self.path else None

    @classmethod
    def load(cls, path: Path | str | None) -> CitationLock:
        lock = cls(Path(path) if path else None)
        if lock.path and lock.path.is_file():
            lock._read(lock.path)
        if lock.journal_path and lock.journal_path.is_file():
            lock._replay(lock.journal_path)
        return lock

    def _read(self, path: Path) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ConfigError(f"lock file is not valid JSON: {exc.msg}", path, exc.lineno) from None
        if not isinstance(data, dict) or not isinstance(data.get("records", {}), dict):
            raise ConfigError("lock file has no 'records' mapping", path, 1)
        for doi, entry in data.get("records", {}).items():
            self.records[doi] = LockEntry(entry.get("source", "crossref"), entry.get("retrieved", ""),
                                          entry.get("sha256", ""), entry.get("record"))
        for query, entry in (data.get("searches") or {}).items():
            self.searches[query] = SearchEntry(entry.get("retrieved", ""), entry.get("sha256", ""),
                                               entry.get("candidates") or [])

    def _replay(self, journal: Path) -> None:
        for line in journal.read_text(encoding="utf-8").splitlines():
            try:
                item = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by a crash: that one record is simply fetched again
            if "doi" in item:
                self.records[item["doi"]] = LockEntry(**item["entry"])
            elif "query" in item:
                self.searches[item["query"]] = SearchEntry(**item["entry"])
            self.changed = True

    def get(self, doi: str) -> LockEntry | None:
        return self.records.get(doi)

    def get_search(self, query: str) -> SearchEntry | None:
        return self.searches.get(query)

    def put(self, doi: str, source: str, record: dict | None) -> LockEntry:
        entry = LockEntry.new(source, record)
        with self._mutex:
            self.records[doi] = entry
            self._journal({"doi": doi, "entry": entry.to_dict()})
        return entry

    def put_search(self, query: str, candidates: list[dict]) -> SearchEntry:
        entry = SearchEntry(utc_now(), content_hash(candidates), candidates)
        with self._mutex:
            self.searches[query] = entry
            self._journal({"query": query, "entry": entry.to_dict()})
        return entry

    def _journal(self, item: dict) -> None:
        self.changed = True
        if not self.journal_path:
            return
        self.journal_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.journal_path, "a", encoding="utf-8") as handle:
            handle.write(canonical_json(item) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def to_dict(self) -> dict:
        return {
            "lockfile-version": VERSION,
            "about": ABOUT,
            "generator": f"galleyproof {__version__}",
            "records": {doi: self.records[doi].to_dict() for doi in sorted(self.records)},
            "searches": {q: self.searches[q].to_dict() for q in sorted(self.searches)},
        }

    def dumps(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    def save(self) -> None:
        """Write the whole lock atomically, then drop the journal it now contains."""
        if not self.path:
            return
        with self._mutex:
            atomic_write_text(self.path, self.dumps())
            if self.journal_path and self.journal_path.exists():
                self.journal_path.unlink()
            self.changed = False
