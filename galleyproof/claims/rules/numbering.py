"""Section numbering: schemes mixed (2.1.2 beside 2-1-3), numbers skipped, and heading levels that
disagree with the depth of the number (2-3 written as a level-3 heading, 2-4 as level 4).

Only headings as the author numbered them are read; unnumbered headings are ignored. What counts as
a number and each decision are galleyproof.manuscript.numbering's; this rule only words the findings.
"""

from __future__ import annotations

from pathlib import Path

from galleyproof.claims.context import CheckContext
from galleyproof.claims.findings import Finding, Location
from galleyproof.manuscript import numbering
from galleyproof.manuscript.document import Heading
from galleyproof.manuscript.numbering import Number


def _loc(heading: Heading) -> Location:
    return Location(heading.file, heading.line, heading.label, heading.label)


def _where(heading: Heading) -> str:
    return f"{heading.file}:{heading.line}"


def _mixed(numbered: list[tuple[Heading, Number]]) -> list[Finding]:
    findings = []
    for before, after in numbering.mixed([number for _, number in numbered]):
        (previous, was), (heading, now) = numbered[before], numbered[after]
        message = (f"Section {heading.number} ({_where(heading)}) is numbered in the {now.scheme} style after "
                   f"section {previous.number} ({_where(previous)}) in the {was.scheme} style.")
        findings.append(Finding("mixed-numbering", message, [_loc(previous), _loc(heading)],
                                [previous.number, heading.number]))
    return findings


def _skipped(numbered: list[tuple[Heading, Number]]) -> list[Finding]:
    findings = []
    for before, after in numbering.out_of_sequence([number for _, number in numbered]):
        previous, heading = numbered[before][0], numbered[after][0]
        message = (f"Section {heading.number} ({_where(heading)}) does not follow section "
                   f"{previous.number} ({_where(previous)}): a number is skipped or repeated.")
        findings.append(Finding("skipped-numbering", message, [_loc(previous), _loc(heading)],
                                [previous.number, heading.number]))
    return findings


def _levels(numbered: list[tuple[Heading, Number]]) -> list[Finding]:
    conflicts = numbering.level_conflicts([(number, heading.level) for heading, number in numbered])
    findings = []
    odd: dict[int, list[Heading]] = {}  # example index -> the headings of its shape at another level
    for conflict in conflicts:
        if conflict.kind == "odd":
            odd.setdefault(conflict.example, []).append(numbered[conflict.index][0])
            continue
        heading, parent = numbered[conflict.index][0], numbered[conflict.example][0]
        message = (f"Sections numbered like {heading.number} ({_where(heading)}) are level-{conflict.usual} "
                   f"headings, not below section {parent.number} ({_where(parent)}) at level "
                   f"{conflict.parent_level}.")
        findings.append(Finding("heading-level", message, [_loc(parent), _loc(heading)], [heading.number]))
    for example_index, headings in odd.items():
        example = numbered[example_index][0]
        depth = numbered[example_index][1].depth
        listed = ", ".join(f"{h.number} ({_where(h)}, level {h.level})" for h in headings)
        message = (f"Sections numbered to depth {depth} are mostly level-{example.level} headings "
                   f"(e.g. {example.number}), but {listed} {'is' if len(headings) == 1 else 'are'} not.")
        findings.append(Finding("heading-level", message, [_loc(example)] + [_loc(h) for h in headings],
                                [h.number for h in headings]))
    return findings


class _Lines:
    """Source lines by file, to read a number with its closing mark ('3-'), which Heading.number drops."""

    def __init__(self, ctx: CheckContext):
        self.ctx = ctx
        self.cache: dict[str, list[str]] = {}

    def line(self, file: str, number: int) -> str:
        if file not in self.cache:
            text = self.ctx.sources.get(file)
            if text is None and self.ctx.root is not None:
                try:
                    text = (Path(self.ctx.root) / file).read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError):
                    text = None
            self.cache[file] = text.splitlines() if text is not None else []
        lines = self.cache[file]
        return lines[number - 1] if 0 < number <= len(lines) else ""


def _written(heading: Heading, lines: _Lines) -> Number | None:
    written = numbering.leading(lines.line(heading.file, heading.line))
    if written is not None and written.text == heading.number:
        return written
    return numbering.parse(heading.number)


def _numbered(ctx: CheckContext) -> list[tuple[Heading, Number]]:
    lines = _Lines(ctx)
    found = [(h, _written(h, lines)) for h in ctx.doc.headings if h.number]
    for block in ctx.doc.blocks:
        run_in = numbering.run_in(block.text)
        # In Markdown a section is a `#` line; a bold lead-in counts when its number has parts
        # ("**2.1.1 Concept:**"), since "**1. Data:** ..., **2. Code:** ..." is a list of points.
        if run_in and run_in[0].depth > 1:
            number, title, _ = run_in
            found.append((Heading(0, title, number.text, "", block.file, block.line), number))
    order = {f: i for i, f in enumerate(dict.fromkeys([*ctx.doc.files, *(h.file for h, _ in found)]))}
    ordered = sorted(found, key=lambda pair: (order[pair[0].file], pair[0].line))
    return [(heading, number) for heading, number in ordered if number is not None]


def check(ctx: CheckContext) -> list[Finding]:
    numbered = _numbered(ctx)
    return _mixed(numbered) + _skipped(numbered) + _levels(numbered)
