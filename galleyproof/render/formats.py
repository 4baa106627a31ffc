"""Which file the embedded engine writes for each format a document asks for.

Quarto's formats (https://quarto.org/docs/output-formats/all-formats.html) map onto our writers:
`html`, `docx`, `jats` as themselves; `pdf` and `typst` to a PDF made with Typst (Quarto's `typst`
format also renders to PDF). A format contributed by an extension is named `<extension>-<base>`
(https://quarto.org/docs/extensions/formats.html) and lives in `_extensions/[<org>/]<extension>/` with an
`_extension.yml` listing `contributes.formats.<base>`. Its base format is built instead, with a note
naming both; a Typst-based extension's `template-partials` (typst-template.typ, typst-show.typ) and
`include-in-header` files are used, since pandoc's Typst template has the same shape as Quarto's, and
its Lua `filters` run through extension_filter.lua (the parts of Quarto's Lua API they commonly use).
A format the engine has no writer for is reported by name, never silently dropped.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from galleyproof.errors import ConfigError
from galleyproof.fileio import atomic_write_text
from galleyproof.project import read_yaml
from galleyproof.render.cache import CACHE_DIR
from galleyproof.render.pandoc import run_pandoc

# Quarto format -> the embedded engine's writer (None: nothing close enough to build).
BASES: dict[str, str | None] = {
    "html": "html", "pdf": "pdf", "typst": "pdf", "docx": "docx", "jats": "jats", "latex": "pdf",
    "beamer": "pdf", "revealjs": "html", "dashboard": "html", "gfm": None, "commonmark": None,
    "markdown": None, "ipynb": None, "pptx": None, "epub": None, "odt": None,
}
EXTENSIONS_DIR = "_extensions"


@dataclass(frozen=True)
class FormatPlan:
    name: str  # as the document names it: "html", "agu-pdf"
    writer: str | None  # embedded.WRITERS key, None when nothing is built
    note: str = ""  # what the user should know: a substitute format, or nothing built
    extension: Path | None = None  # the extension's folder
    extra_args: tuple[str, ...] = ()  # pandoc arguments the extension adds (template, headers)
    typst_packages: Path | None = None
    options: dict[str, Any] = field(default_factory=dict)
    csl: Path | None = None  # the extension's citation style (`csl:` in its format or `common:` options)
    template_variables: bool = False  # its options are variables of the extension's own Typst template


def plan_formats(root: Path, names: tuple[str, ...], options: dict[str, dict[str, Any]]) -> list[FormatPlan]:
    """One plan per format name, in order; a second plan for a writer already planned is dropped with a note
    (`agu-pdf` next to `pdf` would write the same file)."""
    plans: list[FormatPlan] = []
    for name in names:
        plan = plan_format(root, name, options.get(name) or {})
        earlier = next((p for p in plans if plan.writer and p.writer == plan.writer), None)
        if earlier:
            plans.append(FormatPlan(name, None, f"format {name}: same output as {earlier.name}, built once"))
            continue
        plans.append(plan)
    return plans


def plan_format(root: Path, name: str, options: dict[str, Any]) -> FormatPlan:
    if name in BASES:
        writer = BASES[name]
        if writer is None:
            return FormatPlan(name, None, f"format {name} is not made by the embedded engine (it writes html, pdf, "
                                          "docx, jats and typst); nothing built for it")
        return FormatPlan(name, writer, options=options)
    extension_name, _, base = name.rpartition("-")
    folder = find_extension(root, extension_name) if extension_name else None
    writer = BASES.get(base)
    if folder is None or writer is None:
        what = f"no extension in {EXTENSIONS_DIR}/ provides format {name}" if writer else \
            f"format {name} is not made by the embedded engine"
        if writer:
            return FormatPlan(name, writer, f"{what}; built {base} instead", options=options)
        return FormatPlan(name, None, f"{what}; nothing built for it")
    contributed = _contributed(folder, base)
    if base == "typst":
        return _typst_plan(root, name, folder, contributed, options)
    merged = {k: v for k, v in {**contributed, **options}.items() if k in ("number-sections", "toc", "toc-depth")}
    return FormatPlan(name, writer, f"format {name} needs {_needs(base)} and the {extension_name} extension's "
                                    f"template; built {base} with the embedded engine instead", folder,
                      options=merged, csl=_extension_csl(folder, contributed))


def _needs(base: str) -> str:
    needs = {"pdf": "LaTeX", "html": "Quarto's HTML template", "docx": "Quarto's Word reference document"}
    return needs.get(base, base)


@functools.cache
def find_extension(root: Path, name: str) -> Path | None:
    """`_extensions/<name>/` or `_extensions/<org>/<name>/`, holding `_extension.yml`."""
    base = root / EXTENSIONS_DIR
    for candidate in [base / name, *sorted(base.glob(f"*/{name}"))]:
        if (candidate / "_extension.yml").is_file() or (candidate / "_extension.yaml").is_file():
            return candidate
    return None


def _contributed(folder: Path, base: str) -> dict[str, Any]:
    path = folder / "_extension.yml"
    if not path.is_file():
        path = folder / "_extension.yaml"
    data = read_yaml(path) or {}
    formats = ((data.get("contributes") or {}).get("formats") or {}) if isinstance(data, dict) else {}
    if base not in formats:
        raise ConfigError(f"the extension contributes no {base} format (it has: "
                          f"{', '.join(map(str, formats)) or 'none'})", path)
    common: dict[str, Any] = formats["common"] if isinstance(formats.get("common"), dict) else {}
    return {**common, **(formats.get(base) or {})}  # `common:` applies to each of its formats


def _extension_csl(folder: Path, contributed: dict[str, Any]) -> Path | None:
    csl = contributed.get("csl")
    return (folder / str(csl)) if isinstance(csl, str) and (folder / str(csl)).is_file() else None


def _typst_plan(root: Path, name: str, folder: Path, contributed: dict[str, Any],
                options: dict[str, Any]) -> FormatPlan:
    """A Typst extension: its partials wrapped in our template, its headers included, its packages found."""
    partials = {Path(p).name: folder / p for p in contributed.get("template-partials") or []}
    args: list[str] = []
    if partials:
        args += ["--template", str(_typst_template(root, folder, partials))]
    for header in _as_list(contributed.get("include-in-header")):
        if isinstance(header, str) and (folder / header).is_file():
            args += ["--include-in-header", str(folder / header)]
    for number, name_ in enumerate(_as_list(contributed.get("filters")), 1):
        path = folder / str(name_.get("path") if isinstance(name_, dict) else name_)
        if path.suffix == ".lua" and path.is_file():
            args += ["--lua-filter", str(_filter_wrapper(root, folder, number, path))]
    packages = folder / "typst" / "packages"
    merged = {**contributed, **options}
    return FormatPlan(name, "pdf", "", folder, tuple(args), packages if packages.is_dir() else None, merged,
                      _extension_csl(folder, contributed), template_variables=True)


def _typst_template(root: Path, folder: Path, partials: dict[str, Path]) -> Path:
    """pandoc's own Typst template with the extension's typst-template.typ in place of pandoc's
    definitions of `conf`, and its typst-show.typ in place of the `#show: doc => conf(...)` call: the two
    slots Quarto's Typst template fills with these partials."""
    default, _ = run_pandoc(["-D", "typst"])
    if "typst-template.typ" in partials:
        definitions = QUARTO_TYPST_DEFINITIONS + partials["typst-template.typ"].read_text(encoding="utf-8")
        default = re.sub(r"\$if\(template\)\$.*?\$endif\$", lambda _: definitions, default, count=1, flags=re.S)
    if "typst-show.typ" in partials:
        show = partials["typst-show.typ"].read_text(encoding="utf-8")
        default = re.sub(r"#show: doc => conf\(.*?\n  doc,\n\)\n", lambda _: show, default, count=1, flags=re.S)
    out = root / CACHE_DIR / "templates" / f"{folder.name}.typ"  # never written into the extension
    if not out.is_file() or out.read_text(encoding="utf-8") != default:
        atomic_write_text(out, default)
    return out


def _filter_wrapper(root: Path, folder: Path, number: int, path: Path) -> Path:
    """A Lua file that runs the extension's filter through extension_filter.lua (Quarto's API, guarded)."""
    runner = Path(__file__).parent / "extension_filter.lua"
    text = f"EXTENSION_FILTER = {json.dumps(str(path))}\nreturn dofile({json.dumps(str(runner))})\n"
    out = root / CACHE_DIR / "templates" / f"{folder.name}-filter-{number}.lua"
    if not out.is_file() or out.read_text(encoding="utf-8") != text:
        atomic_write_text(out, text)
    return out


# Names Quarto's own Typst template defines before an extension's partials run (Quarto's
# src/resources/formats/typst/pandoc/quarto/definitions.typ): partials may use them.
QUARTO_TYPST_DEFINITIONS = """#let brand-color = (:)
#let brand-color-background = (:)
#let brand-logo = (:)
#let endnote(num, contents) = [#num #contents]
#let content-to-string(content) = {
  if content.has("text") { content.text }
  else if content.has("children") { content.children.map(content-to-string).join("") }
  else if content.has("body") { content-to-string(content.body) }
  else if content == [ ] { " " }
}
"""


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
