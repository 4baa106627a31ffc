"""Cross-references that point nowhere, found in the author's files so they can be named by file and line.

xref.lua resolves `@fig-`, `@tbl-`, `@sec-` and `@eq-` references inside pandoc, where the author's lines
are gone; this pass compares the references written in each chapter with the labels the assembled
document defines (`{#fig-x}` on images, tables, headings, divs and equations, and cell labels, which
cells.py turns into such attributes). Quarto prints an unresolved reference as `?@fig-x`
(https://quarto.org/docs/authoring/cross-references.html); the build reports each one and `--strict`
fails on them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from galleyproof.render.shortcodes import prose_lines

KINDS = ("fig", "tbl", "sec", "eq", "lst", "nte", "wrn", "tip", "imp", "cau")
_DEFINED = re.compile(r"\{[^{}\n]*?#((?:" + "|".join(KINDS) + r")-[^\s}]+)")
_REFERENCE = re.compile(r"(?<![\w@`])-?@((?:" + "|".join(KINDS) + r")-[\w:.\-]*\w)")


class _Chapter(Protocol):
    name: str
    lines: list[str]
    body_start: int


def defined_labels(bodies: list[str]) -> set[str]:
    return {match.group(1) for body in bodies for match in _DEFINED.finditer(body)}


def unresolved_references(chapters: Sequence[_Chapter], bodies: list[str]) -> list[str]:
    """"chapter:line: @fig-x ..." for every reference whose label the document does not define."""
    defined = defined_labels(bodies)
    found = []
    for chapter in chapters:
        for index in prose_lines(chapter.lines, chapter.body_start):
            for match in _REFERENCE.finditer(_without_code(chapter.lines[index])):
                if match.group(1) not in defined:
                    found.append(f"{chapter.name}:{index + 1}: @{match.group(1)} refers to no figure, table, "
                                 "section, equation, listing or callout (printed as ?@" + match.group(1) + ")")
    return found


def _without_code(line: str) -> str:
    return re.sub(r"`[^`]*`", "", line)
