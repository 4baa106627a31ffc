#!/usr/bin/env python3
"""Citation audit timings: warm (every DOI in citations.lock.json) and cold (every DOI fetched).

    python bench/audit.py [--warm 100,1000,10000] [--cold 1000] [--latency 0.1] [--no-distinct]

Warm: a .bib of N references, each citing a real record from ../shared/crossref-sample/works.jsonl
under its own DOI, audited offline from a lock holding all N records. Each audit runs in a fresh
Python process (in-process caches of names and strings start empty) and is timed four ways:

    no memo      the first audit on this machine: .bib never seen, lock never checked, no verdicts
    new .bib     a .bib never seen, against a lock an earlier audit already checked (the issue's goal)
    with memo    the same audit again: galleyproof.audit.memo answers (what an author sees on re-runs)
    one edit     one entry of the N edited (its title re-cased), then audited again
    floor        reading the .bib and json.loads of the lock, nothing else

and the no-memo audit is broken into its phases (each timed alone, in another fresh process). The
sample has 398 distinct records, so an N-reference corpus repeats titles and names; the `distinct`
line audits 10,000 references whose titles and author names are all different (names and strings
cannot be cached across entries there).

Cold: N DOIs fetched from the loopback Crossref (tests/registry_server.py) answering after
`--latency` seconds and enforcing `--rate-limit` single requests per second and 3 list requests per
second, 3 at a time, with 429s as Crossref does: DOIs resolved per second beside the issue's floor
(5 x the 4.7 DOIs/s of one-by-one lookups), requests sent, and 429 answers (floor 0). The default
cold count, 1,000, is the issue's figure.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from registry_server import FakeRegistry, bibtex_entry, load_sample, serve  # noqa: E402

from galleyproof.audit.run import audit_path  # noqa: E402
from galleyproof.bib.encoding import decode  # noqa: E402
from galleyproof.registry.lock import CitationLock, LockEntry  # noqa: E402

T = TypeVar("T")
BEFORE_DOIS_PER_S = 4.7  # issue 11: one request per DOI, before batches


def corpus(n: int, distinct: bool = False) -> dict[str, dict]:
    """N real records, the i-th under DOI 10.5555/bench.i so that every DOI is distinct; `distinct`
    also makes every title and author name unique (the same suffix in the record and the .bib)."""
    works = [w for w in load_sample().values() if w.get("title") and w.get("author") and w.get("issued")]
    records = {}
    for i in range(n):
        work = dict(works[i % len(works)], DOI=f"10.5555/bench.{i}")
        if distinct:
            tag = "".join(chr(97 + int(d)) for d in str(i))  # 1203 -> "bcad": a letter-only suffix
            work["title"] = [f"{work['title'][0]} {tag}"]
            work["author"] = [dict(a, family=a["family"] + tag) if a.get("family") else a for a in work["author"]]
        records[work["DOI"]] = work
    return records


def write_bib(records: dict[str, dict], path: Path) -> None:
    path.write_text("\n".join(bibtex_entry(w, f"ref{i}") for i, w in enumerate(records.values())), encoding="utf-8")


def write_lock(records: dict[str, dict], path: Path) -> None:
    lock = CitationLock(path)
    for doi, work in records.items():
        lock.records[doi] = LockEntry.new("crossref", work)
    lock.save()


def timed(step: Callable[[], T]) -> tuple[T, float, float]:
    """(what `step` returned, wall seconds, CPU seconds)."""
    start, cpu = time.perf_counter(), time.process_time()
    value = step()
    return value, time.perf_counter() - start, time.process_time() - cpu


def child_audit(bib: Path, lock: Path, n: int) -> dict:
    audit, wall, cpu = timed(lambda: audit_path(bib, mode="offline", lock_path=lock, search=False))
    assert audit["summary"]["statuses"]["verified"] == n, audit["summary"]["statuses"]
    return {"wall": wall, "cpu": cpu}


def child_floor(bib: Path, lock: Path, n: int) -> dict:
    _, wall, cpu = timed(lambda: (decode(bib.read_bytes()).text, json.loads(lock.read_bytes())))
    return {"wall": wall, "cpu": cpu}


def child_phases(bib: Path, lock: Path, n: int) -> dict:
    """The no-memo audit's steps one by one, as audit_path runs them (CPU seconds)."""
    from galleyproof.audit import memo
    from galleyproof.audit.run import judge, summarise
    from galleyproof.bib.bibtex import parse_bibtex
    from galleyproof.bib.blocks import split_blocks
    from galleyproof.registry.endpoints import Endpoints
    from galleyproof.registry.resolver import Resolver

    phases: dict[str, float] = {}
    text, _, phases["read + decode .bib"] = timed(lambda: decode(bib.read_bytes()).text)
    _, _, phases["split into entries"] = timed(lambda: split_blocks(text))
    parsed, _, phases["fields, names, References"] = timed(lambda: parse_bibtex(text, str(bib)))  # split cached
    _, _, phases["memo: remember the .bib"] = timed(lambda: memo.remember_bibliography(bib, "", parsed))
    _, _, phases["lock: read + json.loads"] = timed(lambda: json.loads(lock.read_bytes()))
    loaded, _, phases["lock: check every entry"] = timed(lambda: CitationLock.load(lock))
    phases["lock: check every entry"] -= phases["lock: read + json.loads"]
    resolver = Resolver(Endpoints(), loaded, "offline")
    resolver.start()
    refs = parsed.references
    lookups, _, phases["look DOIs up in the lock"] = timed(lambda: resolver.resolve_many([r.doi for r in refs]))
    verdicts = memo.Verdicts(None)
    results, _, phases["compare (verdicts)"] = timed(
        lambda: [judge(r, lookups[r.doi], verdicts) for r in refs])
    _, _, phases["report (JSON contract)"] = timed(lambda: ([r.to_dict() for r in results],
                                                            summarise(results, [], resolver, str(bib))))
    return phases


def child_phases_gc_paused(bib: Path, lock: Path, n: int) -> dict:
    from galleyproof.audit.memo import paused_gc

    with paused_gc():  # as audit_path runs
        return child_phases(bib, lock, n)


CHILDREN = {"audit": child_audit, "floor": child_floor, "phases": child_phases_gc_paused}


def in_child(kind: str, bib: Path, lock: Path, n: int, memo_dir: Path) -> dict:
    """Run one measurement in a fresh interpreter: no cache of an earlier measurement helps it."""
    env = dict(os.environ, GALLEYPROOF_CACHE_DIR=str(memo_dir), PYTHONPATH=os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])))
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(bib), str(lock), str(n)], env=env,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[-1])


def warm(n: int, tmp: Path, distinct: bool = False) -> dict:
    """Every warm figure for N references: no memo, with memo, one edit, floor, and the phases."""
    records = corpus(n, distinct)
    name = f"warm{n}{'d' if distinct else ''}"
    bib, lock = tmp / f"{name}.bib", tmp / f"{name}.lock.json"
    write_bib(records, bib)
    write_lock(records, lock)
    memo_dir = tmp / f"{name}-memo"
    figures = {"phases": in_child("phases", bib, lock, n, tmp / f"{name}-phases-memo"),
               "floor": in_child("floor", bib, lock, n, memo_dir),
               "no memo": in_child("audit", bib, lock, n, memo_dir),
               "with memo": in_child("audit", bib, lock, n, memo_dir)}
    # A .bib never seen against a lock already checked on this machine: another (one-entry) .bib's
    # audit leaves the lock trusted and no verdict of these references behind.
    seen_lock = tmp / f"{name}-seen-memo"
    other = tmp / f"{name}-other.bib"
    write_bib(dict(list(records.items())[:1]), other)
    in_child("audit", other, lock, 1, seen_lock)
    figures["new .bib"] = in_child("audit", bib, lock, n, seen_lock)
    entries = bib.read_text(encoding="utf-8").split("\n@")
    middle = len(entries) // 2
    head, title, rest = entries[middle].partition("title = {")
    entries[middle] = head + title + rest.upper()  # the same title to the audit (case folds), a new entry to the memo
    bib.write_text("\n@".join(entries), encoding="utf-8")
    figures["one edit"] = in_child("audit", bib, lock, n, memo_dir)
    return figures


def print_warm(n: int, figures: dict, label: str = "") -> None:
    goal = n / 10000
    print(f"warm audit (lockfile), {n:>6,} references{label}: goal {goal:.2f} s (1 s per 10,000), "
          f"floor {figures['floor']['wall']:.2f} s wall, {figures['floor']['cpu']:.2f} s CPU "
          "(read .bib + json.loads lock)")
    for kind in ("no memo", "new .bib", "with memo", "one edit"):
        if kind in figures:
            wall, cpu = figures[kind]["wall"], figures[kind]["cpu"]
            print(f"  {kind:<10} {wall:6.2f} s wall, {cpu:6.2f} s CPU")
    phases = figures["phases"]
    print("  no-memo phases, CPU s: " + ", ".join(f"{k} {v:.3f}" for k, v in phases.items())
          + f" (sum {sum(phases.values()):.2f})")


def cold(n: int, latency: float, rate_limit: float, tmp: Path, batches: bool = True) -> tuple[float, dict]:
    records = corpus(n)
    bib = tmp / f"cold{n}.bib"
    write_bib(records, bib)
    fake = FakeRegistry(records, latency=latency, rate_limit=rate_limit, filters=batches)
    server = serve(fake)
    url = server.url_for("").rstrip("/")
    try:
        start = time.perf_counter()
        audit = audit_path(bib, mode="refresh", crossref_url=url, datacite_url=url, mailto="bench@example.org",
                           lock_path=tmp / f"cold{n}.lock.json", search=False)
        elapsed = time.perf_counter() - start
    finally:
        server.stop()
    lists = sum(1 for _, path, _, _ in fake.log if path == "/works")
    return elapsed, {"statuses": {k: v for k, v in audit["summary"]["statuses"].items() if v},
                     "requests": len(fake.log), "list_requests": lists, "single_requests": len(fake.log) - lists,
                     "429": fake.too_many, "max_in_flight": fake.max_in_flight}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warm", default="100,1000,10000", help="comma-separated reference counts")
    parser.add_argument("--cold", type=int, default=1000, help="DOIs for the cold audit (0 to skip)")
    parser.add_argument("--latency", type=float, default=0.1, help="server latency per request, seconds")
    parser.add_argument("--singles", type=int, default=0,
                        help="also audit this many DOIs with batches answering nothing (one request per DOI)")
    parser.add_argument("--rate-limit", type=float, default=10.0,
                        help="single-record requests per second the local registry allows (429 beyond)")
    parser.add_argument("--no-distinct", action="store_true", help="skip the 10,000 all-distinct references")
    parser.add_argument("--child", nargs=4, metavar=("KIND", "BIB", "LOCK", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, bib, lock, n = args.child
        print(json.dumps(CHILDREN[kind](Path(bib), Path(lock), int(n))))
        return
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the loopback server's access log
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("GALLEYPROOF_CACHE_DIR", str(Path(tmp) / "cache"))  # a fresh memo each run
        for n in (int(x) for x in args.warm.split(",") if x):
            print_warm(n, warm(n, Path(tmp)))
        if not args.no_distinct:
            print_warm(10000, warm(10000, Path(tmp), distinct=True), ", all titles and names distinct")
        if args.cold:
            seconds, info = cold(args.cold, args.latency, args.rate_limit, Path(tmp))
            single_bound = args.cold / args.rate_limit
            print(f"cold audit, {args.cold:,} DOIs, {args.latency * 1000:.0f} ms latency, local registry "
                  f"--rate-limit {args.rate_limit:g} (lists 3/s): {seconds:.2f} s, {args.cold / seconds:.1f} DOIs/s "
                  f"(floor: {BEFORE_DOIS_PER_S * 5:.1f} DOIs/s = 5 x the {BEFORE_DOIS_PER_S} before batching; "
                  f"one-by-one lookups cannot beat {args.rate_limit:g} DOIs/s = {single_bound:.0f} s)")
            print(f"  requests sent: {info['requests']:,} ({info['list_requests']} batches of up to 50, "
                  f"{info['single_requests']} single); 429 answers: {info['429']} (floor: 0); "
                  f"statuses {json.dumps(info['statuses'])}")
        if args.singles:
            seconds, info = cold(args.singles, args.latency, args.rate_limit, Path(tmp), batches=False)
            print(f"cold audit, one request per DOI, {args.singles:,} DOIs: {args.singles / seconds:.1f} DOIs/s "
                  f"(limit {args.rate_limit:g}/s, paced at 80 %); requests {info['requests']:,}; "
                  f"429 answers: {info['429']} (floor: 0)")


if __name__ == "__main__":
    main()
