"""Bad input and failed builds: the right exception with file and line, one sentence, the right exit code."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from galleyproof.cli import main
from galleyproof.errors import BibliographyError, CellError, CitationKeyError, ConfigError
from galleyproof.pipeline.run import build
from galleyproof.project import load_project

MINI = Path(__file__).parent / "data" / "render" / "mini"


def copy_mini(target: Path) -> Path:
    shutil.copytree(MINI, target, ignore=shutil.ignore_patterns("_output", ".galleyproof-cache", "__pycache__"))
    return target


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def replace(path: Path, old: str, new: str) -> None:
    content = path.read_text(encoding="utf-8")
    assert old in content
    path.write_text(content.replace(old, new, 1), encoding="utf-8")


def missing_bibliography(root: Path):
    (root / "references.bib").unlink()
    return BibliographyError, "_quarto.yml", line_of(root / "_quarto.yml", "bibliography:"), "does not exist"


def no_bibliography_key(root: Path):
    replace(root / "_quarto.yml", "bibliography: references.bib\n", "")
    chapter = root / "chapters" / "01-background.qmd"
    return BibliographyError, "chapters/01-background.qmd", line_of(chapter, "[@neff2003]"), "names no bibliography"


def broken_quarto_yml(root: Path):
    replace(root / "_quarto.yml", "  output-dir: _output\n", "  output-dir: [_output\n")
    return ConfigError, "_quarto.yml", None, "invalid YAML"


def unknown_citation_key(root: Path):
    chapter = root / "chapters" / "01-background.qmd"
    replace(chapter, "described the inflammatory reflex.", "described the inflammatory reflex [@nobody2020].")
    return CitationKeyError, "chapters/01-background.qmd", line_of(chapter, "@nobody2020"), "@nobody2020 is not defined"


def failing_cell(root: Path):
    chapter = root / "chapters" / "03-discussion.qmd"
    replace(chapter, "total = 3 + 5 + 2\n", "total = 3 + 5 + 2\nraise ValueError('boom in the discussion')\n")
    # The line that raised, not the cell's fence: the author goes straight to it.
    return CellError, "chapters/03-discussion.qmd", line_of(chapter, "raise ValueError"), \
        "ValueError: boom in the discussion"


CASES = [
    pytest.param(missing_bibliography, 2, id="missing-bibliography"),
    pytest.param(no_bibliography_key, 2, id="cited-without-bibliography"),
    pytest.param(broken_quarto_yml, 2, id="broken-quarto-yml"),
    pytest.param(unknown_citation_key, 2, id="unknown-citation-key"),
    pytest.param(failing_cell, 1, id="failing-cell", marks=pytest.mark.slow),
]


@pytest.mark.parametrize("make_case, exit_code", CASES)
def test_library_raises_with_file_and_line(tmp_path, make_case, exit_code):
    root = copy_mini(tmp_path / "mini")
    error, file, line, words = make_case(root)
    with pytest.raises(error) as caught:
        build(load_project(root), formats=["html"], offline=True)
    assert caught.value.exit_code == exit_code
    assert caught.value.path.endswith(file)
    assert caught.value.line == line if line else caught.value.line
    assert words in caught.value.message


@pytest.mark.parametrize("make_case, exit_code", CASES)
def test_cli_prints_one_sentence_and_exits(tmp_path, capsys, make_case, exit_code):
    root = copy_mini(tmp_path / "mini")
    _, file, line, words = make_case(root)
    code = main(["build", "--project", str(root), "--to", "html", "--offline"])
    err = capsys.readouterr().err
    message = [l for l in err.splitlines() if l.startswith("galleyproof build: error:")]
    assert code == exit_code
    assert len(message) == 1 and words in message[0]
    assert f"{file}:{line}" in message[0] if line else file in message[0]
    assert not (root / "_output" / "manuscript.html").exists()


def test_unknown_format_is_a_usage_error(tmp_path, capsys):
    root = copy_mini(tmp_path / "mini")
    assert main(["build", "--project", str(root), "--to", "html,epub"]) == 2
    assert "epub" in capsys.readouterr().err
