"""DOI -> registered record, from the lock or the registries, in one of four modes.

    auto     lock first; DOIs not in the lock are fetched online when the network answers a
             single short connect probe, else reported unverified with one warning
    online   as auto, but an unreachable registry is an error
    offline  the lock only; nothing leaves the machine
    refresh  fetch every DOI again and rewrite its lock record

Crossref first; a DOI Crossref does not know is tried at DataCite, and a DOI neither knows is
`none` only when Crossref's agency lookup knows no agency for it either (API-NOTES.md: a Crossref
404 only means "not a Crossref DOI"); one held by another agency is unverified.

Cold audits ask Crossref for DOIs in batches (`CrossrefClient.works`, one list request per 50
DOIs) and look up one by one only what a batch did not return. Each host has its own circuit
breaker (breaker.py): DataCite down leaves Crossref lookups untouched, and the reverse.

The seam for other sources of records (a local snapshot, a test double): pass `registries=` a
`Registries` of objects with the `WorkSource` methods; nothing else of the resolver changes.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

import httpx

from galleyproof.errors import RegistryError, UsageError
from galleyproof.registry.breaker import Breaker
from galleyproof.registry.crossref import BATCH, CrossrefClient
from galleyproof.registry.datacite import DataCiteClient
from galleyproof.registry.endpoints import Endpoints
from galleyproof.registry.http import DEFAULT_POLICY, RetryPolicy, Unavailable, make_client
from galleyproof.registry.lock import CitationLock

MODES = ("auto", "online", "offline", "refresh")
BREAKER = 3  # consecutive failures of one host after which that host is left alone for a while


class WorkSource(Protocol):
    """What the resolver asks of a registry. Records are Crossref-shaped works (crossref.WORK_FIELDS)
    already checked against schemas/work.schema.json, with "DOI" equal to the DOI asked for.
    Every method raises http.Unavailable when the source cannot answer."""

    def work(self, doi: str) -> dict | None:
        """The record of `doi`, or None when this source does not hold it."""
        ...


class BatchSource(WorkSource, Protocol):
    def works(self, dois: Iterable[str]) -> dict[str, dict]:
        """Records of up to crossref.BATCH DOIs at once, by lower-cased DOI; absent = not returned."""
        ...


class AgencySource(Protocol):
    def agency(self, doi: str) -> dict | None:
        """`{"id", "label"}` of the agency registering `doi`; None when no agency knows it."""
        ...


class LocalRegistry(Protocol):
    """A registry on this machine (galleyproof.registry.snapshot), read instead of the network with the
    same calls as CrossrefClient. `agency()` may add a "note" to say why a DOI stays unverified."""

    def work(self, doi: str) -> dict | None: ...
    def agency(self, doi: str) -> dict | None: ...
    def search(self, query: str, rows: int = 5) -> list[dict]: ...


@dataclass
class Registries:
    """The sources the resolver uses: `primary` first (Crossref), then `fallback` (DataCite);
    `agency` decides whether a DOI neither holds exists at all (None: never call it not_found)."""

    primary: WorkSource
    fallback: WorkSource | None = None
    agency: AgencySource | None = None
    primary_name: str = "Crossref"
    fallback_name: str = "DataCite"
    concurrency: int = 3
    batch_concurrency: int = 3


@dataclass(frozen=True)
class Lookup:
    doi: str
    outcome: str  # "found" | "not_found" | "unavailable"
    source: str = ""  # "crossref" | "datacite" | "none" | ""
    record: dict | None = None
    retrieved: str = ""
    from_lock: bool = False
    error: str = ""
    sha256: str = ""  # of the record, as in the lock
    failed: bool = False  # unavailable because a registry failed (not offline by choice, not another agency)


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
                 local: LocalRegistry | None = None, registries: Registries | None = None):
        if mode not in MODES:
            raise UsageError(f"unknown audit mode {mode!r} (choose from {', '.join(MODES)})")
        self.endpoints, self.lock, self.mode = endpoints, lock, mode
        self.policy, self.probe_timeout = policy, probe_timeout
        if local is not None:  # a local snapshot stands in for both registries: no probe, no HTTP
            registries = Registries(local, None, local, concurrency=1, batch_concurrency=1)
        self.registries = registries
        self.warnings: list[str] = []
        self.online = False
        self._http: list[httpx.Client] = []
        self.breakers: dict[str, Breaker] = {}

    def start(self) -> None:
        """Decide once whether to go online: one connect probe, not one timeout per reference."""
        self._lock_warning()
        if self.mode == "offline":
            return
        if self.registries is None:
            reason = probe(self.endpoints.crossref_url, self.probe_timeout)
            if reason and self.mode == "auto":
                self.warnings.append(f"offline: {reason}; audit uses citations.lock.json only, "
                                     "and references not in it are unverified")
                return
            if reason:
                raise RegistryError(f"cannot reach Crossref: {reason}")
            ends = self.endpoints
            self._http = [make_client(ends.user_agent, self.policy, ends.secret_headers,
                                      urlsplit(ends.crossref_url).hostname or ""),
                          make_client(ends.user_agent, self.policy)]
            crossref = CrossrefClient(self._http[0], ends.crossref_url, ends.polite, self.policy)
            self.registries = Registries(crossref, DataCiteClient(self._http[1], ends.datacite_url, self.policy),
                                         crossref, concurrency=crossref.single.concurrency,
                                         batch_concurrency=crossref.lists.concurrency)
        self.online = True
        self.breakers = {name: Breaker(name, BREAKER) for name in
                         (self.registries.primary_name, self.registries.fallback_name)}

    def _lock_warning(self) -> None:
        problems = self.lock.problems
        if problems:
            more = f" and {len(problems) - 3} more" if len(problems) > 3 else ""
            self.warnings.append(f"citations.lock.json: {len(problems)} entr{'y' if len(problems) == 1 else 'ies'} "
                                 f"dropped as untrustworthy ({'; '.join(problems[:3])}{more}); they are fetched again")

    def close(self) -> None:
        for client in self._http:
            client.close()
        for breaker in self.breakers.values():
            if breaker.trips:
                self.warnings.append(f"{breaker.name} stopped answering after {BREAKER} failures in a row "
                                     f"(last: {breaker.last_error}); DOIs that needed it are unverified")

    def _use_lock(self) -> bool:
        return self.mode != "refresh" or not self.online

    def _from_lock(self, doi: str) -> Lookup | None:
        entry = self.lock.get(doi) if self._use_lock() else None
        if not entry:
            return None
        outcome = "found" if entry.record else "not_found"
        return Lookup(doi, outcome, entry.source, entry.record, entry.retrieved, from_lock=True, sha256=entry.sha256)

    def _found(self, doi: str, source: str, record: dict | None) -> Lookup:
        entry = self.lock.put(doi, source if record else "none", record)
        return Lookup(doi, "found" if record else "not_found", entry.source, record, entry.retrieved,
                      sha256=entry.sha256)

    def resolve(self, doi: str) -> Lookup:
        cached = self._from_lock(doi)
        if cached:
            return cached
        if not self.online or self.registries is None:
            return Lookup(doi, "unavailable", error="not in citations.lock.json and no registry was queried")
        reg = self.registries
        primary, fallback = self.breakers[reg.primary_name], self.breakers[reg.fallback_name]
        try:
            record = primary.call(lambda: reg.primary.work(doi))
        except Unavailable as exc:
            return Lookup(doi, "unavailable", error=str(exc), failed=True)
        if record is not None:
            return self._found(doi, reg.primary_name.lower(), record)
        return self._beyond_primary(doi, reg, fallback, primary)

    def _beyond_primary(self, doi: str, reg: Registries, fallback: Breaker, primary: Breaker) -> Lookup:
        """A DOI the primary does not hold: the fallback's record, else what the agency lookup says."""
        fallback_error = ""
        if reg.fallback is not None:
            source = reg.fallback
            try:
                record = fallback.call(lambda: source.work(doi))
            except Unavailable as exc:
                record, fallback_error = None, str(exc)
            if record is not None:
                return self._found(doi, reg.fallback_name.lower(), record)
        if reg.agency is None:
            return Lookup(doi, "unavailable", failed=bool(fallback_error),
                          error=fallback_error or f"not held by {reg.primary_name}"
                          + (f" or {reg.fallback_name}" if reg.fallback else ""))
        agencies = reg.agency
        try:
            agency = primary.call(lambda: agencies.agency(doi))
        except Unavailable as exc:
            return Lookup(doi, "unavailable", error=str(exc), failed=True)
        if agency is None:
            return self._found(doi, "none", None)
        if agency.get("note"):
            return Lookup(doi, "unavailable", error=str(agency["note"]))
        if fallback_error and agency["id"] == "datacite":
            return Lookup(doi, "unavailable", failed=True,
                          error=f"registered with DataCite, which did not answer ({fallback_error})")
        if agency["id"] in ("crossref", "datacite"):
            return Lookup(doi, "unavailable", failed=True,
                          error=f"registered with {agency['label']}, which did not return its record")
        # The DOI exists, at an agency whose metadata we do not read (mEDRA, JaLC, KISTI, ...):
        # that is not a wrong reference, so it is unverified, and not locked as nonexistent.
        return Lookup(doi, "unavailable", error=f"registered with {agency['label']}, whose metadata "
                                                "galleyproof does not read (only Crossref and DataCite)")

    def _prefetch(self, dois: list[str], progress: Callable[[str], None]) -> dict[str, Lookup]:
        """Crossref records of `dois` by batches; what a batch does not return is left for single lookups."""
        reg = self.registries
        works = getattr(reg.primary, "works", None) if reg else None
        batchable = [d for d in dois if "," not in d]
        if reg is None or works is None or len(batchable) < 2:
            return {}
        breaker = self.breakers[reg.primary_name]
        batches = [batchable[i:i + BATCH] for i in range(0, len(batchable), BATCH)]
        found: dict[str, Lookup] = {}

        def one(batch: list[str]) -> dict[str, dict]:
            try:
                return breaker.call(lambda: works(batch))
            except Unavailable:
                return {}  # these DOIs are tried one by one

        with ThreadPoolExecutor(max_workers=max(1, reg.batch_concurrency),
                                thread_name_prefix="galleyproof-batch") as pool:
            for batch, records in zip(batches, pool.map(one, batches), strict=True):
                # Journal every record of the batch before reporting progress (which may be Ctrl-C).
                done = [doi for doi in batch if records.get(doi.casefold()) is not None]
                for doi in done:
                    found[doi] = self._found(doi, reg.primary_name.lower(), records[doi.casefold()])
                for doi in done:
                    progress(doi)
        return found

    def resolve_many(self, dois: Iterable[str],
                     progress: Callable[[str], None] = lambda doi: None) -> dict[str, Lookup]:
        """Resolve concurrently: the lock first, then Crossref batches, then single lookups for the
        rest; the rate limiters keep each request class within its limit."""
        dois = list(dict.fromkeys(dois))
        results: dict[str, Lookup] = {}
        for doi in dois:
            cached = self._from_lock(doi)
            if cached:
                results[doi] = cached
                progress(doi)
        pending = [d for d in dois if d not in results]
        if pending and self.online:
            results.update(self._prefetch(pending, progress))
            pending = [d for d in pending if d not in results]
        workers = max(1, self.registries.concurrency) if self.online and self.registries else 1
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="galleyproof-registry")
        try:
            futures = {pool.submit(self.resolve, doi): doi for doi in pending}
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
        reg = self.registries
        search = getattr(reg.primary, "search", None) if reg else None
        if not self.online or reg is None or search is None:
            return None
        try:
            candidates = self.breakers[reg.primary_name].call(lambda: search(query))
        except Unavailable:
            return None
        self.lock.put_search(query, candidates)
        return candidates
