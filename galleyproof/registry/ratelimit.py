"""Client-side rate and concurrency limits, shared by the worker threads of one audit.

Crossref publishes per-pool limits (since 1 December 2025: polite pool 10 requests/s with 3 in
flight for single records, 3/s for lists; public pool 5/s one at a time, lists 1/s) and states
the current ones in `x-rate-limit-limit`, `x-rate-limit-interval` and `x-concurrency-limit`
response headers (/work/shared/crossref_examples/API-NOTES.md). We obey the stricter of the two.
"""

from __future__ import annotations

import re
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$")


@dataclass(frozen=True)
class Limits:
    rate: float  # requests per second
    concurrency: int


# Crossref's published table, by (polite, kind).
CROSSREF_LIMITS = {
    (True, "single"): Limits(10.0, 3),
    (True, "list"): Limits(3.0, 3),
    (False, "single"): Limits(5.0, 1),
    (False, "list"): Limits(1.0, 1),
}
# DataCite: 3,000 requests per 5 minutes per IP = 10/s; we keep to 3 in flight.
DATACITE_LIMITS = Limits(10.0, 3)


def parse_interval(text: str) -> float | None:
    """'1s' -> 1.0, '500ms' -> 0.5, '1m' -> 60.0; None when unreadable."""
    match = _INTERVAL.match(text or "")
    if not match:
        return None
    value = float(match.group(1))
    return value * {"ms": 0.001, "s": 1.0, "m": 60.0, None: 1.0}[match.group(2)]


def header_limits(headers) -> tuple[float | None, int | None]:
    """(rate, concurrency) stated by response headers, None where absent or unreadable."""
    rate = None
    try:
        limit = float(headers.get("x-rate-limit-limit", ""))
        interval = parse_interval(headers.get("x-rate-limit-interval", "1s"))
        if limit > 0 and interval:
            rate = limit / interval
    except ValueError:
        pass
    try:
        concurrency = int(headers.get("x-concurrency-limit", ""))
    except ValueError:
        concurrency = None
    return rate, concurrency if concurrency and concurrency > 0 else None


class RateLimiter:
    """Spaces request starts at 1/rate and caps requests in flight; both only ever tighten."""

    def __init__(self, limits: Limits, clock=time.monotonic, sleep=time.sleep):
        self.rate = limits.rate
        self.concurrency = limits.concurrency
        self._clock, self._sleep = clock, sleep
        self._cond = threading.Condition()
        self._in_flight = 0
        self._next_start = 0.0

    def update(self, headers) -> None:
        """Tighten to what the server says, never loosen beyond the published table."""
        rate, concurrency = header_limits(headers)
        with self._cond:
            if rate:
                self.rate = min(self.rate, rate)
            if concurrency:
                self.concurrency = min(self.concurrency, concurrency)

    def pause(self, seconds: float) -> None:
        """Hold every request back for `seconds` (a 429's Retry-After applies to the whole client)."""
        with self._cond:
            self._next_start = max(self._next_start, self._clock() + seconds)

    @contextmanager
    def slot(self):
        with self._cond:
            while self._in_flight >= self.concurrency:
                self._cond.wait()
            self._in_flight += 1
            start = max(self._clock(), self._next_start)
            self._next_start = start + 1.0 / self.rate
        try:
            delay = start - self._clock()
            if delay > 0:
                self._sleep(delay)
            yield
        finally:
            with self._cond:
                self._in_flight -= 1
                self._cond.notify()
