#!/usr/bin/env python3
"""Journal-scale figures: registry snapshot import, lookup and search, and batch audit throughput.

    python bench/scale.py [--sizes 100000,1000000] [--duckdb-sizes 100000] [--manuscripts 120]
                          [--workers 1,2] [--keep DIR]

For each size N: N synthetic works (galleyproof.registry.synth, grown from
../shared/crossref-sample/works.jsonl, the same generator the tests use) written as gzip JSON lines,
then imported into the SQLite FTS5 snapshot (records/s), looked up by DOI (2,000 DOIs, half of them
absent: median and p95 microseconds) and searched by reference string (200 APA-style strings of works
in the snapshot: median and p95 milliseconds, and how often the cited work ranks first). For the sizes
in --duckdb-sizes the same records go into DuckDB (bulk insert from a DataFrame; search through a
term table, since DuckDB's fts extension is downloaded at run time and this machine has no network)
with the same measures: the comparison behind the choice in galleyproof/registry/snapshot.py.

Batch: --manuscripts .bib files of 25 references each (cited works of the smallest snapshot; one
in ten without a DOI, so searched; one in ten with a wrong volume) audited by `run_batch` on a
LocalCluster of each --workers count: references/s and references/s per worker process (one core
each), beside the floors: Crossref's polite pool (10 single-record requests/s, one per reference)
and the 3.2 references/s that 10^8 references a year need on average.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from registry_server import SAMPLE, bibtex_entry  # noqa: E402

from galleyproof.registry.crossref import trim_work  # noqa: E402
from galleyproof.registry.snapshot import Snapshot, search_text  # noqa: E402
from galleyproof.registry.snapshot_load import import_files  # noqa: E402
from galleyproof.registry.synth import read_jsonl, synthesize, write_jsonl  # noqa: E402

POLITE_PER_S = 10.0  # Crossref polite pool, single records (API-NOTES.md)
YEARLY = 10**8
SECONDS_PER_YEAR = 365 * 24 * 3600


def keep_every(works: Iterator[dict], step: int, kept: list[dict]) -> Iterator[dict]:
    """Pass works through, keeping every `step`-th (the queries), without holding N works in memory."""
    for n, work in enumerate(works):
        if n % step == 0 and work.get("title") and work.get("author") and work.get("issued"):
            kept.append(work)
        yield work


def reference_string(work: dict) -> str:
    authors = ", ".join(a.get("family") or a.get("name", "") for a in work.get("author", [])[:3])
    year = work["issued"]["date-parts"][0][0]
    container = (work.get("container-title") or [""])[0]
    return f"{authors} ({year}). {work['title'][0]}. {container}, {work.get('volume', '')}"


def percentiles(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    return statistics.median(values), values[int(0.95 * (len(values) - 1))]


def measure_sqlite(path: Path, queries: list[dict], absent: list[str]) -> dict:
    with Snapshot.open(path) as snap:
        dois = [w["DOI"] for w in queries[:1000]] + absent[:1000]
        random.Random(1).shuffle(dois)
        times = []
        for doi in dois:
            start = time.perf_counter()
            snap.work(doi)
            times.append((time.perf_counter() - start) * 1e6)
        lookup = percentiles(times)
        times, first = [], 0
        for work in queries[:200]:
            start = time.perf_counter()
            hits = snap.search(reference_string(work))
            times.append((time.perf_counter() - start) * 1e3)
            first += bool(hits) and hits[0]["DOI"] == work["DOI"].lower()
        search = percentiles(times)
    return {"lookup_us": lookup, "search_ms": search, "top1": first / min(200, len(queries))}


def duckdb_figures(data: Path, queries: list[dict], absent: list[str], folder: Path) -> dict | None:
    try:
        import duckdb
        import pandas as pd
    except ImportError:
        return None
    from galleyproof.registry.snapshot_load import _lines, _works

    start = time.perf_counter()
    rows = []
    with open(data, "rb") as raw:
        for line in _lines(raw):
            for message in _works(line):
                work = trim_work(message)
                rows.append((work["DOI"], json.dumps(work, separators=(",", ":")), search_text(work).lower()))
    db = duckdb.connect(str(folder / "snapshot.duckdb"))
    frame = pd.DataFrame(rows, columns=["doi", "record", "text"]).drop_duplicates("doi")
    frame.insert(0, "id", range(len(frame)))
    db.execute("CREATE TABLE works (id INTEGER, doi VARCHAR PRIMARY KEY, record VARCHAR, text VARCHAR)")
    db.register("frame", frame)
    db.execute("INSERT INTO works SELECT id, doi, record, text FROM frame")
    db.execute("CREATE TABLE terms AS SELECT DISTINCT id, term FROM (SELECT id, unnest(regexp_split_to_array(text, "
               "'[^[:alnum:]]+')) AS term FROM works) WHERE length(term) > 1 ORDER BY term")
    db.execute("CREATE TABLE df AS SELECT term, count(*) AS n FROM terms GROUP BY term")
    seconds = time.perf_counter() - start
    total = len(frame)
    del rows, frame
    dois = [w["DOI"] for w in queries[:1000]] + absent[:1000]
    random.Random(1).shuffle(dois)
    times = []
    for doi in dois:
        t = time.perf_counter()
        db.execute("SELECT record FROM works WHERE doi = ?", [doi.lower()]).fetchone()
        times.append((time.perf_counter() - t) * 1e6)
    lookup = percentiles(times)
    times, first = [], 0
    for work in queries[:200]:
        words = sorted({w.lower() for w in reference_string(work).replace(".", " ").replace(",", " ").split()
                        if len(w) > 1})
        t = time.perf_counter()
        marks = ",".join("?" * len(words))
        hits = db.execute(f"SELECT w.doi FROM (SELECT t.id, sum(ln({total} / df.n)) AS score FROM terms t "
                          f"JOIN df USING (term) WHERE t.term IN ({marks}) GROUP BY t.id ORDER BY score DESC "
                          "LIMIT 5) s JOIN works w ON w.id = s.id ORDER BY s.score DESC", words).fetchall()
        times.append((time.perf_counter() - t) * 1e3)
        first += bool(hits) and hits[0][0] == work["DOI"].lower()
    db.close()
    size = (folder / "snapshot.duckdb").stat().st_size
    return {"rate": total / seconds, "lookup_us": lookup, "search_ms": percentiles(times),
            "top1": first / min(200, len(queries)), "bytes": size}


def snapshot_figures(n: int, sample: list[dict], folder: Path, duck: bool) -> tuple[Path, list[dict]]:
    data, path = folder / f"works-{n}.jsonl.gz", folder / f"snapshot-{n}.sqlite"
    saved = folder / f"queries-{n}.json"
    if saved.is_file() and path.is_file():  # --keep DIR of an earlier run: measure lookups and search again
        queries = json.loads(saved.read_text(encoding="utf-8"))
        print(f"\n== {n:,} synthetic works (snapshot reused from {folder}: import not measured)")
    else:
        queries = []
        start = time.perf_counter()
        write_jsonl(data, keep_every(synthesize(sample, n, seed=n), max(1, n // 2000), queries))
        saved.write_text(json.dumps(queries), encoding="utf-8")
        print(f"\n== {n:,} synthetic works ({data.stat().st_size / 1e6:.0f} MB gzip, written in "
              f"{time.perf_counter() - start:.0f} s)")
        start = time.perf_counter()
        with Snapshot.create(path) as snap:
            import_files(snap, [data])
        seconds = time.perf_counter() - start
        print(f"SQLite FTS5: import {n / seconds:8,.0f} records/s ({seconds:.0f} s), "
              f"{path.stat().st_size / 1e6:.0f} MB")
    absent = [f"{w['DOI']}.absent" for w in queries]
    got = measure_sqlite(path, queries, absent)
    print(f"SQLite FTS5: DOI lookup median {got['lookup_us'][0]:.0f} us, p95 {got['lookup_us'][1]:.0f} us; "
          f"search median {got['search_ms'][0]:.1f} ms, p95 {got['search_ms'][1]:.1f} ms, "
          f"cited work first {got['top1']:.0%}")
    if duck:
        d = duckdb_figures(data, queries, absent, folder)
        if d is None:
            print("DuckDB: not installed (pip install duckdb to compare)")
        else:
            print(f"DuckDB     : import {d['rate']:8,.0f} records/s, {d['bytes'] / 1e6:.0f} MB")
            print(f"DuckDB     : DOI lookup median {d['lookup_us'][0]:.0f} us, p95 {d['lookup_us'][1]:.0f} us; "
                  f"search median {d['search_ms'][0]:.1f} ms, p95 {d['search_ms'][1]:.1f} ms, "
                  f"cited work first {d['top1']:.0%}")
    return path, queries


def write_batch(folder: Path, works: list[dict], manuscripts: int) -> int:
    rng = random.Random(4)
    folder.mkdir(parents=True, exist_ok=True)
    references = 0
    for m in range(manuscripts):
        entries = []
        for i, work in enumerate(rng.sample(works, min(25, len(works)))):
            change = {"doi": None} if i % 10 == 3 else {"volume": "999"} if i % 10 == 7 else {}
            entries.append(bibtex_entry(work, f"r{i}", **change))
        (folder / f"m{m:04d}.bib").write_text("\n".join(entries), encoding="utf-8")
        references += len(entries)
    return references


def batch_figures(snapshot: Path, works: list[dict], manuscripts: int, workers: list[int], folder: Path) -> None:
    from galleyproof.audit.batch import find_manuscripts, run_batch

    usable = [w for w in works if all(a.get("family") or a.get("name") for a in w["author"])]
    references = write_batch(folder / "manuscripts", usable, manuscripts)
    paths = find_manuscripts(folder / "manuscripts")
    need = YEARLY / SECONDS_PER_YEAR
    print(f"\n== batch: {manuscripts} manuscripts, {references:,} references, snapshot {snapshot.name}")
    for count in workers:
        start = time.perf_counter()
        batch = run_batch(paths, snapshot, folder / f"results-{count}.jsonl", workers=count)
        wall = time.perf_counter() - start
        failed = len(batch.failed)
        rate = batch.references / batch.seconds
        print(f"{count} worker(s): {rate:6.1f} references/s, {rate / count:6.1f} per core "
              f"({batch.seconds:.1f} s audited, {wall:.1f} s with cluster start; {failed} failed) "
              f"| floors: Crossref polite pool {POLITE_PER_S:.0f}/s, 10^8 a year {need:.1f}/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000", help="snapshot sizes, comma-separated (default 100000)")
    parser.add_argument("--duckdb-sizes", default="100000", help="sizes also measured in DuckDB ('' for none)")
    parser.add_argument("--manuscripts", type=int, default=120, help="manuscripts in the batch (0: no batch)")
    parser.add_argument("--workers", default="1,2", help="LocalCluster sizes for the batch")
    parser.add_argument("--keep", type=Path, help="work in DIR and keep the files (default: a temp dir)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    duck = {int(s) for s in args.duckdb_sizes.split(",") if s}
    sample = read_jsonl(SAMPLE)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        built = [snapshot_figures(n, sample, folder, n in duck) for n in sizes]
        if args.manuscripts and built:
            path, queries = built[0]
            batch_figures(path, queries, args.manuscripts, [int(w) for w in args.workers.split(",")], folder)


if __name__ == "__main__":
    main()
