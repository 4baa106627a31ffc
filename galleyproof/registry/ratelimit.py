"""Client-side rate and concurrency limits, shared by the worker threads of one audit.

Crossref publishes per-pool limits (since 1 December 2025: polite pool 10 requests/s with 3 in
flight for single records, 3/s for lists; public pool 5/s one at a time, lists 1/s) and states
the current ones in `x-rate-limit-limit`, `x-rate-limit-interval` and `x-concurrency-limit`
response headers (/work/shared/crossref_examples/API-NOTES.md). We obey the stricter of the two,
and pace at `SAFETY` of it: a server counting requests per window sees our evenly spaced starts
arrive bunched by network jitter, so pacing at exactly the limit still draws 429s (77 of 1,077
requests at 61 % of the allowed rate before this margin and the per-host breakers).
A 429 halves the pace (never below `FLOOR` of the limit) and holds every request back for the wait.
"""

from __future__ import annotations

import re
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

SAFETY = 0.8  # pace at 80 % of the stated limit
FLOOR = 0.125  # a storm of 429s slows us to one eighth of the limit, no further
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
        self.rate = limits.rate * SAFETY
        self.floor = self.rate * FLOOR
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
                self.rate = min(self.rate, rate * SAFETY)
                self.floor = min(self.floor, self.rate * FLOOR)
            if concurrency:
                self.concurrency = min(self.concurrency, concurrency)

    def pause(self, seconds: float) -> None:
        """Hold every request back for `seconds` (a 429's Retry-After applies to the whole client)."""
        with self._cond:
            self._next_start = max(self._next_start, self._clock() + seconds)

    def slow_down(self, seconds: float) -> None:
        """A 429: we were too fast for this server, whatever it stated. Halve the pace and wait."""
        with self._cond:
            self.rate = max(self.floor, self.rate / 2)
        self.pause(seconds)

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
