"""Findings: what a rule reports, as plain data the reporters (terminal, JSON, HTML, appendix) render.

The JSON shape is the contract of issue 4: `{"kind", "severity", "message", "locations": [{"file",
"line", "section", "text"}], "entities"}` plus `id` (stable across edits that do not touch the quoted
text) and, when the project accepted the finding, `accepted` and `reason`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Location:
    file: str
    line: int
    section: str
    text: str

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "section": self.section, "text": self.text}

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class Finding:
    kind: str
    message: str
    locations: list[Location]
    entities: list[str] = field(default_factory=list)
    severity: str = "warning"
    accepted: bool = False
    reason: str = ""

    @property
    def id(self) -> str:
        """kind + entities + the quoted texts, normalised: line moves and re-wrapping keep the id."""
        texts = sorted(_normalise(loc.text) for loc in self.locations)
        raw = "\x1f".join([self.kind, *sorted(e.lower() for e in self.entities), *texts])
        return f"{self.kind}-{hashlib.sha1(raw.encode('utf-8')).hexdigest()[:10]}"

    def as_dict(self) -> dict:
        data: dict[str, object] = {"id": self.id, "kind": self.kind, "severity": self.severity, "message": self.message,
                "locations": [loc.as_dict() for loc in self.locations], "entities": list(self.entities)}
        if self.accepted:
            data["accepted"] = True
            data["reason"] = self.reason
        return data


def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s%]", " ", text.lower()).split())


def quote(text: str, limit: int = 80) -> str:
    """A short quotation for a one-sentence message."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def join_names(names) -> str:
    names = list(dict.fromkeys(names))
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
