"""Sentences of a Document, each with file, line, section and its part (abstract, body, conclusion).

Segmentation is pysbd's rule-based splitter (Golden Rules for English), which keeps "et al." and
"e.g." inside sentences. A Markdown file whose text is known is read as pandoc reads it
(`manuscript.prose`): every character keeps its source line, so `Sentence.line_at` names the line of any
word. Plain-text manuscripts (the importer's Document blocks) find a sentence's line by looking its
opening words up in the source file when that file can be read, else the paragraph's first line.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pysbd

from galleyproof.claims.lexicon import ascii_punctuation
from galleyproof.manuscript.document import Block, Document
from galleyproof.manuscript.prose import Prose, Unit, meta_text

_SEGMENTER = pysbd.Segmenter(language="en", clean=False)


@dataclass(frozen=True)
class Sentence:
    text: str  # folded (ASCII dashes and quotes), same length as the author's sentence
    file: str
    line: int
    section: str
    part: str  # "abstract" | "body" | "conclusion"
    block: int  # index of its paragraph in the document
    index: int  # position within its paragraph
    quote: str = ""  # the sentence exactly as the author wrote it
    kind: str = "paragraph"  # paragraph | list_item | table_cell | caption | quote | footnote | definition
    sections: tuple[str, ...] = ()  # enclosing heading labels, outermost first
    breaks: tuple[tuple[int, int], ...] = ()  # (offset in text, source line) where the line changes
    group: int = -1  # units of one list, table or figure share a group (manuscript.prose); -1 unknown

    @property
    def as_written(self) -> str:
        return self.quote or self.text

    def line_at(self, offset: int) -> int:
        """Source line of the word at `offset` in the sentence (its first line when unknown)."""
        line = self.line
        for start, number in self.breaks:
            if start > offset:
                break
            line = number
        return line


@dataclass(frozen=True)
class Paragraph:
    block: Block
    index: int
    part: str
    sentences: tuple[Sentence, ...]
    group: int = -1


def part_of_path(sections: tuple[str, ...], parts: dict[str, list[str]]) -> str:
    """The part of a unit under these headings: a skipped or abstract ancestor decides, else the innermost."""
    found = [part_of(s, parts) for s in sections]
    for part in ("skip", "abstract"):
        if part in found:
            return part
    return found[-1] if found else "body"


def part_of(section: str, parts: dict[str, list[str]]) -> str:
    """'abstract', 'conclusion', 'skip' (references, keywords, appendices) or 'body', by section title."""
    title = re.sub(r"^[\d.\-\s]+", "", section).strip(" :*").lower()
    for part in ("skip", "abstract", "conclusion"):
        if any(re.search(p, title) for p in parts.get(part, ())):
            return part
    return "body"


# pysbd's cost grows with the square of its input on some texts (40 KB of "A. B. Dr. X." takes 9 s), so
# it is fed chunks of at most CHUNK characters cut at a likely sentence end, and a "sentence" longer
# than LONGEST (a table flattened into prose, a sequence) is cut at spaces: every rule's per-sentence
# work is then bounded, and the whole check linear in the length of the text.
CHUNK = 2000
LONGEST = 1500
_LIKELY_END = re.compile(r"[.!?][\"')\]]*\s+(?=[A-Z0-9\"'(\[])")


def _chunks(text: str) -> list[tuple[int, str]]:
    if len(text) <= CHUNK:
        return [(0, text)]
    pieces, start = [], 0
    while len(text) - start > CHUNK:
        window = text[start:start + CHUNK]
        ends = [m.end() for m in _LIKELY_END.finditer(window)]
        cut = ends[-1] if ends and ends[-1] > CHUNK // 4 else (window.rfind(" ") + 1 or CHUNK)
        pieces.append((start, text[start:start + cut]))
        start += cut
    pieces.append((start, text[start:]))
    return pieces


def _bounded(start: int, sentence: str) -> list[tuple[int, str]]:
    pieces = []
    while len(sentence) > LONGEST:
        cut = sentence.rfind(" ", 0, LONGEST) + 1 or LONGEST
        pieces.append((start, sentence[:cut].strip()))
        start, sentence = start + cut, sentence[cut:]
    return pieces + [(start, sentence)]


def _segments(text: str) -> list[str]:
    """pysbd's sentences without Segmenter.segment's char-span pass, which compiles a regex per
    sentence and searches the whole text with it (half the checker's time on a 60 KB manuscript);
    `split` finds each sentence's offset itself. pysbd 0.3.4, pinned: Segmenter.processor."""
    return [s for s in _SEGMENTER.processor(text).process() if isinstance(s, str)] if text else []


def split(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs; pysbd for prose, one piece when the text has no sentence end."""
    if not re.search(r"[.!?]\s", text):
        return [p for p in _bounded(0, text) if p[1].strip()]
    # Offsets by searching forward rather than pysbd's char_span mode, which compiles a regex per
    # sentence and doubles the cost; with clean=False the pieces are verbatim slices of the text.
    pieces = []
    for offset, chunk in _chunks(text):
        cursor = 0
        for sentence in _segments(chunk):
            if not sentence.strip():
                continue
            start = chunk.find(sentence.strip(), cursor)
            start = cursor if start < 0 else start
            pieces += _bounded(offset + start, sentence.strip())
            cursor = start + len(sentence.strip())
    return [p for p in pieces if p[1].strip()]


def _source_lines(path: str) -> tuple[str, ...]:
    try:
        stat = Path(path).stat()
    except OSError:
        return ()
    return _read_lines(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _read_lines(path: str, mtime_ns: int, size: int) -> tuple[str, ...]:  # keyed by version: edits re-read
    try:
        return tuple(Path(path).read_text(encoding="utf-8").splitlines())
    except (OSError, UnicodeDecodeError):
        return ()


def _line_of(block: Block, sentence: str, root: Path | None) -> int:
    if block.end_line <= block.line or root is None:
        return block.line
    lines = _source_lines(str((root / block.file).resolve()))
    probe = " ".join(sentence.split()[:5])
    for number in range(block.line, min(block.end_line, len(lines)) + 1):
        if probe and probe in " ".join(ascii_punctuation(lines[number - 1]).split()):
            return number
    return block.line


def front_matter_abstract(doc: Document, root: Path | None) -> Block | None:
    """`abstract:` in the front matter (Quarto's article form) as a block of the Abstract section."""
    abstract = doc.metadata.get("abstract") if doc.files else None
    if not isinstance(abstract, str) or not abstract.strip():
        return None
    lines = _source_lines(str((root / doc.files[0]).resolve())) if root else ()
    line = next((n for n, text in enumerate(lines, 1) if text.startswith("abstract:")), 1)
    return Block("paragraph", " ".join(abstract.split()), doc.files[0], line, line, "Abstract")


def _unit_paragraph(unit: Unit, index: int, parts: dict[str, list[str]]) -> Paragraph | None:
    part = part_of_path(unit.sections, parts)
    if part == "skip":
        return None
    text = ascii_punctuation(unit.text)
    block = Block(unit.kind, unit.text, unit.file, unit.line, unit.end_line, unit.section,
                  unit.section_ids[-1] if unit.section_ids else "")
    sentences = []
    offsets = [o for o, _ in unit.breaks]
    for i, (start, piece) in enumerate(split(text)):
        stripped = piece.strip()
        lead = start + len(piece) - len(piece.lstrip())
        end = lead + len(stripped)
        first = max(bisect.bisect_right(offsets, lead) - 1, 0)  # the break in force at the sentence start
        last = bisect.bisect_left(offsets, end)
        breaks = tuple((max(0, o - lead), line) for o, line in unit.breaks[first:last])
        line = breaks[0][1] if breaks else unit.line
        sentences.append(Sentence(stripped, unit.file, line, unit.section, part, index, i,
                                  unit.text[lead:end], unit.kind, unit.sections, breaks, unit.group))
    return Paragraph(block, index, part, tuple(sentences), unit.group)


def abstract_unit(metadata: dict, text: str, file: str) -> Unit | None:
    """`abstract:` of the front matter as a unit of an Abstract section, its words mapped to lines."""
    abstract = meta_text(metadata.get("abstract")) if metadata.get("abstract") else ""
    if not abstract:
        return None
    lines = text.splitlines()
    first = next((n for n, line in enumerate(lines, 1) if line.startswith("abstract:")), 1)
    starts, total = [], 0
    for line in lines:
        starts.append(total)
        total += len(line) + 1
    breaks: list[tuple[int, int]] = []
    cursor = starts[first - 1] if starts else 0
    for word in re.finditer(r"\S+", abstract):
        found = text.find(word.group(0).strip(".,;:"), cursor, cursor + 400)
        if found < 0:
            continue
        cursor = found
        number = bisect.bisect_right(starts, found)
        if not breaks or breaks[-1][1] != number:
            breaks.append((word.start(), number))
    return Unit("paragraph", abstract, file, breaks or [(0, first)], ("Abstract",))


def source_paragraphs(doc: Document, parts: dict[str, list[str]], prose: dict[str, Prose], sources: dict[str, str],
                      root: Path | None = None) -> list[Paragraph]:
    """Paragraphs of each file: pandoc's reading (`prose`, from manuscript.book or manuscript.prose) where
    the file's text is known, else the Document's blocks."""
    units: list[Unit | Block] = []
    for number, file in enumerate(doc.files):
        if file not in prose:
            units += [b for b in doc.blocks if b.file == file]
            continue
        read = prose[file]
        extra = abstract_unit(read.metadata, sources[file], file) if number == 0 and file in sources else None
        units += ([extra] if extra else []) + list(read.units)
    result = []
    for index, unit in enumerate(units):
        if isinstance(unit, Unit):
            paragraph = _unit_paragraph(unit, index, parts)
        else:
            paragraph = _block_paragraph(unit, index, parts, root)
        if paragraph:
            result.append(paragraph)
    return result


def _block_paragraph(block: Block, index: int, parts: dict[str, list[str]], root: Path | None) -> Paragraph | None:
    part = part_of(block.section, parts)
    if part == "skip":
        return None
    text = ascii_punctuation(block.text)
    sentences = tuple(
        Sentence(piece.strip(), block.file, _line_of(block, piece, root), block.section, part, index, i,
                 block.text[start:start + len(piece)].strip(), block.kind, (block.section,))
        for i, (start, piece) in enumerate(split(text)))
    return Paragraph(block, index, part, sentences)


def paragraphs(doc: Document, parts: dict[str, list[str]], root: Path | None = None) -> list[Paragraph]:
    """Every prose block as sentences; blocks in skipped sections (references, keywords) are left out."""
    blocks = list(doc.blocks)
    extra = front_matter_abstract(doc, root)
    if extra:
        blocks.insert(0, extra)
    found = (_block_paragraph(block, index, parts, root) for index, block in enumerate(blocks))
    return [p for p in found if p]
