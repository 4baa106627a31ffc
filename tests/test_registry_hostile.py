"""Hostile registry answers and lockfiles: rejected at the registry edge, never a crash, never trusted.

Real HTTP over loopback (tests/registry_server.py), real files in tmp_path, the whole audit."""

from __future__ import annotations

import copy
import json
import os

import pytest
from registry_server import FakeRegistry, bibtex_entry, sample_works, serve  # noqa: F401

from galleyproof.audit.run import audit_path
from galleyproof.errors import ConfigError
from galleyproof.registry.http import RetryPolicy
from galleyproof.registry.lock import CitationLock, content_hash

FAST = RetryPolicy(retries=1, backoff=0.02, timeout=1.0, deadline=3.0)
DOI = "10.1007/s12080-013-0192-6"


def confusions(work: dict) -> list:
    """Type-confused and nested versions of a real record: every field the audit reads, wrong."""
    cases = []
    for key, bad in [("title", "a string, not a list"), ("title", [1, 2]), ("title", [{"x": 1}]),
                     ("author", "Smith"), ("author", [["Smith"]]), ("author", [{"family": 7}]),
                     ("author", [{"family": {"nested": ["x"]}}]), ("issued", [[2012]]),
                     ("issued", {"date-parts": "2012"}), ("issued", {"date-parts": [["2012"]]}),
                     ("issued", {"date-parts": [[{"y": 2012}]]}), ("volume", 7), ("volume", ["7"]),
                     ("page", {"first": 1}), ("container-title", "Journal"), ("container-title", [None]),
                     ("updated-by", {"type": "retraction"}), ("updated-by", ["retraction"]),
                     ("updated-by", [{"DOI": 5, "type": []}]), ("relation", ["is-preprint-of"]),
                     ("relation", {"is-preprint-of": {"id": "x"}}), ("relation", {"is-preprint-of": [{"id": 3}]}),
                     ("subtitle", [[]]), ("type", ["journal-article"]), ("DOI", 10), ("DOI", None),
                     ("title", [[[[[["deep"]]]]]]), ("article-number", 33693)]:
        case = copy.deepcopy(work)
        case[key] = bad
        cases.append(case)
    return cases


def test_type_confused_records_are_retried_then_unverified_through_the_whole_audit(tmp_path, sample_works):
    """Each reference's record arrives broken every time: the audit finishes, every one of them is
    unverified (never judged on junk, never locked), and the clean reference beside them is verified."""
    work = sample_works[DOI]
    cases = confusions(work)
    works = {f"10.5555/confused.{i}": dict(work, DOI=f"10.5555/confused.{i}") for i in range(len(cases))}
    fake = FakeRegistry({**works, DOI: work})
    envelope = {"status": "ok", "message-type": "work", "message-version": "1.0.0"}
    for i, case in enumerate(cases):
        if case.get("DOI") == work["DOI"]:
            case["DOI"] = f"10.5555/confused.{i}"
        body = json.dumps({**envelope, "message": case})
        if i == 0:  # nested beyond Python's recursion limit: json.loads itself would raise RecursionError
            body = body[:-2] + ', "subtitle": ' + "[" * 100000 + "]" * 100000 + "}}"
        fake.fail(f"/works/10.5555/confused.{i}", *[(200, {"Content-Type": "application/json"}, body)] * 2)
        fake.withheld.add(f"10.5555/confused.{i}")  # looked up alone, where the broken answer waits
    bib = tmp_path / "refs.bib"
    bib.write_text(bibtex_entry(work, "clean") + "".join(
        bibtex_entry(work, f"c{i}", doi=f"10.5555/confused.{i}") for i in range(len(cases))))
    server = serve(fake)
    try:
        url = server.url_for("").rstrip("/")
        audit = audit_path(bib, crossref_url=url, datacite_url=url, lock_path=tmp_path / "citations.lock.json",
                           policy=FAST, search=False)
    finally:
        server.stop()
    statuses = {r["key"]: r["status"] for r in audit["references"]}
    assert statuses.pop("clean") == "verified"
    assert set(statuses.values()) == {"unverified"}, statuses
    locked = json.loads((tmp_path / "citations.lock.json").read_text())["records"]
    assert set(locked) == {DOI}


def test_an_answer_carrying_another_dois_record_is_retried_not_judged(tmp_path, sample_works):
    other = sample_works["10.1002/wcms.49"]
    fake = FakeRegistry(sample_works)
    fake.withheld.add(DOI)
    body = json.dumps({"status": "ok", "message-type": "work", "message": other})
    fake.fail(f"/works/{DOI}", (200, {"Content-Type": "application/json"}, body))  # once, then the right one
    bib = tmp_path / "refs.bib"
    bib.write_text(bibtex_entry(sample_works[DOI], "a"))
    server = serve(fake)
    try:
        url = server.url_for("").rstrip("/")
        audit = audit_path(bib, crossref_url=url, datacite_url=url, lock_path=tmp_path / "l.json", policy=FAST,
                           search=False)
    finally:
        server.stop()
    assert audit["references"][0]["status"] == "verified"
    assert CitationLock.load(tmp_path / "l.json").records[DOI].record["DOI"] == DOI


def lock_with(tmp_path, records: object, searches: object = None) -> object:
    path = tmp_path / "citations.lock.json"
    data = {"lockfile-version": 1, "records": records}
    if searches is not None:
        data["searches"] = searches
    path.write_text(json.dumps(data))
    return path


def crafted_locks(work: dict) -> list:
    good = {"source": "crossref", "retrieved": "2026-01-01T00:00:00Z", "sha256": content_hash(work), "record": work}
    tampered = dict(good, record=dict(work, volume="999"))
    junk = dict(work, title={"nested": [[[["x"]]]]})
    return [
        pytest.param({DOI: tampered}, id="tampered-record-old-hash"),
        pytest.param({DOI: dict(good, sha256="sha256:" + "0" * 64)}, id="bad-hash"),
        pytest.param({DOI: dict(good, sha256=12)}, id="hash-not-a-string"),
        pytest.param({DOI: dict(good, record=junk, sha256=content_hash(junk))}, id="junk-with-matching-hash"),
        pytest.param({DOI: dict(good, record=dict(work, DOI="10.1/other"),
                                sha256=content_hash(dict(work, DOI="10.1/other")))}, id="another-dois-record"),
        pytest.param({DOI: "a string"}, id="entry-not-an-object"),
        pytest.param({DOI: [good]}, id="entry-a-list"),
        pytest.param({DOI: dict(good, source=["crossref"])}, id="source-a-list"),
        pytest.param({DOI: dict(good, source="evil")}, id="unknown-source"),
        pytest.param({DOI: dict(good, record="x", sha256=content_hash("x"))}, id="record-a-string"),
        pytest.param({DOI: dict(good, source="none")}, id="none-with-a-record"),
        pytest.param({DOI: dict(good, retrieved={"at": 1})}, id="retrieved-an-object"),
        pytest.param({DOI: {}}, id="empty-entry"),
        pytest.param({DOI: None}, id="null-entry"),
    ]


@pytest.mark.parametrize("records", crafted_locks(json.loads(json.dumps({
    "DOI": DOI, "title": ["A title"], "author": [{"family": "Smith", "given": "A"}],
    "issued": {"date-parts": [[2013]]}}))))
def test_crafted_lock_records_are_dropped_and_the_audit_runs(tmp_path, records):
    lock = lock_with(tmp_path, records)
    loaded = CitationLock.load(lock)
    assert DOI not in loaded.records and loaded.problems
    bib = tmp_path / "refs.bib"
    bib.write_text(f"@article{{a,\n  title = {{A title}},\n  author = {{Smith, A}},\n  year = {{2013}},\n"
                   f"  doi = {{{DOI}}}\n}}\n")
    audit = audit_path(bib, mode="offline", lock_path=lock)
    assert audit["references"][0]["status"] == "unverified"  # re-fetched online; offline never trusted
    assert any("citations.lock.json" in w and "dropped" in w for w in audit["summary"]["warnings"])


@pytest.mark.parametrize("text", [
    pytest.param('{"records": []}', id="records-a-list"),
    pytest.param('{"records": {}, "searches": "x"}', id="searches-a-string"),
    pytest.param('[1, 2]', id="top-level-list"),
    pytest.param('[' * 100000 + ']' * 100000, id="nested-beyond-recursion"),
    pytest.param('"just a string"', id="top-level-string"),
])
def test_unreadable_lockfiles_are_a_config_error_not_a_traceback(tmp_path, text):
    (tmp_path / "citations.lock.json").write_text(text)
    with pytest.raises(ConfigError):
        CitationLock.load(tmp_path / "citations.lock.json")


def test_crafted_searches_are_dropped(tmp_path):
    lock = lock_with(tmp_path, {}, {"q": {"candidates": [{"title": 5}], "sha256": "x", "retrieved": ""},
                                    "r": "junk", "s": {"candidates": "x"}})
    loaded = CitationLock.load(lock)
    assert loaded.searches == {} and len(loaded.problems) == 3


def test_a_journal_shipped_as_a_symlink_is_refused_and_its_target_untouched(tmp_path, sample_works):
    target = tmp_path / "victim.sh"
    target.write_text("#!/bin/sh\necho harmless\n")
    project = tmp_path / "project"
    project.mkdir()
    os.symlink(target, project / "citations.lock.json.journal")
    bib = project / "refs.bib"
    bib.write_text(bibtex_entry(sample_works[DOI], "a"))
    fake = FakeRegistry(sample_works)
    server = serve(fake)
    try:
        url = server.url_for("").rstrip("/")
        with pytest.raises(ConfigError, match="symbolic link"):
            audit_path(bib, crossref_url=url, datacite_url=url, lock_path=project / "citations.lock.json",
                       policy=FAST, search=False)
    finally:
        server.stop()
    assert target.read_text() == "#!/bin/sh\necho harmless\n"


def test_a_journal_that_becomes_a_symlink_is_never_followed(tmp_path, sample_works):
    """O_NOFOLLOW: even a link made after the lock was opened is not appended through."""
    target = tmp_path / "victim.txt"
    target.write_text("keep\n")
    lock = CitationLock.load(tmp_path / "citations.lock.json")
    os.symlink(target, tmp_path / "citations.lock.json.journal")
    with pytest.raises(ConfigError):
        lock.put(DOI, "crossref", sample_works[DOI])
    assert target.read_text() == "keep\n"


def test_a_lock_that_is_a_symlink_is_refused(tmp_path):
    (tmp_path / "elsewhere.json").write_text('{"records": {}}')
    os.symlink(tmp_path / "elsewhere.json", tmp_path / "citations.lock.json")
    with pytest.raises(ConfigError, match="symbolic link"):
        CitationLock.load(tmp_path / "citations.lock.json")


def test_a_tampered_lock_record_is_fetched_again_online(tmp_path, sample_works):
    """The record in the lock was edited (its hash left as it was): online, the audit drops it,
    fetches the registered record again, judges that, and writes it back."""
    lock = CitationLock(tmp_path / "citations.lock.json")
    lock.put(DOI, "crossref", sample_works[DOI])
    lock.save()
    data = json.loads(lock.path.read_text())
    data["records"][DOI]["record"]["volume"] = "999"
    lock.path.write_text(json.dumps(data))
    bib = tmp_path / "refs.bib"
    bib.write_text(bibtex_entry(sample_works[DOI], "a"))
    fake = FakeRegistry(sample_works)
    server = serve(fake)
    try:
        url = server.url_for("").rstrip("/")
        audit = audit_path(bib, crossref_url=url, datacite_url=url, lock_path=lock.path, policy=FAST, search=False)
    finally:
        server.stop()
    assert audit["references"][0]["status"] == "verified"
    assert fake.asked(DOI) == 1
    assert CitationLock.load(lock.path).records[DOI].record["volume"] == sample_works[DOI]["volume"]
