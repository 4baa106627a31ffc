"""Read Quarto Markdown (.qmd, and Pandoc Markdown .md) into a Document without executing anything.

Citation syntax follows the pandoc manual ("Citation syntax"): `[@key]`, `[see @a, p. 3; @b]`,
narrative `@key`, suppressed `[-@key]`. Keys start with a letter, digit or `_` and may contain
internal `:.#$%&-+?<>~/`. Quarto cross-references (`@sec-x`, `@fig-x`, `@tbl-x`, ...) share the
syntax and are not citations.
"""

from __future__ import annotations

import re
from pathlib import Path

from galleyproof import parses, safe_yaml
from galleyproof.errors import ManuscriptError
from galleyproof.manuscript import numbering
from galleyproof.manuscript.document import Block, Citation, CodeCell, Document, Heading, read_text
from galleyproof.manuscript.notebook import is_notebook, read_notebook

XREF_PREFIXES = ("sec-", "fig-", "tbl-", "eq-", "lst-", "thm-", "lem-", "cor-", "prp-", "cnj-",
                 "def-", "exm-", "exr-", "sol-", "rem-", "apx-", "nte-", "wrn-", "tip-", "imp-", "cau-")
_KEY = r"[\w][\w:.#$%&\-+?<>~/]*"
_BRACKET = re.compile(r"\[([^\[\]]*+)\]")  # taken whole, keys looked for inside: linear on "[@a @a @a ..."
_KEY_IN_BRACKET = re.compile(r"-?@(" + _KEY + r")")
_NARRATIVE = re.compile(r"(?<![\w@.\[])@(" + _KEY + r")")
_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*(\{?)([^`]*?)\}?\s*$")
# `[^{}]` and the collapsed whitespace (parse_qmd) keep the lazy title from trying quadratically many splits.
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*(?:\{([^{}]*)\})?\s*#*\s*$")
_WHITESPACE = re.compile(r"\s+")
_OPTION = re.compile(r"^#\|\s?(.*)$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")


def _clean_key(key: str) -> str:
    # Internal punctuation is allowed, trailing punctuation is sentence punctuation.
    return key.rstrip(":.#$%&-+?<>~/")


def is_xref(key: str) -> bool:
    return key.startswith(XREF_PREFIXES)


def strip_emphasis(text: str) -> str:
    return re.sub(r"(\*\*|__|\*|_)(.+?)\1", r"\2", text).strip()


def split_heading(raw: str, lone_letters: bool = True) -> tuple[str, str]:
    """'**2-1-3 Theoretical Dimensions:**' -> ('2-1-3', 'Theoretical Dimensions'); what a number is,
    galleyproof.manuscript.numbering says (`lone_letters`: 'A.' or 'IV.' alone, in a Markdown heading)."""
    found, text = numbering.split(strip_emphasis(raw).strip(), lone_letters=lone_letters)
    return found.text if found else "", text.strip().rstrip(":").strip().strip("*").strip()


def citations_in_line(line: str, file: str, number: int, section: str) -> list[Citation]:
    found: list[Citation] = []
    spans: list[tuple[int, int]] = []
    for match in _BRACKET.finditer(line):
        keys = [_clean_key(k) for k in _KEY_IN_BRACKET.findall(match.group(1))]
        keys = [k for k in keys if not is_xref(k)]
        if keys:
            spans.append(match.span())
        found += [Citation(k, file, number, section, match.group(0)) for k in keys]
    for match in _NARRATIVE.finditer(line):
        if any(start <= match.start() < end for start, end in spans):
            continue
        key = _clean_key(match.group(1))
        if not is_xref(key):
            found.append(Citation(key, file, number, section, "@" + key, narrative=True))
    return found


def front_matter(lines: list[str], file: str) -> tuple[dict, int]:
    """Parse a leading `---` YAML block; returns (metadata, index of first body line)."""
    if not lines or lines[0].strip() != "---":
        return {}, 0
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            try:
                data = safe_yaml.load("\n".join(lines[1:index])) or {}
            except safe_yaml.YAMLLimitError as exc:
                raise ManuscriptError(f"invalid YAML front matter: {exc.problem}", file,
                                      exc.line + 2 if exc.line is not None else 1) from None
            if not isinstance(data, dict):
                raise ManuscriptError("front matter must be a YAML mapping", file, 1)
            return data, index + 1
    raise ManuscriptError("front matter opened with '---' is never closed", file, 1)


def _cell(language: str, body: list[str], file: str, fence_line: int) -> CodeCell:
    option_lines = []
    for text in body:
        match = _OPTION.match(text)
        if not match:
            break
        option_lines.append(match.group(1))
    try:
        options = safe_yaml.load("\n".join(option_lines)) or {} if option_lines else {}
    except safe_yaml.YAMLLimitError as exc:
        raise ManuscriptError(f"invalid cell option: {exc.problem}", file,
                              fence_line + 1 + (exc.line or 0)) from None
    source = "\n".join(body[len(option_lines):])
    return CodeCell(language, source, options if isinstance(options, dict) else {}, file, fence_line,
                    fence_line + len(option_lines) + 1)


def parse_qmd(text: str, file: str = "<string>") -> Document:
    parses.record("qmd", file)
    lines = text.splitlines()
    metadata, start = front_matter(lines, file)
    doc = Document(files=[file], metadata=metadata)
    section, section_id = "", ""
    para: list[str] = []
    para_start = 0
    fence: tuple[str, str, int, list[str]] | None = None  # (marker, language, line, body)

    def flush(end: int) -> None:
        nonlocal para
        if para:
            kind = "list_item" if _LIST_ITEM.match(para[0]) else "paragraph"
            doc.blocks.append(Block(kind, " ".join(s.strip() for s in para), file, para_start, end,
                                    section, section_id))
        para = []

    for index in range(start, len(lines)):
        number, line = index + 1, lines[index]
        if fence:
            if line.strip().startswith(fence[0]) and line.strip().strip(fence[0][0]) == "":
                # ```{=html} is a raw block and ```{.python} / ```{#id .python} a display block (a class,
                # not an engine: https://quarto.org/docs/computations/execution-options.html), not cells.
                if fence[1] and not fence[1].startswith(("=", ".", "#")) and "=" not in fence[1]:
                    doc.cells.append(_cell(fence[1], fence[3], file, fence[2]))
                fence = None
            else:
                fence[3].append(line)
            continue
        match = _FENCE.match(line)
        if match:
            flush(number - 1)
            language = match.group(4).split()[0].strip(",") if match.group(3) and match.group(4) else ""
            fence = (match.group(2), language, number, [])
            continue
        heading = _HEADING.match(_WHITESPACE.sub(" ", line)) if line.startswith("#") else None
        if heading:
            flush(number - 1)
            attrs = heading.group(3) or ""
            ident = next((a[1:] for a in attrs.split() if a.startswith("#")), "")
            num, title = split_heading(heading.group(2))
            doc.headings.append(Heading(len(heading.group(1)), title, num, ident, file, number))
            section, section_id = f"{num} {title}".strip(), ident
            continue
        if not line.strip() or line.strip().startswith(":::"):
            flush(number - 1)
            continue
        if _LIST_ITEM.match(line) and para:
            flush(number - 1)
        if not para:
            para_start = number
        para.append(line)
        doc.citations += citations_in_line(line, file, number, section)
    flush(len(lines))
    if fence and fence[1] and not fence[1].startswith("="):
        # CommonMark: a fence left open runs to the end of the document; Quarto renders such files.
        doc.cells.append(_cell(fence[1], fence[3], file, fence[2]))
    return doc


def source_text(path: Path | str, display_name: str | None = None) -> str:
    """A manuscript file as Quarto Markdown: a .qmd/.md as written, a notebook converted (notebook.py)."""
    if is_notebook(path):
        return read_notebook(path, display_name).text
    return read_text(path)


def read_qmd(path: Path | str, display_name: str | None = None) -> Document:
    return parse_qmd(source_text(path, display_name), display_name or str(path))


def read_project_document(project) -> Document:
    """All chapters of a project, in book order, with paths relative to the project root."""
    doc = Document()
    for chapter in project.chapters:
        doc.extend(read_qmd(chapter, project.relative(chapter)))
    return doc
