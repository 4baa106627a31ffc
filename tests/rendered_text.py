"""The text a reader sees in a built HTML, DOCX or PDF file, for tests that assert on real outputs."""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path

import docx
import pypdf

# Quarto syntax that must never reach a reader as text (issue 8's acceptance list).
QUARTO_LEFTOVERS = ("{{<", "{python}", "?@", "(eq-", "$$")


def html_text(path: Path) -> str:
    html = path.read_text(encoding="utf-8")
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<annotation\b.*?</annotation>", " ", html, flags=re.S)  # MathML's TeX source
    html = re.sub(r"</?(a|span|em|strong|code|sup|sub)\b[^>]*>", "", html)  # inline: no word break
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return " ".join(" ".join([p.text for p in document.paragraphs] + cells).split())


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(path).pages).split())


def text_of(path: Path) -> str:
    return {".html": html_text, ".docx": docx_text, ".pdf": pdf_text}[path.suffix](path)


def leftovers(text: str) -> list[str]:
    return [s for s in QUARTO_LEFTOVERS if s in text]


def copy_project(source: Path, target: Path) -> Path:
    """A project copied as published (no build outputs or caches of ours), safe to build."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("_output", ".galleyproof-cache", "__pycache__"))
    return target
