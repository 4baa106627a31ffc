"""Filling a registry snapshot from Crossref public-data-file JSON lines: import, and incremental update.

    import_files(snapshot, paths, progress)   works not yet in the snapshot are added; resumable
    apply_delta(snapshot, path, progress)     newer records replace older ones with the same DOI

A line is one work, the `message` of `GET /works/{doi}` (the public data file's JSON-lines layout, and
../shared/crossref-sample/works.jsonl). A line holding an API envelope (`{"message": {...}}`) or a page
of items (`{"items": [...]}`, the older per-file layout of the data file) is read too. Files may be
gzip-compressed (by content, not by name).

Resuming: how many lines of each file are in the snapshot is committed in the same transaction as the
works they hold, so an interrupted import restarts after its last committed chunk. A file whose size or
modification time changed since is read again from the start.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from galleyproof.errors import InputError
from galleyproof.registry.snapshot import Snapshot

CHUNK = 5000  # works per transaction: large enough for bulk speed, small enough to lose little on a crash
GZIP_MAGIC = b"\x1f\x8b"


@dataclass
class LoadResult:
    files: int = 0
    lines: int = 0  # lines read in this run
    stored: int = 0  # works added or replaced
    resumed: list[str] = field(default_factory=list)  # files picked up where an earlier run stopped
    skipped: list[str] = field(default_factory=list)  # files already complete


def total_bytes(paths: list[Path]) -> int:
    """What a progress bar counts to: the files' sizes on disk (compressed, for gzip)."""
    return sum(p.stat().st_size for p in paths if p.is_file())


def _works(line: str) -> list[dict]:
    data = json.loads(line)
    if not isinstance(data, dict):
        return []
    if isinstance(data.get("message"), dict):
        data = data["message"]
    if isinstance(data.get("items"), list) and "DOI" not in data:
        return [w for w in data["items"] if isinstance(w, dict)]
    return [data]


def _lines(raw: IO[bytes]) -> Iterator[str]:
    head = raw.read(2)
    raw.seek(0)
    stream = gzip.GzipFile(fileobj=raw) if head == GZIP_MAGIC else raw
    text = io.TextIOWrapper(stream, encoding="utf-8")
    yield from text
    text.detach()  # leave `raw` open: the caller owns it


def _state(snapshot: Snapshot, path: Path) -> tuple[int, bool]:
    """(lines already stored, complete) for `path` as it is now on disk."""
    stat = path.stat()
    row = snapshot.db.execute("SELECT size, mtime, lines, done FROM files WHERE path = ?", (str(path),)).fetchone()
    if row and row[0] == stat.st_size and row[1] == stat.st_mtime_ns:
        return int(row[2]), bool(row[3])
    return 0, False


def _mark(snapshot: Snapshot, path: Path, lines: int, done: bool) -> None:
    stat = path.stat()
    snapshot.db.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)",
                        (str(path), stat.st_size, stat.st_mtime_ns, lines, int(done)))


def load_file(snapshot: Snapshot, path: Path, result: LoadResult, replace: bool,
              progress: Callable[[int], None]) -> None:
    """One file into the snapshot, committing every CHUNK lines with the count of lines done."""
    path = path.resolve()
    if not path.is_file():
        raise InputError("no such file to import", path)
    start, done = _state(snapshot, path)
    if done:
        result.skipped.append(str(path))
        progress(path.stat().st_size)
        return
    if start:
        result.resumed.append(str(path))
    batch: list[dict] = []
    number, reported = 0, 0
    with open(path, "rb") as raw:
        try:
            for number, line in enumerate(_lines(raw), 1):
                if number <= start or not line.strip():
                    continue
                try:
                    batch.extend(_works(line))
                except json.JSONDecodeError as exc:
                    raise InputError(f"not a JSON line ({exc.msg})", path, number) from None
                if number % CHUNK == 0:
                    result.stored += snapshot.put(batch, replace)
                    _mark(snapshot, path, number, False)
                    snapshot.commit()
                    batch = []
                    reported = _advance(raw, reported, progress)
        except (EOFError, gzip.BadGzipFile, UnicodeDecodeError) as exc:
            raise InputError(f"file is damaged after line {number} ({exc})", path, number or None) from None
        result.stored += snapshot.put(batch, replace)
        _mark(snapshot, path, number, True)
        snapshot.commit()
        progress(path.stat().st_size - reported)
    result.files += 1
    result.lines += max(0, number - start)


def _advance(raw: IO[bytes], reported: int, progress: Callable[[int], None]) -> int:
    position = raw.tell()
    progress(position - reported)
    return position


def import_files(snapshot: Snapshot, paths: list[Path], progress: Callable[[int], None] = lambda n: None) -> LoadResult:
    """Add the works of data files to the snapshot; a DOI already there keeps its record."""
    result = LoadResult()
    for path in paths:
        load_file(snapshot, Path(path), result, replace=False, progress=progress)
    return result


def apply_delta(snapshot: Snapshot, path: Path, progress: Callable[[int], None] = lambda n: None) -> LoadResult:
    """Apply a JSON-lines delta: each record replaces the snapshot's record for its DOI, unless the
    snapshot's is newer (`indexed`, else `deposited`, timestamp); new DOIs are added."""
    result = LoadResult()
    load_file(snapshot, Path(path), result, replace=True, progress=progress)
    return result
