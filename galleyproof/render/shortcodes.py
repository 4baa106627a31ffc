"""Quarto shortcodes and inline code in a document's lines, before pandoc sees them.

Shortcodes are `{{< name args >}}` (https://quarto.org/docs/extensions/shortcodes.html). The engine
knows `include` (https://quarto.org/docs/authoring/includes.html: the file's text in place, before
anything runs, its path relative to the including file), `embed`
(https://quarto.org/docs/authoring/notebook-embed.html: the outputs of a notebook cell, by `file#label`),
`meta`, `var` (`_variables.yml`), `env` and `pagebreak`. Any other shortcode is left as written and
reported with its file and line. `{{{< x >}}}` escapes a shortcode and prints it as `{{< x >}}`.
Inline code `` `{python} expr` `` (https://quarto.org/docs/computations/inline-code.html) is found
here and evaluated in the document's kernel by the engine. None of this applies inside code blocks.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from galleyproof.errors import ManuscriptError
from galleyproof.manuscript.qmd import source_text

SHORTCODE = re.compile(r"(?<!\{)\{\{<\s*([\w-]+)((?:[^>]|>(?!\}\}))*?)\s*>\}\}(?!\})")
ESCAPED = re.compile(r"\{(\{\{<.*?>\}\})\}")
INLINE = re.compile(r"`\{(\w+)\}\s+([^`]+)`")
KNITR_INLINE = re.compile(r"`r\s+[^`]+`")  # knitr's inline R, `r expr` (https://quarto.org/docs/computations/r.html)
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
PAGEBREAK = {"html": '<div style="page-break-after: always;"></div>', "typst": "#pagebreak()",
             "openxml": '<w:p><w:r><w:br w:type="page"/></w:r></w:p>', "latex": "\\newpage{}"}
HANDLED = ("include", "embed", "meta", "var", "env", "pagebreak")


@dataclass(frozen=True)
class Embed:
    """`{{< embed notebook#label >}}` at `line` of `file`."""

    notebook: Path
    label: str
    options: dict[str, str]
    file: str
    line: int


@dataclass(frozen=True)
class InlineCode:
    language: str
    code: str
    line: int  # 1-based
    span: tuple[int, int]


@dataclass
class Scan:
    embeds: list[Embed] = field(default_factory=list)
    inline: list[InlineCode] = field(default_factory=list)
    unknown: list[tuple[str, int, str]] = field(default_factory=list)  # (file, line, shortcode)
    knitr_inline: list[int] = field(default_factory=list)  # lines with `r expr`


def prose_lines(lines: list[str], start: int = 0) -> Iterator[int]:
    """Indices of lines outside fenced code blocks, from `start`."""
    fence = ""
    for index in range(start, len(lines)):
        match = _FENCE.match(lines[index])
        if fence:
            if match and lines[index].strip().startswith(fence) and not lines[index].strip().strip(fence[0]):
                fence = ""
            continue
        if match:
            fence = match.group(1)
            continue
        yield index


def expand_includes(text: str, path: Path, root: Path, name: str, depth: int = 0) -> str:
    """Each `{{< include file >}}` line replaced by that file's text (includes nest, to a depth of 10)."""
    if "{{< include" not in text:
        return text
    lines = text.splitlines()
    for index in reversed(list(prose_lines(lines))):
        match = SHORTCODE.fullmatch(lines[index].strip())
        if not match or match.group(1) != "include":
            continue
        target_name = _arguments(match.group(2))[0][0] if _arguments(match.group(2))[0] else ""
        target = (path.parent / target_name).resolve() if not target_name.startswith("/") else \
            (root / target_name.lstrip("/")).resolve()
        if not target_name or not target.is_file():
            raise ManuscriptError(f"{{{{< include >}}}} names {target_name or 'no file'}, which does not exist",
                                  name, index + 1)
        if depth >= 10:
            raise ManuscriptError("includes nest more than 10 deep (does a file include itself?)", name, index + 1)
        included = source_text(target, str(target))
        if included.startswith("---"):
            from galleyproof.manuscript.qmd import front_matter

            body_start = front_matter(included.splitlines(), str(target))[1]
            included = "\n".join(included.splitlines()[body_start:])
        lines[index] = expand_includes(included.rstrip("\n"), target, root, str(target), depth + 1)
    return "\n".join(lines) + ("\n" if text.endswith("\n") else "")


def scan(lines: list[str], start: int, path: Path, root: Path, name: str) -> Scan:
    """Embeds, inline code and unknown shortcodes in the prose of `lines`."""
    found = Scan()
    for index in prose_lines(lines, start):
        line = lines[index]
        if KNITR_INLINE.search(line):
            found.knitr_inline.append(index + 1)
        for match in INLINE.finditer(line):
            found.inline.append(InlineCode(match.group(1).lower(), match.group(2).strip(), index + 1, match.span()))
        for match in SHORTCODE.finditer(line):
            kind = match.group(1)
            if kind == "embed":
                found.embeds.append(_embed(match.group(2), path, root, name, index + 1))
            elif kind not in HANDLED:
                found.unknown.append((name, index + 1, match.group(0)))
    return found


def _embed(args: str, path: Path, root: Path, name: str, line: int) -> Embed:
    positional, options = _arguments(args)
    if not positional or "#" not in positional[0]:
        raise ManuscriptError("{{< embed >}} needs a notebook and a cell label, as in "
                              "{{< embed notebook.ipynb#fig-x >}}", name, line)
    target, label = positional[0].split("#", 1)
    notebook = (root / target.lstrip("/")).resolve() if target.startswith("/") else (path.parent / target).resolve()
    if not notebook.is_file():
        raise ManuscriptError(f"{{{{< embed >}}}} names {target}, which does not exist", name, line)
    return Embed(notebook, label, options, name, line)


def _arguments(text: str) -> tuple[list[str], dict[str, str]]:
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    positional = [w for w in words if "=" not in w]
    options = dict(w.split("=", 1) for w in words if "=" in w)
    return positional, options


def substitute(lines: list[str], start: int, meta: dict[str, Any], variables: dict[str, Any],
               embedded: Callable[[int], str | None]) -> list[str]:
    """Lines with `meta`, `var`, `env`, `pagebreak` and embeds (by line, from `embedded`) replaced."""
    out = list(lines)
    for index in prose_lines(lines, start):
        line = lines[index]
        if "{{" not in line:
            continue
        stripped = SHORTCODE.fullmatch(line.strip())
        if stripped and stripped.group(1) == "embed":
            out[index] = embedded(index + 1) or ""
            continue
        if stripped and stripped.group(1) == "pagebreak":
            out[index] = "\n".join(f"```{{={fmt}}}\n{raw}\n```" for fmt, raw in PAGEBREAK.items())
            continue
        line = SHORTCODE.sub(lambda m: _value(m, meta, variables), line)
        out[index] = ESCAPED.sub(r"\1", line)
    return out


def _value(match: re.Match, meta: dict[str, Any], variables: dict[str, Any]) -> str:
    kind, args = match.group(1), _arguments(match.group(2))[0]
    key = args[0] if args else ""
    if kind == "meta":
        return stringify(lookup(meta, key))
    if kind == "var":
        return stringify(lookup(variables, key))
    if kind == "env":
        return os.environ.get(key, "")
    return match.group(0)


def lookup(data: Any, dotted: str) -> Any:
    node = data
    for part in dotted.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return ""
    return node


def stringify(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(stringify(v) for v in value)
    if isinstance(value, dict):
        return stringify(value.get("name") or value.get("literal") or "")
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)
