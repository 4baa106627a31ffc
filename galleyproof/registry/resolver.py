"""DOI -> registered record, from the lock or the registries, in one of four modes.

    auto     lock first; DOIs not in the lock are fetched online when the network answers a
             single short connect probe, else reported unverified with one warning
    online   as auto, but an unreachable registry is an error
    offline  the lock only; nothing leaves the machine
    refresh  fetch every DOI again and rewrite its lock record

Crossref first; a DOI Crossref does not know is tried at DataCite, and a DOI neither knows is
`none` only when Crossref's agency lookup knows no agency for it either (API-NOTES.md: a Crossref
404 only means "not a Crossref DOI"); one held by another agency is unverified.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any, Protocol, cast
from urllib.parse import urlsplit

import httpx

from galleyproof.errors import RegistryError, UsageError
from galleyproof.registry.crossref import CrossrefClient
from galleyproof.registry.datacite import DataCiteClient
from galleyproof.registry.endpoints import Endpoints
from galleyproof.registry.http import DEFAULT_POLICY, RetryPolicy, Unavailable, make_client
from galleyproof.registry.lock import CitationLock

MODES = ("auto", "online", "offline", "refresh")
BREAKER = 3  # consecutive unreachable DOIs after which we stop trying and use the lock only


@dataclass(frozen=True)
class Lookup:
    doi: str
    outcome: str  # "found" | "not_found" | "unavailable"
    source: str = ""  # "crossref" | "datacite" | "none" | ""
    record: dict | None = None
    retrieved: str = ""
    from_lock: bool = False
    error: str = ""


class LocalRegistry(Protocol):
    """A registry on this machine (galleyproof.registry.snapshot), read instead of the network with the
    same calls as CrossrefClient. `agency()` may add a "note" to say why a DOI stays unverified."""

    def work(self, doi: str) -> dict | None: ...
    def agency(self, doi: str) -> dict | None: ...
    def search(self, query: str, rows: int = 5) -> list[dict]: ...


def probe(url: str, timeout: float) -> str:
    """'' when a TCP connection to the URL's host opens within `timeout`, else the reason.

    Name resolution is not covered by a socket timeout, so the whole probe runs in a daemon
    thread that we stop waiting for after `timeout`.
    """
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    outcome = [f"{parts.hostname}:{port} did not answer within {timeout:g} s"]

    def connect() -> None:
        try:
            socket.create_connection((parts.hostname or "", port), timeout=timeout).close()
            outcome[0] = ""
        except OSError as exc:
            outcome[0] = f"{parts.hostname}:{port} unreachable ({exc.strerror or type(exc).__name__})"

    thread = threading.Thread(target=connect, name="galleyproof-probe", daemon=True)
    thread.start()
    thread.join(timeout)
    return outcome[0]


class Resolver:
    def __init__(self, endpoints: Endpoints, lock: CitationLock, mode: str = "auto", *,
                 policy: RetryPolicy = DEFAULT_POLICY, probe_timeout: float = 2.0,
                 local: LocalRegistry | None = None):
        if mode not in MODES:
            raise UsageError(f"unknown audit mode {mode!r} (choose from {', '.join(MODES)})")
        self.endpoints, self.lock, self.mode = endpoints, lock, mode
        self.policy, self.probe_timeout = policy, probe_timeout
        self.warnings: list[str] = []
        self.online = False
        self._failures = 0
        self._mutex = threading.Lock()
        self._http: httpx.Client | None = None
        self.local = local

    def start(self) -> None:
        """Decide once whether to go online: one connect probe, not one timeout per reference."""
        if self.mode == "offline":
            return
        if self.local is not None:  # a local snapshot stands in for both registries: no probe, no HTTP
            self.online = True
            self.crossref = self.datacite = cast(Any, self.local)  # answers both clients' calls
            return
        reason = probe(self.endpoints.crossref_url, self.probe_timeout)
        if reason and self.mode == "auto":
            self.warnings.append(f"offline: {reason}; audit uses citations.lock.json only, "
                                 "and references not in it are unverified")
            return
        if reason:
            raise RegistryError(f"cannot reach Crossref: {reason}")
        self.online = True
        self._http = make_client(self.endpoints.user_agent, self.policy)
        self.crossref = CrossrefClient(self._http, self.endpoints.crossref_url, self.endpoints.polite, self.policy)
        self.datacite = DataCiteClient(self._http, self.endpoints.datacite_url, self.policy)

    def close(self) -> None:
        if self._http:
            self._http.close()

    def _use_lock(self) -> bool:
        return self.mode != "refresh" or not self.online

    def _trip(self, error: str) -> None:
        with self._mutex:
            self._failures += 1
            if self._failures >= BREAKER and self.online:
                self.online = False
                self.warnings.append(f"stopped querying registries after {BREAKER} failures in a row "
                                     f"(last: {error}); the rest is audited from the lock")

    def resolve(self, doi: str) -> Lookup:
        entry = self.lock.get(doi) if self._use_lock() else None
        if entry:
            outcome = "found" if entry.record else "not_found"
            return Lookup(doi, outcome, entry.source, entry.record, entry.retrieved, from_lock=True)
        if not self.online:
            return Lookup(doi, "unavailable", error="not in citations.lock.json and no registry was queried")
        try:
            source, record = "crossref", self.crossref.work(doi)
            if record is None:
                source, record = "datacite", self.datacite.work(doi)
            agency = self.crossref.agency(doi) if record is None else None
        except Unavailable as exc:
            self._trip(str(exc))
            return Lookup(doi, "unavailable", error=str(exc))
        with self._mutex:
            self._failures = 0
        if agency is not None:
            # The DOI exists, at an agency whose metadata we do not read (mEDRA, JaLC, KISTI, ...):
            # that is not a wrong reference, so it is unverified, and not locked as nonexistent.
            return Lookup(doi, "unavailable", error=agency.get("note") or f"registered with {agency['label']}, "
                          "whose metadata galleyproof does not read (only Crossref and DataCite)")
        entry = self.lock.put(doi, source if record else "none", record)
        return Lookup(doi, "found" if record else "not_found", entry.source, record, entry.retrieved)

    def resolve_many(self, dois: Iterable[str],
                     progress: Callable[[str], None] = lambda doi: None) -> dict[str, Lookup]:
        """Resolve concurrently; the rate limiters keep us within Crossref's limits."""
        dois = list(dict.fromkeys(dois))
        results: dict[str, Lookup] = {}
        workers = max(1, self.crossref.single.concurrency) if self.online and self.local is None else 1
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="galleyproof-registry")
        try:
            futures = {pool.submit(self.resolve, doi): doi for doi in dois}
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                progress(futures[future])
        finally:
            # On Ctrl-C, drop queued lookups; finished ones are already in the lock's journal.
            pool.shutdown(wait=True, cancel_futures=True)
        return results

    def search(self, query: str) -> list[dict] | None:
        """Crossref candidates for a reference string; None when neither lock nor network can say."""
        entry = self.lock.get_search(query) if self._use_lock() else None
        if entry:
            return entry.candidates
        if not self.online:
            return None
        try:
            candidates = self.crossref.search(query)
        except Unavailable as exc:
            self._trip(str(exc))
            return None
        self.lock.put_search(query, candidates)
        return candidates
