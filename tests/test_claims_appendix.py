"""The appendix chapter's analysis cell, executed by a real Jupyter kernel in a copy of the project."""

import re

import nbformat
import pytest
from nbclient import NotebookClient

from galleyproof.manuscript.qmd import read_qmd

pytestmark = pytest.mark.slow


def run_appendix_cell(project) -> str:
    chapter = project / "chapters" / "appendix-consistency.qmd"
    [cell] = read_qmd(chapter).cells
    assert cell.options.get("output") == "asis" and cell.options.get("echo") is False
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell.source)])
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(project)}}).execute()
    return "".join(o.get("text", "") for o in notebook.cells[0].outputs if o.get("output_type") == "stream")


def test_the_appendix_cell_renders_the_checks_report_as_a_table(project_copy):
    """The cell reads the report the build's check step wrote (reports/check.json); it checks nothing."""
    from galleyproof.pipeline.run import stage
    from galleyproof.project import load_project

    assert "has not run" in run_appendix_cell(project_copy)  # no report yet: said, not computed
    stage(load_project(project_copy))  # the build's steps before rendering: writes the reports
    text = run_appendix_cell(project_copy)
    assert re.search(r"^\d+ findings \(1 error, ", text, re.M)
    assert "| Severity | Finding | Where |" in text
    row = next(line for line in text.splitlines() if line.startswith("| error |"))
    assert "orbitofrontal cortex" in row and "`chapters/04-conclusion.qmd:" in row


def test_the_findings_appendix_is_not_checked_as_prose(project_copy):
    """Its prose describes findings ("claims without a citation"); it must never report itself."""
    from galleyproof.claims.run import check_project
    from galleyproof.project import load_project
    sentence = "\nStudies show that 40% of drafts contain such problems.\n"
    appendix = project_copy / "chapters" / "appendix-consistency.qmd"
    appendix.write_text(appendix.read_text(encoding="utf-8") + sentence, encoding="utf-8")
    conclusion = next((project_copy / "chapters").glob("04-*.qmd"))
    conclusion.write_text(conclusion.read_text(encoding="utf-8") + sentence, encoding="utf-8")
    flagged = {loc["file"] for f in check_project(load_project(project_copy))["findings"]
               if f["kind"] == "uncited-claim" for loc in f["locations"] if "40%" in loc["text"]}
    assert flagged == {f"chapters/{conclusion.name}"}
