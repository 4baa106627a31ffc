"""Registries fail independently, pace below their limits, and a Plus token never leaks.

Real HTTP over loopback (tests/registry_server.py); a closed port stands in for a host that is down."""

from __future__ import annotations

import json
import socket

from registry_server import FakeRegistry, bibtex_entry, datacite_items, sample_works, serve  # noqa: F401

from galleyproof.audit.run import audit_path
from galleyproof.registry.http import RetryPolicy

FAST = RetryPolicy(retries=1, backoff=0.05, timeout=0.5, deadline=2.0)


def closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def test_datacite_refused_never_stops_crossref(tmp_path, sample_works):
    """Crossref up, DataCite's port closed: DOIs Crossref does not hold come first and trip
    DataCite's breaker, and every Crossref DOI after them is still verified."""
    crossref_dois = list(sample_works)[:12]
    fake = FakeRegistry(sample_works)
    server = serve(fake)
    bib = tmp_path / "refs.bib"
    zenodo = [f"@misc{{dc{i},\n  title = {{Data set {i}}},\n  year = {{2020}},\n"
              f"  doi = {{10.5281/zenodo.{9000 + i}}}\n}}\n" for i in range(6)]
    bib.write_text("\n".join(zenodo + [bibtex_entry(sample_works[d], f"cr{i}") for i, d in enumerate(crossref_dois)]))
    try:
        audit = audit_path(bib, crossref_url=server.url_for("").rstrip("/"), datacite_url=closed_port(),
                           lock_path=tmp_path / "citations.lock.json", policy=FAST, search=False)
    finally:
        server.stop()
    statuses = {r["key"]: r["status"] for r in audit["references"]}
    assert all(statuses[f"cr{i}"] == "verified" for i in range(12)), statuses
    # Not known to Crossref, DataCite unreachable, Crossref's agency lookup says nobody holds them.
    assert all(statuses[f"dc{i}"] == "not_found" for i in range(6)), statuses
    assert any("DataCite stopped answering" in w for w in audit["summary"]["warnings"])


def test_crossref_refused_never_stops_datacite(tmp_path, sample_works):
    """The reverse: Crossref down, DataCite up; DataCite DOIs are unverified (Crossref is asked
    first and cannot say), and the audit neither crashes nor hangs."""
    fake = FakeRegistry({}, datacite_items())
    server = serve(fake)
    bib = tmp_path / "refs.bib"
    bib.write_text("".join(f"@misc{{d{i},\n  doi = {{{doi}}}\n}}\n" for i, doi in enumerate(datacite_items())))
    try:
        audit = audit_path(bib, crossref_url=closed_port(), datacite_url=server.url_for("").rstrip("/"),
                           lock_path=tmp_path / "citations.lock.json", policy=FAST, search=False, mode="online")
    except Exception as exc:  # the probe refuses an unreachable Crossref in online mode
        assert "cannot reach Crossref" in str(exc)
    else:
        assert {r["status"] for r in audit["references"]} == {"unverified"}


def test_a_polite_cold_audit_draws_no_429_at_the_servers_limits(tmp_path, sample_works):
    """The server enforces 10 single and 3 list requests per second, 3 at a time, as Crossref does;
    batches plus single lookups for what they miss stay under both."""
    dois = list(sample_works)[:150]
    fake = FakeRegistry(sample_works, rate_limit=10, list_rate_limit=3, latency=0.01)
    fake.withheld.update(dois[::5])  # 30 DOIs the batches leave out: looked up alone
    server = serve(fake)
    bib = tmp_path / "refs.bib"
    bib.write_text("\n".join(bibtex_entry(sample_works[d], f"k{i}") for i, d in enumerate(dois)))
    try:
        url = server.url_for("").rstrip("/")
        audit = audit_path(bib, crossref_url=url, datacite_url=url,
                           mailto="reviewer@example.org", lock_path=tmp_path / "citations.lock.json",
                           policy=RetryPolicy(retries=2, backoff=0.1), search=False, mode="refresh")
    finally:
        server.stop()
    assert audit["summary"]["statuses"]["verified"] == 150
    assert fake.too_many == 0
    batches = [q for _, path, q, _ in fake.log if path == "/works"]
    singles = [p for _, p, _, _ in fake.log if p.startswith("/works/")]
    assert len(batches) == 3 and len(singles) == 30


def test_crossref_plus_token_is_sent_to_crossref_only_and_never_shown(tmp_path, sample_works, monkeypatch, capsys):
    token = "s3cr3t-Plus-t0ken-value"
    monkeypatch.setenv("GALLEYPROOF_CROSSREF_TOKEN", token)
    crossref, datacite = FakeRegistry(sample_works), FakeRegistry({}, datacite_items())
    doi = next(iter(sample_works))
    for path in (f"/works/{doi}", "/works"):  # errors that name the request, batch and single
        crossref.fail(path, *[(503, {}, "down")] * 4)
    servers = [serve(crossref), serve(datacite)]
    bib = tmp_path / "refs.bib"
    bib.write_text(bibtex_entry(sample_works[doi], "a") + "@misc{z,\n  doi = {10.5281/zenodo.3596961}\n}\n")
    lock = tmp_path / "citations.lock.json"
    from galleyproof.cli import main

    try:
        urls = [s.url_for("").rstrip("/") for s in servers]
        audit = audit_path(bib, crossref_url=urls[0], datacite_url=urls[1], lock_path=lock, policy=FAST, search=False)
        code = main(["audit", str(bib), "--crossref-url", urls[0], "--datacite-url", urls[1], "--lock", str(lock),
                     "--format", "json", "--no-search"])
    finally:
        for s in servers:
            s.stop()
    assert code in (0, 1)
    sent = [h.get("Crossref-Plus-Api-Token") or h.get("Crossref-Plus-API-Token") for _, _, _, h in crossref.log]
    assert sent and all(value == f"Bearer {token}" for value in sent)
    assert all(token not in json.dumps(h) for _, _, _, h in datacite.log)  # DataCite never sees it
    out = capsys.readouterr()
    shown = json.dumps(audit) + out.out + out.err + lock.read_text()
    assert "could not be resolved" in json.dumps(audit)  # the error path was taken
    assert token not in shown


def test_garbage_answers_never_flip_a_failing_audit_to_passing(tmp_path, sample_works):
    """A mismatch fails the audit (exit 1). When the registry then answers garbage 200s for good,
    the audit cannot verify, and it must still fail rather than pass silently; offline from an
    empty lock, by choice, unverified stays a pass."""
    from galleyproof.cli import main

    doi = "10.1002/wcms.49"
    bib = tmp_path / "refs.bib"
    bib.write_text(bibtex_entry(sample_works[doi], "wrongvolume", volume="2"))
    fake = FakeRegistry(sample_works)
    server = serve(fake)
    url = server.url_for("").rstrip("/")
    common = [str(bib), "--crossref-url", url, "--datacite-url", url, "--format", "json", "--no-search"]
    try:
        assert main(["audit", *common, "--lock", str(tmp_path / "a.json")]) == 1  # the mismatch
        garbage = (200, {"Content-Type": "application/json"}, '{"status": "ok", "message-type": "work", "message": 7}')
        fake.fail(f"/works/{doi}", *[garbage] * 20)
        fake.fail("/works", *[garbage] * 20)
        assert main(["audit", *common, "--lock", str(tmp_path / "b.json")]) == 1  # could not verify: not a pass
    finally:
        server.stop()
    assert main(["audit", str(bib), "--offline", "--lock", str(tmp_path / "c.json"), "--format", "json"]) == 0
