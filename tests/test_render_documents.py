"""A default project keeps going past a document that fails, as `quarto render` does for such a project.

Three real documents with Python cells in a real kernel, the middle one raising; the build writes the
other two, names the failure with its file and line, records no manifest (so the next build tries
again) and the CLI exits 1 after listing what it wrote.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rendered_text import html_text

from galleyproof.cli import main
from galleyproof.errors import CellError
from galleyproof.pipeline.run import build
from galleyproof.project import load_project

pytestmark = pytest.mark.slow

DOCS = {
    "_quarto.yml": "project:\n  title: Three notes\nformat: html\n",
    "a-first.qmd": "---\ntitle: First note\n---\n\n```{python}\nprint('first ran', 6 * 7)\n```\n",
    "b-middle.qmd": "---\ntitle: Middle note\n---\n\nSome prose.\n\n```{python}\nx = 1\n"
                    "y = x / 0\n```\n",
    "c-last.qmd": "---\ntitle: Last note\n---\n\n```{python}\nprint('last ran', 2 + 3)\n```\n",
}


def three(root: Path, docs: dict[str, str] = DOCS) -> Path:
    for name, text in docs.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_default_project_builds_the_documents_around_a_failing_one(tmp_path):
    root = three(tmp_path)
    result = build(load_project(root), engine="embedded", offline=True)
    assert result.failed == ["b-middle.qmd:9: cell failed: ZeroDivisionError: division by zero"]
    assert not result.ok
    assert sorted(result.outputs) == ["a-first.html", "c-last.html"]
    assert "first ran 42" in html_text(root / "_output" / "a-first.html")
    assert "last ran 5" in html_text(root / "_output" / "c-last.html")
    assert not (root / "_output" / "b-middle.html").exists()
    # No manifest: the next build must not call the failed project "unchanged".
    again = build(load_project(root), engine="embedded", offline=True)
    assert again.status == "built" and again.failed == result.failed


def test_cli_lists_what_it_wrote_and_each_failure_then_exits_1(tmp_path, capsys):
    root = three(tmp_path)
    assert main(["build", "--engine", "embedded", "--offline", "--project", str(root)]) == 1
    out = capsys.readouterr().out
    assert "; 1 document failed" in out.splitlines()[0]
    assert "_output/a-first.html" in out and "_output/c-last.html" in out
    assert "failed: b-middle.qmd:9: cell failed: ZeroDivisionError: division by zero" in out


def test_every_failure_is_reported_not_only_the_first(tmp_path):
    docs = {**DOCS, "c-last.qmd": "---\ntitle: Last\n---\n\n```{python}\nraise KeyError('gone')\n```\n"}
    result = build(load_project(three(tmp_path, docs)), engine="embedded", offline=True)
    assert [f.split(":")[0] for f in result.failed] == ["b-middle.qmd", "c-last.qmd"]
    assert sorted(result.outputs) == ["a-first.html"]


def test_a_single_document_still_raises(tmp_path):
    (tmp_path / "only.qmd").write_text(DOCS["b-middle.qmd"], encoding="utf-8")
    with pytest.raises(CellError) as caught:
        build(load_project(tmp_path / "only.qmd"), engine="embedded", offline=True)
    assert (caught.value.path, caught.value.line) == ("only.qmd", 9)
