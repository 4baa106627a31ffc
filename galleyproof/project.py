"""A galleyproof project: `_quarto.yml` (what Quarto reads) plus `galleyproof.yml` (what only we read).

The same `_quarto.yml` drives both engines. Quarto's project types decide what is rendered
(https://quarto.org/docs/projects/quarto-projects.html): a `book` renders `book.chapters` (and
`appendices`) as one document; a `manuscript` renders its article, `manuscript.article` or else
index.qmd / index.ipynb (https://quarto.org/docs/manuscripts/authoring/vscode.html); a `default`
project renders `project.render` when given, else every .qmd and .ipynb at its top level, each as its
own document; and a single .qmd or .ipynb with no `_quarto.yml` is a project of one file. Each
document's metadata is merged as Quarto merges it (manuscript/metadata.py).
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
from galleyproof.manuscript.metadata import PROJECT_ONLY, absolute_paths, affiliation_text, merge, resolve_date
from galleyproof.manuscript.metadata import authors as normalise_authors

QUARTO_FILE = "_quarto.yml"
SETTINGS_FILE = "galleyproof.yml"
LOCK_FILE = "citations.lock.json"
ACCEPTED_FILE = "accepted-findings.yml"
DEFAULT_FORMATS = ("html", "pdf", "docx")
# A manuscript's own files in the documented layout (README, "Project layout"); not the tool's.
MANUSCRIPT_FILES = (QUARTO_FILE, SETTINGS_FILE, LOCK_FILE, ACCEPTED_FILE, "index.qmd", "references.bib", "apa.csl")
MANUSCRIPT_DIRS = ("chapters", "analysis")


PROJECT_TYPES = ("default", "book", "manuscript")
SOURCE_SUFFIXES = (".qmd", ".ipynb")
METADATA_FILE = "_metadata.yml"


@dataclass(frozen=True)
class Author:
    name: str
    affiliation: str = ""
    email: str = ""
    orcid: str = ""
    corresponding: bool = False


@dataclass(frozen=True)
class Output:
    """One rendered document: a book or a manuscript is one, a default project has one per source file."""

    stem: str  # output file name without suffix
    sources: tuple[Path, ...]  # the files rendered into it, in order
    metadata: dict[str, Any] = field(repr=False)  # merged: _quarto.yml, _metadata.yml, front matter
    formats: tuple[str, ...] = DEFAULT_FORMATS
    format_options: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)


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
    kind: str = "book"  # book | manuscript | default | file
    appendices: tuple[Path, ...] = ()  # a book's `book.appendices`, the last of `chapters`
    outputs: tuple[Output, ...] = ()
    bibliographies: tuple[Path, ...] = ()
    single: bool = False  # one file rendered on its own (`quarto render file.qmd`): `execute: freeze` does not apply

    @property
    def metadata(self) -> dict[str, Any]:
        """The merged metadata of the first (for a book or manuscript, the only) document."""
        return self.outputs[0].metadata if self.outputs else {}

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


def where_set(project: Project, key: str, index: int = 0) -> tuple[Path, int | None]:
    """(file, line) where document metadata `key` (item `index` of a list) was written for the project's
    first output: the front matter of its first source when that sets it (it wins the merge), else
    `_quarto.yml`. For error messages."""
    sources = project.outputs[0].sources if project.outputs else ()
    return _where_set(project.config_path, sources[0] if sources else None, key, index)


def _where_set(config_path: Path, source: Path | None, key: str, index: int = 0) -> tuple[Path, int | None]:
    if source is not None and safe_yaml.line_in_file(source, (key,), exact=True) is not None:
        return source, safe_yaml.line_in_file(source, (key, index))
    return config_path, safe_yaml.line_in_file(config_path, (key, index))


def _authors(meta: dict[str, Any]) -> tuple[Author, ...]:
    return tuple(Author(a["name"], "; ".join(affiliation_text(f) for f in a["affiliations"]),
                        str(a.get("email", "")), str(a.get("orcid", "")), bool(a.get("corresponding")))
                 for a in normalise_authors(meta))


def _chapters(root: Path, config_path: Path, config: dict) -> tuple[Path, ...]:
    book = config.get("book") or {}
    listed = book.get("chapters")
    appendices = book.get("appendices") or []
    if not listed:
        raise ConfigError("book.chapters lists no chapters", config_path,
                          safe_yaml.line_in_file(config_path, ("book", "chapters")))
    found = []
    for entry, where in (_flatten_chapters(listed, ("book", "chapters"))
                         + _flatten_chapters(appendices, ("book", "appendices"))):
        line = safe_yaml.line_in_file(config_path, where)
        path = paths.inside_project(entry, root, what="chapter", source=config_path, line=line, error=ConfigError)
        if not path.is_file():
            raise ManuscriptError(f"chapter {entry!r} listed in {QUARTO_FILE} does not exist", config_path, line)
        found.append(path)
    return tuple(found)


def _appendices(root: Path, config: dict) -> tuple[Path, ...]:
    listed = _flatten_chapters((config.get("book") or {}).get("appendices") or [], ("book", "appendices"))
    return tuple((root / entry).resolve() for entry, _ in listed)


def _flatten_chapters(listed: list, where: tuple[str | int, ...]) -> list[tuple[str, tuple[str | int, ...]]]:
    """Quarto allows `- part: X` with nested `chapters:`; we only need the files, in order, each with its
    key path in _quarto.yml (for error messages)."""
    files: list[tuple[str, tuple[str | int, ...]]] = []
    for index, entry in enumerate(listed):
        if isinstance(entry, str):
            files.append((entry, (*where, index)))
        elif isinstance(entry, dict):
            part = entry.get("part")
            if isinstance(part, str) and part.endswith((".qmd", ".md")):
                files.append((part, (*where, index, "part")))
            files.extend(_flatten_chapters(entry.get("chapters") or [], (*where, index, "chapters")))
    return files


def _paths(root: Path, config_path: Path, output: Output, key: str) -> tuple[Path, ...]:
    """`bibliography`/`csl` (already absolute: metadata.absolute_paths); outside the project is an error,
    reported where it was written (the first source's front matter or _quarto.yml)."""
    value = output.metadata.get(key)
    listed = value if isinstance(value, list) else [value]
    for index, item in enumerate(listed):
        if item and not paths.is_inside(Path(item), root):
            source = output.sources[0] if output.sources else None
            raise ConfigError(f"{key} {str(item)!r} lies outside the project",
                              *_where_set(config_path, source, key, index))
    return tuple(Path(v) for v in listed if v)


def _formats(meta: dict) -> tuple[tuple[str, ...], dict[str, dict[str, Any]]]:
    """The `format:` names in order, and each one's options over the shared top-level ones."""
    fmt = meta.get("format")
    if isinstance(fmt, str):
        fmt = {fmt: {}}
    if not isinstance(fmt, dict) or not fmt:
        fmt = {name: {} for name in DEFAULT_FORMATS}
    shared = {k: meta[k] for k in ("toc", "toc-depth", "number-sections", "fig-dpi") if k in meta}
    options = {str(name): {**shared, **(value if isinstance(value, dict) else {})} for name, value in fmt.items()}
    return tuple(options), options


def style_path(name: str) -> Path:
    """A CSL style shipped with galleyproof (`apa`, `nature`, ...), by name or file name."""
    styles = Path(__file__).parent / "styles"
    path = styles / (name if name.endswith(".csl") else f"{name}.csl")
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in styles.glob("*.csl")))
        raise ConfigError(f"no bundled citation style {name!r} (bundled: {known})")
    return path


def load_project(start: Path | str = ".") -> Project:
    """Read the project at or above `start` (a folder, or one .qmd/.ipynb to render alone).

    Raises ConfigError/ManuscriptError with file and line.
    """
    start = Path(start)
    single = start.resolve() if start.is_file() else None
    if single is not None and single.suffix not in SOURCE_SUFFIXES:
        raise ConfigError("can only render a .qmd or .ipynb file", single)
    root = _root_of_file(single) if single else find_root(start)
    config_path = root / QUARTO_FILE
    config = (read_yaml(config_path) or {}) if config_path.is_file() else {}
    if not isinstance(config, dict):
        raise ConfigError("expected a mapping of Quarto options at the top level", config_path, 1)
    settings_path = root / SETTINGS_FILE
    settings = (read_yaml(settings_path) or {}) if settings_path.is_file() else {}
    if not isinstance(settings, dict):
        raise ConfigError("expected a mapping at the top level", settings_path, 1)
    kind = project_type(config, config_path) if config_path.is_file() else "file"
    outputs = _outputs(root, config_path, config, kind, single)
    first = outputs[0].metadata
    bibliographies = _paths(root, config_path, outputs[0], "bibliography")
    csl = _paths(root, config_path, outputs[0], "csl")
    output = (config.get("project") or {}).get("output-dir", "_output")
    book = config.get("book") or {}
    if book.get("output-file") is not None:  # the build writes <output-dir>/<output-file>.<ext>
        paths.output_name(str(book["output-file"]), source=config_path,
                          line=safe_yaml.line_in_file(config_path, ("book", "output-file")))
    return Project(
        root=root,
        title=str(first.get("title") or (config.get("project") or {}).get("title") or root.name),
        authors=_authors(first),
        chapters=tuple(dict.fromkeys(p for o in outputs for p in o.sources)),
        appendices=_appendices(root, config) if kind == "book" else (),
        bibliography=bibliographies[0] if bibliographies else None,
        csl=csl[0] if csl else None,
        output_dir=paths.output_dir(root, str(output), source=config_path,
                                    line=safe_yaml.line_in_file(config_path, ("project", "output-dir"))),
        formats=outputs[0].formats,
        quarto=config,
        settings=settings,
        kind=kind,
        outputs=outputs,
        bibliographies=bibliographies,
        single=single is not None,
    )


def _root_of_file(path: Path) -> Path:
    """A file inside a project belongs to it; a file on its own is a project of one."""
    try:
        return find_root(path.parent)
    except ConfigError:
        return path.parent


def project_type(config: dict, config_path: Path) -> str:
    kind = str((config.get("project") or {}).get("type") or "default")
    if kind == "website":  # a website renders its pages one by one, as a default project does
        return "default"
    if kind not in PROJECT_TYPES:
        raise ConfigError(f"project type {kind!r} is not supported (supported: {', '.join(PROJECT_TYPES)})",
                          config_path, safe_yaml.line_in_file(config_path, ("project", "type")))
    return kind


def _outputs(root: Path, config_path: Path, config: dict, kind: str, single: Path | None) -> tuple[Output, ...]:
    project_meta = absolute_paths({k: v for k, v in config.items() if k not in PROJECT_ONLY}, root)
    if kind == "book":
        chapters = _chapters(root, config_path, config)
        book = absolute_paths({k: v for k, v in (config.get("book") or {}).items()
                               if k in BOOK_METADATA and v not in (None, "")}, root)
        meta = merge(_document_meta(root, chapters[0], project_meta), book) if chapters else merge(project_meta, book)
        stem = str((config.get("book") or {}).get("output-file") or "manuscript")
        return (_output(stem, chapters, meta),)
    if kind == "manuscript":
        article = _article(root, config_path, config)
        # Quarto manuscripts hide code in the article; the notebooks show it.
        meta = merge({"execute": {"echo": False}}, _document_meta(root, article, project_meta))
        return (_output(article.stem, (article,), meta),)
    sources = [single] if single else _default_sources(root, config_path, config)
    return tuple(_output(path.stem, (path,), _document_meta(root, path, project_meta)) for path in sources)


# Keys of `book:` that are document metadata (https://quarto.org/docs/reference/projects/books.html).
BOOK_METADATA = ("title", "subtitle", "author", "date", "abstract", "keywords", "lang", "abstract-title")


def _output(stem: str, sources: tuple[Path, ...], meta: dict[str, Any]) -> Output:
    formats, options = _formats(meta)
    return Output(stem, sources, meta, formats, options)


def _document_meta(root: Path, path: Path, project_meta: dict[str, Any]) -> dict[str, Any]:
    from galleyproof.manuscript.qmd import front_matter, source_text

    meta = project_meta
    folders = [path.parent, *path.parent.parents]
    for folder in reversed([f for f in folders if f == root or root in f.parents]):
        if (folder / METADATA_FILE).is_file():
            shared = read_yaml(folder / METADATA_FILE) or {}
            if not isinstance(shared, dict):
                raise ConfigError("expected a mapping at the top level", folder / METADATA_FILE, 1)
            meta = merge(meta, absolute_paths(shared, folder))
    name = _relative_to(path, root)
    front, _ = front_matter(source_text(path, name).splitlines(), name)
    meta = merge(meta, absolute_paths(front, path.parent))
    if "date" in meta:
        meta["date"] = resolve_date(meta["date"], path)
    return meta


def _relative_to(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _article(root: Path, config_path: Path, config: dict) -> Path:
    named = (config.get("manuscript") or {}).get("article")
    candidates = [str(named)] if named else ["index.qmd", "index.ipynb"]
    for candidate in candidates:
        path = (root / candidate).resolve()
        if path.is_file():
            if root not in path.parents:
                raise ConfigError(f"article {candidate!r} lies outside the project", config_path,
                                  safe_yaml.line_in_file(config_path, ("manuscript", "article")))
            return path
    if named:
        raise ManuscriptError(f"manuscript.article {named!r} does not exist", config_path,
                              safe_yaml.line_in_file(config_path, ("manuscript", "article")))
    raise ManuscriptError("a manuscript project needs index.qmd or index.ipynb, or manuscript.article naming "
                          "its article", config_path, safe_yaml.line_in_file(config_path, ("manuscript",)) or 1)


def _default_sources(root: Path, config_path: Path, config: dict) -> list[Path]:
    """`project.render` (files or globs), else every .qmd/.ipynb at the top not starting with `_` or `.`."""
    listed = (config.get("project") or {}).get("render")
    if listed:
        found: list[Path] = []
        for index, entry in enumerate(listed if isinstance(listed, list) else [listed]):
            matches = sorted(root.glob(str(entry))) if any(c in str(entry) for c in "*?[") else [root / str(entry)]
            if not matches or not all(m.is_file() for m in matches):
                raise ManuscriptError(f"project.render lists {entry!r}, which matches no file", config_path,
                                      safe_yaml.line_in_file(config_path, ("project", "render", index)))
            found += [m.resolve() for m in matches if m.suffix in SOURCE_SUFFIXES]
        return list(dict.fromkeys(found))
    found = sorted(p.resolve() for p in root.iterdir()
                   if p.suffix in SOURCE_SUFFIXES and p.is_file() and not p.name.startswith(("_", ".")))
    if not found:
        raise ManuscriptError("the project has no .qmd or .ipynb file at its top level to render", config_path, 1)
    return found


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
