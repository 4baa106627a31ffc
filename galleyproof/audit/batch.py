"""Audit many manuscripts at once on Dask distributed, from a registry snapshot.

    find_manuscripts(target) -> [Path]                  a DIR's projects and files, or a LIST file's paths
    audit_manuscript(path, snapshot) -> dict            one manuscript's audit (the JSON contract), in-process
    run_batch(paths, snapshot, results, ...) -> Batch   all of them, one Dask task each, streamed to JSON lines

One task per manuscript; each worker process opens the snapshot read-only once and keeps it, so the
snapshot file must be at the same path on every worker (a shared or copied file, for a real cluster).
The batch only reads the snapshot: it never asks Crossref (N workers would each believe they had the
whole rate limit), and never reads or writes a manuscript's own citations.lock.json (a submission's
lock is the author's claim, not evidence).

A manuscript whose audit raises is retried (`retries`), then written as failed; the batch goes on.
A worker that dies loses nothing: the scheduler runs its tasks again elsewhere. Results are appended to
the JSON-lines file as they arrive, one object per manuscript:

    {"manuscript": path, "ok": true, "audit": {...the audit JSON contract...}}
    {"manuscript": path, "ok": false, "error": "one sentence"}

Resuming: manuscripts with an ok line in the results file are skipped; failed ones are tried again.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from galleyproof.errors import GalleyproofError, InputError, UsageError

MANUSCRIPT_SUFFIXES = (".bib", ".qmd", ".md", ".markdown", ".txt")
PROJECT_MARKER = "_quarto.yml"
_SNAPSHOTS: dict = {}  # snapshot path -> Snapshot, opened once per worker process


class ManuscriptFailed(Exception):
    """A manuscript's audit raised; the message is the error as the user would read it."""


@dataclass
class Batch:
    """What a batch did: results written, manuscripts skipped (done before) and failed, timing."""

    results: Path
    done: list[dict] = field(default_factory=list)  # the lines written in this run
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 0
    keys: dict[str, str] = field(default_factory=dict)  # manuscript -> its Dask task key

    @property
    def failed(self) -> list[dict]:
        return [line for line in self.done if not line["ok"]]

    @property
    def references(self) -> int:
        return sum(line["audit"]["summary"]["total"] for line in self.done if line["ok"])


def find_manuscripts(target: Path | str) -> list[Path]:
    """A directory: its project subdirectories (with _quarto.yml) and its .bib/.qmd/.md/.txt files,
    sorted; the directory itself when it is a project. A file: a list of paths, one a line (relative
    to the list's folder; blank lines and lines starting with # are ignored)."""
    target = Path(target)
    if target.is_dir():
        if (target / PROJECT_MARKER).is_file():
            return [target]
        return sorted(p for p in target.iterdir() if (p.is_dir() and (p / PROJECT_MARKER).is_file())
                      or (p.is_file() and p.suffix.lower() in MANUSCRIPT_SUFFIXES))
    if not target.is_file():
        raise InputError("no such directory or list of manuscripts", target)
    paths = []
    for number, line in enumerate(target.read_text(encoding="utf-8").splitlines(), 1):
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        path = (target.parent / entry).resolve()
        if not path.exists():
            raise InputError(f"no such manuscript: {entry}", target, number)
        paths.append(path)
    return paths


def _snapshot(path: str):
    from galleyproof.registry.snapshot import Snapshot

    if path not in _SNAPSHOTS:
        _SNAPSHOTS[path] = Snapshot.open(path)
    return _SNAPSHOTS[path]


def audit_manuscript(path: Path | str, snapshot: Path | str, search: bool = True) -> dict:
    """One manuscript (project directory or file) audited from the snapshot, with an in-memory lock."""
    from galleyproof.audit.inputs import from_path, from_project
    from galleyproof.audit.run import run_audit
    from galleyproof.project import load_project
    from galleyproof.registry.endpoints import Endpoints
    from galleyproof.registry.lock import CitationLock
    from galleyproof.registry.resolver import Resolver

    path = Path(path)
    data = from_project(load_project(path)) if path.is_dir() else from_path(path)
    resolver = Resolver(Endpoints(), CitationLock(None), "auto", local=_snapshot(str(Path(snapshot).resolve())))
    return run_audit(data, resolver, search=search)


def audit_task(path: str, snapshot: str, search: bool) -> dict:
    """What a Dask worker runs: a result line, or ManuscriptFailed (so the scheduler retries it)."""
    try:
        return {"manuscript": path, "ok": True, "audit": audit_manuscript(path, snapshot, search)}
    except GalleyproofError as exc:
        raise ManuscriptFailed(str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - a bug on one odd manuscript must not lose the others
        raise ManuscriptFailed(f"{type(exc).__name__}: {exc}") from None


def finished(results: Path) -> set[str]:
    """Manuscripts with an ok line in a results file from an earlier run."""
    done: set[str] = set()
    if not results.is_file():
        return done
    for line in results.read_text(encoding="utf-8").splitlines():
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line cut short when an earlier run was killed: that manuscript runs again
        if isinstance(item, dict) and item.get("ok"):
            done.add(str(item.get("manuscript")))
    return done


def _client(scheduler: str | None, workers: int):
    from distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler), None
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=logging.ERROR)
    return Client(cluster), cluster


def run_batch(paths: list[Path], snapshot: Path, results: Path, *, scheduler: str | None = None,
              workers: int = 2, search: bool = True, retries: int = 2, client=None,
              on_result: Callable[[dict], None] = lambda line: None) -> Batch:
    """Audit every manuscript not already done in `results`, on `client`, a cluster at `scheduler`, or
    a LocalCluster of `workers` processes; append each result line as it arrives."""
    from distributed import as_completed

    snapshot = Path(snapshot).resolve()
    if not snapshot.is_file():
        raise UsageError(f"no registry snapshot at {snapshot}")
    done = finished(results)
    todo = [str(Path(p).resolve()) for p in paths]
    batch = Batch(results, skipped=[p for p in todo if p in done])
    todo = [p for p in todo if p not in done]
    own, cluster = (client, None) if client is not None else _client(scheduler, workers)
    started = time.perf_counter()  # from a ready cluster: the figure is audit throughput, not start-up
    try:
        batch.workers = len(own.scheduler_info()["workers"])
        run = uuid.uuid4().hex[:8]  # keys unique to this run: a rerun recomputes, never reuses a result
        batch.keys = {p: f"audit-{run}-{i}" for i, p in enumerate(todo)}
        futures = [own.submit(audit_task, p, str(snapshot), search, key=batch.keys[p], retries=retries, pure=False)
                   for p in todo]
        by_key = {key: p for p, key in batch.keys.items()}
        results.parent.mkdir(parents=True, exist_ok=True)
        with open(results, "a", encoding="utf-8") as out:
            for future in as_completed(futures):
                line = _line(future, by_key[future.key])
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
                out.flush()
                batch.done.append(line)
                on_result(line)
                future.release()
    finally:
        if client is None:
            own.close()
            if cluster is not None:
                cluster.close()
    batch.seconds = time.perf_counter() - started
    return batch


def _line(future, path: str) -> dict:
    """The task's result line, or a failed line. `result()` rather than the status: a result held by a
    worker that died since is computed again, and `result()` waits for it."""
    try:
        return future.result()
    except ManuscriptFailed as exc:
        return {"manuscript": path, "ok": False, "error": str(exc)}
    except Exception as exc:  # noqa: BLE001 - KilledWorker and the like: this manuscript failed, not the batch
        return {"manuscript": path, "ok": False, "error": f"{type(exc).__name__}: {exc}"}


def summary_rows(lines: list[dict]) -> list[dict]:
    """One row per manuscript for the summary table: references, worst status, count per status."""
    rows = []
    for line in lines:
        if not line["ok"]:
            rows.append({"manuscript": line["manuscript"], "references": None, "worst": "failed",
                         "statuses": {}, "error": line["error"]})
            continue
        summary = line["audit"]["summary"]
        rows.append({"manuscript": line["manuscript"], "references": summary["total"], "worst": summary["worst"],
                     "statuses": {k: v for k, v in summary["statuses"].items() if v}, "error": ""})
    return rows
