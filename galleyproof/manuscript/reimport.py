"""Importing an updated draft into a project made by an earlier import.

Three things make a re-import safe and legible:
- `ImportRecord`: what the last import wrote (a hash per file, in `.galleyproof-cache/import.json`).
  A file still as the import left it may be replaced by the new draft's text; a file edited since is
  the author's and is never overwritten without `--force`. With no record (a fresh clone), every
  changed file counts as edited.
- `chapter_changes`: chapters added, removed and renamed between the old `book.chapters` and the new
  one; a rename is a chapter whose file name changed but whose heading or text is the old one's.
- `update_chapters`: the new chapter list written into an existing `_quarto.yml` in place, leaving
  every other line (comments, formats, hand edits) as it was (Quarto books list chapters under
  `book: chapters:`, https://quarto.org/docs/books/book-structure.html).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

from galleyproof import safe_yaml
from galleyproof.fileio import atomic_write_text, sha256_text
from galleyproof.manuscript import numbering
from galleyproof.paths import BUILD_CACHE

RECORD = Path(BUILD_CACHE) / "import.json"
SAME_TEXT = 60  # rapidfuzz ratio (0-100) above which a removed and an added chapter are one, renamed
_NUMBERED = re.compile(r"^(?P<dir>.*/)?(?P<number>\d+)-(?P<slug>.+)\.qmd$")


@dataclass
class ImportRecord:
    """Relative path -> sha256 of the text the last import wrote there."""

    hashes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, into: Path) -> ImportRecord:
        try:
            data = json.loads((into / RECORD).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        hashes = data.get("files") if isinstance(data, dict) else None
        return cls({str(k): str(v) for k, v in hashes.items()} if isinstance(hashes, dict) else {})

    def untouched(self, name: str, text: str) -> bool:
        """`text` (what is on disk now) is exactly what the last import wrote to `name`."""
        return self.hashes.get(name) == sha256_text(text)

    def save(self, into: Path, files: dict[str, str]) -> None:
        self.hashes.update({name: sha256_text(text) for name, text in files.items()})
        atomic_write_text(into / RECORD, json.dumps({"files": dict(sorted(self.hashes.items()))}, indent=1) + "\n")


@dataclass
class ChapterChanges:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (old, new)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.renamed)

    def as_dict(self) -> dict:
        return {"added": self.added, "removed": self.removed,
                "renamed": [{"from": old, "to": new} for old, new in self.renamed]}

    def describe(self) -> str:
        """'added chapters/03-x.qmd; renamed chapters/02-a.qmd -> chapters/02-b.qmd' ('' when none)."""
        parts = ([f"added {', '.join(self.added)}"] if self.added else []) + \
                ([f"removed {', '.join(self.removed)}"] if self.removed else []) + \
                [f"renamed {old} -> {new}" for old, new in self.renamed]
        return "; ".join(parts)


def chapter_changes(old: list[str], new: list[str], old_texts: dict[str, str],
                    new_texts: dict[str, str]) -> ChapterChanges:
    """Compare two chapter lists. A removed and an added chapter are one renamed chapter when their
    slugs match (the number moved), else when one title's words contain the other's, or their texts
    are alike."""
    added = [n for n in new if n not in old]
    removed = [o for o in old if o not in new]
    changes = ChapterChanges()
    for name in list(removed):
        match = _counterpart(name, added, old_texts.get(name, ""), new_texts)
        if match:
            changes.renamed.append((name, match))
            removed.remove(name)
            added.remove(match)
    changes.added, changes.removed = added, removed
    return changes


def _counterpart(old: str, added: list[str], old_text: str, new_texts: dict[str, str]) -> str | None:
    slug = _NUMBERED.match(old)
    for name in added:
        other = _NUMBERED.match(name)
        if slug and other and slug.group("slug") == other.group("slug"):
            return name
    if not old_text:
        return None
    scored = [(max(fuzz.token_set_ratio(_title(old_text), _title(new_texts.get(n, ""))),
                   fuzz.ratio(_body(old_text), _body(new_texts.get(n, "")))), n) for n in added]
    best = max(scored, default=(0.0, ""))
    return best[1] if best[0] >= SAME_TEXT else None


def _title(text: str) -> str:
    """The chapter's heading without its marks, number and id: '# 2. Pathways {#sec-x}' -> 'Pathways'."""
    heading = re.sub(r"\s*\{#[^}]*\}\s*$", "", text.split("\n", 1)[0])
    return numbering.title(re.sub(r"^#*\s*", "", heading))


def _body(text: str) -> str:
    return text.split("\n", 1)[1] if "\n" in text else ""


def config_chapters(text: str) -> list[str] | None:
    """`book.chapters` of a _quarto.yml when it is a plain list of files (None otherwise: no book,
    parts, unreadable YAML), the only shape `update_chapters` rewrites."""
    try:
        config = safe_yaml.load(text)
    except safe_yaml.YAMLLimitError:
        return None
    book = config.get("book") if isinstance(config, dict) else None
    chapters = book.get("chapters") if isinstance(book, dict) else None
    if isinstance(chapters, list) and all(isinstance(c, str) for c in chapters):
        return list(chapters)
    return None


def update_chapters(text: str, chapters: list[str]) -> str | None:
    """`text` with its `book: chapters:` list replaced by `chapters`, every other line unchanged; None
    when the list cannot be found as plain lines (then the caller keeps the file and says so)."""
    lines = text.split("\n")
    book = next((i for i, line in enumerate(lines) if re.match(r"^book:\s*(#.*)?$", line)), None)
    if book is None or config_chapters(text) is None:
        return None
    for index in range(book + 1, len(lines)):
        line = lines[index]
        if line and not line[0].isspace() and not line.startswith("#"):
            return None  # left the book: block without finding its chapters
        key = re.match(r"^(\s+)chapters:\s*(?P<flow>\[.*\])?\s*(#.*)?$", line)
        if not key:
            continue
        indent = key.group(1)
        if key.group("flow"):
            lines[index] = f"{indent}chapters: [{', '.join(chapters)}]"
            end = index + 1
        else:
            end = index + 1
            while end < len(lines) and re.match(rf"^{indent}\s*- ", lines[end]):
                end += 1
            first = re.match(r"^(\s*)- ", lines[index + 1]) if end > index + 1 else None
            item_indent = first.group(1) if first else indent
            lines[index + 1:end] = [f"{item_indent}- {name}" for name in chapters]
        updated = "\n".join(lines)
        return updated if config_chapters(updated) == chapters else None
    return None
