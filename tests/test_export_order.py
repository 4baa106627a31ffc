"""A failing pre-submission check stops the export before any cell runs (issue 13, item 4): the cells
are the manuscript's code, and nothing they would compute can make a word count or a keyword list pass."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from galleyproof.pipeline.export import export_submission
from galleyproof.project import load_project

pytestmark = pytest.mark.slow

FIXTURE = Path(__file__).parent / "data" / "export" / "project"
CELL = '\n```{python}\nopen("cell-ran.txt", "w").write("the cell ran")\n```\n'


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    with (root / "chapters" / "01-introduction.qmd").open("a", encoding="utf-8") as chapter:
        chapter.write(CELL)
    return root


def test_failing_check_stops_before_any_cell_runs(project):
    index = project / "index.qmd"
    index.write_text(index.read_text(encoding="utf-8").replace("keywords: [", "keywords: [A, B, C, D, E, F, G, "),
                     encoding="utf-8")
    result = export_submission(load_project(project), "preprint")
    assert [c.id for c in result.failed] == ["keywords"]
    assert not result.written
    assert not list(project.rglob("cell-ran.txt"))
    assert not (project / ".galleyproof-cache" / "work" / "manuscript.md").exists()
    figures = next(c for c in result.checks if c.id == "figures")
    assert figures.status == "skip" and "no cell ran" in figures.detail
    assert [c.id for c in result.checks][:6] == ["main-text-words", "abstract-words", "keywords", "references",
                                                 "citations-resolved", "figures"]


def test_passing_checks_run_the_cells(project):
    result = export_submission(load_project(project), "preprint")
    ran = list(project.rglob("cell-ran.txt"))  # in the chapter's folder: Quarto's default execute-dir
    assert result.written and [p.read_text() for p in ran] == ["the cell ran"]
