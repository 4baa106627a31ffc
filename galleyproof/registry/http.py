"""One GET with a size cap, a total deadline and polite retries: the only place galleyproof talks HTTP.

Every answer is read as a stream and abandoned past `RetryPolicy.max_bytes` (a 300 MB body must not
take gigabytes of memory) or past `RetryPolicy.deadline` seconds from the request's start, headers
included (a server dripping one byte every 2 s never trips a per-read timeout). The deadline is
enforced by a watchdog that shuts the request's own socket; connections are therefore not kept
alive, so every request owns its socket (the cost is one TCP/TLS handshake per request, which the
rate limits dwarf).

Retries on 429 and 5xx with exponential backoff, honouring `Retry-After` (seconds or an HTTP
date, RFC 9110 §10.2.3); Crossref may omit the header on a 429 (API-NOTES.md), so backoff is the
fallback, and a 429 also halves the limiter's rate. Transport errors (timeouts, refused
connections, resets) are retried too, and so is an answer the caller's `parse` rejects as
`Malformed` (not JSON, the wrong shape, another DOI's record, too big): a garbage 200 is a server
fault like a 503, never data. What cannot be fetched raises `Unavailable`, which the audit reports
as `unverified`, never as a wrong reference.

Error messages name the URL without its query string and never a request header, so a Crossref
Plus token (sent as a header) cannot reach a log, a report or the lock.
"""

from __future__ import annotations

import email.utils
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from galleyproof.registry.ratelimit import RateLimiter

RETRY_STATUSES = {429, 500, 502, 503, 504}
T = TypeVar("T")


class Unavailable(Exception):
    """The registry could not answer (timeout, outage, rate limit, nonsense body)."""


class Malformed(Exception):
    """An answer that cannot be used as it stands; retried like a 5xx."""


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 4  # attempts after the first
    backoff: float = 0.5  # first wait in seconds; doubles each attempt
    max_wait: float = 60.0  # never sleep longer than this for one retry
    timeout: float = 10.0  # per socket operation (connect, read, write)
    deadline: float = 30.0  # one request from start to last byte
    max_bytes: int = 16 * 1024 * 1024  # a body larger than this is abandoned


DEFAULT_POLICY = RetryPolicy()


@dataclass(frozen=True)
class Answer:
    status: int
    headers: httpx.Headers
    body: bytes


def retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def make_client(user_agent: str, policy: RetryPolicy,
                secrets: dict[str, str] | None = None, secret_host: str = "") -> httpx.Client:
    """One client per registry host. `secrets` (Crossref-Plus-API-Token) go to `secret_host` only:
    a redirect elsewhere is sent without them (httpx strips Authorization itself, not our headers)."""
    def strip_secrets(request: httpx.Request) -> None:
        if request.url.host != secret_host:
            for name in secrets or {}:
                request.headers.pop(name, None)

    return httpx.Client(headers={"User-Agent": user_agent, "Accept": "application/json", **(secrets or {})},
                        timeout=policy.timeout, follow_redirects=True,
                        limits=httpx.Limits(max_connections=8, max_keepalive_connections=0),
                        event_hooks={"request": [strip_secrets]} if secrets else None)


def where(url: str) -> str:
    """The URL as errors show it: scheme, host and path, no query string."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


class _Watchdog:
    """Shuts the request's socket when the deadline passes, whatever phase the request is in."""

    def __init__(self, seconds: float):
        self.fired = False
        self._sockets: list[socket.socket] = []
        self._mutex = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def trace(self, event: str, info: dict) -> None:
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            sock = info["return_value"].get_extra_info("socket")
            with self._mutex:
                if sock is not None:
                    self._sockets.append(sock)
                if self.fired:
                    self._shut()

    def _fire(self) -> None:
        with self._mutex:
            self.fired = True
            self._shut()

    def _shut(self) -> None:
        for sock in self._sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)  # wakes a recv() blocked in another thread
            except OSError:
                pass

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()


def fetch(client: httpx.Client, url: str, params: dict | None, policy: RetryPolicy) -> Answer:
    """One GET, read whole within the size cap and the deadline. Raises httpx.TransportError or Malformed."""
    started = time.monotonic()
    with _Watchdog(policy.deadline) as watchdog:
        try:
            with client.stream("GET", url, params=params, extensions={"trace": watchdog.trace}) as response:
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > policy.max_bytes:
                        raise Malformed(f"answer larger than {policy.max_bytes // 1024 // 1024} MB")
                    if time.monotonic() - started > policy.deadline:
                        break
                    chunks.append(chunk)
                status, headers = response.status_code, response.headers
        except httpx.TransportError:
            if watchdog.fired:
                raise httpx.ReadTimeout(f"no complete answer within {policy.deadline:g} s") from None
            raise
        if watchdog.fired or time.monotonic() - started > policy.deadline:
            raise httpx.ReadTimeout(f"no complete answer within {policy.deadline:g} s")
    return Answer(status, headers, b"".join(chunks))


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__} ({exc})" if str(exc) else type(exc).__name__


def get(client: httpx.Client, url: str, params: dict | None, limiter: RateLimiter, policy: RetryPolicy,
        parse: Callable[[Answer], T] | None = None, sleep: Callable[[float], Any] = time.sleep) -> T:
    """GET `url` and return `parse(answer)` for the first answer that is neither 429/5xx nor
    `Malformed`; raises Unavailable when every attempt failed. Without `parse`, the Answer itself."""
    last = ""
    for attempt in range(policy.retries + 1):
        wait = policy.backoff * (2 ** attempt)
        try:
            with limiter.slot():
                answer = fetch(client, url, params, policy)
        except (httpx.TransportError, Malformed) as exc:
            last = _describe(exc)
        else:
            limiter.update(answer.headers)
            if answer.status not in RETRY_STATUSES:
                try:
                    return parse(answer) if parse else answer  # type: ignore[return-value]
                except Malformed as exc:
                    last = f"unusable answer ({exc})"
            else:
                last = f"HTTP {answer.status}"
                stated = retry_after(answer.headers)
                if stated is not None:
                    wait = stated
                if answer.status == 429:
                    limiter.slow_down(min(wait, policy.max_wait))
        if attempt < policy.retries:
            sleep(min(wait, policy.max_wait))
    raise Unavailable(f"{where(url)}: {last} after {policy.retries + 1} attempts")
