"""citations.lock.json: round trip, stable formatting, and no record lost to a crash."""

from __future__ import annotations

import json

import pytest
from registry_server import sample_works  # noqa: F401

from galleyproof.errors import ConfigError
from galleyproof.registry.lock import CitationLock, content_hash

DOIS = ["10.1007/s12080-013-0192-6", "10.1002/wcms.49", "10.1016/j.drudis.2006.06.016"]


def test_round_trip_keeps_every_record_sorted_and_hashed(tmp_path, sample_works):
    lock = CitationLock(tmp_path / "citations.lock.json")
    for doi in DOIS:
        lock.put(doi, "crossref", sample_works[doi])
    lock.put("10.1371/notarealdoi", "none", None)
    lock.put_search("Neff (2003) Self-compassion", [sample_works[DOIS[0]]])
    lock.save()
    again = CitationLock.load(tmp_path / "citations.lock.json")
    assert again.records == lock.records and again.searches == lock.searches
    data = json.loads((tmp_path / "citations.lock.json").read_text())
    assert list(data["records"]) == sorted(DOIS + ["10.1371/notarealdoi"])
    entry = data["records"][DOIS[1]]
    assert entry["source"] == "crossref" and entry["record"] == sample_works[DOIS[1]]
    assert entry["sha256"] == content_hash(sample_works[DOIS[1]])
    assert entry["retrieved"].endswith("Z")
    assert data["records"]["10.1371/notarealdoi"]["source"] == "none"


def test_formatting_is_stable_from_save_to_save(tmp_path, sample_works):
    path = tmp_path / "citations.lock.json"
    lock = CitationLock(path)
    for doi in reversed(DOIS):
        lock.put(doi, "crossref", sample_works[doi])
    lock.save()
    first = path.read_bytes()
    CitationLock.load(path).save()
    assert path.read_bytes() == first
    assert first.endswith(b"\n") and b'  "records": {' in first


def test_records_survive_a_crash_before_save(tmp_path, sample_works):
    path = tmp_path / "citations.lock.json"
    lock = CitationLock(path)
    lock.put(DOIS[0], "crossref", sample_works[DOIS[0]])
    lock.save()
    lock.put(DOIS[1], "crossref", sample_works[DOIS[1]])  # ... and then the process dies
    with open(lock.journal_path, "a", encoding="utf-8") as handle:
        handle.write('{"doi": "10.1/cut-sh')  # a line the crash cut short
    recovered = CitationLock.load(path)
    assert set(recovered.records) == {DOIS[0], DOIS[1]}
    recovered.save()
    assert not recovered.journal_path.exists()
    assert set(json.loads(path.read_text())["records"]) == {DOIS[0], DOIS[1]}


def test_a_lock_that_is_not_json_names_file_and_line(tmp_path):
    path = tmp_path / "citations.lock.json"
    path.write_text('{\n  "records": {\n    "10.1/x": \n}\n')
    with pytest.raises(ConfigError) as info:
        CitationLock.load(path)
    assert info.value.path == str(path) and info.value.line == 4
