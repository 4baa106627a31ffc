"""Where the external tools live, found without running them (the build manifest stats them on every
rebuild; pypandoc's own search starts pandoc and costs most of a second)."""

from __future__ import annotations

import functools
import importlib.util
import os
from pathlib import Path


def bundled_pandoc() -> str | None:
    """pypandoc-binary's pandoc (`pypandoc/files/pandoc`, see ../../shared/NOTES.md), None without it."""
    spec = importlib.util.find_spec("pypandoc")
    if spec is None or not spec.origin:
        return None
    for name in ("pandoc", "pandoc.exe"):
        candidate = Path(spec.origin).parent / "files" / name
        if candidate.is_file():
            return str(candidate)
    return None


@functools.cache
def pandoc_path() -> str:
    """The pandoc to run: the bundled one, else pypandoc's search (which runs pandoc: once per process)."""
    bundled = bundled_pandoc()
    if bundled:
        return bundled
    import pypandoc

    return pypandoc.get_pandoc_path()


def pandoc_signature() -> str:
    """The pandoc binary's path, size and modification time: a new pandoc changes it without running it
    (the build manifest and the cached prose readings key on it); "" when it cannot be found."""
    try:
        path = pandoc_path()
        info = os.stat(path)
    except OSError:
        return ""
    return f"{path} {info.st_size} {info.st_mtime_ns}"
