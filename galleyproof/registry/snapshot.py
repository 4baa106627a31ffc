"""A local Crossref registry: works from Crossref's public data file in one SQLite file, looked up by
DOI and searched by reference string, with zero network calls.

    Snapshot.create(path) / Snapshot.open(path)     the store, writable / read-only
    snapshot.work(doi), .agency(doi), .search(q)    the calls CrossrefClient answers (resolver.LocalRegistry)
    snapshot.put(works, replace=...)                what galleyproof.registry.snapshot_load feeds it

Why SQLite with FTS5 and not DuckDB (both measured by bench/scale.py on 10^5 and 10^6 synthetic
works, on this project's shared 2-core machine; README.md, "Journal-scale audits", has the table):
- the audit's hot path is one lookup by DOI per reference: SQLite's B-tree answered in 30-33 us
  (median), DuckDB's primary-key lookup in 0.9-1.2 ms (p95 9-17 ms): DuckDB is a columnar engine
  built for scans, and pays per point query what SQLite does not;
- bibliographic search needs a full-text index: FTS5 (bm25) is compiled into Python's sqlite3;
  DuckDB's `fts` extension is downloaded at run time (`INSTALL fts`), which a machine without
  network cannot do. Through a hand-made term table DuckDB searched in 84 ms at 10^5 and 784 ms at
  10^6 (median), FTS5 in 2-7 ms;
- a batch opens the file from many worker processes at once: SQLite opens read-only (`mode=ro`)
  with no lock held between readers; DuckDB lets one process write or several read, not both;
- what DuckDB does better, bulk import (6,400 against 3,600 records/s at 10^5; 3,900 against 3,100
  at 10^6) and size (half), is paid once per snapshot (and the import resumes), and SQLite needs no
  dependency.

The stored record is the work trimmed exactly as the API client trims it (crossref.trim_work), so an
audit from the snapshot compares the same fields and reaches the same verdicts as one from the API.
Retractions: a work's own `updated-by`, merged with the `update-to` of every notice in the snapshot that
points at it (the API derives `updated-by` from those notices; API-NOTES.md, "Retractions").
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

from galleyproof.errors import ConfigError
from galleyproof.registry.crossref import trim_work

SCHEMA_VERSION = "1"
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS works (id INTEGER PRIMARY KEY, doi TEXT NOT NULL UNIQUE, stamp INTEGER NOT NULL,
                                  record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS updates (target TEXT NOT NULL, notice TEXT NOT NULL, type TEXT NOT NULL,
                                    entry TEXT NOT NULL, PRIMARY KEY (target, notice, type)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS updates_by_notice ON updates (notice);
CREATE TABLE IF NOT EXISTS prefixes (prefix TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER, mtime INTEGER, lines INTEGER,
                                  done INTEGER);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(text, tokenize = 'unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE IF NOT EXISTS fts_terms USING fts5vocab(fts, row);
"""
_WORD = re.compile(r"\w{2,}", re.UNICODE)
_TAG = re.compile(r"<[^>]+>")
MAX_TERMS = 8  # rarest words of a reference string sent to the index; more add time, not precision
ALL_OF = 4  # works holding all of the rarest ALL_OF words are taken first
DF_CACHE = 200_000  # words whose document counts a Snapshot keeps
COMMON = 0.05  # a word in more than this share of works (a year, "journal", "of") does not help rank


def prefix_of(doi: str) -> str:
    return doi.split("/", 1)[0]


def _stamp(message: dict) -> int:
    """When Crossref last changed the record (ms), to let a newer record win; 0 when not given."""
    for key in ("indexed", "deposited"):
        value = message.get(key)
        if isinstance(value, dict) and isinstance(value.get("timestamp"), int):
            return int(value["timestamp"])
    return 0


def search_text(work: dict) -> str:
    """What the full-text index holds for a work: the parts a reference string is made of."""
    parts = [*work.get("title", []), *work.get("subtitle", []), *work.get("container-title", []),
             *work.get("short-container-title", [])]
    parts += [a.get("family") or a.get("name") or "" for a in work.get("author", [])]
    years = (work.get("issued") or {}).get("date-parts") or [[None]]
    parts += [str(years[0][0]) if years and years[0] and years[0][0] else "",
              str(work.get("volume", "")), str(work.get("page", ""))]
    return _TAG.sub(" ", " ".join(p for p in parts if isinstance(p, str)))


def notice_entries(work: dict) -> list[tuple[str, str, dict]]:
    """(target DOI, type, `updated-by` entry for the target) for each `update-to` of a notice."""
    entries = []
    for item in work.get("update-to") or []:
        if not isinstance(item, dict) or not isinstance(item.get("DOI"), str):
            continue
        entry = {"DOI": work["DOI"], **{k: v for k, v in item.items() if k != "DOI"}}
        entries.append((item["DOI"].lower(), str(item.get("type", "")), entry))
    return entries


class Snapshot:
    """One snapshot file. Reads are serialised by a mutex, so one object may serve several threads."""

    def __init__(self, connection: sqlite3.Connection, path: Path, writable: bool):
        self.db, self.path, self.writable = connection, path, writable
        self._mutex = threading.Lock()
        self._total: int | None = None  # works in the snapshot, counted once for search
        self._df: dict[str, int] = {}  # word -> works holding it (for a read-only snapshot: never stale)

    @classmethod
    def create(cls, path: Path | str) -> Snapshot:
        """Open for writing, creating the file and its tables when new."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, check_same_thread=False)
        db.executescript(SCHEMA)
        db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        db.commit()
        snapshot = cls(db, path, writable=True)
        snapshot._check_schema()
        return snapshot

    @classmethod
    def open(cls, path: Path | str) -> Snapshot:
        """Open read-only: nothing is written, so many processes can share the file."""
        path = Path(path)
        if not path.is_file():
            raise ConfigError("no registry snapshot here (make one with `galleyproof registry import`)", path)
        try:
            db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
            snapshot = cls(db, path, writable=False)
            snapshot._check_schema()
        except sqlite3.DatabaseError as exc:
            raise ConfigError(f"not a registry snapshot ({exc})", path) from None
        return snapshot

    def _check_schema(self) -> None:
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise ConfigError(f"not a registry snapshot ({exc})", self.path) from None
        if not row or row[0] != SCHEMA_VERSION:
            raise ConfigError(f"registry snapshot has schema {row[0] if row else 'none'}, this galleyproof reads "
                              f"{SCHEMA_VERSION}: import it again", self.path)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Snapshot:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- reading: the LocalRegistry calls ---------------------------------------------------------

    def count(self) -> int:
        with self._mutex:
            return int(self.db.execute("SELECT count(*) FROM works").fetchone()[0])

    def prefix_count(self) -> int:
        with self._mutex:
            return int(self.db.execute("SELECT count(*) FROM prefixes").fetchone()[0])

    def notice_count(self) -> int:
        with self._mutex:
            return int(self.db.execute("SELECT count(DISTINCT notice) FROM updates").fetchone()[0])

    def work(self, doi: str) -> dict | None:
        """The trimmed work for `doi` with every update notice pointing at it; None when absent."""
        doi = doi.lower()
        with self._mutex:
            row = self.db.execute("SELECT record FROM works WHERE doi = ?", (doi,)).fetchone()
            notices = self.db.execute("SELECT entry FROM updates WHERE target = ? ORDER BY notice, type",
                                      (doi,)).fetchall() if row else []
        if row is None:
            return None
        work = json.loads(row[0])
        known = {(u.get("DOI", "").lower(), u.get("type")) for u in work.get("updated-by", [])}
        extra = [e for e in (json.loads(n[0]) for n in notices) if (e["DOI"].lower(), e.get("type")) not in known]
        if extra:
            work["updated-by"] = [*work.get("updated-by", []), *extra]
        return work

    def agency(self, doi: str) -> dict | None:
        """None (no agency: the DOI does not exist) when its prefix is a Crossref prefix in the snapshot;
        else a note that the snapshot cannot tell, since a prefix belongs to one registration agency."""
        prefix = prefix_of(doi.lower())
        with self._mutex:
            known = self.db.execute("SELECT 1 FROM prefixes WHERE prefix = ?", (prefix,)).fetchone()
        if known:
            return None
        return {"id": "unknown", "label": "unknown",
                "note": f"not in the registry snapshot, whose works hold no DOI with prefix {prefix} (a DataCite "
                        "or other agency's DOI?); the snapshot cannot check other agencies"}

    def _terms(self, query: str) -> list[str]:
        """The reference's words that the index knows, rarest first; words in more than COMMON of all
        works (a year, "journal", "of") only when nothing rarer is left."""
        words = list(dict.fromkeys(w.casefold() for w in _WORD.findall(_TAG.sub(" ", query))))[:MAX_TERMS * 2]
        with self._mutex:
            if self._total is None:
                self._total = max(1, int(self.db.execute("SELECT count(*) FROM works").fetchone()[0]))
            seen = {word: docs for word in words if (docs := self._docs(word))}
        rare = [w for w in seen if seen[w] <= COMMON * self._total] or list(seen)
        return sorted(rare, key=lambda w: seen[w])[:MAX_TERMS]

    def _docs(self, word: str) -> int:
        """How many works hold `word`. fts5vocab counts by reading the word's whole document list, so a
        common word costs milliseconds: the counts are kept, and common words recur in every batch."""
        if word not in self._df:
            if len(self._df) >= DF_CACHE:
                self._df.clear()
            row = self.db.execute("SELECT doc FROM fts_terms WHERE term = ?", (word,)).fetchone()
            self._df[word] = int(row[0]) if row else 0
        return self._df[word]

    def _match(self, expression: str, rows: int) -> list[tuple[str, float]]:
        with self._mutex:
            return self.db.execute("SELECT w.doi, -bm25(fts) FROM fts JOIN works w ON w.id = fts.rowid "
                                   "WHERE fts MATCH ? ORDER BY bm25(fts) LIMIT ?", (expression, rows)).fetchall()

    def search(self, query: str, rows: int = 5) -> list[dict]:
        """Works for a reference string, best first (bm25 over title, authors, container, year, volume,
        pages), each with a `score` like the API's: relevance, not confidence. The works holding all of
        the reference's rarest words come first and alone when there are any (one index probe); else any
        of its rarer words (ranking every work that has one: slower)."""
        terms = self._terms(query)
        if not terms:
            return []
        quoted = ['"' + t.replace('"', '""') + '"' for t in terms]
        hits = self._match(" AND ".join(quoted[:ALL_OF]), rows) if len(quoted) >= ALL_OF else []
        if not hits:
            hits = self._match(" OR ".join(quoted), rows)
        return [(self.work(doi) or {}) | {"score": round(score, 3)} for doi, score in hits]

    # -- writing ----------------------------------------------------------------------------------

    def put(self, messages: Iterable[dict], replace: bool = False) -> int:
        """Store works (API `message` objects); with `replace`, a record replaces the one with its DOI
        unless that one is newer. Returns how many were stored. The caller commits."""
        stored, self._total = 0, None
        self._df.clear()
        for message in messages:
            if not isinstance(message.get("DOI"), str) or not message["DOI"]:
                continue
            work, stamp = trim_work(message), _stamp(message)
            if replace:
                row = self.db.execute("SELECT id, stamp FROM works WHERE doi = ?", (work["DOI"],)).fetchone()
                if row and row[1] > stamp:
                    continue  # the snapshot already holds a newer record
                if row:
                    self._delete(row[0], work["DOI"])
            # A DOI met twice in an import keeps its first record (a resumed import replays at most one chunk).
            stored += self._insert(work, stamp)
        return stored

    def _insert(self, work: dict, stamp: int) -> bool:
        cursor = self.db.execute("INSERT OR IGNORE INTO works (doi, stamp, record) VALUES (?, ?, ?)",
                                 (work["DOI"], stamp, json.dumps(work, ensure_ascii=False, separators=(",", ":"))))
        if not cursor.rowcount:
            return False
        self.db.execute("INSERT INTO fts (rowid, text) VALUES (?, ?)", (cursor.lastrowid, search_text(work)))
        self.db.execute("INSERT OR IGNORE INTO prefixes VALUES (?)", (prefix_of(work["DOI"]),))
        for target, kind, entry in notice_entries(work):
            self.db.execute("INSERT OR REPLACE INTO updates VALUES (?, ?, ?, ?)",
                            (target, work["DOI"], kind, json.dumps(entry, separators=(",", ":"))))
        return True

    def _delete(self, rowid: int, doi: str) -> None:
        self.db.execute("DELETE FROM works WHERE id = ?", (rowid,))
        self.db.execute("DELETE FROM fts WHERE rowid = ?", (rowid,))
        self.db.execute("DELETE FROM updates WHERE notice = ?", (doi,))

    def commit(self) -> None:
        self.db.commit()
