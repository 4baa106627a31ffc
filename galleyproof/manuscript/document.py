"""The manuscript as data: headings, text blocks, citations and code cells, each with file and line.

Every reader (Quarto Markdown, the importer's plain-text reader) produces a Document, so the audit,
the claim checker, the build and the export all see one shape and can point at the author's lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from galleyproof.errors import ManuscriptError


@dataclass(frozen=True)
class Heading:
    level: int
    title: str  # without numbering, emphasis or attributes
    number: str  # the numbering as written ("2-1-3", "2.1", "4"), "" when none
    id: str  # "sec-..." when the source gives one
    file: str
    line: int

    @property
    def label(self) -> str:
        return f"{self.number} {self.title}".strip()


@dataclass(frozen=True)
class Block:
    """A paragraph or list item of prose; code and front matter are not blocks."""

    kind: str  # "paragraph" | "list_item"
    text: str
    file: str
    line: int
    end_line: int
    section: str  # label of the enclosing heading ("2-2 Neuropsychological Foundations ..."), "" at top
    section_id: str = ""


@dataclass(frozen=True)
class Citation:
    key: str
    file: str
    line: int
    section: str
    text: str  # the citation as written: "[@irwin2011; @kirby2023]" or "(Irwin & Cole, 2011)"
    narrative: bool = False  # "@neff2003 argues" rather than "[@neff2003]"


@dataclass(frozen=True)
class CodeCell:
    language: str
    source: str  # without the `#|` option lines
    options: dict[str, Any]
    file: str
    line: int  # line of the opening fence
    first_code_line: int  # line of the first source line after the options


@dataclass
class Document:
    files: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)  # front matter of the first file
    headings: list[Heading] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    cells: list[CodeCell] = field(default_factory=list)

    def extend(self, other: Document) -> None:
        self.files += other.files
        if not self.metadata:
            self.metadata = other.metadata
        self.headings += other.headings
        self.blocks += other.blocks
        self.citations += other.citations
        self.cells += other.cells

    def cited_keys(self) -> set[str]:
        return {c.key for c in self.citations}


def read_text(path: Path | str) -> str:
    """A manuscript file's text; ManuscriptError (naming the file) when it is missing, a directory
    or not UTF-8 text."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ManuscriptError("manuscript file not found", path) from None
    except IsADirectoryError:
        raise ManuscriptError("is a directory, not a manuscript file", path) from None
    except UnicodeDecodeError as exc:
        raise ManuscriptError(f"not UTF-8 text (byte {exc.start})", path) from None
