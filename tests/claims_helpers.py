"""Run the claim checker on Markdown written in a test, through the real reader and the real rules."""

from __future__ import annotations

import textwrap

from galleyproof.claims.run import check_document
from galleyproof.manuscript.qmd import parse_qmd


def check_text(text: str, file: str = "ms.qmd") -> dict:
    return check_document(parse_qmd(textwrap.dedent(text).strip() + "\n", file))


def of_kind(text: str, kind: str) -> list[dict]:
    return [f for f in check_text(text)["findings"] if f["kind"] == kind]
