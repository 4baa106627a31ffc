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

Nothing read back is trusted: an entry whose fields have the wrong types, whose record does not
match schemas/work.schema.json or names another DOI, or whose SHA-256 differs from its record is
dropped (listed in `problems`), so the audit fetches it again or, offline, calls it unverified.
Lock and journal are refused when they are symbolic links, and the journal is opened with
O_NOFOLLOW: a `citations.lock.json.journal` shipped as a link must not make the audit append to
whatever it points at.
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
from galleyproof.registry.schema import Invalid, check

VERSION = 1
SOURCES = ("crossref", "datacite", "none")
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


def _text(entry: dict, key: str) -> str:
    value = entry.get(key, "")
    if not isinstance(value, str):
        raise Invalid(f"'{key}' is not a string")
    return value


def checked_entry(doi: Any, entry: Any) -> LockEntry:
    """A LockEntry from JSON read back, or Invalid: types, schema, DOI and hash all checked."""
    if not isinstance(doi, str) or not isinstance(entry, dict):
        raise Invalid("not a DOI with an entry object")
    source, record = _text(entry, "source"), entry.get("record")
    if source not in SOURCES:
        raise Invalid(f"unknown source {source[:20]!r}")
    if (record is None) != (source == "none"):
        raise Invalid("record and source disagree")
    if record is not None:
        check("work", record)
        if record["DOI"].casefold() != doi.casefold():
            raise Invalid("holds the record of another DOI")
    if _text(entry, "sha256") != content_hash(record):
        raise Invalid("its SHA-256 does not match its record (edited or damaged)")
    return LockEntry(source, _text(entry, "retrieved"), entry["sha256"], record)


def checked_search(query: Any, entry: Any) -> SearchEntry:
    if not isinstance(query, str) or not isinstance(entry, dict) or not isinstance(entry.get("candidates"), list):
        raise Invalid("not a query with a list of candidates")
    for candidate in entry["candidates"]:
        check("work", candidate)
    if _text(entry, "sha256") != content_hash(entry["candidates"]):
        raise Invalid("its SHA-256 does not match its candidates (edited or damaged)")
    return SearchEntry(_text(entry, "retrieved"), entry["sha256"], entry["candidates"])


class CitationLock:
    """The lock file as an object. `path=None` keeps it in memory (tests, `--no-lock`)."""

    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path else None
        self.records: dict[str, LockEntry] = {}
        self.searches: dict[str, SearchEntry] = {}
        self._mutex = threading.Lock()
        self.changed = False
        self.problems: list[str] = []  # entries read back and dropped, with why
        self.file_sha = ""  # SHA-256 of the lock file's bytes as last read or written

    @property
    def journal_path(self) -> Path | None:
        return self.path.with_name(self.path.name + ".journal") if self.path else None

    @classmethod
    def load(cls, path: Path | str | None, trusted_sha: str = "") -> CitationLock:
        """Read the lock and replay its journal. `trusted_sha`: the SHA-256 of lock bytes already
        found entirely valid on this machine (audit.memo); bytes that hash to it skip the per-entry
        checks, which cost more than the rest of a warm audit."""
        lock = cls(Path(path) if path else None)
        for file in (lock.path, lock.journal_path):
            if file and file.is_symlink():
                raise ConfigError("is a symbolic link; galleyproof reads and writes its lock only as a "
                                  "regular file", file)
        if lock.path and lock.path.is_file():
            lock._read(lock.path, trusted_sha)
        if lock.journal_path and lock.journal_path.is_file():
            lock._replay(lock.journal_path)
        return lock

    def _read(self, path: Path, trusted_sha: str = "") -> None:
        content = path.read_bytes()
        self.file_sha = hashlib.sha256(content).hexdigest()
        try:
            data = json.loads(content.decode("utf-8"))
        except json.JSONDecodeError as exc:
            raise ConfigError(f"lock file is not valid JSON: {exc.msg}", path, exc.lineno) from None
        except (UnicodeDecodeError, RecursionError):
            raise ConfigError("lock file is not UTF-8 JSON of a readable depth", path) from None
        if not isinstance(data, dict) or not isinstance(data.get("records", {}), dict) \
                or not isinstance(data.get("searches") or {}, dict):
            raise ConfigError("lock file has no 'records' mapping", path, 1)
        if trusted_sha and trusted_sha == self.file_sha:
            self.records = {doi: LockEntry(e["source"], e["retrieved"], e["sha256"], e["record"])
                            for doi, e in data["records"].items()}
            self.searches = {q: SearchEntry(e["retrieved"], e["sha256"], e["candidates"])
                             for q, e in (data.get("searches") or {}).items()}
            return
        for doi, entry in data.get("records", {}).items():
            self._add_record(doi, entry)
        for query, entry in (data.get("searches") or {}).items():
            self._add_search(query, entry)

    def _add_record(self, doi: Any, entry: Any) -> None:
        """Keep a record read back only when it passes every check; else note it and drop it."""
        try:
            self.records[doi] = checked_entry(doi, entry)
        except Invalid as exc:
            self.records.pop(doi, None) if isinstance(doi, str) else None
            self.problems.append(f"{str(doi)[:80]!r}: {exc}")

    def _add_search(self, query: Any, entry: Any) -> None:
        try:
            self.searches[query] = checked_search(query, entry)
        except Invalid as exc:
            self.searches.pop(query, None) if isinstance(query, str) else None
            self.problems.append(f"search {str(query)[:80]!r}: {exc}")

    def _replay(self, journal: Path) -> None:
        for line in journal.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                item = json.loads(line)
            except (json.JSONDecodeError, RecursionError):
                continue  # a line cut short by a crash: that one record is simply fetched again
            if not isinstance(item, dict):
                continue
            if "doi" in item:
                self._add_record(item["doi"], item.get("entry"))
            elif "query" in item:
                self._add_search(item["query"], item.get("entry"))
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
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(self.journal_path, flags, 0o666)
        except OSError as exc:  # ELOOP: the journal became a symbolic link
            raise ConfigError(f"cannot append to the lock's journal ({exc.strerror})", self.journal_path) from None
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
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
        if self.path.is_symlink():  # the rename would replace the link; refuse rather than surprise
            raise ConfigError("is a symbolic link; galleyproof writes its lock only as a regular file", self.path)
        with self._mutex:
            text = self.dumps()
            atomic_write_text(self.path, text)
            self.file_sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
            if self.journal_path and self.journal_path.exists():
                self.journal_path.unlink()
            self.changed = False
