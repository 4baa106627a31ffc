"""Bounded YAML (galleyproof/safe_yaml.py): deep nesting, alias bombs and huge files give one sentence with
file and line wherever a manuscript's YAML is read, never a RecursionError traceback (issue 13, item 3)."""

from pathlib import Path

import pytest

from galleyproof import safe_yaml
from galleyproof.cli import main

DEEP_FLOW = "[" * 5000 + "]" * 5000
DEEP_BLOCK = "".join("  " * i + f"k{i}:\n" for i in range(400)) + "  " * 400 + "x: 1\n"
ALIAS_BOMB = "n0: &n0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"n{i + 1}: &n{i + 1} [" + ", ".join([f"*n{i}"] * 9) + "]\n" for i in range(40))

QUARTO = 'project:\n  type: book\nbook:\n  title: "Deep"\n  chapters:\n    - index.qmd\nbibliography: refs.bib\n'


@pytest.mark.parametrize("text, problem", [
    pytest.param(DEEP_FLOW, "nested deeper than 64 levels", id="flow"),
    pytest.param(DEEP_BLOCK, "nested deeper than 64 levels", id="block"),
    pytest.param(ALIAS_BOMB, "more than 256 aliases", id="alias-bomb"),
    pytest.param("a: " + "x" * (safe_yaml.MAX_BYTES + 1), "larger than 4 MB", id="too-large"),
])
def test_limits_raise_a_located_error(text, problem):
    with pytest.raises(safe_yaml.YAMLLimitError, match=problem) as caught:
        safe_yaml.load(text)
    assert caught.value.line is not None


def test_ordinary_yaml_loads_as_safe_load_does():
    assert safe_yaml.load("a: [1, {b: c}]\nd: &x 1\ne: *x\n") == {"a": [1, {"b": "c"}], "d": 1, "e": 1}


def test_tags_are_refused_as_safe_load_refuses_them():
    with pytest.raises(safe_yaml.YAMLLimitError):
        safe_yaml.load("!!python/object/apply:os.system ['true']")


def project(root: Path, *, quarto: str = QUARTO, index: str = "# Intro\n\nText.\n") -> Path:
    root.mkdir()
    (root / "_quarto.yml").write_text(quarto, encoding="utf-8")
    (root / "index.qmd").write_text(index, encoding="utf-8")
    (root / "refs.bib").write_text("", encoding="utf-8")
    return root


@pytest.mark.parametrize("where, location", [
    pytest.param("quarto", "_quarto.yml:8", id="_quarto.yml"),
    pytest.param("front", "index.qmd:2", id="front-matter"),
    pytest.param("cell", "index.qmd:4", id="cell-options"),
    pytest.param("accepted", "accepted-findings.yml:1", id="accepted-findings.yml"),
])
def test_deep_yaml_is_one_sentence_with_file_and_line(tmp_path, capsys, where, location):
    quarto, index = QUARTO, "# Intro\n\nText.\n"
    if where == "quarto":
        quarto += f"deep: {DEEP_FLOW}\n"
    elif where == "front":
        index = f"---\ndeep: {DEEP_FLOW}\n---\n\n# Intro\n"
    elif where == "cell":
        index = f"# Intro\n\n```{{python}}\n#| deep: {DEEP_FLOW}\n1\n```\n"
    root = project(tmp_path / "p", quarto=quarto, index=index)
    if where == "accepted":
        (root / "accepted-findings.yml").write_text(f"accepted: {DEEP_FLOW}\n", encoding="utf-8")
    code = main(["check", str(root)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err and "RecursionError" not in err
    assert location in err and "nested deeper than 64 levels" in err
    assert len(err.strip().splitlines()) == 1


def test_unprintable_characters_are_a_located_error_not_a_reader_traceback():
    with pytest.raises(safe_yaml.YAMLLimitError, match="special characters"):
        safe_yaml.load("title: a\x1f")
