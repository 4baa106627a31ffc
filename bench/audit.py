#!/usr/bin/env python3
"""Citation audit timings: warm (every DOI in citations.lock.json) and cold (every DOI fetched).

    python bench/audit.py [--warm 100,1000,10000] [--cold 1000] [--latency 0.1]

Warm: a .bib of N references, each citing a real record from ../shared/crossref-sample/works.jsonl
under its own DOI, audited offline from a lock holding all N records (read .bib, read lock,
compare, write nothing). Cold: N DOIs fetched from the loopback Crossref
(tests/registry_server.py) answering after `--latency` seconds and enforcing `--rate-limit` single
requests per second and 3 list requests per second, 3 at a time, with 429s as Crossref does: DOIs
resolved per second beside the issue's floor (5 x the 4.7 DOIs/s of one-by-one lookups), requests
sent, and 429 answers (floor 0). The default cold count, 1,000, is the issue's figure.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from registry_server import FakeRegistry, bibtex_entry, load_sample, serve  # noqa: E402

from galleyproof.audit.run import audit_path  # noqa: E402
from galleyproof.registry.lock import CitationLock, LockEntry  # noqa: E402

BEFORE_DOIS_PER_S = 4.7  # issue 11: one request per DOI, before batches


def corpus(n: int) -> dict[str, dict]:
    """N real records, the i-th under DOI 10.5555/bench.i so that every DOI is distinct."""
    works = [w for w in load_sample().values() if w.get("title") and w.get("author") and w.get("issued")]
    return {f"10.5555/bench.{i}": dict(works[i % len(works)], DOI=f"10.5555/bench.{i}") for i in range(n)}


def write_bib(records: dict[str, dict], path: Path) -> None:
    path.write_text("\n".join(bibtex_entry(w, f"ref{i}") for i, w in enumerate(records.values())), encoding="utf-8")


def warm(n: int, tmp: Path) -> tuple[tuple[float, float], tuple[float, float]]:
    """(first audit from a fresh lock, repeated audit): the repeat is the warm audit an author runs
    again and again; the first one has no memo yet (galleyproof.audit.memo). Each as (wall, CPU) seconds:
    on a shared machine the CPU time is the figure that does not depend on other people's load."""
    records = corpus(n)
    bib, lock_path = tmp / f"warm{n}.bib", tmp / f"warm{n}.lock.json"
    write_bib(records, bib)
    lock = CitationLock(lock_path)
    for doi, work in records.items():
        lock.records[doi] = LockEntry.new("crossref", work)
    lock.save()
    times = []
    for _ in range(2):
        start, cpu = time.perf_counter(), time.process_time()
        audit = audit_path(bib, mode="offline", lock_path=lock_path, search=False)
        times.append((time.perf_counter() - start, time.process_time() - cpu))
        assert audit["summary"]["statuses"]["verified"] == n, audit["summary"]["statuses"]
    return times[0], times[1]


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
    args = parser.parse_args()
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the loopback server's access log
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("GALLEYPROOF_CACHE_DIR", str(Path(tmp) / "cache"))  # a fresh memo each run
        for n in (int(x) for x in args.warm.split(",") if x):
            first, again = warm(n, Path(tmp))
            print(f"warm audit (lockfile), {n:>6,} references: {again[0]:6.2f} s wall, {again[1]:6.2f} s CPU "
                  f"(floor {n / 10000:.2f} s = 1 s per 10,000); first audit of a new lock, before any memo: "
                  f"{first[0]:.2f} s wall, {first[1]:.2f} s CPU")
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
