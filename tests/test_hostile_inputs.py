"""Inputs that broke readers (issue 13, item 3): a `{.python}` display block, and patterns whose time
grew super-linearly with their length (each case below took quadratic time before)."""

from __future__ import annotations

import pytest

from galleyproof.cli import main
from galleyproof.export import anonymise
from galleyproof.export.checks import count_words
from galleyproof.export.identity import identity_of
from galleyproof.manuscript.qmd import parse_qmd
from galleyproof.manuscript.source import parse_source
from galleyproof.project import Author

IDENTITY = identity_of((Author("Ada Lovelace", "Analytical Engine University", "ada@example.org"),))


@pytest.mark.parametrize("opener", ["```{.python}", "``` {.python .numberLines}", "```{#lst-a .python}"])
def test_display_blocks_are_not_cells(opener):
    doc = parse_qmd(f"# T\n\n{opener}\nprint('shown')\n```\n\n```{{python}}\n1\n```\n")
    assert [c.source for c in doc.cells] == ["1"]


def test_a_display_block_builds_and_is_shown_not_run(tmp_path, capsys):
    (tmp_path / "_quarto.yml").write_text("project:\n  type: book\nbook:\n  title: T\n  chapters:\n    - index.qmd\n"
                                          "bibliography: refs.bib\n", encoding="utf-8")
    (tmp_path / "refs.bib").write_text("", encoding="utf-8")
    (tmp_path / "index.qmd").write_text('# Intro\n\n```{.python}\nopen("ran.txt", "w")\n```\n', encoding="utf-8")
    code = main(["build", "--project", str(tmp_path), "--engine", "embedded", "--offline", "--to", "html"])
    assert code == 0, capsys.readouterr().err
    assert not (tmp_path / "ran.txt").exists()
    assert 'open("ran.txt", "w")' in (tmp_path / "_output" / "manuscript.html").read_text(encoding="utf-8") \
        or "ran.txt" in (tmp_path / "_output" / "manuscript.html").read_text(encoding="utf-8")


READERS = {
    "qmd": lambda text: parse_qmd(text),
    "source": lambda text: parse_source(text),
    "count_words": count_words,
    "anonymise": lambda text: anonymise.anonymise_markdown(text, IDENTITY),
}


# Each input took minutes before (quadratic backtracking: about 0.1 s at 2,000 characters, 16 times
# that at each doubling's square); linear readers take well under a second. The timeout is a guard
# against a hang, with a margin of two orders of magnitude, not a speed target (those live in bench/).
@pytest.mark.timeout(60)
@pytest.mark.parametrize("reader, text", [
    pytest.param("qmd", "# " + "{" * 100_000, id="qmd-heading-braces"),
    pytest.param("qmd", "# " + "x = {" * 50_000, id="qmd-heading-attributes"),
    pytest.param("source", "# " + "\t" * 100_000 + "x", id="source-heading-blank-run"),
    pytest.param("source", "Smith" + " " * 100_000 + "x", id="apa-year-after-blank-run"),
    pytest.param("count_words", "](" * 200_000, id="count-words-link-targets"),
    pytest.param("count_words", "[@@" * 100_000, id="count-words-citations"),
    pytest.param("anonymise", "![" * 100_000, id="anonymise-images"),
    pytest.param("anonymise", "{" * 100_000, id="anonymise-attributes"),
])
def test_readers_stay_linear_on_long_pathological_lines(reader, text):
    READERS[reader](text)
