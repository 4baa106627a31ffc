"""Where the registries are and who we say we are: base URLs, contact address, User-Agent.

Precedence for each setting: explicit argument (a CLI option) > environment variable >
`galleyproof.yml` > default. The contact address puts us in Crossref's polite pool
(/work/shared/crossref_examples/API-NOTES.md, "Etiquette and rate limits").

A Crossref Metadata Plus token comes from the environment only ($GALLEYPROOF_CROSSREF_TOKEN), never
from galleyproof.yml (a file that gets committed) nor the command line (shell history, process
lists). It travels as the `Crossref-Plus-API-Token: Bearer <token>` header and nowhere else: it
is left out of `repr()`, and http.py's errors name URLs without headers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from galleyproof import __version__
from galleyproof.errors import UsageError

CROSSREF_URL = "https://api.crossref.org"
DATACITE_URL = "https://api.datacite.org"
HOMEPAGE = "https://github.com/galleyproof/galleyproof"
ENV_CROSSREF = "GALLEYPROOF_CROSSREF_URL"
ENV_DATACITE = "GALLEYPROOF_DATACITE_URL"
ENV_MAILTO = "GALLEYPROOF_MAILTO"
ENV_TOKEN = "GALLEYPROOF_CROSSREF_TOKEN"
TOKEN_HEADER = "Crossref-Plus-API-Token"


@dataclass(frozen=True)
class Endpoints:
    crossref_url: str = CROSSREF_URL
    datacite_url: str = DATACITE_URL
    mailto: str = ""
    crossref_token: str = field(default="", repr=False)

    @property
    def secret_headers(self) -> dict[str, str]:
        """Headers that authenticate us; sent with every request, never shown."""
        return {TOKEN_HEADER: f"Bearer {self.crossref_token}"} if self.crossref_token else {}

    @property
    def polite(self) -> bool:
        return bool(self.mailto)

    @property
    def user_agent(self) -> str:
        contact = f"; mailto:{self.mailto}" if self.mailto else ""
        return f"galleyproof/{__version__} ({HOMEPAGE}{contact})"


def _setting(project: Any, dotted: str) -> str:
    if project is None:
        return ""
    value = project.setting(dotted)
    return str(value) if value else ""


def resolve_endpoints(project: Any = None, *, crossref_url: str | None = None,
                      datacite_url: str | None = None, mailto: str | None = None) -> Endpoints:
    """The effective endpoints: argument > environment > galleyproof.yml > default."""
    def pick(arg: str | None, env: str, dotted: str, default: str) -> str:
        return (arg or os.environ.get(env) or _setting(project, dotted) or default).rstrip("/")

    return Endpoints(
        crossref_url=pick(crossref_url, ENV_CROSSREF, "crossref.url", CROSSREF_URL),
        datacite_url=pick(datacite_url, ENV_DATACITE, "datacite.url", DATACITE_URL),
        mailto=(mailto or os.environ.get(ENV_MAILTO) or _setting(project, "crossref.mailto")).strip(),
        crossref_token=_token(os.environ.get(ENV_TOKEN, "")),
    )


def _token(value: str) -> str:
    """The token as given; refused (without echoing it) when a header cannot carry it."""
    value = value.strip()
    if any(not (33 <= ord(c) <= 126) for c in value):
        raise UsageError(f"${ENV_TOKEN} holds spaces or characters an HTTP header cannot carry")
    return value
