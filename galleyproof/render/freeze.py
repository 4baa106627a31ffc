"""Quarto's freezer: a document's committed execution results in `_freeze/`, used instead of its kernel.

Quarto ("Managing Execution", https://quarto.org/docs/projects/code-execution.html#freeze) writes, for
each source file and output format, `_freeze/<path without suffix>/execute-results/<ext>.json`, where
`<ext>` is the output's extension (html, docx, tex for PDF, xml for JATS, typ): `{"hash": ..., "result":
{"engine", "markdown", "supporting", "filters", "includes"}}`. `markdown` is the document after its
engine ran (cell outputs in place, inline code evaluated, shortcodes still to expand); it refers to its
figures as `<stem>_files/figure-<fmt>/...`, which Quarto copies back from `_freeze/<path>/figure-<fmt>/`
(quarto-cli src/command/render/freeze.ts: `asFreezerDir` drops `_files`). `hash` is the MD5 of the
source file's text with LF line endings (`freezeInputHash`). With `execute: freeze: true` a result is
used whatever the source says; with `freeze: auto` only while the hash matches.

The embedded engine writes every format from one Markdown, so one result serves them all: the HTML
one (PNG figures, HTML tables, which become Markdown tables here as for executed cells) when present.
Quarto's cell wrappers (`::: {.cell}`) are unwrapped, and what Quarto hides (`.hidden`: code of a cell
with `echo: false`, output with `output: false`) is dropped, so the Markdown reads as the engine's own.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from galleyproof import paths
from galleyproof.errors import ManuscriptError, PathError
from galleyproof.render import cells

FREEZE_DIR = "_freeze"
RESULTS_DIR = "execute-results"
# Which format's result to read: the richest static outputs first (quarto-cli names them by extension).
PREFERENCE = ("html", "docx", "typ", "xml", "md", "tex", "ipynb")


@dataclass
class Thawed:
    """A frozen result, ready to stand in for a document's execution."""

    results: str  # the JSON read, relative to the project root
    engine: str  # jupyter | knitr | julia
    current: bool  # made from the source as it is now (the hash matches)
    lines: list[str]  # the Markdown: figures pointing into _freeze, Quarto's cell wrappers unwrapped
    cells: dict[str, tuple[str, str]] = field(default_factory=dict)  # label -> (code, outputs), for embeds
    files: list[str] = field(default_factory=list)  # files it uses (relative): the JSON and the figures
    warnings: list[str] = field(default_factory=list)
    includes: bool = False  # Quarto adds scripts to the page (`includes`) that its interactive outputs need


def policy(defaults: dict[str, Any]) -> bool | str:
    """`execute: freeze`: True (never execute), "auto" (execute when the source changed) or False."""
    value = defaults.get("freeze")
    if value is True or str(value).lower() == "true":
        return True
    return "auto" if str(value).lower() == "auto" else False


def source_hash(path: Path) -> str:
    """What Quarto stores as `hash`: MD5 of the source text with LF line endings."""
    return text_hash(path.read_text(encoding="utf-8"))


def text_hash(text: str) -> str:
    return hashlib.md5(text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")).hexdigest()


def freezer(root: Path, source: Path) -> Path:
    """`_freeze/<source relative to the root, without its suffix>`."""
    relative = source.resolve().relative_to(root.resolve())
    return root / FREEZE_DIR / relative.with_suffix("")


def results_file(root: Path, source: Path) -> Path | None:
    """The frozen result to read for `source`, by PREFERENCE, else any; None when nothing is frozen."""
    folder = freezer(root, source) / RESULTS_DIR
    if not folder.is_dir():
        return None
    found = {p.stem: p for p in folder.glob("*.json") if p.is_file()}
    return next((found[k] for k in PREFERENCE if k in found), next(iter(sorted(found.values())), None))


def unreadable(root: Path, source: Path) -> str:
    """Why the frozen result of `source` cannot be used, when there is one: Quarto warns and executes."""
    path = results_file(root, source)
    if path is None:
        return ""
    try:
        json.loads(path.read_text(encoding="utf-8"))["result"]["markdown"]
        return ""
    except (OSError, ValueError, KeyError, TypeError):
        text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
        conflict = all(m in text for m in ("<<<<<<<", "=======", ">>>>>>>"))
        return (f"{path.relative_to(root).as_posix()}: the frozen result is not readable"
                + (" (it looks like a git merge conflict)" if conflict else "") + "; the cells are executed instead")


def thaw(root: Path, source: Path, html_to_markdown: Callable[[str], str], read: str = "", *,
         current_only: bool = False) -> Thawed | None:
    """The frozen result of `source` as Markdown, or None when there is none. `read`: the source as the
    engine read it (includes expanded); recent Quarto hashes that rather than the file (freeze.ts,
    `freezeInputHash(input, markdown)`), so either counts as unchanged. `current_only` (`freeze: auto`):
    None as well for a result made from another version of the source, before any of it is converted,
    since the cells run instead.

    A result that is not JSON (a merge conflict left in it) is, as in Quarto, no result; the caller
    then executes. A figure it refers to that is missing from `_freeze/` stops the build, naming both.
    """
    path = results_file(root, source)
    if path is None:
        return None
    relative = path.relative_to(root).as_posix()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        result = data["result"]
        markdown = str(result["markdown"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    current = data.get("hash") in {source_hash(source), text_hash(read) if read else None}
    if current_only and not current:
        return None
    thawed = Thawed(relative, str(result.get("engine") or ""), current, [],
                    files=[relative], includes=_has_includes(result.get("includes")))
    markdown = _point_into_freezer(markdown, root, source, thawed, relative)
    html_to_markdown = functools.lru_cache(maxsize=None)(html_to_markdown)  # a table is read once (pandoc)
    blocks = _parse(markdown.splitlines())
    thawed.cells = _cells(blocks, html_to_markdown, thawed)
    thawed.lines = _emit(blocks, html_to_markdown, thawed).splitlines()
    return thawed


def _has_includes(includes: Any) -> bool:
    """knitr writes `[]` for no includes, Quarto `{}`; each value a string or a list (by version)."""
    return isinstance(includes, dict) and any(includes.values())


_IMAGE_SRC = re.compile(r"(?:\]\(|src=[\"'])(" + re.escape(FREEZE_DIR) + r"/[^)\s\"']+)")


def _point_into_freezer(markdown: str, root: Path, source: Path, thawed: Thawed, results: str) -> str:
    """`<stem>_files/...` (relative to the source) becomes `_freeze/<path>/...` (relative to the root)."""
    target = freezer(root, source).relative_to(root).as_posix()
    files = re.compile(r"(?<![\w./-])" + re.escape(source.stem + "_files/"))
    markdown = files.sub(target + "/", markdown)
    for match in _IMAGE_SRC.finditer(markdown):
        figure = match.group(1)
        # The project's path policy (paths.py): a committed result is input like any source, and the
        # figure is copied into the outputs, so `..` or a link out of the project is refused.
        if not paths.is_inside(root / figure, root):
            raise PathError(f"the frozen result {results} shows {figure}, which lies outside the project", results)
        if not (root / figure).is_file():
            raise ManuscriptError(f"the frozen result {results} shows {figure}, which is not in {FREEZE_DIR}/ "
                                  "(commit the figure folders beside execute-results/)", results)
        if figure not in thawed.files:
            thawed.files.append(figure)
    return markdown


_FIGURE = re.compile(r"!\[((?:[^\[\]]|\[[^\]]*\])*)\]\((" + re.escape(FREEZE_DIR) + r"/[^)\s]+)\)(\{[^}\n]*\})?")


def references(markdown: str) -> list[str]:
    """Every file in `_freeze/` the Markdown refers to (images, and `src=` in raw HTML), relative to the root."""
    return list(dict.fromkeys(m.group(1) for m in _IMAGE_SRC.finditer(markdown)))


def figures(markdown: str) -> list[tuple[str, str, str]]:
    """(path relative to the root, caption, `fig-` label) of each frozen figure the Markdown shows: what
    an export packages and checks, as it does the figures of executed cells."""
    found = []
    for match in _FIGURE.finditer(markdown):
        label = re.search(r"#(fig-[^\s}]+)", match.group(3) or "")
        found.append((match.group(2), match.group(1), label.group(1) if label else ""))
    return found


# -- Quarto's cell structure ---------------------------------------------------------------------------

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*(.*)$")
_DIV_OPEN = re.compile(r"^\s*(:{3,})\s*(\{.*\}|[^\s{}:][^{}]*)\s*$")
_DIV_CLOSE = re.compile(r"^\s*:{3,}\s*$")
_CLASS = re.compile(r"(?<=[\s{])\.([\w-]+)")
_ID = re.compile(r"(?<=[\s{])#([^\s}]+)")
_CAPTION = re.compile(r"""\b((?:fig|tbl)-cap)=("[^"]*"|'[^']*')""")
_LABEL_OPTION = re.compile(r"^#\|\s*label:\s*(\S+)\s*$", re.MULTILINE)


@dataclass
class _Block:
    kind: str  # "div" | "fence" | "line"
    opener: str
    body: list[_Block | str] = field(default_factory=list)  # a div's blocks; a fence's lines
    closer: str = ""

    @property
    def attrs(self) -> str:
        match = _DIV_OPEN.match(self.opener) if self.kind == "div" else _FENCE.match(self.opener)
        return match.group(2) if match else ""

    @property
    def classes(self) -> list[str]:
        return _CLASS.findall(" " + self.attrs)

    @property
    def ident(self) -> str:
        found = _ID.findall(" " + self.attrs)
        return found[0] if found else ""


def _parse(lines: list[str]) -> list[_Block | str]:
    """Lines into nested divs and fenced blocks (a fence's lines are never read as divs)."""
    root: list[_Block | str] = []
    stack: list[_Block] = []
    fence: _Block | None = None
    for line in lines:
        into = stack[-1].body if stack else root
        if fence is not None:
            marker = _FENCE.match(fence.opener).group(1)  # type: ignore[union-attr]
            stripped = line.strip()
            if stripped and stripped[0] == marker[0] and set(stripped) == {marker[0]} and len(stripped) >= len(marker):
                fence.closer = line
                fence = None
            else:
                fence.body.append(line)
            continue
        if _FENCE.match(line):
            fence = _Block("fence", line)
            into.append(fence)
        elif _DIV_CLOSE.match(line) and stack:
            stack.pop().closer = line
        elif _DIV_OPEN.match(line) and not _DIV_CLOSE.match(line):
            block = _Block("div", line)
            into.append(block)
            stack.append(block)
        else:
            into.append(line)
    return root


def _emit(blocks: list[_Block | str], html_to_markdown: Callable[[str], str], thawed: Thawed,
          parent: _Block | None = None) -> str:
    out: list[str] = []
    for block in blocks:
        if isinstance(block, str):
            out.append(block)
        elif "hidden" in block.classes:
            continue  # Quarto drops what a cell hides (echo: false, output: false)
        elif block.kind == "fence":
            out.append(_fence(block, html_to_markdown, thawed))
        elif "cell" in block.classes:
            out.append(_cell(block, html_to_markdown, thawed))
        elif parent is not None and "cell-output-display" in block.classes and \
                parent.ident.startswith(("fig-", "tbl-")):
            out.append(_emit(block.body, html_to_markdown, thawed, block))  # the table is the labelled div's own
        else:
            out += [block.opener, _emit(block.body, html_to_markdown, thawed, block), block.closer or ":::"]
    return "\n".join(out)


def _cell(block: _Block, html_to_markdown: Callable[[str], str], thawed: Thawed) -> str:
    """A cell's contents without its wrapper; a cell labelled `fig-`/`tbl-` (knitr, Quarto 1.4+) keeps a div
    with its label and caption, which xref.lua numbers as it does an author's figure div."""
    inner = _emit(block.body, html_to_markdown, thawed, block)
    ident = block.ident
    if not ident.startswith(("fig-", "tbl-")) or re.search(r"\{[^{}\n]*#" + re.escape(ident) + r"[\s}]", inner):
        return inner  # not labelled, or its figure or table carries the label itself
    caption = " ".join(f"{k}={v}" for k, v in _CAPTION.findall(block.attrs))
    # knitr labels the panels of a multi-panel figure `<label>-1`, `-2`: parts of this figure, not figures.
    inner = re.sub(r"(\{[^{}\n]*?)#" + re.escape(ident) + r"-\d+(?=[\s}])", r"\1", inner)
    return f"::: {{#{ident}{' ' + caption if caption else ''}}}\n{inner}\n:::"


def _fence(block: _Block, html_to_markdown: Callable[[str], str], thawed: Thawed) -> str:
    text = "\n".join(str(line) for line in block.body)
    marker = _FENCE.match(block.opener).group(1)  # type: ignore[union-attr]
    if block.attrs.replace(" ", "") == "{=html}":
        if "<script" in text:
            # As an executed cell's: in HTML only, a note elsewhere. Scripts Quarto puts in the page header
            # (`includes`) are ones a self-contained, offline page cannot carry.
            return cells.interactive_markdown(text, "interactive", "", thawed.warnings, offline=not thawed.includes)
        if "<table" in text:  # as Quarto reads HTML tables, so they reach DOCX and PDF
            return html_to_markdown(text)
    opener = block.opener if block.attrs.strip() != "{}" else block.opener.replace("{}", "").rstrip()
    return f"{opener}\n{text}\n{block.closer or marker}"


def _cells(blocks: list[_Block | str], html_to_markdown: Callable[[str], str], thawed: Thawed) -> dict:
    """label -> (code, outputs) of each labelled cell, for `{{< embed >}}`."""
    found: dict[str, tuple[str, str]] = {}
    for block in blocks:
        if not isinstance(block, _Block) or block.kind != "div":
            continue
        if "cell" in block.classes:
            label = _cell_label(block)
            if label:
                # The cell's code is its own fenced block; outputs sit in `.cell-output` divs.
                code = [b for b in block.body if isinstance(b, _Block) and b.kind == "fence"]
                rest = [b for b in block.body if not (isinstance(b, _Block) and b in code)]
                shown = [_Block(b.kind, b.opener.replace(".hidden", ""), b.body, b.closer) for b in code]
                found[label] = (_emit(list(shown), html_to_markdown, thawed).strip("\n"),
                                _wrap(block, _emit(rest, html_to_markdown, thawed, block).strip("\n")))
        found.update({k: v for k, v in _cells(block.body, html_to_markdown, thawed).items() if k not in found})
    return found


def _wrap(cell: _Block, outputs: str) -> str:
    if not cell.ident.startswith(("fig-", "tbl-")):
        return outputs
    caption = " ".join(f"{k}={v}" for k, v in _CAPTION.findall(cell.attrs))
    return f"::: {{#{cell.ident}{' ' + caption if caption else ''}}}\n{outputs}\n:::"


def _cell_label(block: _Block) -> str:
    """Jupyter names a labelled cell's div `cell-<label>`; knitr gives it the label; else `#| label:`."""
    ident = block.ident
    if ident.startswith("cell-"):
        return ident[len("cell-"):]
    if ident.startswith(("fig-", "tbl-")):
        return ident
    for child in block.body:
        if isinstance(child, _Block) and child.kind == "fence":
            match = _LABEL_OPTION.search("\n".join(str(line) for line in child.body))
            if match:
                return match.group(1)
    return ""
