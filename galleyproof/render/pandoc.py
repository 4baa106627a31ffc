"""Run the pandoc that ships in pypandoc-binary (`pypandoc.get_pandoc_path()`, pandoc 3.9).

A subprocess with a fixed SOURCE_DATE_EPOCH, which pandoc uses for the timestamps it would otherwise
take from the clock (DOCX core properties, EPUB), so the same input gives the same bytes
(pandoc manual, "Reproducible builds").
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from galleyproof.errors import RenderError
from galleyproof.render.kernel import SOURCE_DATE_EPOCH
from galleyproof.tools import pandoc_path  # the one finder (tools.py); callers import it from here too

FILTERS = Path(__file__).parent


def run_pandoc(args: list[str], *, stdin: str | None = None, cwd: Path | None = None) -> tuple[str, list[str]]:
    """Run pandoc; returns (stdout, warning lines). A non-zero exit raises RenderError with pandoc's message."""
    env = dict(os.environ, SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH)
    proc = subprocess.run([pandoc_path(), *args], input=stdin, capture_output=True, text=True,
                          encoding="utf-8", cwd=cwd, env=env)
    warnings = [line for line in proc.stderr.splitlines() if line.strip()]
    if proc.returncode != 0:
        message = " ".join(warnings[-3:]) or f"exit status {proc.returncode}"
        raise RenderError(f"pandoc failed: {message}")
    return proc.stdout, warnings


def html_to_markdown(html: str) -> str:
    """An HTML fragment (a DataFrame's table) as Pandoc Markdown, so it reaches PDF and DOCX too.

    Markdown in `data-qmd` attributes is parsed, as Quarto does (html_tables.lua).
    """
    text, _ = run_pandoc(["-f", "html-raw_html", "-t", "markdown-simple_tables-multiline_tables",
                          "--wrap=none", "--columns=10000",
                          "--lua-filter", str(FILTERS / "html_tables.lua")], stdin=html)
    return text.strip("\n")
