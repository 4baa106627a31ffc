"""BibTeX text -> blocks (entries, @string macros, unreadable blocks), entry by entry.

    split_blocks(text) -> [Block]   what bibtexparser 2's splitter finds, with `%` comments blanked

bibtexparser's splitter is the parser of record (galleyproof.bib.bibtex says why), but it walks the
file one delimiter at a time in Python: 1 s of a 10,000-entry file. Two observations make most of
that unnecessary without changing a single result:

1. A line that starts with `@type{` (only blanks before it) starts a block whatever came before:
   bibtexparser aborts any unfinished block there, and galleyproof's comment blanking
   (`blank_comments`) resets its own state there too. So the file is cut into chunks at those lines,
   and each chunk is read on its own, with the next chunk's opening (`@type{`) appended so that an
   unfinished block ends with the same message and text as in the whole file.
2. Most chunks are one plain entry: `@type{key,` then `name = value` pairs whose values are braced
   (nested a few levels), quoted, or bare words, closed by `}`. One regular expression per field
   reads such a chunk exactly as the splitter would (the same delimiter rules: a brace or quote
   after a backslash is text, `{"}` inside quotes is a quote character). Any chunk it does not
   accept (a `(`-delimited block, @string, @comment, a brace nested deeper, a stray `@type{` inside,
   a syntax error) goes to bibtexparser's splitter itself.

tests/test_bib_blocks.py holds this to bibtexparser on the real bibliographies and on generated
BibTeX soup: the same blocks, lines and failure messages.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, ParsingFailedBlock
from bibtexparser.model import Entry as ParsedEntry
from bibtexparser.model import String as ParsedString
from bibtexparser.splitter import Splitter

# bibtexparser logs each failed block; we report it as a finding instead (library code prints nothing).
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())
logging.getLogger("bibtexparser").propagate = False

# Where a chunk starts: a block start at the start of a line, in the form that both bibtexparser
# (`@\w*[ \t]*` before `{` or `(`) and blank_comments (`@[A-Za-z]+`) take for one.
CHUNK_START = re.compile(r"^[ \t]*@[A-Za-z]+[ \t]*[{(]", re.MULTILINE)
# bibtexparser's own block-start mark (splitter._BLOCK_START), anywhere in a line.
_ANY_BLOCK_START = re.compile(r"@\w*[ \t]*[{(]")
# Tokens that matter for telling a comment from a value: escapes, braces, quotes, `%` to the end of
# the line, and an `@type{` at the start of a line (which resets the count after an unclosed brace).
_COMMENT_TOKENS = re.compile(r"\\.|[{}\"]|%[^\n]*|^[ \t]*@[A-Za-z]+[ \t]*[{(]", re.MULTILINE)
_NOT_ENTRIES = ("comment", "preamble", "string")


def _braced(depth: int) -> str:
    """A `{...}` group nested up to `depth` levels; a brace after a backslash is text, as in the splitter."""
    inner = ""
    for _ in range(depth):
        nested = f"|{inner}" if inner else ""
        inner = r"(?<!\\)\{[^{}]*+(?:(?:(?<=\\)[{}]" + nested + r")[^{}]*+)*+(?<!\\)\}"
    return inner


_BRACED = _braced(6)
# Inside quotes braces do not count; a quote after a backslash, or written `{"}`, is text.
_QUOTED = r'(?<!\\)"[^"]*+(?:(?:(?<=\\)"|(?<=\{)"(?=\}))[^"]*+)*+(?:(?<![\\{])"|(?<=\{)"(?!\}))'
_VALUE = r'[^{}",]*+(?:(?:(?<=\\)[{}",]|' + _BRACED + "|" + _QUOTED + r')[^{}",]*+)*+'
# `name = value` then the `,` that ends it or (left unread) the `}` that ends the entry.
_FIELD_PATTERN = r'([^{}",=\\]*+)=(' + _VALUE + r')(?:,|(?=\}))'
_FIELD = re.compile(_FIELD_PATTERN)
_HEADER_PATTERN = r'[ \t]*@([A-Za-z]+)[ \t]*\{([^{}",=\\]*+),'
# A whole plain entry in one match (the fields are then listed by _FIELD.findall within it).
_ENTRY = re.compile(_HEADER_PATTERN + "(?:" + _FIELD_PATTERN + r")*+\s*+\}")


@dataclass(frozen=True)
class Block:
    """One block as the reader needs it. kind: "entry" (fields as (name, raw value) pairs), "string"
    (fields: one (name, raw value) pair) or "failed" (reason and raw text of an unreadable block)."""

    kind: str
    line: int  # 1-based line of the block's `@`
    entry_type: str = ""
    key: str = ""
    fields: tuple[tuple[str, str], ...] = ()
    reason: str = ""
    raw: str = ""


def blank_comments(text: str) -> str:
    """`%` comments removed wherever they are not inside a field value (line breaks kept)."""
    if "%" not in text:
        return text
    pieces, position, depth, quoted = [], 0, 0, False
    for match in _COMMENT_TOKENS.finditer(text):
        token = match.group(0)
        if token.startswith("%"):
            if depth == 0 or (depth == 1 and not quoted):
                pieces.append(text[position:match.start()])
                position = match.end()
        elif token == "{":
            depth += 1
        elif token == "}":
            depth = max(depth - 1, 0)
        elif token == '"':
            quoted = not quoted if depth == 1 else quoted
        elif token.lstrip().startswith("@"):
            depth, quoted = 1 if token.rstrip().endswith("{") else 0, False
    pieces.append(text[position:])
    return "".join(pieces)


def counted_lines(text: str) -> int:
    """Line breaks as bibtexparser counts them: a newline right after a backslash is not one (its
    delimiter pattern skips escaped characters), so lines after such a line are numbered one less."""
    return text.count("\n") - text.count("\\\n")


def chunks(text: str) -> list[tuple[int, str, str]]:
    """(0-based line of the chunk's first line as bibtexparser counts it, chunk text, the next
    chunk's opening or '')."""
    starts = [m.start() for m in CHUNK_START.finditer(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    out, line = [], 0
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(text)
        chunk = text[start:end]
        following = ""
        if end < len(text):
            match = CHUNK_START.match(text, end)
            following = match.group(0) if match else ""
        out.append((line, chunk, following))
        line += counted_lines(chunk)
    return out


def _fast(chunk: str) -> tuple[str, str, tuple[tuple[str, str], ...]] | None:
    """(type, key, fields) of a chunk that is one plain entry; None for anything else."""
    entry = _ENTRY.match(chunk)
    if entry is None or entry.group(1).lower().startswith(_NOT_ENTRIES):
        return None
    if _ANY_BLOCK_START.search(chunk, entry.start(1)):
        return None  # another block starts inside this chunk: the splitter decides
    # The entry matched field after field from the header on, so the fields found one after another
    # from there up to its closing brace are exactly those.
    header_end = chunk.index(",", entry.end(2))
    fields = tuple((name.strip(), value.strip()) for name, value in _FIELD.findall(chunk, header_end + 1, entry.end()))
    return entry.group(1).lower(), entry.group(2).strip(), fields


def _slow(chunk: str, following: str, line: int) -> list[Block]:
    """bibtexparser's splitter on one chunk (plus the next chunk's opening, whose block is dropped)."""
    library = Splitter(chunk + following).split()
    cut = counted_lines(chunk)  # the appended opening starts on this (0-based) line
    found = []
    for parsed in library.blocks:
        start = parsed.start_line or 0
        if following and start >= cut:
            continue
        block = parsed.ignore_error_block if isinstance(parsed, (DuplicateFieldKeyBlock, DuplicateBlockKeyBlock)) \
            else parsed
        if isinstance(block, ParsedEntry):
            found.append(Block("entry", line + start + 1, block.entry_type.lower(), block.key,
                               tuple((f.key, str(f.value)) for f in block.fields)))
        elif isinstance(block, ParsedString):
            found.append(Block("string", line + start + 1, key=block.key, fields=((block.key, str(block.value)),)))
        elif isinstance(block, ParsingFailedBlock):
            reason = " ".join(str(getattr(block.error, "abort_reason", "") or "").split()).rstrip(".")
            found.append(Block("failed", line + start + 1, reason=reason, raw=block.raw or ""))
    return found


@lru_cache(maxsize=65536)
def _chunk_blocks(chunk: str, following: str) -> tuple[Block, ...]:
    """A chunk's blocks with lines counted from the chunk's first line (0-based offset 0)."""
    blanked = blank_comments(chunk)
    fast = _fast(blanked)
    if fast is not None:
        return (Block("entry", 1, fast[0], fast[1], fast[2]),)
    return tuple(_slow(blanked, following, 0))


def chunk_blocks(line: int, chunk: str, following: str) -> list[Block]:
    """The blocks of one chunk (see `chunks`) that starts on 0-based `line`, lines counted in the file."""
    found = _chunk_blocks(chunk, following)
    if line == 0:
        return list(found)
    return [Block(b.kind, b.line + line, b.entry_type, b.key, b.fields, b.reason, b.raw) for b in found]


def split_blocks(text: str) -> list[Block]:
    """Every block of `text` in file order, as bibtexparser's splitter reads `blank_comments(text)`."""
    return [block for line, chunk, following in chunks(text) for block in chunk_blocks(line, chunk, following)]
