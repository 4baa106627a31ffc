"""Sentences of a Document, each with file, line, section and its part (abstract, body, conclusion).

Segmentation is pysbd's rule-based splitter (Golden Rules for English), which keeps "et al." and
"e.g." inside sentences. A sentence's line is found by looking its opening words up in the source
file when that file can be read; otherwise it is the line where its paragraph starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pysbd

from galleyproof.claims.lexicon import fold
from galleyproof.manuscript.document import Block, Document

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

    @property
    def as_written(self) -> str:
        return self.quote or self.text


@dataclass(frozen=True)
class Paragraph:
    block: Block
    index: int
    part: str
    sentences: tuple[Sentence, ...]


def part_of(section: str, parts: dict[str, list[str]]) -> str:
    """'abstract', 'conclusion', 'skip' (references, keywords, appendices) or 'body', by section title."""
    title = re.sub(r"^[\d.\-\s]+", "", section).strip(" :*").lower()
    for part in ("skip", "abstract", "conclusion"):
        if any(re.search(p, title) for p in parts.get(part, ())):
            return part
    return "body"


def split(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs; pysbd for prose, one piece when the text has no sentence end."""
    if not re.search(r"[.!?]\s", text):
        return [(0, text)]
    # Offsets by searching forward rather than pysbd's char_span mode, which compiles a regex per
    # sentence and doubles the cost; with clean=False the pieces are verbatim slices of the text.
    pieces, cursor = [], 0
    for sentence in _SEGMENTER.segment(text):
        if not sentence.strip():
            continue
        start = text.find(sentence.strip(), cursor)
        start = cursor if start < 0 else start
        pieces.append((start, sentence.strip()))
        cursor = start + len(sentence.strip())
    return pieces


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
        if probe and probe in " ".join(fold(lines[number - 1]).split()):
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


def paragraphs(doc: Document, parts: dict[str, list[str]], root: Path | None = None) -> list[Paragraph]:
    """Every prose block as sentences; blocks in skipped sections (references, keywords) are left out."""
    result = []
    blocks = list(doc.blocks)
    extra = front_matter_abstract(doc, root)
    if extra:
        blocks.insert(0, extra)
    for index, block in enumerate(blocks):
        part = part_of(block.section, parts)
        if part == "skip":
            continue
        text = fold(block.text)
        sentences = tuple(
            Sentence(piece.strip(), block.file, _line_of(block, piece, root), block.section, part, index, i,
                     block.text[start:start + len(piece)].strip())
            for i, (start, piece) in enumerate(split(text)))
        result.append(Paragraph(block, index, part, sentences))
    return result
