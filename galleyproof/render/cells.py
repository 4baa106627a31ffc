"""A code cell and its outputs as Pandoc Markdown, honouring Quarto's cell options.

Options and their defaults follow Quarto's execution options
(https://quarto.org/docs/reference/cells/cells-jupyter.html): `label`, `echo` (default true),
`eval` (true), `output` (true; "asis" passes text through as Markdown), `include` (true),
`warning` (true), `fig-cap`, `fig-alt`, `tbl-cap`. Project-wide defaults come from `execute:` in
_quarto.yml and in a chapter's front matter. A `fig-` label goes on the cell's first figure, a
`tbl-` label with `tbl-cap` on the table it prints; xref.lua numbers them.

Rich outputs are taken in Jupyter's order of preference for a static document: image/png, image/jpeg
and image/svg+xml (written as files), text/markdown, text/latex (math), text/html (converted to a
Markdown table by pandoc, so tables reach PDF and DOCX and not only HTML), text/plain. Interactive
outputs (a plotly figure, `application/vnd.plotly.v1+json`, or HTML carrying a script) are kept as raw
HTML for the HTML format only; the other formats get the output's static image when it has one, else a
note, and a warning says so.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from galleyproof.manuscript.document import CodeCell

DEFAULTS: dict[str, Any] = {"echo": True, "eval": True, "output": True, "include": True, "warning": True}
_TABLE_LINE = re.compile(r"^\s*(\|.*\||\+[-=+:]+\+)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Figure:
    path: Path  # the PNG written for the document
    caption: str
    label: str  # "fig-..." or ""


@dataclass
class CellMarkdown:
    markdown: str
    figures: list[Figure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


IMAGES = {"image/png": ".png", "image/jpeg": ".jpg", "image/svg+xml": ".svg"}
INTERACTIVE = ("application/vnd.plotly.v1+json", "application/vnd.jupyter.widget-view+json",
               "application/vnd.bokehjs_exec.v0+json", "application/vnd.vegalite.v5+json")


def cell_options(cell: CodeCell, defaults: dict[str, Any]) -> dict[str, Any]:
    """The cell's `#|` options over the chapter/project `execute:` defaults over Quarto's."""
    return {**DEFAULTS, **{k: v for k, v in defaults.items() if k in DEFAULTS}, **cell.options}


def should_evaluate(options: dict[str, Any]) -> bool:
    return bool(options.get("eval", True))


DISPLAY_CLASS = "cell-output-display"


def render_cell(cell: CodeCell, options: dict[str, Any], outputs: list[dict], *,
                figure_path: Callable[[int], Path], figure_ref: Callable[[Path], str],
                html_to_markdown: Callable[[str], str]) -> CellMarkdown:
    """Markdown for one cell. `figure_path(n)` names the file for its n-th image; `figure_ref` the link text."""
    if not options.get("include", True):
        return CellMarkdown("")
    chunks: list[str] = []
    if options.get("echo", True):
        chunks.append(_fence(cell.source.strip("\n"), f"{cell.language} .cell-code", *_listing(options)))
    result = CellMarkdown("")
    if options.get("output", True) and should_evaluate(options):
        asis = options.get("output") == "asis"
        label = str(options.get("label") or "")
        for output in outputs:
            chunk = _output_markdown(output, options, asis, len(result.figures), result, figure_path, figure_ref,
                                     html_to_markdown)
            if chunk:
                chunks.append(chunk)
        if label.startswith("tbl-") or options.get("tbl-cap"):
            chunks = _caption_table(chunks, str(options.get("tbl-cap") or ""), label)
    result.markdown = "\n\n".join(chunks)
    return result


def _fence(text: str, classes: str, ident: str = "", caption: str = "") -> str:
    ticks = "`" * max(3, max((len(m) for m in re.findall(r"`{3,}", text)), default=0) + 1)
    attrs = [f"#{ident}"] if ident else []
    attrs += ["." + c.lstrip(".") for c in classes.split()]
    attrs += [f'lst-cap="{caption}"'] if caption else []
    return f"{ticks} {{{' '.join(attrs)}}}\n{text}\n{ticks}"


def _listing(options: dict) -> tuple[str, str]:
    """`lst-label`/`lst-cap` (Quarto's code listings): the echoed code's id and caption, for xref.lua."""
    label = str(options.get("lst-label") or "")
    if not label.startswith("lst-"):
        return "", ""
    return label, str(options.get("lst-cap") or "").replace('"', "'")


def _output_markdown(output: dict, options: dict, asis: bool, figure_index: int, result: CellMarkdown,
                     figure_path, figure_ref, html_to_markdown) -> str:
    kind = output.get("output_type")
    if kind == "stream":
        text = output.get("text", "")
        if output.get("name") == "stderr" and not options.get("warning", True):
            return ""
        text = "".join(text) if isinstance(text, list) else text
        if not text.strip():
            return ""
        return text.strip("\n") if asis else _fence(text.rstrip("\n"), "cell-output")
    if kind not in ("display_data", "execute_result"):
        return ""
    data = output.get("data", {})
    if any(kind in data for kind in INTERACTIVE) or "<script" in _text(data.get("text/html", "")):
        return _interactive(data, options, figure_index, result, figure_path, figure_ref)
    image = next((kind for kind in IMAGES if kind in data), None)
    if image:
        return _figure(data[image], IMAGES[image], options, figure_index, result.figures, figure_path, figure_ref)
    if "text/markdown" in data:
        return _text(data["text/markdown"]).strip("\n")
    if "text/latex" in data:
        return _text(data["text/latex"]).strip("\n")
    if "text/html" in data:
        # Quarto's wrapper for a cell's display output; table_widths.lua sizes the tables inside it.
        return f"::: {{.{DISPLAY_CLASS}}}\n{html_to_markdown(_text(data['text/html']))}\n:::"
    if "text/plain" in data:
        text = _text(data["text/plain"]).rstrip("\n")
        return text if asis else _fence(text, "cell-output")
    return ""


def _interactive(data: dict, options: dict, index: int, result: CellMarkdown, figure_path, figure_ref) -> str:
    kind = next((k for k in INTERACTIVE if k in data), "text/html")
    name = kind.split(".")[1] if kind.startswith("application/vnd.") else "interactive HTML"
    image = next((k for k in IMAGES if k in data), None)
    static = _figure(data[image], IMAGES[image], options, index, result.figures, figure_path, figure_ref) \
        if image else ""
    return interactive_markdown(_text(data.get("text/html", "")), name, static, result.warnings)


def interactive_markdown(html: str, name: str, static: str, warnings: list[str], *, offline: bool = True) -> str:
    """Raw HTML for the HTML format; elsewhere `static` (a static image's Markdown), or a note and a warning.
    For executed cells and frozen results alike (freeze.py). `offline=False`: the HTML needs scripts that
    the page does not carry (Quarto's page `includes` of a frozen result), as one loaded from the network."""
    if not offline or re.search(r"<script[^>]+src=[\"']?(https?:)?//", html):
        # The page must not reach the network (and pandoc's --embed-resources cannot fetch offline).
        warnings.append(f"{name} output loads its library from the network; its static form is shown")
        html = ""
    parts = []
    if html:
        parts.append(f'::: {{.content-visible when-format="html"}}\n```{{=html}}\n{html.strip()}\n```\n:::')
    if not static and html:
        static = f"*[{name} output: interactive, shown in the HTML version]*"
        warnings.append(f"{name} output has no static image; PDF, DOCX and JATS show a note instead")
    elif not static:
        static = f"*[{name} output: interactive, with neither a static image nor an offline HTML form]*"
        warnings.append(f"{name} output has neither a static image nor offline HTML; every format "
                        "shows a note instead")
    parts.append(f'::: {{.content-hidden when-format="html"}}\n{static}\n:::' if html else static)
    return "\n\n".join(parts)


def _figure(encoded: str, suffix: str, options: dict, index: int, figures: list[Figure], figure_path,
            figure_ref) -> str:
    path = figure_path(index + 1).with_suffix(suffix)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = _text(encoded)
    path.write_bytes(raw.encode("utf-8") if suffix == ".svg" else base64.b64decode(raw))
    first = index == 0
    label = str(options.get("label") or "") if first else ""
    label = label if label.startswith("fig-") else ""
    caption = str(options.get("fig-cap") or "") if first else ""
    attrs = [f"#{label}"] if label else []
    if options.get("fig-alt") and first:
        attrs.append('fig-alt="' + str(options["fig-alt"]).replace('"', "'") + '"')
    figures.append(Figure(path, caption, label))
    attr_text = "{" + " ".join(attrs) + "}" if attrs else ""
    return f"![{caption}]({figure_ref(path)}){attr_text}"


def _caption_table(chunks: list[str], caption: str, label: str) -> list[str]:
    """Put `: caption {#tbl-x}` after the first chunk that holds a Markdown table (pandoc manual, "Table captions")."""
    ident = f" {{#{label}}}" if label.startswith("tbl-") else ""
    for index, chunk in enumerate(chunks):
        if _TABLE_LINE.search(chunk) and not chunk.startswith("`"):
            line = f": {caption or ' '}{ident}"
            wrapped = chunk.endswith("\n:::")  # the caption belongs to the table, inside its div
            chunks[index] = f"{chunk[:-4]}\n\n{line}\n:::" if wrapped else f"{chunk}\n\n{line}"
            break
    return chunks


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)
