"""DataCite REST API: `GET /dois/{doi}` for DOIs Crossref does not register (Zenodo, arXiv, OSF, ...).

The answer is JSON:API, `{"data": {"id", "type": "dois", "attributes": {...}}}`; an unknown DOI is
a 404 with `{"errors": [...]}` (API-NOTES.md, "DataCite"; https://support.datacite.org/docs/api-get-doi).
The attributes are checked against schemas/datacite.schema.json, converted into the Crossref work
shape so the audit compares one shape only, and that is checked again as a work; the record must be
the DOI asked for. An answer that fails is `Malformed` and retried like a 5xx.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import httpx

from galleyproof.registry.crossref import parse_json
from galleyproof.registry.http import DEFAULT_POLICY, Answer, Malformed, RetryPolicy, get
from galleyproof.registry.ratelimit import DATACITE_LIMITS, RateLimiter
from galleyproof.registry.schema import Invalid, check


def _kebab(name: str) -> str:
    """'IsPreprintOf' -> 'is-preprint-of', Crossref's spelling of relation types."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def _creator(creator: dict) -> dict:
    name = creator.get("name") or ""
    if creator.get("nameType") == "Organizational" or not (creator.get("familyName") or "," in name):
        return {"name": name}
    family = creator.get("familyName") or name.split(",", 1)[0]
    given = creator.get("givenName") or (name.split(",", 1)[1] if "," in name else "")
    return {"family": family.strip(), "given": given.strip()}


def to_work(attributes: dict) -> dict:
    """DataCite attributes -> a Crossref-shaped work (DOI, type, title, author, issued, container...)."""
    titles = [t for t in attributes.get("titles") or [] if isinstance(t, dict)]
    main = [t["title"] for t in titles if t.get("title") and not t.get("titleType")][:1]
    subtitle = [t["title"] for t in titles if t.get("titleType") == "Subtitle"][:1]
    container = attributes.get("container") or {}
    types = attributes.get("types") or {}
    publisher = attributes.get("publisher")
    work = {
        "DOI": str(attributes.get("doi", "")).lower(),
        "type": types.get("resourceTypeGeneral") or types.get("citeproc") or "",
        "title": main or [t["title"] for t in titles if t.get("title")][:1],
        "subtitle": subtitle,
        "author": [_creator(c) for c in attributes.get("creators") or [] if isinstance(c, dict)],
        "container-title": [container["title"]] if container.get("title") else [],
        "issued": {"date-parts": [[int(attributes["publicationYear"])]]} if attributes.get("publicationYear") else {},
        "volume": container.get("volume") or "",
        "issue": container.get("issue") or "",
        "page": "-".join(p for p in (container.get("firstPage"), container.get("lastPage")) if p),
        "publisher": (publisher.get("name") or "") if isinstance(publisher, dict) else publisher or "",
    }
    relations: dict[str, list] = {}
    for related in attributes.get("relatedIdentifiers") or []:
        if isinstance(related, dict) and related.get("relationType") and related.get("relatedIdentifier"):
            relations.setdefault(_kebab(related["relationType"]), []).append(
                {"id-type": str(related.get("relatedIdentifierType", "")).lower(),
                 "id": related["relatedIdentifier"], "asserted-by": "subject"})
    if relations:
        work["relation"] = relations
    return {k: v for k, v in work.items() if v not in ("", [], {}, None)}


class DataCiteClient:
    def __init__(self, http: httpx.Client, base_url: str, policy: RetryPolicy = DEFAULT_POLICY):
        self.http, self.base_url, self.policy = http, base_url.rstrip("/"), policy
        self.limiter = RateLimiter(DATACITE_LIMITS)

    def work(self, doi: str) -> dict | None:
        """The DataCite record as a Crossref-shaped work; None when DataCite does not know the DOI."""
        def parse(answer: Answer) -> dict | None:
            if answer.status in (400, 404, 410):
                return None
            if answer.status != 200:
                raise Malformed(f"DataCite answered HTTP {answer.status}")
            body = parse_json(answer, "DataCite")
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, dict) or not isinstance(data.get("attributes"), dict):
                raise Malformed("DataCite sent JSON without data.attributes")
            try:
                check("datacite", data["attributes"])
                work = to_work(data["attributes"])
                check("work", work)
            except Invalid as exc:
                raise Malformed(f"DataCite sent a record that does not match the schema: {exc}") from None
            if work["DOI"].casefold() != doi.casefold():
                raise Malformed("DataCite answered with the record of another DOI")
            return work

        return get(self.http, f"{self.base_url}/dois/{quote(doi, safe='/()')}", None, self.limiter,
                   self.policy, parse)
