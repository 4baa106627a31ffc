"""Section numbering: schemes mixed (2.1.2 beside 2-1-3), numbers skipped, and heading levels that
disagree with the depth of the number (2-3 written as a level-3 heading, 2-4 as level 4).

Only headings as the author numbered them are read (Heading.number); unnumbered headings are ignored.
"""

from __future__ import annotations

import re

from galleyproof.claims.context import CheckContext
from galleyproof.claims.findings import Finding, Location
from galleyproof.manuscript.document import Heading


def _scheme(number: str) -> str | None:
    """'dot' for 2.1.3, 'dash' for 2-1-3, None for a single number (its separator is not kept)."""
    if "." in number:
        return "dot"
    if "-" in number:
        return "dash"
    return None


def _parts(number: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.split(r"[.\-]", number) if p)


def _loc(heading) -> Location:
    return Location(heading.file, heading.line, heading.label, heading.label)


def _mixed(numbered) -> list[Finding]:
    findings, previous = [], None
    for heading in numbered:
        scheme = _scheme(heading.number)
        if scheme is None:
            continue
        if previous and _scheme(previous.number) != scheme:
            message = (f"Section {heading.number} ({heading.file}:{heading.line}) is numbered in the "
                       f"{scheme} style after section {previous.number} ({previous.file}:{previous.line}) "
                       f"in the {_scheme(previous.number)} style.")
            findings.append(Finding("mixed-numbering", message, [_loc(previous), _loc(heading)],
                                    [previous.number, heading.number]))
        previous = heading
    return findings


def _expected(previous: tuple[int, ...], current: tuple[int, ...]) -> bool:
    if len(current) > len(previous):
        return current[:len(previous)] == previous and all(p == 1 for p in current[len(previous):])
    prefix = previous[:len(current) - 1]
    return current[:-1] == prefix and current[-1] == previous[len(current) - 1] + 1


def _skipped(numbered) -> list[Finding]:
    findings, previous = [], None
    for heading in numbered:
        current = _parts(heading.number)
        if previous is not None and not _expected(_parts(previous.number), current):
            message = (f"Section {heading.number} ({heading.file}:{heading.line}) does not follow section "
                       f"{previous.number} ({previous.file}:{previous.line}): a number is skipped or repeated.")
            findings.append(Finding("skipped-numbering", message, [_loc(previous), _loc(heading)],
                                    [previous.number, heading.number]))
        previous = heading
    return findings


def _levels(numbered) -> list[Finding]:
    by_depth: dict[int, list] = {}
    for heading in numbered:
        by_depth.setdefault(len(_parts(heading.number)), []).append(heading)
    findings = []
    for depth, headings in sorted(by_depth.items()):
        usual = max({h.level for h in headings}, key=lambda lv: sum(h.level == lv for h in headings))
        odd = [h for h in headings if h.level != usual]
        if not odd:
            continue
        example = next(h for h in headings if h.level == usual)
        listed = ", ".join(f"{h.number} ({h.file}:{h.line}, level {h.level})" for h in odd)
        message = (f"Sections numbered to depth {depth} are mostly level-{usual} headings (e.g. {example.number}), "
                   f"but {listed} {'is' if len(odd) == 1 else 'are'} not.")
        findings.append(Finding("heading-level", message, [_loc(example)] + [_loc(h) for h in odd],
                                [h.number for h in odd]))
    return findings


# "**2.1.1 Concept of Self-Compassion:** Self-compassion is ..." : a run-in heading inside a paragraph.
_RUN_IN = re.compile(r"^\*\*(\d+(?:[.\-]\d+)+)[.:]?\s+([^*]+?):?\*\*")


def _numbered(ctx: CheckContext) -> list[Heading]:
    found = [h for h in ctx.doc.headings if h.number]
    for block in ctx.doc.blocks:
        match = _RUN_IN.match(block.text.strip())
        if match:
            found.append(Heading(0, match.group(2).strip(), match.group(1), "", block.file, block.line))
    order = {f: i for i, f in enumerate(dict.fromkeys([*ctx.doc.files, *(h.file for h in found)]))}
    return sorted(found, key=lambda h: (order[h.file], h.line))


def check(ctx: CheckContext) -> list[Finding]:
    numbered = _numbered(ctx)
    return _mixed(numbered) + _skipped(numbered) + _levels([h for h in numbered if h.level])
