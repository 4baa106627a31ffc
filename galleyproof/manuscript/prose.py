"""The prose of a Markdown manuscript as pandoc reads it, every character tied to its source line.

pandoc's CommonMark reader with the `sourcepos` extension wraps each inline in a Span carrying
`data-pos="line:col-line:col"` (pandoc manual, "Extension: sourcepos"), so a word in the sixth line of
a paragraph is reported at that line, not at the paragraph's first. `commonmark_x` has the extensions a
Manubot or Quarto manuscript uses (attributes, pipe tables, footnotes, fenced divs, `$` math, YAML
front matter); pandoc's own `markdown` reader has no source positions. Citations (`[@key]`) are not a
CommonMark extension, so they stay in the text as written, which is what the citation readers expect.

What is never prose: code, math, raw HTML/TeX, link targets, bare URLs, attributes (`{width="90%"}`),
image sources. Tables, captions (image alt text, `Table:`/`Figure N.` paragraphs, figure divs),
list items, block quotes and footnotes become units of their own kind, so rules can tell a legend or a
table cell from running prose.

This module reads one text (`read_prose`, counted in galleyproof.parses as "prose:<file>");
manuscript.book reads a project's chapters through it once and keeps the result in the build cache by
the text's hash, so an unchanged chapter never starts pandoc again. The claim checker only consumes
the units.
"""

from __future__ import annotations

import bisect
import json
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from galleyproof import parses
from galleyproof.errors import ManuscriptError
from galleyproof.manuscript.qmd import split_heading
from galleyproof.tools import pandoc_path

FORMAT_VERSION = 1  # of the units' JSON form (to_json/from_json): a change invalidates the cached readings

_POS = re.compile(r"(\d+):\d+-(\d+):\d+")
# sourcepos wraps every word and space in a Span of its own, which makes the JSON six times the size of
# the AST it carries. A wrapper around one Str or Space is rewritten as that inline with its line in
# "l" before the JSON is parsed: a fifth of the text to decode and a flat walk (the pattern is linear,
# its string match possessive).
_WRAPPED = re.compile(r'\{"t":"Span","c":\[\["",\[\],\[\["wrapper","1"\],'
                      r'\["data-pos","(?:[^"@]*+@)?(\d+):[^"]*+"\]\]\],\[(\{"t":"(?:Str","c":"(?:[^"\\]|\\.)*+"|Space"|SoftBreak"|LineBreak")\})\]\]\}')
_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]{1,15}://|www\.|mailto:|doi:)", re.IGNORECASE)
_CAPTION_START = re.compile(r"^(?::|Table:|(?:Figure|Fig\.|Table|Supplementary (?:Figure|Table))\s+S?\d+[.:|])")
_SHORTCODE = re.compile(r"^\{\{<.*>\}\}$")
_INLINE_SKIP = {"Code", "Math", "RawInline"}
_INLINE_WRAP = {"Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps"}


@dataclass
class Unit:
    """One block of prose: a paragraph, list item, table cell, caption, quotation or footnote."""

    kind: str  # paragraph | list_item | table_cell | caption | quote | footnote | definition
    text: str
    file: str
    breaks: list[tuple[int, int]]  # (offset in text, source line) where the line changes
    sections: tuple[str, ...]  # labels of the enclosing headings, outermost first
    section_ids: tuple[str, ...] = ()
    group: int = 0  # units of one list, table or legend series share a group

    @property
    def section(self) -> str:
        return self.sections[-1] if self.sections else ""

    @property
    def line(self) -> int:
        return self.breaks[0][1] if self.breaks else 0

    @property
    def end_line(self) -> int:
        return max((line for _, line in self.breaks), default=0)

    def line_at(self, offset: int) -> int:
        """The source line of the character at `offset`."""
        if not self.breaks:
            return 0
        index = bisect.bisect_right(self.breaks, (offset, float("inf"))) - 1
        return self.breaks[max(index, 0)][1]


@dataclass
class _Builder:
    parts: list[str] = field(default_factory=list)
    breaks: list[tuple[int, int]] = field(default_factory=list)
    size: int = 0

    def add(self, text: str, line: int) -> None:
        if not text:
            return
        if line and (not self.breaks or self.breaks[-1][1] != line):
            self.breaks.append((self.size, line))
        self.parts.append(text)
        self.size += len(text)

    def space(self) -> None:
        if self.parts and not self.parts[-1].endswith(" "):
            self.parts.append(" ")
            self.size += 1

    def finish(self) -> tuple[str, list[tuple[int, int]]]:
        raw = "".join(self.parts)
        text = raw.rstrip()
        lead = len(text) - len(text.lstrip())
        breaks = [(max(0, o - lead), line) for o, line in self.breaks if o - lead < len(text.strip()) or o == 0]
        return text.strip(), breaks or self.breaks[:1]


def _content(node: dict) -> Any:
    return node.get("c")


def _pos_line(attr) -> int:
    for key, value in attr[2]:
        if key == "data-pos":
            match = _POS.search(value)
            if match:
                return int(match.group(1))
    return 0


class _Walker:
    def __init__(self, file: str):
        self.file = file
        self.units: list[Unit] = []
        self.headings: list[tuple[int, str, str]] = []  # (level, label, id) of the open headings
        self.group = 0
        self.pending: list[Unit] = []  # captions and notes found inside the current block

    # inlines -------------------------------------------------------------------------------------
    def inlines(self, items: list, out: _Builder, line: int) -> None:
        for item in items:
            kind, content = item.get("t"), _content(item)
            if kind == "Str":
                out.add(content, item.get("l", line))
            elif kind in ("Space", "SoftBreak", "LineBreak"):
                out.space()
            elif kind == "Span":
                self.inlines(content[1], out, _pos_line(content[0]) or line)
            elif kind in _INLINE_WRAP:
                self.inlines(content, out, line)
            elif kind == "Quoted":
                mark = '"' if content[0]["t"] == "DoubleQuote" else "'"
                out.add(mark, line)
                self.inlines(content[1], out, line)
                out.add(mark, line)
            elif kind == "Link":
                self.link(content, out, line)
            elif kind == "Image":
                self.image(content, line)
            elif kind == "Note":
                self.note(content)
            elif kind in _INLINE_SKIP:
                out.space()
            elif kind == "Cite":
                self.inlines(content[1], out, line)

    def link(self, content, out: _Builder, line: int) -> None:
        line = _pos_line(content[0]) or line
        saved, inner = self.pending, _Builder()
        self.inlines(content[1], inner, line)
        self.pending = saved  # the dry run only tells an address from words
        text, _ = inner.finish()
        if _URL.match(text) or text == content[2][0]:
            out.space()  # a bare URL or autolink is an address, not words
        else:
            self.inlines(content[1], out, line)

    def image(self, content, line: int) -> None:
        caption = _Builder()
        self.inlines(content[1], caption, _pos_line(content[0]) or line)
        self.emit("caption", caption, pending=True)

    def note(self, blocks: list) -> None:
        saved, start = self.pending, len(self.units)
        self.pending = []
        self.blocks(blocks, "footnote")
        notes = self.units[start:]
        del self.units[start:]
        self.pending = saved + notes + self.pending  # after the paragraph that calls the note

    # blocks --------------------------------------------------------------------------------------
    def emit(self, kind: str, builder: _Builder, pending: bool = False) -> None:
        text, breaks = builder.finish()
        if not text or _SHORTCODE.match(text):
            return
        if kind == "paragraph" and _CAPTION_START.match(text):
            kind = "caption"
        unit = Unit(kind, text, self.file, breaks, tuple(h[1] for h in self.headings),
                    tuple(h[2] for h in self.headings), self.group)
        (self.pending if pending else self.units).append(unit)

    def flush_pending(self) -> None:
        self.units += self.pending
        self.pending = []

    def blocks(self, items: list, kind: str = "paragraph") -> None:
        for item in items:
            self.block(item, kind)

    def block(self, item: dict, kind: str) -> None:
        t, c = item.get("t"), _content(item)
        if t in ("Para", "Plain"):
            builder = _Builder()
            self.inlines(c, builder, 0)
            self.emit(kind, builder)
            self.flush_pending()
        elif t == "LineBlock":
            builder = _Builder()
            for line in c:
                self.inlines(line, builder, 0)
                builder.space()
            self.emit(kind, builder)
            self.flush_pending()
        elif t == "Header":
            self.header(c)
        elif t == "BlockQuote":
            self.blocks(c, "quote" if kind == "paragraph" else kind)
        elif t in ("BulletList", "OrderedList"):
            self.group += 1
            for entry in (c if t == "BulletList" else c[1]):
                self.blocks(entry, "list_item" if kind == "paragraph" else kind)
            self.group += 1
        elif t == "DefinitionList":
            self.group += 1
            for term, definitions in c:
                builder = _Builder()
                self.inlines(term, builder, 0)
                self.emit("definition", builder)
                for definition in definitions:
                    self.blocks(definition, "definition")
            self.group += 1
        elif t == "Div":
            self.div(c, kind)
        elif t == "Table":
            self.table(c)
        elif t == "Figure":
            self.blocks(c[1][1], "caption")
            self.blocks(c[2], kind)

    def header(self, content) -> None:
        level, attr, inlines = content
        builder = _Builder()
        self.inlines(inlines, builder, 0)
        text, _ = builder.finish()
        number, title = split_heading(text)
        while self.headings and self.headings[-1][0] >= level:
            self.headings.pop()
        self.headings.append((level, f"{number} {title}".strip(), attr[0]))
        self.group += 1
        self.pending = []

    def div(self, content, kind: str) -> None:
        attr, body = content
        ident, classes = attr[0], attr[1]
        if ident.startswith(("fig", "tbl")) or "figure" in classes:
            self.group += 1
            self.blocks(body, "caption")
            self.group += 1
        elif "cell" in classes or "hidden" in classes:
            return  # executed-code output, not the author's prose
        else:
            self.blocks(body, kind)

    def table(self, content) -> None:
        self.group += 1
        caption = content[1][1]
        self.blocks(caption, "caption")
        head, bodies, foot = content[3], content[4], content[5]
        rows = list(head[1]) + [row for body in bodies for row in body[2] + body[3]] + list(foot[1])
        for row in rows:
            for cell in row[1]:
                self.blocks(cell[4], "table_cell")
        self.group += 1


@dataclass(frozen=True)
class Prose:
    """One file's prose units in reading order, and its front matter as pandoc JSON metadata."""

    units: tuple[Unit, ...]
    metadata: dict

    def to_json(self) -> dict:
        """The units without their file name: a cached reading is keyed on the text alone."""
        return {"version": FORMAT_VERSION, "metadata": self.metadata,
                "units": [[u.kind, u.text, u.breaks, u.sections, u.section_ids, u.group] for u in self.units]}

    @classmethod
    def from_json(cls, data: dict, file: str) -> Prose:
        if data.get("version") != FORMAT_VERSION:
            raise ValueError("another version of the prose cache")
        units = tuple(Unit(kind, text, file, [(int(o), int(n)) for o, n in breaks], tuple(sections),
                           tuple(ids), int(group))
                      for kind, text, breaks, sections, ids, group in data["units"])
        return cls(units, dict(data.get("metadata") or {}))


def pandoc_ast(text: str, source: str = "") -> dict:
    """pandoc's JSON AST of CommonMark (with pandoc's extensions) text, with source positions."""
    try:
        done = subprocess.run([pandoc_path(), "-f", "commonmark_x+sourcepos", "-t", "json"],
                              input=text.encode("utf-8"), capture_output=True, check=False, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ManuscriptError(f"pandoc could not read the manuscript ({exc})", source or None) from None
    if done.returncode:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ManuscriptError(f"pandoc could not read the manuscript: {message[-1] if message else ''}",
                              source or None)
    flat = _WRAPPED.sub(lambda m: m.group(2)[:-1] + ',"l":' + m.group(1) + "}", done.stdout.decode("utf-8"))
    return json.loads(flat)


def units_of(ast: dict, file: str) -> Prose:
    """The prose units of a pandoc JSON AST (from `pandoc_ast`), each tied to `file`."""
    walker = _Walker(file)
    walker.blocks(ast.get("blocks", []))
    walker.flush_pending()
    return Prose(tuple(walker.units), ast.get("meta", {}))


def read_prose(text: str, file: str) -> Prose:
    """One pandoc reading of a file's text: the only place prose is read (counted per file)."""
    parses.record("prose", file)
    return units_of(pandoc_ast(text, file), file)


def read_texts(texts: dict[str, str]) -> dict[str, Prose]:
    """Each file's prose, the pandoc processes run side by side (no cache: manuscript.book keeps one)."""
    if len(texts) < 2:
        return {file: read_prose(text, file) for file, text in texts.items()}
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(texts, pool.map(read_prose, texts.values(), texts.keys())))


def meta_text(value) -> str:
    """Plain text of a pandoc metadata value (MetaInlines / MetaBlocks / MetaString)."""
    builder = _Builder()
    walker = _Walker("")

    def visit(node) -> None:
        if isinstance(node, dict):
            t, c = node.get("t"), _content(node)
            if t == "MetaString":
                builder.add(c, 0)
            elif t == "MetaInlines":
                walker.inlines(c, builder, 0)
            elif t == "MetaBlocks":
                for block in c:
                    if block.get("t") in ("Para", "Plain"):
                        walker.inlines(block["c"], builder, 0)
                        builder.space()
            elif t == "MetaList":
                for part in c:
                    visit(part)
    visit(value)
    return builder.finish()[0]
