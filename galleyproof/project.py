"""A galleyproof project: `_quarto.yml` (what Quarto reads) plus `galleyproof.yml` (what only we read).

The same `_quarto.yml` drives both engines, so we read only the Quarto keys we need
(https://quarto.org/docs/reference/projects/books.html): `project.output-dir`, `book.title`,
`book.author`, `book.chapters`, `bibliography`, `csl`, `format`, `execute`.
Tool settings that Quarto has no key for (Crossref contact, lexicon extension, accepted findings,
journal profiles) live in `galleyproof.yml` so Quarto's schema validation never sees them.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from galleyproof import paths, safe_yaml
from galleyproof.errors import ConfigError, ManuscriptError

QUARTO_FILE = "_quarto.yml"
SETTINGS_FILE = "galleyproof.yml"
LOCK_FILE = "citations.lock.json"
ACCEPTED_FILE = "accepted-findings.yml"
DEFAULT_FORMATS = ("html", "pdf", "docx")
# A manuscript's own files in the documented layout (README, "Project layout"); not the tool's.
MANUSCRIPT_FILES = (QUARTO_FILE, SETTINGS_FILE, LOCK_FILE, ACCEPTED_FILE, "index.qmd", "references.bib", "apa.csl")
MANUSCRIPT_DIRS = ("chapters", "analysis")


@dataclass(frozen=True)
class Author:
    name: str
    affiliation: str = ""
    email: str = ""


@dataclass(frozen=True)
class Project:
    root: Path
    title: str
    authors: tuple[Author, ...]
    chapters: tuple[Path, ...]
    bibliography: Path | None
    csl: Path | None
    output_dir: Path
    formats: tuple[str, ...]
    quarto: dict[str, Any] = field(repr=False)
    settings: dict[str, Any] = field(repr=False)

    @property
    def config_path(self) -> Path:
        return self.root / QUARTO_FILE

    @property
    def lock_path(self) -> Path:
        return self.root / LOCK_FILE

    @property
    def accepted_path(self) -> Path:
        return self.root / ACCEPTED_FILE

    def relative(self, path: Path) -> str:
        """A path as the user knows it: relative to the project root when inside it."""
        try:
            return str(Path(path).resolve().relative_to(self.root))
        except ValueError:
            return str(path)

    def setting(self, dotted: str, default: Any = None) -> Any:
        """`galleyproof.yml` value by dotted key, e.g. `setting("crossref.mailto")`."""
        node: Any = self.settings
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node


def read_yaml(path: Path) -> Any:
    """Parse a YAML file; a syntax error becomes a ConfigError that names the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("file not found", path) from None
    try:
        return safe_yaml.load(text)
    except safe_yaml.YAMLLimitError as exc:
        raise ConfigError(f"invalid YAML: {exc.problem}", path, exc.line + 1 if exc.line is not None else 1) from None


def find_root(start: Path) -> Path:
    """The nearest directory at or above `start` holding `_quarto.yml`."""
    start = start.resolve()
    for candidate in (start, *start.parents):
        if (candidate / QUARTO_FILE).is_file():
            return candidate
    raise ConfigError(f"no {QUARTO_FILE} found here or in any parent directory", start)


def line_of_key(path: Path, key: str) -> int | None:
    """First line that sets `key:`; YAML parsers drop positions, and errors should still point somewhere."""
    return _line_where(path, lambda text: text.startswith(f"{key}:"))


def line_of_item(path: Path, item: str) -> int | None:
    """First line of a YAML list item `- item`."""
    return _line_where(path, lambda text: text.startswith("-") and text[1:].strip().strip("'\"") == item)


def _line_where(path: Path, test) -> int | None:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if test(line.strip()):
            return number
    return None


def _authors(raw: Any) -> tuple[Author, ...]:
    if raw is None:
        return ()
    items = raw if isinstance(raw, list) else [raw]
    authors = []
    for item in items:
        if isinstance(item, str):
            authors.append(Author(item))
        elif isinstance(item, dict):
            affiliation = item.get("affiliation") or item.get("affiliations") or ""
            if isinstance(affiliation, list):
                affiliation = "; ".join(a if isinstance(a, str) else a.get("name", "") for a in affiliation)
            elif isinstance(affiliation, dict):
                affiliation = affiliation.get("name", "")
            name = item.get("name", "")
            if isinstance(name, dict):
                name = " ".join(filter(None, [name.get("given"), name.get("family")]))
            authors.append(Author(str(name), str(affiliation), str(item.get("email", ""))))
    return tuple(authors)


def _chapters(root: Path, config_path: Path, config: dict) -> tuple[Path, ...]:
    book = config.get("book") or {}
    listed = book.get("chapters")
    appendices = book.get("appendices") or []
    if not listed:
        raise ConfigError("book.chapters lists no chapters", config_path, line_of_key(config_path, "book"))
    found = []
    for entry in _flatten_chapters(listed) + _flatten_chapters(appendices):
        path = paths.inside_project(entry, root, what="chapter", source=config_path,
                                    line=line_of_item(config_path, entry), error=ConfigError)
        if not path.is_file():
            raise ManuscriptError(f"chapter {entry!r} listed in {QUARTO_FILE} does not exist", config_path,
                                  line_of_item(config_path, entry) or line_of_key(config_path, "chapters"))
        found.append(path)
    return tuple(found)


def _flatten_chapters(listed: list) -> list[str]:
    """Quarto allows `- part: X` with nested `chapters:`; we only need the files, in order."""
    files: list[str] = []
    for entry in listed:
        if isinstance(entry, str):
            files.append(entry)
        elif isinstance(entry, dict):
            part = entry.get("part")
            if isinstance(part, str) and part.endswith((".qmd", ".md")):
                files.append(part)
            files.extend(_flatten_chapters(entry.get("chapters") or []))
    return files


def _optional_file(root: Path, config_path: Path, config: dict, key: str) -> Path | None:
    value = config.get(key)
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0] if value else None
        if value is None:
            return None
    return paths.inside_project(str(value), root, what=key, source=config_path, line=line_of_key(config_path, key),
                                error=ConfigError)


def _formats(config: dict) -> tuple[str, ...]:
    fmt = config.get("format")
    if isinstance(fmt, dict) and fmt:
        return tuple(str(k) for k in fmt)
    if isinstance(fmt, str):
        return (fmt,)
    return DEFAULT_FORMATS


def style_path(name: str) -> Path:
    """A CSL style shipped with galleyproof (`apa`, `nature`, ...), by name or file name."""
    styles = Path(__file__).parent / "styles"
    path = styles / (name if name.endswith(".csl") else f"{name}.csl")
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in styles.glob("*.csl")))
        raise ConfigError(f"no bundled citation style {name!r} (bundled: {known})")
    return path


def load_project(start: Path | str = ".") -> Project:
    """Read the project at or above `start`. Raises ConfigError/ManuscriptError with file and line."""
    root = find_root(Path(start))
    config_path = root / QUARTO_FILE
    config = read_yaml(config_path) or {}
    if not isinstance(config, dict):
        raise ConfigError("expected a mapping of Quarto options at the top level", config_path, 1)
    settings_path = root / SETTINGS_FILE
    settings = (read_yaml(settings_path) or {}) if settings_path.is_file() else {}
    if not isinstance(settings, dict):
        raise ConfigError("expected a mapping at the top level", settings_path, 1)
    book = config.get("book") or {}
    output = (config.get("project") or {}).get("output-dir", "_output")
    if book.get("output-file") is not None:  # the build writes <output-dir>/<output-file>.<ext>
        paths.output_name(str(book["output-file"]), source=config_path, line=line_of_key(config_path, "output-file"))
    return Project(
        root=root,
        title=str(book.get("title") or config.get("title") or root.name),
        authors=_authors(book.get("author") or config.get("author")),
        chapters=_chapters(root, config_path, config),
        bibliography=_optional_file(root, config_path, config, "bibliography"),
        csl=_optional_file(root, config_path, config, "csl"),
        output_dir=paths.output_dir(root, str(output), source=config_path,
                                    line=line_of_key(config_path, "output-dir")),
        formats=_formats(config),
        quarto=config,
        settings=settings,
    )


def copy_manuscript(source: Path, target: Path) -> Path:
    """Copy the manuscript at `source` (its files, chapters and analysis code) into a new `target`,
    leaving out build outputs and caches: a clean project to build, benchmark or export elsewhere."""
    source, target = Path(source), Path(target)
    target.mkdir(parents=True)
    for name in MANUSCRIPT_FILES:
        if (source / name).is_file():
            shutil.copy2(source / name, target / name)
    for name in MANUSCRIPT_DIRS:
        if (source / name).is_dir():
            shutil.copytree(source / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    return target
