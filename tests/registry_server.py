"""A loopback stand-in for api.crossref.org and api.datacite.org, serving real recorded metadata.

`FakeRegistry` answers the way the real services do (API-NOTES.md): Crossref works in the
`{"status", "message-type": "work", "message"}` envelope with its rate-limit headers, an unknown
DOI as a 404 with the plain-text body `Resource not found.`, searches as a `work-list`, DOI filters
(`/works?filter=doi:A,doi:B&rows=N&select=...`: the records it holds among those DOIs, `select`
honoured); DataCite single records as `{"data": {...}}` and its JSON 404. Tests script failures
per path (429 with Retry-After, 500, a slow answer, malformed JSON) with `fail(...)`.

With `rate_limit` set it enforces Crossref's limits the way the service does: more than
`rate_limit` single-record requests (or `list_rate_limit` list requests) starting within any one
second, or more than `concurrency` in flight, get a 429 without Retry-After; `too_many` counts them.

Import the fixtures into a test module: `from registry_server import registry, sample_works`.
Run it alone: `python tests/registry_server.py --rate-limit 10 [--port 8000]` serves
../shared/crossref-sample until interrupted.
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from collections import deque
from pathlib import Path
from urllib.parse import parse_qs, unquote

import pytest
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Request, Response

SHARED = Path(__file__).resolve().parents[2] / "shared"
SAMPLE = SHARED / "crossref-sample" / "works.jsonl"
EXAMPLES = SHARED / "crossref_examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "registry"
POLITE_HEADERS = {"x-api-pool": "polite", "x-rate-limit-limit": "10", "x-rate-limit-interval": "1s",
                  "x-concurrency-limit": "3"}
NOT_FOUND_BODY = (EXAMPLES / "work_not-found_404_10.1371_notarealdoi.txt").read_bytes() if EXAMPLES.is_dir() \
    else b"Resource not found."
DATACITE_404 = json.dumps({"errors": [{"status": "404", "title": "The resource you are looking for doesn't exist."}]})


def load_sample() -> dict[str, dict]:
    """works.jsonl: 398 real Crossref work records, by lower-cased DOI."""
    if not SAMPLE.is_file():
        pytest.skip(f"{SAMPLE} is not here")
    works = {}
    for line in SAMPLE.read_text(encoding="utf-8").splitlines():
        work = json.loads(line)
        works[work["DOI"].lower()] = work
    return works


def load_example(name: str) -> dict:
    path = EXAMPLES / name if (EXAMPLES / name).is_file() else FIXTURES / name
    if not path.is_file():
        pytest.skip(f"{name} is not here")
    return json.loads(path.read_text(encoding="utf-8"))


def datacite_items() -> dict[str, dict]:
    """The five DataCite records of the recorded list, by DOI, each as a single-record body."""
    body = load_example("datacite_dois_list_page-size-5.json")
    return {item["attributes"]["doi"].lower(): {"data": item} for item in body["data"]}


class FakeRegistry:
    def __init__(self, works: dict[str, dict] | None = None, datacite: dict[str, dict] | None = None,
                 headers: dict[str, str] | None = None, latency: float = 0.0, rate_limit: float | None = None,
                 list_rate_limit: float = 3.0, concurrency: int = 3, filters: bool = True):
        self.works = dict(works or {})  # DOI -> Crossref message
        self.datacite = dict(datacite or {})  # DOI -> {"data": {...}}
        self.agencies: dict[str, tuple[str, str]] = {}  # DOI -> (id, label) held by another agency
        self.searches: list[tuple[str, dict]] = []  # (substring of the query, work-list body)
        self.headers = dict(POLITE_HEADERS if headers is None else headers)
        self.latency = latency
        self.scripts: dict[str, list] = {}
        self.log: list[tuple[float, str, str, dict]] = []  # (time, path, query, headers)
        self._mutex = threading.Lock()
        self.in_flight = self.max_in_flight = 0
        self.limits = {"single": rate_limit, "list": list_rate_limit if rate_limit else None}
        self.concurrency = concurrency
        self.filters = filters  # False: a server that ignores DOI filters (answers an empty list)
        self.withheld: set[str] = set()  # DOIs a filter leaves out (they are looked up alone)
        self.starts: dict[str, deque] = {"single": deque(), "list": deque()}
        self.in_class = {"single": 0, "list": 0}
        self.too_many = 0
        if rate_limit:
            self.headers.update({"x-rate-limit-limit": f"{rate_limit:g}", "x-rate-limit-interval": "1s",
                                 "x-concurrency-limit": str(concurrency)})

    def fail(self, path: str, *answers) -> None:
        """Answer the next requests for `path` with `answers` in turn, then normally.
        An answer is (status, headers, body) or ("sleep", seconds) before answering normally."""
        self.scripts.setdefault(path, []).extend(answers)

    def search_returns(self, substring: str, body: dict) -> None:
        self.searches.append((substring, body))

    def requests_for(self, prefix: str) -> list:
        return [entry for entry in self.log if entry[1].startswith(prefix)]

    @staticmethod
    def _filtered(query: str) -> list[str]:
        """The DOIs a `filter=doi:A,doi:B` query string asks for, lower-cased."""
        value = parse_qs(query).get("filter", [""])[0]
        return [f[len("doi:"):].lower() for f in value.split(",") if f.startswith("doi:")]

    def asked(self, doi: str) -> int:
        """Requests that asked for `doi`, alone (`/works/{doi}`) or in a DOI filter."""
        doi = doi.lower()
        return sum(1 for _, path, query, _ in self.log
                   if path.lower() == f"/works/{doi}" or doi in self._filtered(query))

    def served(self) -> set[str]:
        """DOIs whose record the server sent, alone or in a batch."""
        out = set()
        for _, path, query, _ in self.log:
            if path.startswith("/works/") and not path.endswith("/agency"):
                out.add(path[len("/works/"):].lower())
            out.update(d for d in self._filtered(query) if d not in self.withheld and self.filters)
        return out & set(self.works)

    def _over_limit(self, kind: str, now: float) -> bool:
        """Whether this request breaks the rate (per any one second) or concurrency limit of its class."""
        limit = self.limits[kind]
        if not limit:
            return False
        starts = self.starts[kind]
        while starts and now - starts[0] >= 1.0:
            starts.popleft()
        if len(starts) >= limit or self.in_class[kind] >= self.concurrency:
            return True
        starts.append(now)
        return False

    def handle(self, request: Request) -> Response:
        kind = "list" if unquote(request.path) == "/works" else "single"
        with self._mutex:
            now = time.monotonic()
            self.log.append((now, unquote(request.path), request.query_string.decode(), dict(request.headers)))
            if self._over_limit(kind, now):
                self.too_many += 1
                return Response("Too Many Requests", status=429, content_type="text/plain", headers=self.headers)
            self.in_flight += 1
            self.in_class[kind] += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            script = self.scripts.get(unquote(request.path))
            answer = script.pop(0) if script else None
        try:
            if self.latency:
                time.sleep(self.latency)
            if answer and answer[0] == "sleep":
                time.sleep(answer[1])
            elif answer:
                status, headers, body = answer
                return Response(body, status=status, headers={**self.headers, **headers})
            return self.answer(request)
        finally:
            with self._mutex:
                self.in_flight -= 1
                self.in_class[kind] -= 1

    def answer(self, request: Request) -> Response:
        path = unquote(request.path)
        if path.startswith("/works/") and path.endswith("/agency"):
            return self.agency(path[len("/works/"):-len("/agency")].lower())
        if path.startswith("/works/"):
            work = self.works.get(path[len("/works/"):].lower())
            if work is None:
                return Response(NOT_FOUND_BODY, status=404, content_type="text/plain", headers=self.headers)
            body = {"status": "ok", "message-type": "work", "message-version": "1.0.0", "message": work}
            return Response(json.dumps(body), content_type="application/json", headers=self.headers)
        if path == "/works" and request.args.get("filter", "").startswith("doi:"):
            return self.filtered(request)
        if path == "/works":
            query = request.args.get("query.bibliographic", "")
            for substring, body in self.searches:
                if substring in query:
                    return Response(json.dumps(body), content_type="application/json", headers=self.headers)
            empty = {"status": "ok", "message-type": "work-list", "message": {"items": [], "total-results": 0}}
            return Response(json.dumps(empty), content_type="application/json", headers=self.headers)
        if path.startswith("/dois/"):
            record = self.datacite.get(path[len("/dois/"):].lower())
            if record is None:
                return Response(DATACITE_404, status=404, content_type="application/vnd.api+json")
            return Response(json.dumps(record), content_type="application/vnd.api+json")
        return Response("no such endpoint", status=400, content_type="text/plain")


    def filtered(self, request: Request) -> Response:
        """`/works?filter=doi:A,doi:B&rows=N&select=F,G`: the held records among those DOIs."""
        dois = [f[len("doi:"):].lower() for f in request.args["filter"].split(",") if f.startswith("doi:")]
        rows = int(request.args.get("rows", "20"))
        if rows > 1000 or any(not f.startswith("doi:") for f in request.args["filter"].split(",")):
            return Response("Invalid filter or rows", status=400, content_type="text/plain", headers=self.headers)
        select = [f for f in request.args.get("select", "").split(",") if f]
        items = [self.works[d] for d in dict.fromkeys(dois)
                 if d in self.works and d not in self.withheld and self.filters][:rows]
        if select:
            items = [{k: v for k, v in item.items() if k in select} for item in items]
        body = {"status": "ok", "message-type": "work-list", "message-version": "1.0.0",
                "message": {"items": items, "total-results": len(items), "items-per-page": rows}}
        return Response(json.dumps(body), content_type="application/json", headers=self.headers)

    def agency(self, doi: str) -> Response:
        """`GET /works/{doi}/agency` as Crossref answers it, for every agency's DOIs."""
        if doi in self.works:
            found = ("crossref", "Crossref")
        elif doi in self.datacite:
            found = ("datacite", "DataCite")
        elif doi in self.agencies:
            found = self.agencies[doi]
        else:
            return Response(NOT_FOUND_BODY, status=404, content_type="text/plain", headers=self.headers)
        body = {"status": "ok", "message-type": "work-agency", "message-version": "1.0.0",
                "message": {"DOI": doi, "agency": {"id": found[0], "label": found[1]}}}
        return Response(json.dumps(body), content_type="application/json", headers=self.headers)


def serve(registry: FakeRegistry, threaded: bool = True) -> HTTPServer:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=threaded)
    server.expect_request(re.compile(r"/.*")).respond_with_handler(registry.handle)
    server.start()
    return server


@pytest.fixture(scope="session")
def sample_works() -> dict[str, dict]:
    return load_sample()


@pytest.fixture
def registry(sample_works):
    """(FakeRegistry, base URL) serving works.jsonl plus the recorded examples, on loopback."""
    works = dict(sample_works)
    for name in ("work_journal-article_10.1371_journal.pone.0033693.json",
                 "work_journal-article_orcid_10.1136_esmoopen-2020-000776.json",
                 "retraction_10.1021_am300292v.json"):
        message = load_example(name)["message"]
        works[message["DOI"].lower()] = message
    fake = FakeRegistry(works, datacite_items())
    server = serve(fake)
    try:
        yield fake, server.url_for("").rstrip("/")
    finally:
        server.clear()
        if server.is_running():
            server.stop()


def bibtex_entry(work: dict, key: str = "cited", **fields) -> str:
    """A BibTeX entry citing `work` as its record says; keyword arguments replace or (None) drop fields."""
    years = work["issued"]["date-parts"][0]
    values = {
        "author": " and ".join(f"{a['family']}, {a.get('given', '')}" if a.get("family") else "{" + a["name"] + "}"
                               for a in work.get("author", [])),
        "title": "{" + work["title"][0] + "}",
        "journal": work.get("container-title", [""])[0],
        "year": str(years[0]), "volume": work.get("volume"), "number": work.get("issue"),
        "pages": (work.get("page") or "").replace("-", "--"), "doi": work["DOI"],
    }
    values.update(fields)
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in values.items() if v)
    return f"@article{{{key},\n{body}\n}}\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Serve ../shared/crossref-sample as Crossref and DataCite on loopback.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--rate-limit", type=float, default=None, help="single-record requests per second")
    parser.add_argument("--list-rate-limit", type=float, default=3.0, help="list requests per second")
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args()
    fake = FakeRegistry(load_sample(), datacite_items(), latency=args.latency, rate_limit=args.rate_limit,
                        list_rate_limit=args.list_rate_limit)
    server = HTTPServer(host="127.0.0.1", port=args.port, threaded=True)
    server.expect_request(re.compile(r"/.*")).respond_with_handler(fake.handle)
    server.start()
    print(server.url_for("").rstrip("/"), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
