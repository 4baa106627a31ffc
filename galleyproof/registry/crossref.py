"""Crossref REST API: works by DOI (one, or many per request), agencies, and bibliographic search.

Wire format and etiquette: /work/shared/crossref_examples/API-NOTES.md and the recorded responses
beside it. `GET /works/{doi}` answers `{"status": "ok", "message-type": "work", "message": {...}}`;
an unknown DOI is a 404 with a plain-text body, which only means "not a Crossref DOI".
`GET /works?filter=doi:A,doi:B&rows=N` answers a `work-list` holding the records of those DOIs it
knows: a filter repeated is OR-ed, filters are comma-separated, `rows` is at most 1,000
(https://crossref.org/documentation/retrieve-metadata/rest-api/rest-api-filters/,
CrossRef/rest-api-doc#301). We send `BATCH` DOIs per request so the URL stays short; a DOI with a
comma cannot go into a filter and is looked up alone.
`GET /works?query.bibliographic=...` answers a `work-list` of scored items; the score is relevance,
not confidence, so the audit decides whether a candidate really matches.

Every answer is checked before use (schema.py): the envelope, the record's shape, and that the
record is the DOI asked for (case-folded). One that fails is `Malformed` and retried like a 5xx.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

import httpx

from galleyproof.registry.http import DEFAULT_POLICY, Answer, Malformed, RetryPolicy, Unavailable, get
from galleyproof.registry.ratelimit import CROSSREF_LIMITS, RateLimiter
from galleyproof.registry.schema import Invalid, check

# The fields the audit reads; everything else (references, licences, links) is left out of the lock.
WORK_FIELDS = ("DOI", "type", "title", "subtitle", "author", "container-title", "short-container-title",
               "issued", "published-print", "published-online", "volume", "issue", "page",
               "article-number", "publisher", "ISSN", "updated-by", "update-to", "relation")
AUTHOR_FIELDS = ("given", "family", "name", "sequence", "ORCID")
SEARCH_SELECT = ",".join(("DOI", "title", "subtitle", "author", "issued", "container-title",
                          "short-container-title", "volume", "issue", "page", "type", "updated-by", "score"))
NOT_FOUND_STATUSES = {400, 404, 410}
BATCH = 50  # DOIs per filter request
BATCH_SELECT = ",".join(WORK_FIELDS)


def trim_work(message: dict) -> dict:
    """The registered record as stored in the lock: the fields the audit compares, unchanged."""
    work = {key: message[key] for key in WORK_FIELDS if key in message and message[key] not in (None, [], {})}
    if isinstance(work.get("author"), list):
        work["author"] = [{k: a[k] for k in AUTHOR_FIELDS if k in a} for a in work["author"] if isinstance(a, dict)]
    if isinstance(work.get("DOI"), str):
        work["DOI"] = work["DOI"].lower()
    return work


def parse_json(answer: Answer, who: str) -> Any:
    """The body as JSON; Malformed when it is not (RecursionError: nested beyond Python's limit)."""
    try:
        return json.loads(answer.body)
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError, RecursionError):
        raise Malformed(f"{who} sent a body that is not JSON (HTTP {answer.status})") from None


def _message(answer: Answer, expected_type: str) -> dict:
    body = parse_json(answer, "Crossref")
    message = body.get("message") if isinstance(body, dict) else None
    if not isinstance(message, dict) or body.get("message-type") != expected_type:
        raise Malformed(f"Crossref sent JSON that is not a {expected_type} message")
    return message


def valid_work(message: Any, doi: str | None = None) -> dict:
    """The trimmed work, checked against the schema and (when given) against the DOI asked for."""
    if not isinstance(message, dict):
        raise Malformed("Crossref sent a work that is not an object")
    work = trim_work(message)
    try:
        check("work", work)
    except Invalid as exc:
        raise Malformed(f"Crossref sent a work that does not match the schema: {exc}") from None
    if doi is not None and work["DOI"].casefold() != doi.casefold():
        raise Malformed("Crossref answered with the record of another DOI")
    return work


def _items(answer: Answer) -> list:
    items = _message(answer, "work-list").get("items")
    if not isinstance(items, list):
        raise Malformed("Crossref sent a work list without items")
    return items


def _quote(doi: str) -> str:
    return quote(doi, safe="/()")


class CrossrefClient:
    def __init__(self, http: httpx.Client, base_url: str, polite: bool, policy: RetryPolicy = DEFAULT_POLICY):
        self.http, self.base_url, self.policy = http, base_url.rstrip("/"), policy
        self.single = RateLimiter(CROSSREF_LIMITS[(polite, "single")])
        self.lists = RateLimiter(CROSSREF_LIMITS[(polite, "list")])

    def _record(self, path: str, message_type: str, doi: str) -> dict | None:
        """The checked `message` of a single-record GET; None on 404 (Crossref does not know it)."""
        def parse(answer: Answer) -> dict | None:
            if answer.status in NOT_FOUND_STATUSES:
                return None
            if answer.status != 200:
                raise Malformed(f"Crossref answered HTTP {answer.status}")
            message = _message(answer, message_type)
            if message_type == "work":
                return valid_work(message, doi)
            answered = message.get("DOI", doi)
            if not isinstance(answered, str) or answered.casefold() != doi.casefold():
                raise Malformed("Crossref answered for another DOI")
            return message

        return get(self.http, f"{self.base_url}{path}", None, self.single, self.policy, parse)

    def work(self, doi: str) -> dict | None:
        """The trimmed work for `doi`; None when Crossref does not know it. Raises Unavailable."""
        return self._record(f"/works/{_quote(doi)}", "work", doi)

    def works(self, dois: Iterable[str]) -> dict[str, dict]:
        """The works Crossref knows among `dois` (at most BATCH, none with a comma), by lower-cased
        DOI, in one list request. A DOI it does not return is simply absent. Raises Unavailable."""
        asked = {doi.casefold(): doi for doi in dois}
        if not asked or len(asked) > BATCH or any("," in doi for doi in asked):
            raise ValueError("works() takes 1 to BATCH DOIs without commas")
        params = {"filter": ",".join(f"doi:{doi}" for doi in asked.values()), "rows": str(len(asked)),
                  "select": BATCH_SELECT}

        def parse(answer: Answer) -> dict[str, dict]:
            if answer.status != 200:
                raise Malformed(f"Crossref answered HTTP {answer.status} to a DOI filter")
            found = {}
            for item in _items(answer):
                work = valid_work(item)
                if work["DOI"].casefold() in asked:  # anything else is not what we asked for
                    found[work["DOI"].casefold()] = work
            return found

        return get(self.http, f"{self.base_url}/works", params, self.lists, self.policy, parse)

    def agency(self, doi: str) -> dict | None:
        """The registration agency holding `doi`, `{"id": "medra", "label": "mEDRA"}`; None when no
        agency knows it. Crossref answers this for DOIs of every agency, so a DOI that neither Crossref
        nor DataCite holds is called nonexistent only after this (API-NOTES.md). Raises Unavailable."""
        message = self._record(f"/works/{_quote(doi)}/agency", "work-agency", doi)
        if message is None:
            return None
        agency = message.get("agency")
        if not isinstance(agency, dict) or not isinstance(agency.get("id"), str) or not agency["id"]:
            raise Unavailable("Crossref sent an agency answer without an agency")
        label = agency.get("label")
        return {"id": agency["id"], "label": label if isinstance(label, str) and label else agency["id"]}

    def search(self, query: str, rows: int = 5) -> list[dict]:
        """Candidates for a reference string (`query.bibliographic`), best first; items that do not
        match the schema are left out. Raises Unavailable."""
        params = {"query.bibliographic": query, "rows": str(rows), "select": SEARCH_SELECT}

        def parse(answer: Answer) -> list[dict]:
            if answer.status != 200:
                raise Malformed(f"Crossref search answered HTTP {answer.status}")
            candidates = []
            for item in _items(answer):
                try:
                    work = valid_work(item)
                except Malformed:
                    continue
                score = item.get("score")
                candidates.append(work | ({"score": score} if isinstance(score, int | float) else {}))
            return candidates

        return get(self.http, f"{self.base_url}/works", params, self.lists, self.policy, parse)
