"""What the embedded engine's documents look like: pandoc templates, CSS and filters per format.

HTML: `template.html` (pandoc's template language, pandoc manual "Templates") with `quarto.css` and
`page.js` (citation hover, contents) inlined as partials, so the page is one file that requests nothing: a Quarto-style
title block (authors, affiliations, ORCID, date, abstract, keywords) and a side table of contents.
PDF/Typst: `article.typst` prints authors with their affiliations and keeps table text left-aligned
and unhyphenated. DOCX: `docx_authors.lua` writes the author/affiliation block at the top.
All three read `by-author`/`by-affiliation` (authors.py), Quarto's de-normalised author views.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from galleyproof.render.look.authors import by_author

LOOK = Path(__file__).parent
ARGUMENTS: dict[str, list[str]] = {
    "html": ["--template", str(LOOK / "template.html"), "--lua-filter", str(LOOK / "keywords_line.lua")],
    "pdf": ["--template", str(LOOK / "article.typst")],
    "typst": ["--template", str(LOOK / "article.typst")],
    "docx": ["--lua-filter", str(LOOK / "docx_authors.lua")],
}


def arguments(fmt: str) -> list[str]:
    """Pandoc options that give `fmt` its look (none for formats whose layout a journal decides: JATS)."""
    return list(ARGUMENTS.get(fmt, []))


def metadata(meta: dict[str, Any]) -> dict[str, Any]:
    """`meta` plus `by-author` and `by-affiliation` for the templates (replacing any stale copies)."""
    authors, affiliations = by_author(meta)
    out = {k: v for k, v in meta.items() if k not in ("by-author", "by-affiliation")}
    if authors:
        out["by-author"] = authors
        out["by-affiliation"] = affiliations
    return out
