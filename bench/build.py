#!/usr/bin/env python3
"""Build timings of the repository's manuscript, beside the raw tools, on a copy in a temporary directory.

One run prints, side by side:

  raw steps      what the same outputs cost the tools themselves, one after the other: a Jupyter kernel
                 per chapter with cells running those cells, pandoc once per format (HTML, Typst, DOCX)
                 on the same assembled Markdown with the same arguments, and typst compiling the PDF
  cold build     galleyproof with an empty cache and no manifest (reading, validation, offline audit,
                 claim checks, cells, every format)
  hash floor     hashing every input the manifest records (what a no-op must at least do)
  no-op rebuild  nothing changed
  prose edit     one sentence of chapter 1 changed (cells that read what changed re-execute: the evidence
                 appendix reads the chapters; the consistency appendix reads reports/check.json, which
                 changes only when the findings do)

with the parses each build made (every chapter and the bibliography should be parsed at most once).
The issue's targets are printed beside the figures: cold <= 1.15 x raw, no-op <= 0.3 s or <= 1.5 x the
hash floor. The machine's other load shows in these numbers: run it twice before believing one figure.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from galleyproof import parses
from galleyproof.manuscript.book import read_book
from galleyproof.manuscript.qmd import read_qmd
from galleyproof.pipeline import manifest as manifests
from galleyproof.pipeline.run import BuildResult, build
from galleyproof.project import copy_manuscript, load_project
from galleyproof.render import embedded, look, pandoc
from galleyproof.render.cells import cell_options, should_evaluate
from galleyproof.render.kernel import SOURCE_DATE_EPOCH, execute_chapter

REPO = Path(__file__).resolve().parents[1]
FORMATS = ("html", "pdf", "docx")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def timed_build(root: Path, **options) -> tuple[float, BuildResult, int]:
    before = parses.counts()
    started = time.perf_counter()
    result = build(load_project(root), engine="embedded", offline=True, **options)
    seconds = time.perf_counter() - started
    parsed = sum((parses.counts() - before).values())
    return seconds, result, parsed


def raw_steps(root: Path) -> dict[str, float]:
    """The tools alone, one after the other, for the outputs galleyproof made (run after a build, whose
    assembled Markdown and figures pandoc reads)."""
    project = load_project(root)
    times: dict[str, float] = {}
    defaults = project.quarto.get("execute") if isinstance(project.quarto.get("execute"), dict) else {}
    started = time.perf_counter()
    for path in project.chapters:
        doc = read_qmd(path, project.relative(path))
        cells = [c for c in doc.cells if c.language.lower() == "python"]
        if not cells:
            continue
        sources = [c.source if should_evaluate(cell_options(c, defaults)) else None for c in cells]
        execute_chapter(sources, cwd=root, chapter=project.relative(path), lines=[c.line for c in cells],
                        fig_dpi=embedded.figure_dpi(project))
    times["kernel"] = time.perf_counter() - started
    # From the cell cache: the Markdown and figures to convert.
    prepared = embedded.prepare(project, book=read_book(project))
    pandoc_binary = pandoc.pandoc_path()
    env = dict(os.environ, SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH)
    for fmt in FORMATS:
        suffix = embedded.SUFFIX["typst" if fmt == "pdf" else fmt]
        out = prepared.resource_dir / f".raw-{fmt}{suffix}"  # beside the figures, as galleyproof's own .typ
        meta = out.with_name(f".raw-{fmt}-meta.yaml")
        meta.write_text(yaml.safe_dump(embedded._format_metadata(look.metadata(prepared.metadata), fmt),
                                       allow_unicode=True), encoding="utf-8")
        args = embedded.pandoc_args(prepared, fmt, out, meta)
        started = time.perf_counter()
        subprocess.run([pandoc_binary, *args], check=True, capture_output=True, cwd=prepared.resource_dir, env=env)
        times[f"pandoc {fmt}"] = time.perf_counter() - started
        if fmt == "pdf":
            import typst

            started = time.perf_counter()
            typst.compile(str(out), output=str(out.with_suffix(".pdf")), root=str(root), ignore_system_fonts=True,
                          timestamp=int(SOURCE_DATE_EPOCH))
            times["typst"] = time.perf_counter() - started
    return times


def hash_floor(root: Path) -> float:
    """Hash every input the manifest names, from nothing (galleyproof's own files included)."""
    recorded = manifests.load(load_project(root).output_dir)
    assert recorded is not None
    names = sorted({name for output in recorded.outputs.values() for name in output.inputs})
    manifests.package_hash.cache_clear()
    started = time.perf_counter()
    manifests.InputHasher(root).many(names)
    for output in recorded.outputs.values():
        manifests.sha256_file(root / output.path)
    return time.perf_counter() - started


def cli_noop(root: Path) -> float:
    """The no-op as a user runs it: a new Python process, `galleyproof build`."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "galleyproof", "build", "--engine", "embedded", "--offline",
                    "--project", str(root)], check=True, capture_output=True)
    return time.perf_counter() - started


def line(label: str, seconds: float, note: str = "") -> None:
    print(f"{label:<28} {seconds:7.2f} s   {note}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="galleyproof-bench-") as tmp:
        root = copy_manuscript(REPO, Path(tmp) / "project")
        print(f"manuscript copied to {root}; formats {', '.join(FORMATS)}; audit offline")
        cold, result, cold_parses = timed_build(root, fresh=True)
        raw = raw_steps(root)
        raw_total = sum(raw.values())
        floor = hash_floor(root)
        manifests.package_hash.cache_clear()  # hashed again, as a new process would
        noop, noop_result, noop_parses = timed_build(root)
        assert noop_result.status == "unchanged", "the no-op rebuild rebuilt something"
        process = cli_noop(root)
        edit(root / "chapters" / "01-introduction.qmd", "Contemporary clinical psychology",
             "Contemporary clinical psychology (bench edit)")
        prose, prose_result, prose_parses = timed_build(root)
        print()
        line("raw steps (sum)", raw_total, "  ".join(f"{k} {v:.2f}" for k, v in raw.items()))
        timings = result.timings
        parts = "  ".join(f"{k} {timings[k]:.2f}" for k in ("read", "audit", "check", "cells_wall", "formats_wall")
                          if k in timings)
        line("cold build", cold, f"{cold / raw_total:.2f} x raw (target <= 1.15); {cold_parses} parses; {parts}")
        line("hash floor", floor, "every input the manifest names, and the outputs")
        target = max(0.3, 1.5 * floor)
        line("no-op rebuild", noop, f"target <= {target:.2f} s (0.3 s or 1.5 x hash floor); {noop_parses} parses")
        line("no-op rebuild, CLI", process, "new Python process: interpreter and imports included")
        executed = [c.chapter for c in prose_result.chapters if c.status == "executed"]
        line("prose edit (chapter 1)", prose, f"{prose_parses} parses; executed: {', '.join(executed) or 'nothing'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
