"""The real httpx clients against a real HTTP server on loopback answering in Crossref's and
DataCite's formats (tests/registry_server.py), including their failure modes."""

from __future__ import annotations

import json

import pytest
from registry_server import FakeRegistry, load_example, registry, sample_works, serve  # noqa: F401

from galleyproof import __version__
from galleyproof.registry.crossref import CrossrefClient
from galleyproof.registry.datacite import DataCiteClient
from galleyproof.registry.endpoints import Endpoints, resolve_endpoints
from galleyproof.registry.http import RetryPolicy, Unavailable, make_client
from galleyproof.registry.lock import CitationLock
from galleyproof.registry.ratelimit import SAFETY, Limits, RateLimiter, header_limits
from galleyproof.registry.resolver import Resolver

FAST = RetryPolicy(retries=2, backoff=0.05, max_wait=2.0, timeout=2.0)
DOI = "10.1007/s12080-013-0192-6"


def crossref(url: str, polite: bool = True, policy: RetryPolicy = FAST) -> CrossrefClient:
    endpoints = Endpoints(url, url, "reviewer@example.org" if polite else "")
    return CrossrefClient(make_client(endpoints.user_agent, policy), url, polite, policy)


def resolver(url: str, lock: CitationLock | None = None, mode: str = "auto", mailto: str = "reviewer@example.org",
             policy: RetryPolicy = FAST) -> Resolver:
    r = Resolver(Endpoints(url, url, mailto), lock or CitationLock(), mode, policy=policy)
    r.start()
    return r


def test_work_is_fetched_with_a_polite_user_agent(registry, sample_works):
    fake, url = registry
    work = crossref(url).work(DOI.upper())  # DOIs are case-insensitive; the path keeps its slash
    assert work["DOI"] == DOI
    assert work["title"] == sample_works[DOI]["title"] and work["volume"] == "6"
    path, headers = fake.log[-1][1], fake.log[-1][3]
    assert path == "/works/10.1007/S12080-013-0192-6"
    assert headers["User-Agent"].startswith(f"galleyproof/{__version__} (")
    assert "mailto:reviewer@example.org" in headers["User-Agent"]


def test_plain_text_404_means_not_a_crossref_doi(registry):
    assert crossref(registry[1]).work("10.1371/notarealdoi") is None


def test_crossref_404_falls_back_to_datacite(registry):
    fake, url = registry
    lookup = resolver(url).resolve("10.5281/zenodo.3596961")
    assert (lookup.outcome, lookup.source) == ("found", "datacite")
    assert lookup.record["author"] == [{"family": "Gómez", "given": "Francis"}]
    assert lookup.record["title"] == ["ALSETLab/sysml.powersystems.framework: Release Linked to Zenodo"]
    assert lookup.record["issued"] == {"date-parts": [[2020]]}
    assert [e[1] for e in fake.log] == ["/works/10.5281/zenodo.3596961", "/dois/10.5281/zenodo.3596961"]


def test_unknown_at_both_registries_is_not_found(registry):
    lookup = resolver(registry[1]).resolve("10.1371/notarealdoi")
    assert (lookup.outcome, lookup.source, lookup.record) == ("not_found", "none", None)


def test_datacite_json_404_is_none(registry):
    client = DataCiteClient(make_client("t", FAST), registry[1], FAST)
    assert client.work("10.1371/notarealdoi") is None


def test_429_with_retry_after_is_honoured(registry):
    fake, url = registry
    fake.fail(f"/works/{DOI}", (429, {"Retry-After": "1"}, "Too Many Requests"))
    assert crossref(url).work(DOI)["DOI"] == DOI
    times = [t for t, path, _, _ in fake.log if path == f"/works/{DOI}"]
    assert len(times) == 2 and times[1] - times[0] >= 0.95


def test_500_then_success_is_retried(registry):
    fake, url = registry
    fake.fail(f"/works/{DOI}", (500, {}, "Internal Server Error"), (503, {}, "Service Unavailable"))
    assert crossref(url).work(DOI)["DOI"] == DOI
    assert len(fake.requests_for(f"/works/{DOI}")) == 3


def test_persistent_outage_is_unavailable_not_an_answer(registry):
    fake, url = registry
    fake.fail(f"/works/{DOI}", *[(503, {}, "down")] * 3)
    with pytest.raises(Unavailable, match="HTTP 503 after 3 attempts"):
        crossref(url).work(DOI)


def test_timeout_is_unavailable(registry):
    fake, url = registry
    fake.fail(f"/works/{DOI}", ("sleep", 1.0), ("sleep", 1.0))
    policy = RetryPolicy(retries=1, backoff=0.01, timeout=0.2)
    with pytest.raises(Unavailable, match="Timeout"):
        crossref(url, policy=policy).work(DOI)


@pytest.mark.parametrize("body", [
    pytest.param("{not json", id="not-json"),
    pytest.param(json.dumps({"status": "ok", "message-type": "work-list", "message": {}}),
                 id="wrong-message-type"),
    pytest.param(json.dumps({"status": "ok", "message-type": "work", "message": {"title": ["x"]}}),
                 id="work-without-doi"),
    pytest.param(json.dumps(["a", "list"]), id="json-list"),
])
def test_malformed_bodies_are_retried_like_5xx_then_unavailable(registry, body):
    """A garbage 200 is a server fault, never data: retried, and Unavailable when it persists
    (it used to be Unavailable at once, which let the breaker turn a whole audit unverified)."""
    fake, url = registry
    fake.fail(f"/works/{DOI}", (200, {"Content-Type": "application/json"}, body))
    assert crossref(url).work(DOI)["DOI"] == DOI
    assert len(fake.requests_for(f"/works/{DOI}")) == 2
    fake.fail(f"/works/{DOI}", *[(200, {"Content-Type": "application/json"}, body)] * 3)
    with pytest.raises(Unavailable, match="unusable answer"):
        crossref(url).work(DOI)


def test_search_returns_scored_candidates(registry):
    fake, url = registry
    body = load_example("works_query-bibliographic_refstring_match_cermine_2018.json")
    fake.search_returns("CERMINE", body)
    items = crossref(url).search("Tkaczyk et al. CERMINE: automatic extraction of structured metadata")
    assert items[0]["DOI"] == "10.1007/s10032-015-0249-8" and items[0]["score"] > 100
    query = fake.log[-1][2]
    assert "query.bibliographic=" in query and "rows=5" in query and "select=" in query


def test_header_limits_are_read():
    headers = {"x-rate-limit-limit": "50", "x-rate-limit-interval": "2s", "x-concurrency-limit": "2"}
    assert header_limits(headers) == (25.0, 2)
    assert header_limits({}) == (None, None)


def test_limiter_obeys_the_stricter_of_table_and_headers():
    limiter = RateLimiter(Limits(10.0, 3))
    limiter.update({"x-rate-limit-limit": "50", "x-rate-limit-interval": "1s", "x-concurrency-limit": "5"})
    # headers never loosen the published table; we pace at SAFETY (80 %) of the limit
    assert (limiter.rate, limiter.concurrency) == (10.0 * SAFETY, 3)
    limiter.update({"x-rate-limit-limit": "4", "x-rate-limit-interval": "1s", "x-concurrency-limit": "1"})
    assert (limiter.rate, limiter.concurrency) == (4.0 * SAFETY, 1)


def window_peak(times: list[float]) -> int:
    """The most requests that started within any one second."""
    return max(sum(1 for t in times if start <= t < start + 1.0) for start in times)


def test_public_pool_requests_are_spaced_and_serial(sample_works):
    """No mailto: public pool, 5/s one at a time, enforced by the server as Crossref does (429)."""
    dois = list(sample_works)[:8]
    fake = FakeRegistry(sample_works, headers={"x-api-pool": "public"}, latency=0.02, rate_limit=5,
                        list_rate_limit=1, concurrency=1, filters=False)  # no batch hits: each DOI alone
    server = serve(fake)
    try:
        results = resolver(server.url_for("").rstrip("/"), mailto="").resolve_many(dois)
    finally:
        server.stop()
    assert {d: r.outcome for d, r in results.items()} == {d: "found" for d in dois}
    times = sorted(t for t, path, *_ in fake.log if path != "/works")
    assert len(times) == 8 and fake.too_many == 0 and fake.max_in_flight == 1
    assert window_peak(times) <= 5 and times[-1] - times[0] >= 7 * 0.2  # 5 per second at most


def test_polite_pool_runs_three_at_a_time_at_most(sample_works):
    dois = list(sample_works)[:24]
    fake = FakeRegistry(sample_works, latency=0.25, rate_limit=10, filters=False)
    server = serve(fake)
    try:
        results = resolver(server.url_for("").rstrip("/")).resolve_many(dois)
    finally:
        server.stop()
    assert len(results) == 24 and fake.too_many == 0 and fake.max_in_flight == 3
    times = sorted(t for t, path, *_ in fake.log if path != "/works")
    assert window_peak(times) <= 10 and times[-1] - times[0] >= 23 * 0.1  # 10 per second at most


def test_endpoints_come_from_arguments_then_environment_then_settings(tmp_path, monkeypatch):
    (tmp_path / "_quarto.yml").write_text("book:\n  chapters: [index.qmd]\n")
    (tmp_path / "index.qmd").write_text("# Hi\n")
    (tmp_path / "galleyproof.yml").write_text(
        "crossref:\n  url: http://settings.example/\n  mailto: a@example.org\ndatacite:\n  url: http://dc.example\n")
    from galleyproof.project import load_project

    project = load_project(tmp_path)
    monkeypatch.delenv("GALLEYPROOF_CROSSREF_URL", raising=False)
    monkeypatch.delenv("GALLEYPROOF_MAILTO", raising=False)
    assert resolve_endpoints(project) == Endpoints("http://settings.example", "http://dc.example", "a@example.org")
    monkeypatch.setenv("GALLEYPROOF_CROSSREF_URL", "http://env.example")
    monkeypatch.setenv("GALLEYPROOF_MAILTO", "b@example.org")
    assert resolve_endpoints(project).crossref_url == "http://env.example"
    assert resolve_endpoints(project).mailto == "b@example.org"
    assert resolve_endpoints(project, crossref_url="http://arg.example").crossref_url == "http://arg.example"
    assert "mailto:b@example.org" in resolve_endpoints(project).user_agent
