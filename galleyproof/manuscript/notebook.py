"""A Jupyter notebook (.ipynb) read as Quarto reads it: as Quarto Markdown plus the outputs it stores.

Quarto renders a notebook's markdown cells as Markdown, its code cells as cells (the `#|` options in
the source apply), and a first raw or markdown cell holding `---` YAML as the front matter
(https://quarto.org/docs/tools/jupyter-lab.html, "YAML front matter"). A notebook is not executed unless
`execute: enabled: true` (https://quarto.org/docs/computations/execution-options.html): its stored
outputs are used. Everything downstream (citations, cells, cross-references) then reads the same
Markdown a .qmd would give; the line numbers it reports are those of that Markdown.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from galleyproof.errors import ManuscriptError

NOTEBOOK_SUFFIX = ".ipynb"
# A raw cell's `raw_mimetype` (or Quarto's `format`) -> the pandoc raw format it is passed to.
RAW_FORMATS = {"text/html": "html", "text/latex": "latex", "text/markdown": "", "text/x-typst": "typst",
               "text/restructuredtext": "rst"}


@dataclass
class Notebook:
    text: str  # Quarto Markdown
    language: str  # the kernel's language ("python", "r", ...)
    kernel: str  # the kernelspec name ("python3")
    outputs: list[list[dict]] = field(default_factory=list)  # stored outputs, one list per code cell
    cell_lines: list[tuple[int, int]] = field(default_factory=list)  # (first Markdown line, cell number)

    def cell_at(self, line: int) -> int | None:
        """The notebook cell (1-based, as Jupyter counts them) that Markdown line `line` came from."""
        found = None
        for start, number in self.cell_lines:
            if start > line:
                break
            found = number
        return found


def is_notebook(path: Path | str) -> bool:
    return str(path).endswith(NOTEBOOK_SUFFIX)


def read_notebook(path: Path | str, display_name: str | None = None) -> Notebook:
    name = display_name or str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManuscriptError("notebook not found", name) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ManuscriptError(f"not a Jupyter notebook (invalid JSON: {exc})", name) from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise ManuscriptError("not a Jupyter notebook (no cells)", name)
    return notebook_from_json(data)


def notebook_from_json(data: dict) -> Notebook:
    meta = data.get("metadata") or {}
    kernelspec = meta.get("kernelspec") or {}
    language = str(kernelspec.get("language") or (meta.get("language_info") or {}).get("name") or "python")
    chunks: list[tuple[str, int]] = []  # (Markdown, notebook cell number)
    outputs: list[list[dict]] = []
    for index, cell in enumerate(data["cells"]):
        source = _text(cell.get("source", ""))
        kind = cell.get("cell_type")
        if kind == "code":
            if not source.strip():
                continue
            chunks.append((f"```{{{language.lower()}}}\n{source.rstrip()}\n```", index + 1))
            outputs.append(list(cell.get("outputs") or []))
        elif kind == "raw":
            chunks.append((_raw(source, cell.get("metadata") or {}, first=index == 0), index + 1))
        else:
            chunks.append((source.strip("\n"), index + 1))
    cell_lines, line = [], 1
    for text, number in chunks:
        cell_lines.append((line, number))
        line += text.count("\n") + 2  # its lines, then the blank line that separates chunks
    text = "\n\n".join(c for c, _ in chunks) + "\n"
    return Notebook(text, language.lower(), str(kernelspec.get("name") or ""), outputs, cell_lines)


def relocate(location: str, path: Path, line: int) -> str | None:
    """"file.ipynb, cell 5" for Markdown line `line` of a notebook: what a notebook's reader can find."""
    try:
        cell = read_notebook(path).cell_at(line)
    except ManuscriptError:
        return None
    return f"{location}, cell {cell}" if cell else None


def _raw(source: str, metadata: dict, *, first: bool) -> str:
    if first and source.lstrip().startswith("---"):
        return source.strip("\n")  # front matter
    mime = str(metadata.get("raw_mimetype") or metadata.get("format") or "")
    target = RAW_FORMATS.get(mime, mime.split("/")[-1] if mime else "")
    if not target:
        return source.strip("\n")
    return f"```{{={target}}}\n{source.rstrip()}\n```"


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")
