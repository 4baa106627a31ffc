"""The local registry snapshot: import (gzip, plain, resumed), update, search, synthetic records, and
audits from it that reach the API's verdicts without a single request."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import pytest
from registry_server import SAMPLE, bibtex_entry, registry, sample_works  # noqa: F401

from galleyproof.audit.run import audit_path
from galleyproof.cli import main
from galleyproof.errors import ConfigError, InputError
from galleyproof.registry import snapshot_load
from galleyproof.registry.http import RetryPolicy
from galleyproof.registry.snapshot import Snapshot
from galleyproof.registry.snapshot_load import apply_delta, import_files
from galleyproof.registry.synth import read_jsonl, synthesize, write_jsonl

FAST = RetryPolicy(retries=1, backoff=0.05, timeout=2.0)
RETRACTED = "10.1021/am300292v"


def snapshot_of(works, tmp_path: Path, name: str = "works.jsonl") -> Path:
    """A snapshot file holding exactly `works`, made by the real import."""
    data = write_jsonl(tmp_path / name, works) and tmp_path / name
    path = tmp_path / "snapshot.sqlite"
    with Snapshot.create(path) as snapshot:
        import_files(snapshot, [data])
    return path


def varied_bib(works: dict[str, dict], seed: int = 12) -> str:
    """Citations of real records, each cited right or wrong in one of the ways authors get it wrong."""
    rng = random.Random(seed)
    dois = sorted(d for d, w in works.items() if w.get("title") and w.get("issued") and w.get("author"))
    titles = [works[d]["title"][0] for d in dois]
    entries = []
    for n, doi in enumerate(rng.sample(dois, 50)):
        work, key = works[doi], f"ref{n}"
        year = str(work["issued"]["date-parts"][0][0])
        change = [{}, {}, {"volume": "999"}, {"year": str(int(year) + 2)}, {"title": "{" + rng.choice(titles) + "}"},
                  {"author": "Nobody, Ann and Else, Someone"}, {"doi": f"https://doi.org/{doi.upper()}"},
                  {"doi": doi.split("/")[0] + "/surely-not-registered." + str(n)}, {"pages": "1--2"},
                  {"journal": "Journal of Unrelated Things"}][n % 10]
        entries.append(bibtex_entry(work, key, **change))
    entries.append(f"@article{{retracted,\n  doi = {{{RETRACTED}}}\n}}\n")
    return "\n".join(entries)


def verdicts(audit: dict) -> dict:
    """Per reference: status, problems, the registered record (minus when it was fetched), message."""
    out = {}
    for ref in audit["references"]:
        registered = {k: v for k, v in (ref["registered"] or {}).items() if k not in ("retrieved", "from_lock")}
        out[ref["key"]] = (ref["status"], ref["problems"], registered, ref["message"])
    return out


def test_snapshot_audit_equals_api_audit_without_a_request(registry, tmp_path, monkeypatch):
    monkeypatch.setenv("GALLEYPROOF_MAILTO", "reviewer@example.org")  # the polite pool: a quicker API audit
    fake, url = registry
    bib = tmp_path / "refs.bib"
    bib.write_text(varied_bib(fake.works), encoding="utf-8")
    api = audit_path(bib, crossref_url=url, datacite_url=url, lock_path=tmp_path / "api.lock.json", policy=FAST,
                     mode="refresh", search=False)
    snapshot = Snapshot.open(snapshot_of(fake.works.values(), tmp_path))
    before = len(fake.log)
    local = audit_path(bib, crossref_url=url, datacite_url=url, lock_path=tmp_path / "snap.lock.json",
                       mode="refresh", search=False, local=snapshot)
    assert len(fake.log) == before  # zero network calls
    assert verdicts(local) == verdicts(api)
    statuses = {status for status, *_ in verdicts(api).values()}
    assert {"verified", "mismatch", "points_elsewhere", "not_found", "retracted"} <= statuses


def test_retraction_read_from_a_notice_update_to(sample_works, tmp_path):
    """The retracted work's own record says nothing; the notice's `update-to` points at it."""
    target = sample_works["10.1002/wcms.49"]
    notice = {"DOI": "10.1002/notice.1", "type": "journal-article", "title": ["Retraction notice"],
              "update-to": [{"DOI": target["DOI"].upper(), "type": "retraction", "label": "Retraction",
                             "source": "retraction-watch", "record-id": "777"}]}
    path = snapshot_of([target, notice], tmp_path)
    with Snapshot.open(path) as snapshot:
        assert snapshot.work(target["DOI"])["updated-by"] == [
            {"DOI": "10.1002/notice.1", "type": "retraction", "label": "Retraction", "source": "retraction-watch",
             "record-id": "777"}]
        assert snapshot.notice_count() == 1
    bib = tmp_path / "refs.bib"
    bib.write_text(bibtex_entry(target, "hit"), encoding="utf-8")
    audit = audit_path(bib, lock_path=tmp_path / "lock.json", search=False, local=Snapshot.open(path))
    assert audit["references"][0]["status"] == "retracted"
    assert "retraction-watch" in audit["references"][0]["problems"][0]["registered"]


def test_doi_outside_the_snapshot_prefixes_is_unverified_and_inside_is_not_found(sample_works, tmp_path):
    path = snapshot_of(sample_works.values(), tmp_path)
    bib = tmp_path / "refs.bib"
    bib.write_text("@misc{zenodo, title = {Data}, doi = {10.5281/zenodo.3596961}}\n"
                   "@article{gone, title = {Nothing}, doi = {10.1002/no-such-work}}\n", encoding="utf-8")
    audit = audit_path(bib, lock_path=tmp_path / "lock.json", search=False, local=Snapshot.open(path))
    by_key = {r["key"]: r for r in audit["references"]}
    assert by_key["gone"]["status"] == "not_found"
    assert by_key["zenodo"]["status"] == "unverified"
    assert "10.5281" in by_key["zenodo"]["message"]


def test_search_suggests_the_cited_work_among_synthetic_look_alikes(sample_works, tmp_path):
    """Bibliographic search over 3,000 works, most of them perturbed copies of the cited ones."""
    sample = read_jsonl(SAMPLE)
    path = snapshot_of(synthesize(sample, 3000, seed=3), tmp_path, "synth.jsonl.gz")
    work = sample_works["10.1002/wcms.49"]
    bib = tmp_path / "refs.bib"
    bib.write_text(bibtex_entry(work, "nodoi", doi=None) + bibtex_entry(work, "wrongdoi", doi=sample[0]["DOI"]),
                   encoding="utf-8")
    audit = audit_path(bib, lock_path=tmp_path / "lock.json", local=Snapshot.open(path))
    by_key = {r["key"]: r for r in audit["references"]}
    assert by_key["nodoi"]["status"] == "missing_doi"
    assert by_key["nodoi"]["suggested_doi"] == "10.1002/wcms.49"
    assert by_key["wrongdoi"]["suggested_doi"] == "10.1002/wcms.49"
    with Snapshot.open(path) as snapshot:
        hits = snapshot.search("Completely unrelated words zyxwv")
        assert all("score" in h for h in hits)
        assert snapshot.search("") == []


def test_import_gzip_and_plain_files_and_resume_after_an_interruption(tmp_path, monkeypatch):
    sample = read_jsonl(SAMPLE)
    works = list(synthesize(sample, 2500, seed=1))
    first, second = tmp_path / "part1.jsonl.gz", tmp_path / "part2.jsonl"
    write_jsonl(first, works[:1500])
    write_jsonl(second, works[1500:])
    assert first.read_bytes()[:2] == b"\x1f\x8b"
    monkeypatch.setattr(snapshot_load, "CHUNK", 400)  # commit often, so an interruption leaves partial work

    calls = []

    def stop_after_two_chunks(n: int) -> None:
        calls.append(n)
        if len(calls) == 2:
            raise KeyboardInterrupt

    path = tmp_path / "snapshot.sqlite"
    with Snapshot.create(path) as snapshot, pytest.raises(KeyboardInterrupt):
        import_files(snapshot, [first, second], stop_after_two_chunks)
    with Snapshot.open(path) as snapshot:
        assert snapshot.count() == 800  # two committed chunks, nothing half-written
    with Snapshot.create(path) as snapshot:
        result = import_files(snapshot, [first, second])
        assert result.resumed == [str(first.resolve())]
        assert result.lines == 2500 - 800 and result.stored == 2500 - 800
        assert snapshot.count() == 2500
        again = import_files(snapshot, [first, second])
        assert again.stored == 0 and len(again.skipped) == 2
    with Snapshot.open(path) as snapshot:
        assert snapshot.work(works[2000]["DOI"].upper()) == works[2000]


def test_update_replaces_older_records_and_keeps_newer_ones(sample_works, tmp_path):
    old = dict(sample_works["10.1002/wcms.49"], indexed={"timestamp": 1000})
    notice = {"DOI": "10.1002/notice.2", "indexed": {"timestamp": 1000},
              "update-to": [{"DOI": "10.1002/wcms.49", "type": "retraction"}]}
    other = dict(sample_works["10.1001/jama.2016.17216"], indexed={"timestamp": 5000})
    path = snapshot_of([old, notice, other], tmp_path)
    delta = tmp_path / "delta.jsonl"
    write_jsonl(delta, [dict(old, volume="77", indexed={"timestamp": 2000}),  # newer: replaces
                        dict(other, volume="1", indexed={"timestamp": 10}),  # older than the snapshot's: ignored
                        {"DOI": "10.1002/notice.2", "indexed": {"timestamp": 2000}, "update-to": []},  # withdrawn
                        {"DOI": "10.1002/brand-new", "title": ["New"]}])
    with Snapshot.create(path) as snapshot:
        result = apply_delta(snapshot, delta)
        assert result.stored == 3
    with Snapshot.open(path) as snapshot:
        assert snapshot.work("10.1002/wcms.49")["volume"] == "77"
        assert "updated-by" not in snapshot.work("10.1002/wcms.49")
        assert snapshot.work("10.1001/jama.2016.17216")["volume"] == other["volume"]
        assert snapshot.work("10.1002/brand-new")["title"] == ["New"]
        assert snapshot.count() == 4
        assert [h["DOI"] for h in snapshot.search("wcms 77 " + old["title"][0])][:1] == ["10.1002/wcms.49"]


def test_synthetic_records_are_reproducible_new_and_shaped_like_the_sample():
    sample = read_jsonl(SAMPLE)
    works = list(synthesize(sample, 1200, seed=7))
    assert works[:len(sample)] == sample
    assert works == list(synthesize(sample, 1200, seed=7))
    made = works[len(sample):]
    assert len({w["DOI"] for w in works}) == 1200
    model = sample[0]
    assert made[0]["DOI"].split("/")[0] == model["DOI"].split("/")[0]
    assert made[0]["title"] != model["title"] and made[0]["type"] == model["type"]
    assert set(made[0]) <= set(model) | {"issued"}


def test_damaged_files_and_missing_snapshots_are_errors_with_a_place(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"DOI": "10.1/a"}\n{not json\n', encoding="utf-8")
    with Snapshot.create(tmp_path / "s.sqlite") as snapshot, pytest.raises(InputError) as error:
        import_files(snapshot, [bad])
    assert error.value.line == 2 and error.value.path == str(bad.resolve())
    cut = tmp_path / "cut.jsonl.gz"
    whole = gzip.compress("".join(json.dumps({"DOI": f"10.1/{n}"}) + "\n" for n in range(2000)).encode())
    cut.write_bytes(whole[:len(whole) // 2])  # a download that stopped half way
    with Snapshot.create(tmp_path / "s.sqlite") as snapshot, pytest.raises(InputError, match="damaged"):
        import_files(snapshot, [cut])
    with pytest.raises(ConfigError, match="no registry snapshot"):
        Snapshot.open(tmp_path / "absent.sqlite")
    (tmp_path / "other.sqlite").write_text("not a database", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a registry snapshot"):
        Snapshot.open(tmp_path / "other.sqlite")


def test_cli_import_update_info_and_audit_from_the_snapshot(sample_works, tmp_path, capsys):
    snap = tmp_path / "snap.sqlite"
    synth = tmp_path / "synth.jsonl.gz"
    assert main(["registry", "synth", "600", str(synth), "--seed", "2"]) == 0
    assert main(["registry", "import", str(synth), str(SAMPLE), "--snapshot", str(snap)]) == 0
    err = capsys.readouterr().err
    assert "998 lines from 2 file(s), 600 works stored" in err
    delta = tmp_path / "delta.jsonl"
    delta.write_text(json.dumps(dict(sample_works["10.1002/wcms.49"], volume="5")) + "\n", encoding="utf-8")
    assert main(["registry", "update", str(delta), "--snapshot", str(snap)]) == 0
    assert main(["registry", "info", "--snapshot", str(snap)]) == 0
    assert f"{snap}: 600 works" in capsys.readouterr().out
    bib = tmp_path / "refs.bib"
    bib.write_text(bibtex_entry(sample_works["10.1002/wcms.49"], "v1"), encoding="utf-8")
    code = main(["audit", str(bib), "--registry", f"snapshot:{snap}", "--format", "json", "--lock",
                 str(tmp_path / "lock.json"), "--fail-on", "mismatch"])
    audit = json.loads(capsys.readouterr().out)
    assert code == 1 and audit["references"][0]["status"] == "mismatch"  # the delta's volume, 5, not 1
    assert main(["audit", str(bib), "--registry", "api"]) == 2
