"""Where the external tools live, found without running them (the build manifest stats them on every
rebuild; pypandoc's own search starts pandoc and costs most of a second)."""

from __future__ import annotations

import importlib.util
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
