"""One circuit breaker per registry host: a host that keeps failing is left alone for a while,
and only that host. A DataCite outage must never stop Crossref lookups, nor the reverse.

After `threshold` consecutive failures the breaker opens: calls through it fail at once with the
last error instead of waiting out retries. After `cooldown` seconds one call is let through
(half-open); its success closes the breaker, its failure opens it for another cooldown.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from galleyproof.registry.http import Unavailable

T = TypeVar("T")


class Breaker:
    def __init__(self, name: str, threshold: int = 3, cooldown: float = 30.0, clock=time.monotonic):
        self.name, self.threshold, self.cooldown, self._clock = name, threshold, cooldown, clock
        self.failures = 0
        self.opened_at: float | None = None
        self.last_error = ""
        self.trips = 0  # how many times it opened, for the audit's warnings
        self._trial = False
        self._mutex = threading.Lock()

    @property
    def open(self) -> bool:
        return self.opened_at is not None

    def _admit(self) -> None:
        with self._mutex:
            if self.opened_at is None:
                return
            if not self._trial and self._clock() - self.opened_at >= self.cooldown:
                self._trial = True  # half-open: this one call tests the host
                return
        raise Unavailable(f"{self.name} is not answering (last: {self.last_error})")

    def call(self, fn: Callable[[], T]) -> T:
        """fn() through the breaker; Unavailable from fn counts as a failure of this host."""
        self._admit()
        try:
            result = fn()
        except Unavailable as exc:
            with self._mutex:
                self.failures += 1
                self.last_error = str(exc)
                self._trial = False
                if self.failures >= self.threshold:
                    if self.opened_at is None:
                        self.trips += 1
                    self.opened_at = self._clock()
            raise
        with self._mutex:
            self.failures, self.opened_at, self._trial = 0, None, False
        return result
