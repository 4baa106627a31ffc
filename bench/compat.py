#!/usr/bin/env python3
"""Build timings of each real Quarto project in ../shared/compat/quarto, cold and no-op, embedded engine.

Each project is copied to a temporary directory as published and built twice: cold (empty cell cache)
and again with nothing changed (cells come from the cache, no kernel starts; pandoc and Typst still
write every format). A project that commits Quarto's `_freeze/` builds from it (cells: frozen), and a
default project builds its other documents past one that fails (N failed). A project that cannot build
here (R cells without an R kernel, a notebook missing from the snapshot) prints the time it took to say
so and its one-sentence error. The floor to compare
with is in ../shared/NOTES.md: a Jupyter kernel start and one pandas cell, about 2.4 s, plus pandoc and
Typst for the formats, about 1.3 s for a whole review.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from galleyproof.errors import GalleyproofError
from galleyproof.pipeline.run import build
from galleyproof.project import load_project

COMPAT = Path(__file__).resolve().parents[2] / "shared" / "compat" / "quarto"
# (label, project folder, what to build inside it: the folder or one document)
CASES = (
    ("template-vscode", "template-vscode", "."),
    ("template-jupyter", "template-jupyter", "."),
    ("submission-quarto-full", "submission-quarto-full", "."),
    ("quarto-preprint", "quarto-preprint", "."),
    ("quarto-preprint/template.qmd", "quarto-preprint", "template.qmd"),
    ("quartobooksample", "quartobooksample", "."),
)
FLOOR = "floor: kernel + one cell 2.4 s, pandoc + typst 1.3 s (NOTES.md)"


def timed(target: Path) -> tuple[float, str]:
    started = time.perf_counter()
    try:
        result = build(load_project(target), engine="embedded", offline=True)
        outcome = f"{len(result.outputs)} outputs, cells: " + (
            ", ".join(sorted({c.status for c in result.chapters})) or "none")
        if result.failed:  # a default project builds its other documents past a failing one
            outcome += f"; {len(result.failed)} failed: {result.failed[0]}"
    except GalleyproofError as exc:
        outcome = f"stops: {exc}"
    return time.perf_counter() - started, outcome


def main() -> int:
    if not COMPAT.is_dir():
        print(f"{COMPAT} is not here", file=sys.stderr)
        return 1
    print(f"{'project':<30} {'cold':>7} {'no-op':>7}   outcome ({FLOOR})")
    for label, folder, inside in CASES:
        with tempfile.TemporaryDirectory(prefix="galleyproof-compat-") as tmp:
            root = Path(tmp) / folder
            shutil.copytree(COMPAT / folder, root)
            cold, outcome = timed(root / inside)
            noop, _ = timed(root / inside)
            print(f"{label:<30} {cold:6.2f}s {noop:6.2f}s   {outcome[:150]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
