"""The Quarto backend: `quarto render` in the project root, when a Quarto CLI is installed.

Found as `$QUARTO_PATH` (the variable Quarto's own tools honour) or `quarto` on PATH. Quarto reads the
same _quarto.yml, executes the cells with its Jupyter engine and writes into `project.output-dir`
(https://quarto.org/docs/projects/quarto-projects.html#rendering-projects).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from galleyproof import paths
from galleyproof.errors import RenderError, UsageError
from galleyproof.project import Project


def find_quarto() -> str | None:
    explicit = os.environ.get("QUARTO_PATH")
    if explicit:
        return explicit if Path(explicit).is_file() else None
    return shutil.which("quarto")


def require_quarto() -> str:
    """The Quarto CLI to run, or a UsageError saying why there is none (before any work is done)."""
    explicit = os.environ.get("QUARTO_PATH")
    if explicit and not Path(explicit).is_file():
        raise UsageError(f"QUARTO_PATH names {explicit}, which is not a file")
    quarto = find_quarto()
    if quarto is None:
        raise UsageError("--engine quarto needs the quarto CLI on PATH or QUARTO_PATH set "
                         "(or use the embedded engine: --engine embedded)")
    return quarto


def render(project: Project, formats: tuple[str, ...], *, fresh: bool = False) -> dict[str, Path]:
    """Run `quarto render --to FMT` per format; returns format -> output directory."""
    quarto = require_quarto()
    from galleyproof.manuscript.qmd import source_text
    from galleyproof.render.embedded import rebase_images

    for chapter in project.chapters:  # Quarto embeds images and includes as pandoc does, from the chapter's folder
        name = project.relative(chapter)
        text = rebase_images(source_text(chapter, name), chapter.parent, project.root)
        paths.check_resources(text, project.root, source=name)
    outputs = {}
    for fmt in formats:
        command = [quarto, "render", "--to", fmt] + (["--cache-refresh"] if fresh else [])
        proc = subprocess.run(command, cwd=project.root, capture_output=True, text=True)
        if proc.returncode != 0:
            tail = " ".join(proc.stderr.strip().splitlines()[-3:])
            raise RenderError(f"quarto render --to {fmt} failed: {tail}", project.config_path)
        outputs[fmt] = project.output_dir
    return outputs
