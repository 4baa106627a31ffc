"""Crossref REST API: one work by DOI, and bibliographic search for references without one.

Wire format and etiquette: /work/shared/crossref_examples/API-NOTES.md and the recorded responses
beside it. `GET /works/{doi}` answers `{"status": "ok", "message-type": "work", "message": {...}}`;
an unknown DOI is a 404 with a plain-text body, which only means "not a Crossref DOI".
`GET /works?query.bibliographic=...` answers a `work-list` of scored items; the score is relevance,
not confidence, so the audit decides whether a candidate really matches.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import httpx

from galleyproof.registry.http import DEFAULT_POLICY, RetryPolicy, Unavailable, get
from galleyproof.registry.ratelimit import CROSSREF_LIMITS, RateLimiter

# The fields the audit reads; everything else (references, licences, links) is left out of the lock.
WORK_FIELDS = ("DOI", "type", "title", "subtitle", "author", "container-title", "short-container-title",
               "issued", "published-print", "published-online", "volume", "issue", "page",
               "article-number", "publisher", "ISSN", "updated-by", "update-to", "relation")
AUTHOR_FIELDS = ("given", "family", "name", "sequence", "ORCID")
SEARCH_SELECT = ",".join(("DOI", "title", "subtitle", "author", "issued", "container-title",
                          "short-container-title", "volume", "issue", "page", "type", "updated-by", "score"))
NOT_FOUND_STATUSES = {400, 404, 410}


def trim_work(message: dict) -> dict:
    """The registered record as stored in the lock: the fields the audit compares, unchanged."""
    work = {key: message[key] for key in WORK_FIELDS if key in message and message[key] not in (None, [], {})}
    if "author" in work:
        work["author"] = [{k: a[k] for k in AUTHOR_FIELDS if k in a} for a in work["author"] if isinstance(a, dict)]
    if "DOI" in work:
        work["DOI"] = str(work["DOI"]).lower()
    return work


def _json(response: httpx.Response, expected_type: str) -> dict:
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        raise Unavailable(f"Crossref sent a body that is not JSON (HTTP {response.status_code})") from None
    message = body.get("message") if isinstance(body, dict) else None
    if not isinstance(message, dict) or body.get("message-type") != expected_type:
        raise Unavailable(f"Crossref sent JSON that is not a {expected_type} message")
    return message


class CrossrefClient:
    def __init__(self, http: httpx.Client, base_url: str, polite: bool, policy: RetryPolicy = DEFAULT_POLICY):
        self.http, self.base_url, self.policy = http, base_url.rstrip("/"), policy
        self.single = RateLimiter(CROSSREF_LIMITS[(polite, "single")])
        self.lists = RateLimiter(CROSSREF_LIMITS[(polite, "list")])

    def _record(self, path: str, message_type: str) -> dict | None:
        """The `message` of a single-record GET; None on 404, which only means Crossref does not know it."""
        response = get(self.http, f"{self.base_url}{path}", None, self.single, self.policy)
        if response.status_code in NOT_FOUND_STATUSES:
            return None
        if response.status_code != 200:
            raise Unavailable(f"Crossref answered HTTP {response.status_code} for {path}")
        return _json(response, message_type)

    def work(self, doi: str) -> dict | None:
        """The trimmed work for `doi`; None when Crossref does not know it. Raises Unavailable."""
        work = self._record(f"/works/{quote(doi, safe='/()')}", "work")
        if work is None:
            return None
        if not isinstance(work.get("DOI"), str):
            raise Unavailable("Crossref sent a work without a DOI")
        return trim_work(work)

    def agency(self, doi: str) -> dict | None:
        """The registration agency holding `doi`, `{"id": "medra", "label": "mEDRA"}`; None when no
        agency knows it. Crossref answers this for DOIs of every agency, so a DOI that neither Crossref
        nor DataCite holds is called nonexistent only after this (API-NOTES.md). Raises Unavailable."""
        message = self._record(f"/works/{quote(doi, safe='/()')}/agency", "work-agency")
        if message is None:
            return None
        agency = message.get("agency")
        if not isinstance(agency, dict) or not agency.get("id"):
            raise Unavailable("Crossref sent an agency answer without an agency")
        return {"id": str(agency["id"]), "label": str(agency.get("label") or agency["id"])}

    def search(self, query: str, rows: int = 5) -> list[dict]:
        """Candidates for a reference string (`query.bibliographic`), best first. Raises Unavailable."""
        params = {"query.bibliographic": query, "rows": str(rows), "select": SEARCH_SELECT}
        response = get(self.http, f"{self.base_url}/works", params, self.lists, self.policy)
        if response.status_code != 200:
            raise Unavailable(f"Crossref search answered HTTP {response.status_code}")
        items = _json(response, "work-list").get("items")
        if not isinstance(items, list):
            raise Unavailable("Crossref sent a work list without items")
        return [trim_work(item) | ({"score": item["score"]} if "score" in item else {})
                for item in items if isinstance(item, dict) and isinstance(item.get("DOI"), str)]
