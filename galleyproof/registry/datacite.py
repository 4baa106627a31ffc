"""DataCite REST API: `GET /dois/{doi}` for DOIs Crossref does not register (Zenodo, arXiv, OSF, ...).

The answer is JSON:API, `{"data": {"id", "type": "dois", "attributes": {...}}}`; an unknown DOI is
a 404 with `{"errors": [...]}` (API-NOTES.md, "DataCite"; https://support.datacite.org/docs/api-get-doi).
We convert the attributes into the Crossref work shape so the audit compares one shape only.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import httpx

from galleyproof.registry.http import DEFAULT_POLICY, RetryPolicy, Unavailable, get
from galleyproof.registry.ratelimit import DATACITE_LIMITS, RateLimiter


def _kebab(name: str) -> str:
    """'IsPreprintOf' -> 'is-preprint-of', Crossref's spelling of relation types."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def _creator(creator: dict) -> dict:
    if creator.get("nameType") == "Organizational" or not (creator.get("familyName") or "," in creator.get("name", "")):
        return {"name": creator.get("name", "")}
    family = creator.get("familyName") or creator["name"].split(",", 1)[0]
    given = creator.get("givenName") or (creator["name"].split(",", 1)[1] if "," in creator.get("name", "") else "")
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
        "volume": container.get("volume", ""),
        "issue": container.get("issue", ""),
        "page": "-".join(p for p in (container.get("firstPage"), container.get("lastPage")) if p),
        "publisher": publisher.get("name", "") if isinstance(publisher, dict) else publisher or "",
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
        response = get(self.http, f"{self.base_url}/dois/{quote(doi, safe='/()')}", None, self.limiter,
                       self.policy)
        if response.status_code in (400, 404, 410):
            return None
        if response.status_code != 200:
            raise Unavailable(f"DataCite answered HTTP {response.status_code}")
        try:
            data = response.json().get("data")
        except (json.JSONDecodeError, UnicodeDecodeError, ValueError, AttributeError):
            raise Unavailable("DataCite sent a body that is not JSON:API") from None
        if not isinstance(data, dict) or not isinstance(data.get("attributes"), dict):
            raise Unavailable("DataCite sent JSON without data.attributes")
        return to_work(data["attributes"])
