"""What a chapter's cells depended on, named as the cell cache and the build manifest record it.

The kernel reports every file its cells opened and every module file it had imported, with where its
Python lives (render/kernel.py, REPORT). Hashing each of those files made every record list the
standard library and the whole of a project-local `.venv` (about 1,150 files for this repository's
manuscript: a 1 MB manifest, all hashed again by every no-op rebuild). What is installed changes with
its version, so a file is named by what can change it:

- under a `site-packages` or `dist-packages` directory: the distribution whose RECORD lists it
  (https://packaging.python.org/en/latest/specifications/recording-installed-packages/), as
  `dist:<normalised name>@<site directory>`; its digest is the name and version of every installed
  metadata directory of that name there (an upgrade that leaves the old `.dist-info` behind, as
  `pip install --target --upgrade` does, still changes it);
- in the standard library: the interpreter, `python:<executable>`, digested by the executable's size
  and modification time (a new Python is a new binary);
- anything else by its path, hashed: the project's own modules and data, and modules outside any site
  directory (an editable install such as a galleyproof checkout, a PYTHONPATH entry), whose source
  changes without a version change. A file in a site directory that no distribution lists is hashed too.

Paths inside the project root are recorded relative to it (cache.CellCache.input_hashes), others absolute.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath

from galleyproof.fileio import sha256_file

DIST, PYTHON = "dist:", "python:"
SITE_DIRS = ("site-packages", "dist-packages")
_METADATA = (".dist-info", ".egg-info")


@dataclass(frozen=True)
class KernelReport:
    """What the kernel's REPORT cell prints: the files its cells read or imported, and its interpreter."""

    files: list[str]
    executable: str = ""
    stdlib: tuple[str, ...] = ()


def names(report: KernelReport) -> list[str]:
    """The input names (absolute) for the files the kernel reported."""
    python = PYTHON + os.path.realpath(report.executable) if report.executable else ""
    stdlib = tuple(Path(os.path.realpath(s)) for s in report.stdlib if s)
    found = set()
    for raw in report.files:
        path = Path(os.path.realpath(source_of(Path(raw))))
        site = site_dir(path)
        if site is not None:
            owner = owner_of(site, path)
            found.add(f"{DIST}{owner}@{site}" if owner else str(path))
        elif python and any(s == path or s in path.parents for s in stdlib):
            found.add(python)
        else:
            found.add(str(path))
    return sorted(found)


def split(name: str) -> tuple[str, str]:
    """("dist:pandas@", "/venv/lib/python3.11/site-packages") | ("python:", "/usr/bin/python3.11") | ("", path)."""
    if name.startswith(DIST):
        dist, _, where = name[len(DIST):].partition("@")  # a normalised name has no "@"
        return f"{DIST}{dist}@", where
    if name.startswith(PYTHON):
        return PYTHON, name[len(PYTHON):]
    return "", name


def digest(root: Path, name: str) -> str:
    """The digest of an input name ("" when it is gone); a relative path is taken from `root`."""
    kind, where = split(name)
    path = Path(root) / where
    if kind.startswith(DIST):
        return installed_version(path, kind[len(DIST):-1])
    if kind == PYTHON:
        try:
            info = path.stat()
        except OSError:
            return ""
        return f"{info.st_size} {info.st_mtime_ns}"
    return sha256_file(path) or ""


def installed_version(site: Path, name: str) -> str:
    """"name version" for each metadata directory of distribution `name` in `site` ("" when none)."""
    found = []
    for entry in _metadata_dirs(site).get(name, ()):
        fields = _headers(site / entry / ("METADATA" if entry.endswith(".dist-info") else "PKG-INFO"))
        if fields:
            found.append(f"{fields.get('name', name)} {fields.get('version', '')}")
    return ", ".join(found)


def normalise(name: str) -> str:
    """A distribution name as PEP 503 compares them (https://peps.python.org/pep-0503/#normalized-names)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def source_of(path: Path) -> Path:
    """`pkg/__pycache__/mod.cpython-311.pyc` -> `pkg/mod.py`: Python reads the bytecode, the author edits the source."""
    if path.suffix == ".pyc" and path.parent.name == "__pycache__":
        return path.parent.parent / (path.name.split(".")[0] + ".py")
    return path


def site_dir(path: Path) -> Path | None:
    """The outermost `site-packages`/`dist-packages` directory `path` lies in (a vendored copy inside a
    package is that package's), None outside any."""
    for index, part in enumerate(path.parts[:-1]):
        if part in SITE_DIRS:
            return Path(*path.parts[:index + 1])
    return None


def owner_of(site: Path, path: Path) -> str:
    """The normalised name of the distribution that installed `path` ("" when none lists it): its RECORD
    entry, else the one distribution that installed anything under the same top-level name."""
    exact, tops = _index(site)
    relative = PurePosixPath(path.relative_to(site).as_posix())
    owners = exact.get(relative.as_posix()) or tops.get(relative.parts[0], set())
    return next(iter(owners)) if len(owners) == 1 else ""


_lock = threading.Lock()
_indexes: dict[Path, tuple[int, tuple[dict[str, set[str]], dict[str, set[str]]]]] = {}
_listings: dict[Path, tuple[int, dict[str, list[str]]]] = {}


def _index(site: Path) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """For a site directory: each installed file -> its distributions, each top-level name -> theirs.
    Rebuilt when the directory's listing changes (an install or upgrade adds and removes metadata
    directories), so a long-running process never names a file by a distribution since removed."""
    try:
        stamp = site.stat().st_mtime_ns
    except OSError:
        return {}, {}
    with _lock:
        cached = _indexes.get(site)
        if cached and cached[0] == stamp:
            return cached[1]
        exact: dict[str, set[str]] = {}
        tops: dict[str, set[str]] = {}
        for dist in metadata.distributions(path=[str(site)]):
            name = normalise(dist.name or "")
            try:
                files = dist.files or []
            except (OSError, ValueError):  # an unreadable RECORD: its files are hashed instead
                files = []
            for file in files:
                if not name or file.parts[0] == "..":  # scripts installed beside the site directory
                    continue
                exact.setdefault(file.as_posix(), set()).add(name)
                tops.setdefault(file.parts[0], set()).add(name)
        _indexes[site] = (stamp, (exact, tops))
        return exact, tops


def _metadata_dirs(site: Path) -> dict[str, list[str]]:
    """Normalised distribution name -> its metadata directories in `site` (`name-1.0.dist-info`,
    `name.egg-info`), listed once per change of the directory."""
    try:
        stamp = site.stat().st_mtime_ns
        with _lock:
            cached = _listings.get(site)
            if cached and cached[0] == stamp:
                return cached[1]
        entries = sorted(e for e in os.listdir(site) if e.endswith(_METADATA))
    except OSError:
        return {}
    listing: dict[str, list[str]] = {}
    for entry in entries:
        listing.setdefault(normalise(entry.rsplit(".", 1)[0].split("-")[0]), []).append(entry)
    with _lock:
        _listings[site] = (stamp, listing)
    return listing


def _headers(path: Path) -> dict[str, str]:
    """`name` and `version` from core metadata: an email-style header block, read until both are found or
    the block ends (https://packaging.python.org/en/latest/specifications/core-metadata/)."""
    fields: dict[str, str] = {}
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if not line.strip():
                    break
                key, sep, value = line.partition(":")
                key = key.strip().lower()
                if sep and not line[0].isspace() and key in ("name", "version"):
                    fields.setdefault(key, value.strip())
                    if len(fields) == 2:
                        break
    except OSError:
        return {}
    return fields
