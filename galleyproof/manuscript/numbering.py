"""Section numbers as authors write them, and the decisions about them: one grammar for every reader.

A written number is a first part and any number of arabic parts after it, joined by one separator
and perhaps closed by a mark: `2`, `2.`, `2.1.3`, `2-1-3`, `3-`, `2.1:`. The first part may also be
a roman numeral (`II.`, IEEE style), an appendix letter (`A.1`, `B.`) or a supplementary number
(`S1`, `S2.1`, PLOS style). Trailing zero parts name the section itself: `2.0` is section 2, as
reports and theses number their top level (`1.0`, `1.1`, `2.0`). A lone letter or roman numeral
(`A.`, `V.`) is read as a number only in a Markdown `#` heading: anywhere else `X. Wang` or `E. coli`
is a name, not section X.

The decisions, used by the importer (manuscript.source) and the claim checker (claims.rules.numbering):
- scheme: the separator of a number, or its closing mark when it has one part (`3-` is dashed, `1.`
  dotted, `4` neither);
- mixed schemes: where the numbering departs from the scheme the manuscript set first, reported where
  each departure starts, not again for every heading after it or when the numbering returns;
- sequence: whether a number follows the one before it in its series (a child starts at 1, a
  sibling adds 1); a new series (the appendix letters after the arabic sections, the letters under
  each roman section) starts afresh;
- heading levels: numbers of one shape (depth and kind of first part) share a Markdown level, and
  a deeper number sits below its parent's level.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

ARABIC, ROMAN, LETTER, SUPPLEMENT = "arabic", "roman", "letter", "supplement"

_FIRST = r"(?:S\d{1,3}|\d{1,4}|[IVX]{1,6}|[A-Z])"
# first part, then parts of one separator; a mark may close it; then the title (or nothing)
_NUMBER = re.compile(rf"^(?P<number>{_FIRST}(?:(?P<sep>[.\-])\d{{1,3}}(?:(?P=sep)\d{{1,3}})*)?)"
                     r"(?P<mark>[.\-:]?)(?=\s|$)")
_ROMAN = re.compile(r"^(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3})$")
_LEADING = re.compile(r"^[#\s*_]*")
_RUN_IN = re.compile(r"^\*\*(?P<head>[^*]+?)\*\*[ \t]*(?P<rest>.*)$")


@dataclass(frozen=True)
class Number:
    """A section number as written: `text` without its closing mark ("2-1-3", "II", "A.1")."""

    text: str
    parts: tuple[tuple[str, int], ...]  # (kind, value): "A.2" -> (("letter", 1), ("arabic", 2))
    separator: str = ""  # "." | "-" | "" (one part)
    mark: str = ""  # the closing mark as written: "." in "2.", "-" in "3-", ":" in "2.1:"

    @property
    def written(self) -> str:
        return self.text + self.mark

    @property
    def depth(self) -> int:
        return len(self.parts)

    @property
    def scheme(self) -> str | None:
        """'dot' for 2.1.3 and 1., 'dash' for 2-1-3 and 3-, None for a bare 4 (or 4:)."""
        mark = self.separator or (self.mark if self.mark in ".-" else "")
        return {".": "dot", "-": "dash"}.get(mark)

    @property
    def series(self) -> str:
        return self.parts[0][0]

    @property
    def shape(self) -> tuple[str, ...]:
        return tuple(kind for kind, _ in self.parts)

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(value for _, value in self.parts)


def _roman_value(text: str) -> int:
    values = {"I": 1, "V": 5, "X": 10}
    total = 0
    for index, char in enumerate(text):
        value = values[char]
        total += -value if index + 1 < len(text) and values[text[index + 1]] > value else value
    return total


def _first_part(text: str, lone: bool) -> tuple[str, int] | None:
    if text.isdigit():
        return ARABIC, int(text)
    if text.startswith("S") and text[1:].isdigit():
        return SUPPLEMENT, int(text[1:])
    if _ROMAN.match(text) and (len(text) > 1 or lone):
        return ROMAN, _roman_value(text)
    if len(text) == 1 and lone:
        return LETTER, ord(text) - ord("A") + 1
    return None


def _read(text: str, lone_letters: bool) -> tuple[Number, str] | None:
    match = _NUMBER.match(text)
    if not match:
        return None
    head, separator, mark = match.group("number"), match.group("sep") or "", match.group("mark")
    pieces = head.split(separator) if separator else [head]
    rest = text[match.end():].strip()
    first = _first_part(pieces[0], lone_letters or len(pieces) > 1)
    if first is None:
        return None
    if first[0] in (ROMAN, LETTER) and len(pieces) == 1 and (not mark or (rest and not rest[:1].isupper())):
        return None  # "I am", "A Study", "V. cholerae": words, not numbers
    if first[0] == ARABIC and len(pieces) == 1 and len(pieces[0]) == 4 and not mark:
        return None  # "2019 Update": a year
    parts = (first, *((ARABIC, int(piece)) for piece in pieces[1:]))
    while len(parts) > 1 and parts[-1] == (ARABIC, 0):
        parts = parts[:-1]  # "2.0 Methods" (reports, theses) is section 2 itself, not 2's child 0
    return Number(head, parts, separator, mark), rest


def split(text: str, *, lone_letters: bool = True) -> tuple[Number | None, str]:
    """'2-1-3 Theoretical Dimensions' -> (Number 2-1-3, 'Theoretical Dimensions'); (None, text) when
    the text does not open with a number followed by a title ('1.6.3' alone is a version, not a
    section). `lone_letters`: read `A.` or `IV.` standing alone as a number (in a Markdown heading);
    a letter or numeral with parts (`A.1`) is always one."""
    found = _read(text, lone_letters)
    if found is None or not found[1]:
        return None, text
    return found


def title(text: str) -> str:
    """A heading's text without its number: 'VI. Acknowledgements' -> 'Acknowledgements'."""
    return split(text)[1]


def parse(text: str, *, lone_letters: bool = True) -> Number | None:
    """A number standing alone: '2.1.3', '3-', 'II.', 'A.1', 'S1' (None for anything else)."""
    found = _read(text.strip(), lone_letters)
    return found[0] if found is not None and not found[1] else None


def leading(line: str) -> Number | None:
    """The number a heading line opens with, mark included: '## **3- Critical' -> 3- ('-' mark).
    A lone letter counts only when the line is a Markdown heading."""
    stripped = line.lstrip()
    return split(_LEADING.sub("", stripped), lone_letters=stripped.startswith("#"))[0]


def run_in(line: str) -> tuple[Number, str, str] | None:
    """A numbered bold lead-in opening a paragraph, '**2.1.1 Concept of X:** X is...' ->
    (2.1.1, 'Concept of X', 'X is...'). The title must start with a capital: '**2 patients** were
    excluded' is emphasis, not a heading."""
    match = _RUN_IN.match(line.strip())
    if not match:
        return None
    number, title = split(match.group("head").strip(), lone_letters=False)
    if number is None or not title[:1].isupper():
        return None
    return number, title.rstrip(":").strip(), match.group("rest")


# --------------------------------------------------------------------------------------------------
# decisions


def mixed(numbers: Sequence[Number | None]) -> list[tuple[int, int]]:
    """(previous, departing) index pairs where the numbering leaves the scheme the manuscript set with
    its first scheme-bearing number. A run in the other scheme is one defect, reported where it starts;
    coming back to the first scheme is not reported again."""
    found: list[tuple[int, int]] = []
    first: str | None = None
    previous: tuple[int, str] | None = None  # (index, scheme) of the latest scheme-bearing number
    for index, number in enumerate(numbers):
        scheme = number.scheme if number else None
        if scheme is None:
            continue
        first = first or scheme
        if previous is not None and scheme != first and previous[1] != scheme:
            found.append((previous[0], index))
        previous = (index, scheme)
    return found


def follows(previous: Number, current: Number) -> bool:
    """`current` may come straight after `previous` in one series: a first child (2.1 -> 2.1.1), the
    next sibling (2.1 -> 2.2) or the next of an ancestor (2.1.3 -> 2.2, 2.1.3 -> 3)."""
    before, now = previous.parts, current.parts
    if len(now) > len(before):
        return now[:len(before)] == before and all(value == 1 for _, value in now[len(before):])
    return (now[:-1] == before[:len(now) - 1] and now[-1][0] == before[len(now) - 1][0]
            and now[-1][1] == before[len(now) - 1][1] + 1)


def out_of_sequence(numbers: Sequence[Number]) -> list[tuple[int, int]]:
    """(previous, current) index pairs where a number skips or repeats one in its series. The first
    number of a series is not judged; a series that opened after another (letters after roman
    numerals) starts again whenever the outer series moves on."""
    found: list[tuple[int, int]] = []
    last: dict[str, int] = {}  # series -> index of its latest number
    opened: list[str] = []  # series in the order they first appeared
    for index, number in enumerate(numbers):
        series = number.series
        if series in last and not follows(numbers[last[series]], number):
            found.append((last[series], index))
        if series not in opened:
            opened.append(series)
        last[series] = index
        for inner in opened[opened.index(series) + 1:]:
            last.pop(inner, None)
    return found


@dataclass(frozen=True)
class LevelConflict:
    """A heading whose Markdown level breaks with the numbering.

    kind "odd": numbers of its shape are usually level `usual` (e.g. at index `example`), it is not.
    kind "not-below": numbers of its shape are at `usual`, not below their parents' level
    `parent_level` (e.g. at index `example`); reported once per shape, at its first heading."""

    kind: str
    index: int
    example: int
    usual: int
    parent_level: int = 0


def level_conflicts(headings: Sequence[tuple[Number, int]]) -> list[LevelConflict]:
    """Markdown levels (0: no level, a run-in heading) that disagree with the numbering. The usual
    level of a shape is the commonest among those below its parent shape's usual level, so a depth
    written mostly at its parent's level does not make the correct headings the odd ones out."""
    by_shape: dict[tuple[str, ...], list[int]] = {}
    for index, (number, level) in enumerate(headings):
        if level:
            by_shape.setdefault(number.shape, []).append(index)
    usual: dict[tuple[str, ...], int] = {}
    found: list[LevelConflict] = []
    for shape in sorted(by_shape, key=len):
        indices = by_shape[shape]
        levels = [headings[i][1] for i in indices]
        parent = usual.get(shape[:-1], 0)
        below = [level for level in levels if level > parent] or levels
        counts = Counter(below)
        usual[shape] = max(counts, key=lambda level: (counts[level], -below.index(level)))
        example = next(i for i in indices if headings[i][1] == usual[shape])
        if parent and usual[shape] <= parent:
            parent_example = next(i for i in by_shape[shape[:-1]] if headings[i][1] == parent)
            found.append(LevelConflict("not-below", example, parent_example, usual[shape], parent))
        found += [LevelConflict("odd", i, example, usual[shape]) for i in indices if headings[i][1] != usual[shape]]
    return sorted(found, key=lambda conflict: conflict.index)
