"""Path safety for submission packages: nothing is read or written outside the project through a
path taken from the manuscript or a profile, and archive entries are plain relative names."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path, PurePosixPath

from galleyproof.errors import ExportError

_SAFE_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def safe_name(name: str) -> str:
    """A zip/manifest entry name: relative, forward slashes, no `..`, plain characters per part."""
    pure = PurePosixPath(name)
    if not name or "\\" in name or pure.is_absolute() or not all(_SAFE_PART.match(p) for p in pure.parts):
        raise ExportError(f"unsafe file name in the package: {name!r}")
    return pure.as_posix()


def inside(path: Path, *roots: Path) -> bool:
    real = Path(path).resolve()
    return any(real == r.resolve() or r.resolve() in real.parents for r in roots)


def require_inside(path: Path, *roots: Path, what: str = "path") -> Path:
    if not inside(path, *roots):
        raise ExportError(f"{what} {path} lies outside the project")
    return Path(path).resolve()


def build_dir_beside(target: Path) -> Path:
    """A fresh temporary directory next to `target`, on the same file system so a rename can swap it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    built = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.build-"))
    built.chmod(0o755)  # mkdtemp makes it private; the package is an ordinary output directory
    return built


def swap_into_place(built: Path, target: Path) -> None:
    """Replace directory `target` by `built`: a reader finds the whole old package or the whole new one
    (or, between two renames, none), never a mix.

    POSIX cannot rename a directory over a non-empty one, so the old package is first renamed aside
    (one rename), the new one renamed in (one rename), and only then is the old one deleted.
    """
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.old-"))
        os.replace(target, old / target.name)
    os.replace(built, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)

