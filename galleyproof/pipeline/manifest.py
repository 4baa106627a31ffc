"""The build manifest, `<output-dir>/.manifest.json`: for each output, the hash of every input that made it.

Inputs are the project's sources (_quarto.yml, galleyproof.yml, the chapters, the bibliography, the CSL
style, citations.lock.json, accepted-findings.yml, a claims lexicon), what the cells read (their records
in the cell cache list it, named by render.inputs: analysis code and data by hash, each installed
distribution they imported by its version, the standard library by the interpreter), and the tools:
galleyproof (a hash of its own files, so an edited checkout counts as a new version), pandoc and typst.
A rebuild first hashes those inputs; when every output's inputs hash as recorded and every output
still has its recorded hash, the build does nothing else (`Manifest.unchanged`).

Files are hashed as bytes: a whitespace edit to references.bib rebuilds the outputs (pandoc reads the
file), while the cell cache keys such a file on its parsed entries (render.cache) and keeps the cells.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path

from galleyproof import paths
from galleyproof.fileio import atomic_write_text, sha256_bytes, sha256_file
from galleyproof.render import inputs
from galleyproof.tools import pandoc_signature

MANIFEST_NAME = ".manifest.json"
FORMAT_VERSION = 2  # 2: each input's digest once; an output names what it does not depend on
PACKAGE = Path(__file__).resolve().parents[1]  # galleyproof/
TOOL_PANDOC, TOOL_TYPST, TOOL_GALLEYPROOF = "tool:pandoc", "tool:typst", "tool:galleyproof"
# The tools each kind of output is made with, besides galleyproof itself.
FORMAT_TOOLS = {"pdf": (TOOL_PANDOC, TOOL_TYPST)}
DEFAULT_TOOLS = (TOOL_PANDOC,)


@dataclass
class Output:
    path: str  # relative to the project root
    sha256: str
    inputs: dict[str, str]  # input name (relative path or tool:...) -> hash


@dataclass
class Manifest:
    options: dict[str, str] = field(default_factory=dict)  # engine, audit mode: a change rebuilds everything
    outputs: dict[str, Output] = field(default_factory=dict)  # "html", "pdf", "docx", "report:audit", ...
    tools: dict[str, str] = field(default_factory=dict)  # versions, for the reader: pandoc, typst, galleyproof
    chapters: list[dict] = field(default_factory=list)  # [{"chapter", "cells"}], reported by a no-op rebuild
    # What the render reported (file:line), repeated by a no-op rebuild; unresolved references fail --strict.
    warnings: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        """Each input's digest once, under "inputs"; an output names only the inputs it does not depend on
        ("without": the PDF's tool:typst for the others), since outputs share nearly all of theirs."""
        shared: dict[str, str] = {}
        for output in self.outputs.values():
            for name, digest in output.inputs.items():
                shared.setdefault(name, digest)
        outputs: dict[str, dict] = {}
        for name, o in sorted(self.outputs.items()):
            outputs[name] = {"path": o.path, "sha256": o.sha256}
            if all(shared[key] == digest for key, digest in o.inputs.items()):
                outputs[name]["without"] = sorted(shared.keys() - o.inputs.keys())
            else:
                outputs[name]["inputs"] = o.inputs  # made from another version of a shared input
        return {"version": FORMAT_VERSION, "options": self.options, "tools": self.tools, "chapters": self.chapters,
                "warnings": self.warnings, "unresolved": self.unresolved, "inputs": shared, "outputs": outputs}

    @classmethod
    def from_json(cls, data: dict) -> Manifest:
        shared = data.get("inputs", {})
        outputs = {}
        for name, o in data["outputs"].items():
            without = set(o.get("without", ()))
            inputs = dict(o["inputs"]) if "inputs" in o else {k: v for k, v in shared.items() if k not in without}
            outputs[name] = Output(o["path"], o["sha256"], inputs)
        return cls(dict(data.get("options", {})), outputs, dict(data.get("tools", {})), list(data.get("chapters", [])),
                   list(data.get("warnings", [])), list(data.get("unresolved", [])))

    def unchanged(self, root: Path, names: list[str], options: dict[str, str] | None, hasher: InputHasher) -> bool:
        """Whether the build `options` are the recorded ones (None: not compared), every output in `names` is
        recorded, still has its recorded hash, and every input that made it hashes as recorded (inputs
        shared by several outputs are hashed once)."""
        if (options is not None and options != self.options) or not names \
                or any(name not in self.outputs for name in names):
            return False
        for name in names:
            output = self.outputs[name]
            if sha256_file(root / output.path) != output.sha256:
                return False
            if any(hasher.get(key) != digest for key, digest in output.inputs.items()):
                return False
        return True


def manifest_path(output_dir: Path) -> Path:
    return output_dir / MANIFEST_NAME


def load(output_dir: Path) -> Manifest | None:
    """The recorded manifest; None when there is none or it cannot be read (then everything is built)."""
    try:
        data = json.loads(manifest_path(output_dir).read_text(encoding="utf-8"))
        if data.get("version") != FORMAT_VERSION:
            return None
        return Manifest.from_json(data)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def save(output_dir: Path, manifest: Manifest) -> None:
    atomic_write_text(manifest_path(output_dir), json.dumps(manifest.to_json(), indent=1, sort_keys=True) + "\n")


class InputHasher:
    """Digests of inputs by name, each computed at most once: a tool, or what render.inputs names."""

    def __init__(self, root: Path):
        self.root = root
        self._hashes: dict[str, str] = {}

    def get(self, name: str) -> str:
        if name not in self._hashes:
            self._hashes[name] = _tool_hash(name) if name.startswith("tool:") else inputs.digest(self.root, name)
        return self._hashes[name]

    def many(self, names: list[str]) -> dict[str, str]:
        return {name: self.get(name) for name in sorted(set(names))}


def project_inputs(project) -> list[str]:
    """The project's own source files that exist, relative to its root."""
    from galleyproof.project import SETTINGS_FILE

    paths = [project.config_path, project.root / SETTINGS_FILE, *project.chapters, project.bibliography,
             project.csl, project.lock_path, project.accepted_path]
    lexicon = (project.setting("claims", {}) or {}).get("lexicon")
    if lexicon:
        paths.append(project.root / lexicon)
    return [project.relative(p) for p in paths if p is not None and Path(p).is_file()]


_EMBED = re.compile(r"\{\{<\s*embed\s+([^\s#>]+)")
FOLDER_FILES = ("_metadata.yml", "_metadata.yaml")  # Quarto merges these into every document in their folder
PROJECT_FILES = ("_variables.yml", "_variables.yaml")
EXTENSIONS = "_extensions"


def source_dependencies(project, book) -> list[str]:
    """The files the sources draw in, relative to the root: what they include (and what that includes),
    embed or show (images), the `_metadata.yml` of their folders, `_variables.yml`, the project's
    `_extensions/`, and files that metadata values name (a `reference-doc`, a `template`, `css`,
    `metadata-files`). Found in the text the build read, without parsing it again: editing any of them
    rebuilds, and a source that starts drawing in a new file has itself changed."""
    root = project.root.resolve()
    found: set[Path] = {root / name for name in PROJECT_FILES}
    found.update(p for p in (root / EXTENSIONS).rglob("*") if p.is_file())
    _named_in(project.quarto, root, root, found)
    pending = [(Path(c.path).resolve(), c.text, c.document.metadata) for c in book.chapters]
    seen: set[Path] = set()
    while pending:
        path, text, meta = pending.pop()
        _named_in(meta, path.parent, root, found)
        found.update(folder / name for folder in (path.parent, *path.parent.parents)
                     if folder == root or root in folder.parents for name in FOLDER_FILES)
        targets = [(r.target, r.kind) for r in paths.resources(text)]
        targets += [(m.group(1), "embed") for m in _EMBED.finditer(text)]
        for target, kind in targets:
            local = paths.local_path(target)
            for candidate in _candidates(local, path.parent, root) if local else ():
                found.add(candidate)
                if kind == "include" and candidate not in seen and candidate.is_file():
                    seen.add(candidate)
                    pending.append((candidate, candidate.read_text(encoding="utf-8", errors="replace"), {}))
    return sorted(project.relative(p) for p in found if p.is_file() and (root in p.parents))


def _candidates(local: str, base: Path, root: Path) -> list[Path]:
    """Where Quarto may find a path a source names: beside the source, or from the project root."""
    starts = [root / local.lstrip("/")] if local.startswith("/") else [base / local, root / local]
    found = []
    for start in starts:
        try:
            found.append(start.resolve())
        except (OSError, RuntimeError, ValueError):  # a loop of links, a NUL in a metadata value
            continue
    return found


def _named_in(value, base: Path, root: Path, found: set[Path]) -> None:
    """Files inside the project that string values of metadata name (relative to `base` or the root)."""
    if isinstance(value, dict):
        for item in value.values():
            _named_in(item, base, root, found)
    elif isinstance(value, list):
        for item in value:
            _named_in(item, base, root, found)
    elif isinstance(value, str) and 0 < len(value) < 300 and "\n" not in value and "://" not in value:
        found.update(p for p in _candidates(value, base, root) if p.is_file())


def output_inputs(fmt: str) -> tuple[str, ...]:
    return (TOOL_GALLEYPROOF, *FORMAT_TOOLS.get(fmt, DEFAULT_TOOLS))


def _tool_hash(name: str) -> str:
    if name == TOOL_GALLEYPROOF:
        return package_hash()
    if name == TOOL_TYPST:
        return _version("typst")
    if name == TOOL_PANDOC:
        return pandoc_signature()
    return ""


def tool_versions() -> dict[str, str]:
    """What the reader of a manifest wants to know: which versions made the outputs."""
    import subprocess
    import sys

    from galleyproof import __version__

    pandoc = pandoc_signature().split(" ")[0]
    try:
        first = subprocess.run([pandoc, "--version"], capture_output=True, text=True, timeout=30).stdout
        pandoc_version = first.splitlines()[0].split()[-1] if first else ""
    except (OSError, subprocess.SubprocessError):
        pandoc_version = ""
    return {"galleyproof": __version__, "pandoc": pandoc_version, "typst": _version("typst"),
            "python": ".".join(str(p) for p in sys.version_info[:3])}


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return ""


@cache
def package_hash() -> str:
    """galleyproof's version and a hash of its own files (code, filters, templates, styles, profiles)."""
    from galleyproof import __version__

    parts = []
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            parts.append(f"{path.relative_to(PACKAGE).as_posix()}\0{sha256_file(path)}")
    return f"{__version__} " + sha256_bytes("\n".join(parts).encode("utf-8"))



