#!/usr/bin/env python3
"""Build timings of the repository's manuscript, on a copy in a temporary directory.

Prints the cold build (empty cache), the no-op rebuild, a rebuild after editing one cell of the
evidence appendix, and a rebuild after editing prose in chapter 1 (which the appendices read, so they
re-execute), each with the share spent in kernel start-up, cell execution, pandoc and Typst; the rest
is validation, the citation audit (offline, from the lock) and the claim checks. Chapters run in
parallel, one kernel each, so kernel and execution shares split the wall-clock time of that phase.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from galleyproof.pipeline.run import build
from galleyproof.project import copy_manuscript, load_project

REPO = Path(__file__).resolve().parents[1]
PARTS = ("kernel", "execute", "pandoc", "typst")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def measure(label: str, root: Path, **options) -> None:
    started = time.perf_counter()
    result = build(load_project(root), offline=True, **options)
    total = time.perf_counter() - started
    executed = [c.chapter for c in result.chapters if c.status == "executed"]
    parts = {p: result.timings.get(p, 0.0) for p in PARTS}
    # Chapters execute concurrently: split the wall-clock time of that phase in the kernels' proportions.
    busy = parts["kernel"] + parts["execute"]
    if busy:
        scale = result.timings.get("cells_wall", busy) / busy
        parts["kernel"], parts["execute"] = parts["kernel"] * scale, parts["execute"] * scale
    parts["other"] = max(0.0, total - sum(parts.values()))
    shares = "  ".join(f"{p} {s:5.2f} s ({100 * s / total:3.0f}%)" for p, s in parts.items())
    print(f"{label:<24} {total:6.2f} s   {shares}")
    print(f"{'':<24} executed: {', '.join(executed) or 'nothing (no kernel started)'}")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="galleyproof-bench-") as tmp:
        root = copy_manuscript(REPO, Path(tmp) / "project")
        print(f"manuscript copied to {root}; formats html, pdf, docx; audit offline")
        measure("cold build", root, fresh=True)
        measure("no-op rebuild", root)
        edit(root / "chapters" / "appendix-evidence.qmd", 'corpus = reference_table("references.bib")',
             'corpus = reference_table("references.bib")  # bench edit')
        measure("one-cell edit (appendix)", root)
        edit(root / "chapters" / "01-introduction.qmd", "Contemporary clinical psychology",
             "Contemporary clinical psychology (bench edit)")
        measure("prose edit (chapter 1)", root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
