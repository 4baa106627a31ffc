"""The warm audit's memo (galleyproof.audit.memo): same answers as without it, nothing stale, and
nothing a project can plant."""

from __future__ import annotations

import json

from registry_server import bibtex_entry, sample_works  # noqa: F401

from galleyproof.audit import memo
from galleyproof.audit.run import audit_path
from galleyproof.registry.lock import CitationLock

DOIS = ["10.1007/s12080-013-0192-6", "10.1002/wcms.49", "10.1016/j.drudis.2006.06.016"]


def project(tmp_path, works):
    bib = tmp_path / "refs.bib"
    bib.write_text(bibtex_entry(works[DOIS[0]], "a") + bibtex_entry(works[DOIS[1]], "b", volume="2")
                   + bibtex_entry(works[DOIS[0]], "c", doi=DOIS[2]))
    lock = CitationLock(tmp_path / "citations.lock.json")
    for doi in DOIS:
        lock.put(doi, "crossref", works[doi])
    lock.save()
    return bib, lock.path


def test_warm_audits_answer_from_the_memo_exactly_as_a_cold_one(tmp_path, sample_works, monkeypatch):
    audit_memo_dir = tmp_path / "memo"  # this test's own, so only its memo files are there
    monkeypatch.setenv("GALLEYPROOF_CACHE_DIR", str(audit_memo_dir))
    bib, lock = project(tmp_path, sample_works)
    first = audit_path(bib, mode="offline", lock_path=lock)
    assert {r["key"]: r["status"] for r in first["references"]} == {
        "a": "verified", "b": "mismatch", "c": "points_elsewhere"}
    files = sorted(p.name.split("-")[0] for p in (audit_memo_dir / "audit").iterdir())
    assert files == ["bib", "lock", "verdicts"]
    again = audit_path(bib, mode="offline", lock_path=lock)
    assert again == first
    verdicts = json.loads(next((audit_memo_dir / "audit").glob("verdicts-*")).read_text())["verdicts"]
    assert len(verdicts) == 3


def test_a_changed_reference_or_record_is_judged_again(tmp_path, sample_works):
    bib, lock = project(tmp_path, sample_works)
    audit_path(bib, mode="offline", lock_path=lock)
    bib.write_text(bib.read_text().replace("volume = {2}", f"volume = {{{sample_works[DOIS[1]]['volume']}}}"))
    fixed = audit_path(bib, mode="offline", lock_path=lock)
    assert {r["key"]: r["status"] for r in fixed["references"]}["b"] == "verified"


def test_a_lock_edited_after_it_was_trusted_is_checked_in_full(tmp_path, sample_works):
    bib, lock = project(tmp_path, sample_works)
    audit_path(bib, mode="offline", lock_path=lock)
    assert memo.verified_lock(lock)
    data = json.loads(lock.read_text())
    data["records"][DOIS[0]]["record"]["title"] = ["A different title altogether"]  # sha256 left as it was
    lock.write_text(json.dumps(data))
    audit = audit_path(bib, mode="offline", lock_path=lock)
    assert {r["key"]: r["status"] for r in audit["references"]}["a"] == "unverified"
    assert any("dropped" in w for w in audit["summary"]["warnings"])


def test_a_memo_planted_in_the_project_is_never_read(tmp_path, sample_works, audit_memo_dir):
    bib, lock = project(tmp_path, sample_works)
    assert audit_memo_dir not in tmp_path.parents and not str(memo.cache_dir()).startswith(str(tmp_path))
    for name in ("verdicts.json", ".galleyproof-cache.json"):
        (tmp_path / name).write_text(json.dumps({"code": memo.code_hash(), "verdicts": {}}))
    assert {r["key"]: r["status"] for r in audit_path(bib, mode="offline", lock_path=lock)["references"]}["b"] \
        == "mismatch"


def test_an_unreadable_memo_costs_only_speed(tmp_path, sample_works, audit_memo_dir):
    bib, lock = project(tmp_path, sample_works)
    first = audit_path(bib, mode="offline", lock_path=lock)
    for path in (audit_memo_dir / "audit").iterdir():
        path.write_text("[" * 100000)
    assert audit_path(bib, mode="offline", lock_path=lock) == first


def test_an_edited_bib_audits_as_a_fresh_one_and_rereads_only_the_edit(tmp_path, sample_works, monkeypatch):
    monkeypatch.setenv("GALLEYPROOF_CACHE_DIR", str(tmp_path / "memo"))
    bib, lock = project(tmp_path, sample_works)
    audit_path(bib, mode="offline", lock_path=lock)
    text = bib.read_text()
    bib.write_text("% moved down a line\n" + text.replace("volume = {2}", "volume = {3}").replace("@article{c,",
                                                                                             "@article{c2,"))
    edited = audit_path(bib, mode="offline", lock_path=lock)
    hashes = json.loads(next((tmp_path / "memo" / "audit").glob("bib-*")).read_text())["hashes"]
    assert len(hashes) == 3 and all(hashes)  # every entry of the edited file remembered for the next edit
    monkeypatch.setenv("GALLEYPROOF_CACHE_DIR", str(tmp_path / "fresh"))
    assert edited == audit_path(bib, mode="offline", lock_path=lock)
    assert [(r["key"], r["line"]) for r in edited["references"]] == [("a", 2), ("b", 12), ("c2", 22)]
