"""Batch audits on a real 2-worker Dask LocalCluster (one per module): the same results as one audit at
a time, failures reported and retried without stopping the batch, resuming, and a worker killed for
real mid-batch losing nothing."""

from __future__ import annotations

import json
import os
import random
import signal
from pathlib import Path

import pytest
from registry_server import SAMPLE, bibtex_entry

from galleyproof.audit.batch import audit_manuscript, find_manuscripts, run_batch
from galleyproof.cli import main
from galleyproof.registry.snapshot import Snapshot
from galleyproof.registry.snapshot_load import import_files
from galleyproof.registry.synth import read_jsonl, synthesize, write_jsonl

distributed = pytest.importorskip("distributed")
MANUSCRIPTS = 50
BROKEN = "zz-broken.txt"  # prose without a reference list: its audit raises


def apa(work: dict) -> str:
    authors = ", ".join(f"{a['family']}, {a.get('given', 'A')[0]}." for a in work["author"][:3] if a.get("family"))
    year = work["issued"]["date-parts"][0][0]
    numbers = f", {work['volume']}" if work.get("volume") else ""
    pages = f", {work['page'].replace('-', '–')}" if work.get("page") else ""
    return (f"{authors} ({year}). {work['title'][0]}. {(work.get('container-title') or [''])[0]}{numbers}{pages}. "
            f"https://doi.org/{work['DOI']}")


def entries(works: list[dict], rng: random.Random) -> list[tuple[dict, dict]]:
    """(work, BibTeX field changes): most cited right, some wrong the ways authors get them wrong."""
    changes = [{}, {}, {}, {"volume": "999"}, {"year": "1901"}, {"doi": "10.1002/not-registered"}, {"doi": None}]
    return [(w, rng.choice(changes)) for w in works]


def write_manuscripts(root: Path, sample: list[dict]) -> None:
    rng = random.Random(5)
    usable = [w for w in sample if w.get("author") and w.get("title") and w.get("issued")
              and all(a.get("family") for a in w["author"])]
    (root / "bibs").mkdir(parents=True)
    for n in range(MANUSCRIPTS - 2):
        chosen = entries(rng.sample(usable, rng.randint(3, 9)), rng)
        bib = "\n".join(bibtex_entry(w, f"k{i}", **c) for i, (w, c) in enumerate(chosen))
        kind = n % 3
        if kind == 0:
            (root / f"m{n:02d}.bib").write_text(bib, encoding="utf-8")
        elif kind == 1:
            (root / "bibs" / f"m{n:02d}.bib").write_text(bib, encoding="utf-8")
            cites = " ".join(f"[@k{i}]" for i in range(len(chosen))) + " [@undefined]"
            (root / f"m{n:02d}.md").write_text(f"---\ntitle: M{n}\nbibliography: bibs/m{n:02d}.bib\n---\n\n"
                                               f"Text {cites}.\n", encoding="utf-8")
        else:
            refs = "\n\n".join(apa(w) for w, _ in chosen)
            (root / f"m{n:02d}.txt").write_text(f"References\n\n{refs}\n", encoding="utf-8")
    project = root / "project"
    (project / "chapters").mkdir(parents=True)
    (project / "_quarto.yml").write_text("project:\n  type: book\nbook:\n  title: P\n  chapters:\n    - index.qmd\n"
                                         "    - chapters/one.qmd\nbibliography: refs.bib\n", encoding="utf-8")
    (project / "index.qmd").write_text("# P\n", encoding="utf-8")
    (project / "chapters" / "one.qmd").write_text("# One\n\nAs shown [@k0; @k1].\n", encoding="utf-8")
    (project / "refs.bib").write_text("\n".join(bibtex_entry(w, f"k{i}", **c) for i, (w, c) in
                                                enumerate(entries(usable[:4], rng))), encoding="utf-8")
    (root / BROKEN).write_text("Just some prose, and no references at all.\n", encoding="utf-8")


@pytest.fixture(scope="module")
def memo(tmp_path_factory):
    """The audit memo (galleyproof.audit.memo) of this module's audits, in-process and on the workers
    (given it explicitly, see `client`): its own folder, so that the session's memo
    holds only what the tests of the memo put there."""
    folder = str(tmp_path_factory.mktemp("batch-memo"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GALLEYPROOF_CACHE_DIR", folder)
        yield {"GALLEYPROOF_CACHE_DIR": folder}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, memo):
    root = tmp_path_factory.mktemp("batch")
    sample = read_jsonl(SAMPLE)
    write_jsonl(root / "works.jsonl.gz", synthesize(sample, 3000, seed=9))
    with Snapshot.create(root / "snapshot.sqlite") as snapshot:
        import_files(snapshot, [root / "works.jsonl.gz"])
    write_manuscripts(root / "manuscripts", sample)
    return root / "manuscripts", root / "snapshot.sqlite"


@pytest.fixture(scope="module")
def client(memo):
    # env: a worker the nanny restarts after the kill takes the nanny's environment of that moment
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                       env=memo)
    with distributed.Client(cluster) as client:
        yield client
    cluster.close()


@pytest.fixture(scope="module")
def sequential(corpus, memo):
    """Each manuscript audited in this process, one after another: what the batch must reproduce."""
    folder, snapshot = corpus
    results = {}
    for path in find_manuscripts(folder):
        try:
            results[str(path.resolve())] = comparable(audit_manuscript(path, snapshot))
        except Exception as exc:  # noqa: BLE001 - the broken manuscript's error is part of what is compared
            results[str(path.resolve())] = str(exc)
    return results


def comparable(audit: dict) -> dict:
    """An audit without the moment each record was read (the only thing that differs between runs)."""
    for ref in audit["references"]:
        if ref["registered"]:
            ref["registered"].pop("retrieved", None)
    return audit


def by_manuscript(results: Path) -> dict:
    lines = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()]
    assert len({line["manuscript"] for line in lines}) == len(lines)  # each manuscript exactly once
    return {line["manuscript"]: comparable(line["audit"]) if line["ok"] else line["error"] for line in lines}


def test_the_corpus_is_varied(corpus, sequential):
    folder, _ = corpus
    kinds = {p.suffix or "project" for p in find_manuscripts(folder)}
    assert kinds == {".bib", ".md", ".txt", "project"} and len(sequential) == MANUSCRIPTS
    statuses = {r["status"] for a in sequential.values() if isinstance(a, dict) for r in a["references"]}
    assert {"verified", "mismatch", "not_found", "missing_doi"} <= statuses
    assert sum(1 for a in sequential.values() if isinstance(a, dict) and a["project"]) >= 10


def test_batch_equals_sequential_audits_and_resumes(corpus, sequential, client, tmp_path):
    folder, snapshot = corpus
    results = tmp_path / "results.jsonl"
    batch = run_batch(find_manuscripts(folder), snapshot, results, client=client, retries=1)
    assert batch.workers == 2 and len(batch.done) == MANUSCRIPTS
    assert by_manuscript(results) == sequential
    broken = str((folder / BROKEN).resolve())
    assert [line["manuscript"] for line in batch.failed] == [broken]
    assert batch.failed[0]["error"] == sequential[broken] and broken in sequential[broken]  # as one audit says it
    tries = client.run_on_scheduler(lambda dask_scheduler: sum(
        1 for event in dask_scheduler.story(batch.keys[broken]) if event[2] == "processing"))
    assert tries == 2  # ran, failed, ran again (retries=1), then reported

    again = run_batch(find_manuscripts(folder), snapshot, results, client=client, retries=0)
    assert len(again.skipped) == MANUSCRIPTS - 1 and [line["manuscript"] for line in again.done] == [broken]


def test_a_worker_killed_mid_batch_loses_nothing(corpus, sequential, client, tmp_path):
    folder, snapshot = corpus
    pids = client.run(os.getpid)
    killed: list[int] = []

    def kill_one_worker(line: dict) -> None:
        if not killed:
            pid = next(iter(pids.values()))
            os.kill(pid, signal.SIGKILL)  # a real crash: no clean shutdown, no goodbye to the scheduler
            killed.append(pid)

    results = tmp_path / "results.jsonl"
    batch = run_batch(find_manuscripts(folder), snapshot, results, client=client, retries=1,
                      on_result=kill_one_worker)
    assert killed and len(batch.done) == MANUSCRIPTS
    assert by_manuscript(results) == sequential
    client.wait_for_workers(2, timeout=60)  # the nanny restarts the worker
    assert killed[0] not in client.run(os.getpid).values()


def test_cli_batch_on_a_scheduler_address_writes_jsonl_and_a_table(corpus, sequential, client, tmp_path, capsys,
                                                                   monkeypatch):
    folder, snapshot = corpus
    listing = tmp_path / "list.txt"
    chosen = find_manuscripts(folder)[:5]
    listing.write_text("# five of them\n" + "\n".join(str(p) for p in chosen) + "\n", encoding="utf-8")
    results = tmp_path / "out.jsonl"
    monkeypatch.chdir(folder)
    code = main(["audit", "--batch", str(listing), "--registry", f"snapshot:{snapshot}", "--scheduler",
                 client.scheduler.address, "--results", str(results)])
    out = capsys.readouterr().out
    assert code == 1  # some references are at or above the default failure threshold
    assert "Batch audit" in out and "5 manuscripts audited (0 failed)" in out
    assert f"│ {chosen[0].name} " in out and str(folder) not in out  # paths shown relative to here
    assert by_manuscript(results) == {str(p.resolve()): sequential[str(p.resolve())] for p in chosen}
    assert main(["audit", "--batch", str(listing)]) == 2  # a batch needs a snapshot
