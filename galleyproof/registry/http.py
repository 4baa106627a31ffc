"""One GET with timeouts and polite retries: the only place galleyproof talks HTTP.

Retries on 429 and 5xx with exponential backoff, honouring `Retry-After` (seconds or an HTTP
date, RFC 9110 §10.2.3); Crossref may omit the header on a 429 (API-NOTES.md), so backoff is the
fallback. Transport errors (timeouts, refused connections) are retried too. What cannot be
fetched raises `Unavailable`, which the audit reports as `unverified`, never as a wrong reference.
"""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass

import httpx

from galleyproof.registry.ratelimit import RateLimiter

RETRY_STATUSES = {429, 500, 502, 503, 504}


class Unavailable(Exception):
    """The registry could not answer (timeout, outage, rate limit, nonsense body)."""


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 4  # attempts after the first
    backoff: float = 0.5  # first wait in seconds; doubles each attempt
    max_wait: float = 60.0  # never sleep longer than this for one retry
    timeout: float = 10.0  # per request (connect, read, write, pool)


DEFAULT_POLICY = RetryPolicy()


def retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
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


def make_client(user_agent: str, policy: RetryPolicy) -> httpx.Client:
    return httpx.Client(headers={"User-Agent": user_agent, "Accept": "application/json"},
                        timeout=policy.timeout, follow_redirects=True,
                        limits=httpx.Limits(max_connections=8, max_keepalive_connections=8))


def get(client: httpx.Client, url: str, params: dict | None, limiter: RateLimiter,
        policy: RetryPolicy, sleep=time.sleep) -> httpx.Response:
    """GET `url`; returns the final response (2xx or 4xx other than 429) or raises Unavailable."""
    last = ""
    for attempt in range(policy.retries + 1):
        wait = policy.backoff * (2 ** attempt)
        try:
            with limiter.slot():
                response = client.get(url, params=params)
        except httpx.TransportError as exc:
            last = f"{type(exc).__name__} ({exc})" if str(exc) else type(exc).__name__
        else:
            limiter.update(response.headers)
            if response.status_code not in RETRY_STATUSES:
                return response
            last = f"HTTP {response.status_code}"
            stated = retry_after(response)
            if stated is not None:
                wait = stated
                limiter.pause(min(stated, policy.max_wait))
        if attempt < policy.retries:
            sleep(min(wait, policy.max_wait))
    raise Unavailable(f"{last} after {policy.retries + 1} attempts")
