"""Journal profiles: what one journal's submission system accepts, read from YAML and validated.

Bundled profiles live in `galleyproof/export/profiles/*.yaml`; a project adds its own in the directory
named by `export.profiles` in `galleyproof.yml`, and a project profile with the same id replaces the
bundled one. The shape is the JSON Schema in `profile.schema.yaml` (checked with `jsonschema`); a
violation is a ConfigError naming the profile file and the line of the offending key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from galleyproof import safe_yaml
from galleyproof.errors import ConfigError
from galleyproof.project import Project, read_yaml, style_path

BUNDLED_DIR = Path(__file__).parent / "profiles"
SCHEMA_FILE = Path(__file__).parent / "profile.schema.yaml"


@dataclass(frozen=True)
class Limits:
    main_text_words: int | None = None
    abstract_words: int | None = None
    references: int | None = None
    keywords_min: int = 0
    keywords_max: int | None = None


@dataclass(frozen=True)
class Highlights:
    required: bool = False
    min_items: int = 3
    max_items: int = 5
    max_chars: int = 85


@dataclass(frozen=True)
class FigureRules:
    min_dpi: int = 300
    print_width_mm: float | None = None  # used when a PNG carries no dpi of its own
    formats: tuple[str, ...] = ("png", "tif", "tiff", "eps", "pdf", "jpg", "jpeg")


@dataclass(frozen=True)
class Profile:
    id: str
    name: str
    citation_style: str
    csl: Path  # resolved style file
    review: str
    formats: tuple[str, ...]
    limits: Limits
    title_page: str
    cover_letter: str
    highlights: Highlights
    figures: FigureRules
    jats: bool
    meca: bool
    source: Path
    publisher: str = ""
    guidelines: str = ""
    note: str = ""
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def double_blind(self) -> bool:
        return self.review == "double-blind"


@lru_cache(maxsize=1)
def _schema() -> dict:
    return yaml.safe_load(SCHEMA_FILE.read_text(encoding="utf-8"))


def _error_message(error: jsonschema.ValidationError) -> str:
    where = ".".join(str(p) for p in error.absolute_path)
    return f"{where}: {error.message}" if where else error.message


def _resolve_style(name: str, project: Project | None, path: Path, line: int | None) -> Path:
    """A .csl file inside the project when a project profile names one, else a bundled style by name."""
    if project is not None and name.endswith(".csl") and ("/" in name or (project.root / name).is_file()):
        candidate = (project.root / name).resolve()
        if project.root not in candidate.parents:
            raise ConfigError(f"citation_style {name!r} lies outside the project", path, line)
        if not candidate.is_file():
            raise ConfigError(f"citation_style {name!r} does not exist", path, line)
        return candidate
    try:
        return style_path(name)
    except ConfigError as exc:
        raise ConfigError(exc.message, path, line) from None


def parse_profile(path: Path, project: Project | None = None) -> Profile:
    """Read and validate one profile file. Raises ConfigError with the file and line."""
    text = path.read_text(encoding="utf-8")
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError("a journal profile must be a YAML mapping", path, 1)
    errors = sorted(jsonschema.Draft202012Validator(_schema()).iter_errors(data),
                    key=lambda e: safe_yaml.line_of(text, tuple(e.absolute_path)) or 0)
    if errors:
        first = errors[0]
        raise ConfigError(f"invalid journal profile: {_error_message(first)}", path,
                          safe_yaml.line_of(text, tuple(first.absolute_path)))
    if data["id"] != path.stem:
        raise ConfigError(f"profile id {data['id']!r} must match its file name {path.stem!r}", path,
                          safe_yaml.line_of(text, ("id",)))
    limits = data.get("limits") or {}
    keywords = limits.get("keywords") or {}
    figures = data.get("figures") or {}
    return Profile(
        id=data["id"],
        name=data["name"],
        citation_style=data["citation_style"],
        csl=_resolve_style(data["citation_style"], project, path, safe_yaml.line_of(text, ("citation_style",))),
        review=data["review"],
        formats=tuple(data["formats"]),
        limits=Limits(limits.get("main_text_words"), limits.get("abstract_words"), limits.get("references"),
                      keywords.get("min", 0), keywords.get("max")),
        title_page=data["title_page"],
        cover_letter=data["cover_letter"],
        highlights=Highlights(**(data.get("highlights") or {})),
        figures=FigureRules(
            min_dpi=figures.get("min_dpi", 300),
            print_width_mm=figures.get("print_width_mm"),
            formats=tuple(f.lower() for f in figures.get("formats", FigureRules.formats)),
        ),
        jats=data["jats"],
        meca=data["meca"],
        source=path,
        publisher=data.get("publisher", ""),
        guidelines=data.get("guidelines", ""),
        note=data.get("note", ""),
        raw=data,
    )


def project_profile_dir(project: Project) -> Path | None:
    """The project's own profile directory (`export.profiles` in galleyproof.yml), kept inside the project."""
    value = project.setting("export.profiles")
    if not value:
        return None
    directory = (project.root / str(value)).resolve()
    settings = project.root / "galleyproof.yml"
    if directory != project.root and project.root not in directory.parents:
        raise ConfigError(f"export.profiles {value!r} lies outside the project", settings)
    if not directory.is_dir():
        raise ConfigError(f"export.profiles {value!r} is not a directory", settings)
    return directory


def profile_files(project: Project | None = None) -> dict[str, Path]:
    """Profile id -> file; project profiles override bundled ones with the same id."""
    files = {p.stem: p for p in sorted(BUNDLED_DIR.glob("*.yaml"))}
    directory = project_profile_dir(project) if project is not None else None
    if directory is not None:
        for path in sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml")):
            # A symlink could lead out of the project; only regular files inside it count.
            if path.resolve().parent == directory and path.is_file():
                files[path.stem] = path
    return files


def list_profiles(project: Project | None = None) -> list[Profile]:
    return [parse_profile(path, project) for path in profile_files(project).values()]


def load_profile(journal_id: str, project: Project | None = None) -> Profile:
    files = profile_files(project)
    if journal_id not in files:
        raise ConfigError(f"no journal profile {journal_id!r} (known: {', '.join(sorted(files))})")
    return parse_profile(files[journal_id], project)
