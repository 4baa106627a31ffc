"""A faulty registry on loopback: other-DOI answers, huge bodies, slow drip, connection resets,
malformed JSON and 429 storms without Retry-After. Verdicts must equal a clean run's, memory stay
bounded and nothing hang.

The faulty server wraps the local registry (tests/registry_server.py): the first answer to each
path is a fault (its kind picked from the path), later answers are clean, and a storm of 429s
without Retry-After hits every request for a while. The audit runs in a child process so its peak
memory (ru_maxrss) is its own.
"""

from __future__ import annotations

import json
import socket
import struct
import subprocess
import sys
import threading
import time
import zlib

import pytest
from registry_server import FakeRegistry, bibtex_entry, datacite_items, sample_works, serve  # noqa: F401
from werkzeug.wrappers import Request, Response

KINDS = ("other_doi", "huge", "drip", "reset", "malformed", "truncated")
HUGE = 300 * 1024 * 1024
CHUNK = b"x" * (1024 * 1024)


class FaultyRegistry(FakeRegistry):
    def __init__(self, *args, storm: tuple[int, int] = (6, 14), **kwargs):
        super().__init__(*args, **kwargs)
        self.storm = storm  # requests with these sequence numbers get 429, no Retry-After
        self.seen: dict[str, int] = {}
        self.faults: dict[str, int] = {kind: 0 for kind in (*KINDS, "429")}
        self.count = 0
        self._faults_mutex = threading.Lock()

    def handle(self, request: Request) -> Response:
        key = request.full_path
        with self._faults_mutex:
            self.count += 1
            number = self.count
            first = key not in self.seen
            self.seen[key] = self.seen.get(key, 0) + 1
        if self.storm[0] <= number < self.storm[1]:
            self.faults["429"] += 1
            return Response("Too Many Requests", status=429, content_type="text/plain")
        if not first or request.path.endswith("/agency"):
            return super().handle(request)
        kind = KINDS[zlib.crc32(key.encode()) % len(KINDS)]
        self.faults[kind] += 1
        return getattr(self, kind)(request)

    def other_doi(self, request: Request) -> Response:
        other = next(iter(self.works.values()))
        if request.path == "/works":
            body = {"status": "ok", "message-type": "work-list", "message": {"items": [other] * 3}}
        else:
            body = {"status": "ok", "message-type": "work", "message": other}
        return Response(json.dumps(body), content_type="application/json")

    def huge(self, request: Request) -> Response:
        def body():
            for _ in range(HUGE // len(CHUNK)):
                yield CHUNK
        return Response(body(), content_type="application/json", headers={"Content-Length": str(HUGE)})

    def drip(self, request: Request) -> Response:
        def body():
            for byte in b'{"status": "ok", "message-type": "work", "message": {}}':
                time.sleep(2.0)
                yield bytes([byte])
        return Response(body(), content_type="application/json")

    def reset(self, request: Request) -> Response:
        sock = request.environ["werkzeug.socket"]
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)  # with linger 0: the client sees a reset
        return Response("", status=500)

    def malformed(self, request: Request) -> Response:
        return Response('{"status": "ok", "message-type": "work", "message": {"DOI": [',
                        content_type="application/json")

    def truncated(self, request: Request) -> Response:
        clean = super().handle(request)
        data = clean.get_data()
        return Response(data[: len(data) // 2], status=clean.status_code, content_type="application/json")


def references(works: dict) -> str:
    dois = [d for d, w in works.items() if w.get("volume") and w.get("author")][:17]
    entries = [bibtex_entry(works[d], f"ok{i}") for i, d in enumerate(dois[:12])]
    entries += [bibtex_entry(works[d], f"vol{i}", volume="999") for i, d in enumerate(dois[12:15])]
    entries += [bibtex_entry(works[dois[15]], "elsewhere", doi=dois[16])]
    entries += ["@misc{zenodo,\n  author = {G{\\'o}mez, Francis},\n  title = {ALSETLab/sysml.powersystems.framework: "
                "Release Linked to Zenodo},\n  year = {2020},\n  doi = {10.5281/zenodo.3596961}\n}\n",
                "@misc{nowhere,\n  title = {Nothing},\n  doi = {10.1371/notarealdoi}\n}\n"]
    return "\n".join(entries)


AUDIT = """
import json, resource, sys
from galleyproof.audit.run import audit_path
from galleyproof.registry.http import RetryPolicy
bib, url, lock = sys.argv[1:4]
policy = RetryPolicy(retries=6, backoff=0.1, max_wait=2.0, timeout=5.0, deadline=3.0)
audit = audit_path(bib, crossref_url=url, datacite_url=url, mailto="reviewer@example.org", lock_path=lock,
                   policy=policy, search=False, mode="refresh")
print(json.dumps({"references": [(r["key"], r["status"], r["problems"]) for r in audit["references"]],
                  "warnings": audit["summary"]["warnings"],
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_audit(fake: FakeRegistry, bib, lock, repo_root) -> tuple[dict, float]:
    server = serve(fake)
    try:
        start = time.monotonic()
        done = subprocess.run([sys.executable, "-c", AUDIT, str(bib), server.url_for("").rstrip("/"), str(lock)],
                              capture_output=True, text=True, timeout=240, cwd=repo_root,
                              env={"PYTHONPATH": str(repo_root), "PATH": "/usr/bin:/bin"})
        elapsed = time.monotonic() - start
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), elapsed


@pytest.mark.timeout(600)
def test_faulty_registry_gives_the_clean_verdicts_in_bounded_memory_and_time(tmp_path, sample_works, repo_root):
    bib = tmp_path / "refs.bib"
    bib.write_text(references(sample_works))
    clean, _ = run_audit(FakeRegistry(sample_works, datacite_items()), bib, tmp_path / "clean.lock.json", repo_root)
    faulty = FaultyRegistry(sample_works, datacite_items())
    # half the DOIs are looked up alone: more paths, more faults
    faulty.withheld.update([d for d, w in sample_works.items() if w.get("volume") and w.get("author")][:17:2])
    result, elapsed = run_audit(faulty, bib, tmp_path / "faulty.lock.json", repo_root)
    assert all(faulty.faults[kind] >= 1 for kind in faulty.faults), faulty.faults  # every fault was served
    assert result["references"] == clean["references"]
    statuses = {key: status for key, status, _ in clean["references"]}
    assert statuses["ok0"] == "verified" and statuses["vol0"] == "mismatch" and statuses["zenodo"] == "verified"
    assert statuses["elsewhere"] == "points_elsewhere" and statuses["nowhere"] == "not_found"
    assert result["rss_mb"] < clean["rss_mb"] + 100, (result["rss_mb"], clean["rss_mb"])  # a 300 MB body was capped
    assert elapsed < 180
    locked = json.loads((tmp_path / "faulty.lock.json").read_text())["records"]
    assert all(doi == entry["record"]["DOI"] for doi, entry in locked.items() if entry["record"])
