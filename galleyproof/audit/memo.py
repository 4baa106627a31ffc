"""What earlier audits on this machine already worked out, so a warm audit redoes none of it.

A warm audit (every DOI already in citations.lock.json) used to spend its time re-parsing the
bibliography, re-checking every lock record and re-comparing every reference: 4-11 s for 10,000
references. Three memos, each keyed by content hashes, so a stale answer is impossible:

    parsed bibliographies   by bibliography file (path), valid for one exact byte content
    a verified lock         the SHA-256 of the lock file's bytes after every entry passed its checks
    verdicts                (what a reference cites, the SHA-256 of its registered record) -> status, problems

Every key also holds `CODE`, a hash of galleyproof's own audit, bib and registry sources, so editing
the comparison rules (or upgrading) invalidates everything. The memos live in the user's cache
directory ($GALLEYPROOF_CACHE_DIR, else $XDG_CACHE_HOME/galleyproof, else ~/.cache/galleyproof),
never in the project: a project shipped with a planted memo must not be able to vouch for its own
references. Unreadable memo files are ignored; writes are atomic.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import astuple, fields
from functools import cache
from operator import attrgetter
from pathlib import Path
from typing import Any

from galleyproof import __version__
from galleyproof.audit.model import Problem
from galleyproof.bib import bibliography as bib_reader
from galleyproof.bib.model import BibIssue, Bibliography, Person, Reference
from galleyproof.fileio import atomic_write_text

FORMAT = 1
PACKAGE = Path(__file__).resolve().parents[1]


@cache
def code_hash() -> str:
    """Hash of the sources whose logic a memo depends on (audit/, bib/, registry/)."""
    digest = hashlib.sha256(f"{__version__}/{FORMAT}".encode())
    for folder in ("audit", "bib", "registry"):
        for path in sorted((PACKAGE / folder).rglob("*")):
            if path.suffix in (".py", ".json", ".yaml") and path.is_file():
                digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    if os.environ.get("GALLEYPROOF_CACHE_DIR"):
        return Path(os.environ["GALLEYPROOF_CACHE_DIR"]) / "audit"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "galleyproof" / "audit"


def _name(kind: str, where: Path | str) -> Path:
    return cache_dir() / f"{kind}-{hashlib.sha256(str(where).encode()).hexdigest()[:20]}.json"


def _read(path: Path) -> Any:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) and data.get("code") == code_hash() else None


def _write(path: Path, data: dict) -> None:
    try:
        atomic_write_text(path, json.dumps({"code": code_hash(), **data}, ensure_ascii=False))
    except OSError:
        pass  # a read-only or full cache only costs speed


# -- parsed bibliographies -----------------------------------------------------------------------

_REFERENCE_FIELDS = attrgetter(*(f.name for f in fields(Reference)))


def _reference_row(ref: Reference) -> list:
    """A Reference as a JSON row (dataclasses.astuple deep-copies every value: 50 µs a reference)."""
    row = list(_REFERENCE_FIELDS(ref))
    row[2] = [[p.family, p.given] for p in ref.authors]
    return row


def _reference(row: list) -> Reference:
    fields = list(row)
    fields[2] = tuple(Person(family, given) for family, given in row[2])
    return Reference(*fields)


def load_bibliography(path: Path | str, display: str | None = None) -> Bibliography:
    """bib.bibliography.load_bibliography, answered from the memo when the file's bytes are unchanged,
    and re-reading only the entries whose text changed when they are not."""
    path = Path(path)
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return bib_reader.load_bibliography(path, display)  # let the reader raise its own error
    memo_file = _name("bib", f"{path.resolve()}|{display}")
    memo = _read(memo_file)
    known: dict[str, Reference] = {}
    if memo:
        try:
            if memo.get("sha256") == digest:
                return Bibliography([_reference(r) for r in memo["references"]],
                                    [BibIssue(*i) for i in memo["issues"]])
            known = {h: _reference(r) for h, r in zip(memo["hashes"], memo["references"]) if h}
        except (TypeError, ValueError, KeyError):
            known = {}
    bib = bib_reader.load_bibliography(path, display, known)
    remember_bibliography(path, digest, bib, display)
    return bib


def remember_bibliography(path: Path, digest: str, bib: Bibliography, display: str | None = None) -> None:
    """Keep what reading `path` (whose bytes hash to `digest`) gave, for load_bibliography."""
    _write(_name("bib", f"{path.resolve()}|{display}"),
           {"sha256": digest, "references": [_reference_row(r) for r in bib.references],
            "issues": [list(astuple(i)) for i in bib.issues], "hashes": bib.entry_hashes})


# -- the lock ------------------------------------------------------------------------------------

def verified_lock(lock_path: Path) -> str:
    """SHA-256 of the lock file's bytes when they were last found entirely valid, else ''."""
    memo = _read(_name("lock", lock_path.resolve()))
    return str(memo.get("sha256", "")) if memo else ""


def remember_verified_lock(lock_path: Path, digest: str) -> None:
    if digest and digest != verified_lock(lock_path):
        _write(_name("lock", lock_path.resolve()), {"sha256": digest})


# -- verdicts ------------------------------------------------------------------------------------

def fingerprint(ref: Reference, record_sha: str) -> str:
    """What a verdict depends on: every cited field (not where it was cited) and the record."""
    names = "\x1e".join(f"{p.family}\x1d{p.given}" for p in ref.authors)
    cited = "\x1f".join((ref.entry_type, names, ref.year, ref.title, ref.container, ref.volume, ref.issue,
                         ref.pages, ref.doi, ref.publisher, ref.url, ref.eprint, record_sha))
    return hashlib.sha256(cited.encode("utf-8", "surrogatepass")).hexdigest()[:32]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Cyclic garbage collection off for the duration: a warm audit allocates a few hundred thousand
    small objects (the lock, the references), and collections triggered by that churn re-scan all of
    them again and again (40 % of a 10,000-reference warm audit, measured). Reference counting
    still frees everything acyclic at once; cycles are collected when this ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Verdicts:
    """status and problems by fingerprint, for the references of one lock."""

    def __init__(self, lock_path: Path | None):
        self.file = _name("verdicts", lock_path.resolve()) if lock_path else None
        memo = _read(self.file) if self.file else None
        self.known: dict[str, list] = memo.get("verdicts", {}) if memo else {}
        self.used: dict[str, list] = {}

    def get(self, key: str) -> tuple[str, list[Problem]] | None:
        hit = self.known.get(key)
        if not isinstance(hit, list) or len(hit) != 2:
            return None
        try:
            problems = [Problem(*p) for p in hit[1]]
        except TypeError:
            return None
        self.used[key] = hit
        return str(hit[0]), problems

    def put(self, key: str, status: str, problems: list[Problem]) -> None:
        self.used[key] = [status, [list(astuple(p)) for p in problems]]

    def save(self) -> None:
        """Keep exactly the verdicts this audit used, rewritten only when they changed."""
        if self.file and set(self.used) != set(self.known):
            _write(self.file, {"verdicts": self.used})
