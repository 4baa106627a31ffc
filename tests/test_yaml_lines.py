"""Errors about YAML point at the line that wrote the value: safe_yaml.line_of / line_in_file, through the
real project reader, the audit's input reader and the CLI, on cases a scan for `key:` lines got wrong
(nested keys, one key name under two parents, list items, flow style, front matter)."""

from __future__ import annotations

from pathlib import Path

import pytest

from galleyproof import safe_yaml
from galleyproof.audit.inputs import from_path
from galleyproof.cli import main
from galleyproof.errors import ConfigError, GalleyproofError, ManuscriptError
from galleyproof.project import load_project


def project(tmp_path: Path, quarto: str, files: dict[str, str] | None = None) -> Path:
    root = tmp_path / "ms"
    root.mkdir()
    (root / "_quarto.yml").write_text(quarto, encoding="utf-8")
    for name, text in (files or {"index.qmd": "# Intro\n"}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def error_of(root: Path) -> GalleyproofError:
    with pytest.raises(GalleyproofError) as caught:
        load_project(root)
    return caught.value


@pytest.mark.parametrize("quarto, message, line", [
    # `output-file` is first written as a format option; the book's own one is the bad one
    pytest.param("project:\n  type: book\nformat:\n  docx:\n    output-file: report.docx\n"
                 "book:\n  title: T\n  output-file: ../escape\n  chapters: [index.qmd]\n", "output-file", 8,
                 id="a-key-under-the-right-parent"),
    pytest.param("format:\n  html:\n    theme: cosmo\n    type: ignored\nproject:\n  title: T\n  type: journal\n",
                 "project type 'journal'", 7, id="a-nested-key-after-a-same-named-key-elsewhere"),
    # `extra.qmd` is a listed resource first, then a render target that matches nothing
    pytest.param("manuscript:\n  resources:\n    - extra.qmd\nproject:\n  render:\n    - index.qmd\n"
                 "    - extra.qmd\n", "project.render lists 'extra.qmd'", 7, id="the-same-item-in-two-lists"),
])
def test_the_line_of_a_bad_value(tmp_path, quarto, message, line):
    error = error_of(project(tmp_path, quarto))
    assert message in error.message and error.line == line


@pytest.mark.parametrize("chapters, line", [
    pytest.param("  chapters:\n    - index.qmd\n    - part: Body\n      chapters:\n        - missing.qmd\n", 8,
                 id="item-inside-a-part-after-the-same-name-elsewhere"),
    pytest.param("  chapters: [index.qmd,\n             missing.qmd]\n", 5, id="flow-style-over-two-lines"),
    pytest.param("  chapters:\n    - index.qmd\n  appendices:\n    - \"missing.qmd\"  # to write\n", 7,
                 id="quoted-appendix-with-a-comment"),
])
def test_a_missing_chapter_points_at_its_list_item(tmp_path, chapters, line):
    # `missing.qmd` is also a resource of the project, listed first
    root = project(tmp_path, "project:\n  type: book\n  resources:\n    - missing.qmd\nbook:\n" + chapters)
    error = error_of(root)
    assert isinstance(error, ManuscriptError) and "missing.qmd" in error.message
    assert (Path(error.path or "").name, error.line) == ("_quarto.yml", line + 2)


def test_a_bibliography_outside_the_project_in_front_matter(tmp_path):
    root = project(tmp_path, "project:\n  type: default\n",
                   {"index.qmd": "---\ntitle: T\nbibliography:\n  - refs.bib\n  - ../elsewhere.bib\n---\n\n# Intro\n"})
    error = error_of(root)
    assert isinstance(error, ConfigError) and "elsewhere.bib" in error.message
    assert (Path(error.path or "").name, error.line) == ("index.qmd", 5)


def test_the_audit_reader_points_into_front_matter(tmp_path):
    paper = tmp_path / "paper.qmd"
    paper.write_text("---\ntitle: T\nbibliography: [refs.bib,\n  ../../outside.bib]\n---\n\nText [@a].\n",
                     encoding="utf-8")
    (tmp_path / "refs.bib").write_text("@article{a, title={A}, year={2020}}\n", encoding="utf-8")
    with pytest.raises(GalleyproofError) as caught:
        from_path(paper)
    assert "outside.bib" in caught.value.message and caught.value.line == 4


def test_the_cli_prints_file_and_line(tmp_path, capsys):
    root = project(tmp_path, "project:\n  type: book\n  resources:\n    - gone.qmd\n"
                             "book:\n  chapters:\n    - index.qmd\n    - gone.qmd\n")
    assert main(["check", str(root)]) != 0
    assert "_quarto.yml:8: chapter 'gone.qmd'" in capsys.readouterr().err


@pytest.mark.parametrize("text, path, line", [
    pytest.param("a:\n  b:\n    c: 1\n", ("a", "b", "c"), 3, id="nested"),
    pytest.param("a:\n  b: 1\n", ("a", "x", "y"), 1, id="missing-key-gives-the-parent"),
    pytest.param("a:\n  - x\n  - y\n", ("a", 5), 1, id="index-past-the-end-gives-the-list"),
    pytest.param("a: single\n", ("a", 0), 1, id="index-into-a-single-value"),
    pytest.param("a: 1\nb: 2\na: 3\n", ("a",), 3, id="repeated-key-where-the-loader-takes-it"),
    pytest.param("{a: {b: [1, 2,\n  3]}}\n", ("a", "b", 2), 2, id="flow-mapping"),
    pytest.param("# comment\n\nx: 1\n", (), 3, id="empty-path"),
])
def test_line_of(text, path, line):
    assert safe_yaml.line_of(text, path) == line


@pytest.mark.parametrize("text", [
    pytest.param("a: [1, 2\nb: 3\n", id="malformed"),
    pytest.param("", id="empty"),
    pytest.param("[" * 5000 + "]" * 5000, id="nested-past-the-limit"),
    pytest.param("a: &a [x]\n" + "".join(f"b{i}: &b{i} [*a, *a]\n" for i in range(300)), id="too-many-aliases"),
])
def test_line_of_never_raises(text):
    assert safe_yaml.line_of(text, ("a", 0)) is None
