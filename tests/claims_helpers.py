"""Run the claim checker on Markdown written in a test, through the real reader and the real rules."""

from __future__ import annotations

import textwrap

from galleyproof.claims.run import check_document
from galleyproof.manuscript.qmd import parse_qmd


def check_text(text: str, file: str = "ms.qmd", **options) -> dict:
    """Checked as `galleyproof check` reads a Markdown file: pandoc's reading of the prose."""
    text = textwrap.dedent(text).strip() + "\n"
    return check_document(parse_qmd(text, file), sources={file: text}, **options)


def of_kind(text: str, kind: str, **options) -> list[dict]:
    return [f for f in check_text(text, **options)["findings"] if f["kind"] == kind]
