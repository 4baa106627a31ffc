"""Where the registries are and who we say we are: base URLs, contact address, User-Agent.

Precedence for each setting: explicit argument (a CLI option) > environment variable >
`galleyproof.yml` > default. The contact address puts us in Crossref's polite pool
(/work/shared/crossref_examples/API-NOTES.md, "Etiquette and rate limits").
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from galleyproof import __version__

CROSSREF_URL = "https://api.crossref.org"
DATACITE_URL = "https://api.datacite.org"
HOMEPAGE = "https://github.com/galleyproof/galleyproof"
ENV_CROSSREF = "GALLEYPROOF_CROSSREF_URL"
ENV_DATACITE = "GALLEYPROOF_DATACITE_URL"
ENV_MAILTO = "GALLEYPROOF_MAILTO"


@dataclass(frozen=True)
class Endpoints:
    crossref_url: str = CROSSREF_URL
    datacite_url: str = DATACITE_URL
    mailto: str = ""

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
    )
