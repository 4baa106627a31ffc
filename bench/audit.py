#!/usr/bin/env python3
"""Citation audit timings: warm (every DOI in citations.lock.json) and cold (every DOI fetched).

    python bench/audit.py [--warm 100,1000,10000] [--cold 1000] [--latency 0.1]

Warm: a .bib of N references, each citing a real record from ../shared/crossref-sample/works.jsonl
under its own DOI, audited offline from a lock holding all N records (read .bib, read lock,
compare, write nothing). Cold: N DOIs fetched from a loopback Crossref answering after
`--latency` seconds with polite-pool headers (10 requests/s, 3 at a time), next to the lower
bound that rate sets: N / 10 s. The default cold count, 1,000, is the issue's figure and takes
about 100 s (the bound); `--cold 200` gives a quicker reading.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from registry_server import FakeRegistry, bibtex_entry, load_sample, serve  # noqa: E402

from galleyproof.audit.run import audit_path  # noqa: E402
from galleyproof.registry.lock import CitationLock, LockEntry  # noqa: E402
from galleyproof.registry.ratelimit import CROSSREF_LIMITS  # noqa: E402


def corpus(n: int) -> dict[str, dict]:
    """N real records, the i-th under DOI 10.5555/bench.i so that every DOI is distinct."""
    works = [w for w in load_sample().values() if w.get("title") and w.get("author") and w.get("issued")]
    return {f"10.5555/bench.{i}": dict(works[i % len(works)], DOI=f"10.5555/bench.{i}") for i in range(n)}


def write_bib(records: dict[str, dict], path: Path) -> None:
    path.write_text("\n".join(bibtex_entry(w, f"ref{i}") for i, w in enumerate(records.values())), encoding="utf-8")


def warm(n: int, tmp: Path) -> float:
    records = corpus(n)
    bib, lock_path = tmp / f"warm{n}.bib", tmp / f"warm{n}.lock.json"
    write_bib(records, bib)
    lock = CitationLock(lock_path)
    for doi, work in records.items():
        lock.records[doi] = LockEntry.new("crossref", work)
    lock.save()
    start = time.perf_counter()
    audit = audit_path(bib, mode="offline", lock_path=lock_path, search=False)
    elapsed = time.perf_counter() - start
    assert audit["summary"]["statuses"]["verified"] == n, audit["summary"]["statuses"]
    return elapsed


def cold(n: int, latency: float, tmp: Path) -> tuple[float, dict]:
    records = corpus(n)
    bib = tmp / f"cold{n}.bib"
    write_bib(records, bib)
    fake = FakeRegistry(records, latency=latency)
    server = serve(fake)
    url = server.url_for("").rstrip("/")
    try:
        start = time.perf_counter()
        audit = audit_path(bib, mode="refresh", crossref_url=url, datacite_url=url, mailto="bench@example.org",
                           lock_path=tmp / f"cold{n}.lock.json", search=False)
        elapsed = time.perf_counter() - start
    finally:
        server.stop()
    return elapsed, {"statuses": {k: v for k, v in audit["summary"]["statuses"].items() if v},
                     "max_in_flight": fake.max_in_flight, "requests": len(fake.log)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warm", default="100,1000,10000", help="comma-separated reference counts")
    parser.add_argument("--cold", type=int, default=1000, help="DOIs for the cold audit (0 to skip)")
    parser.add_argument("--latency", type=float, default=0.1, help="server latency per request, seconds")
    args = parser.parse_args()
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the loopback server's access log
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(x) for x in args.warm.split(",") if x):
            seconds = warm(n, Path(tmp))
            print(f"warm audit (lockfile), {n:>6,} references: {seconds:7.2f} s  ({seconds / n * 1000:.2f} ms each)")
        if args.cold:
            rate = CROSSREF_LIMITS[(True, "single")].rate
            seconds, info = cold(args.cold, args.latency, Path(tmp))
            print(f"cold audit, {args.cold:,} DOIs, {args.latency * 1000:.0f} ms latency, polite pool: "
                  f"{seconds:7.2f} s; "
                  f"rate-limit lower bound {args.cold / rate:.1f} s ({args.cold:,} / {rate:.0f} per s); "
                  f"{json.dumps(info)}")
            if args.cold != 1000:
                print(f"  (1,000 DOIs: lower bound {1000 / rate:.0f} s; run with --cold 1000)")


if __name__ == "__main__":
    main()
