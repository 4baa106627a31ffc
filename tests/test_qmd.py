"""Reading Quarto Markdown without executing it: citations, cross-references, cells, headings, blocks."""

import pytest

from galleyproof.errors import ManuscriptError
from galleyproof.manuscript.qmd import citations_in_line, parse_qmd, split_heading

CHAPTER = """---
title: Chapter
keywords: [a, b]
---

# 2. Theoretical Framework {#sec-framework}

## 2-2 Neuropsychological Foundations {#sec-neuro}

Activity rises [@klimecki2014; @longe2010, p. 3], as @neff2003 argued; see @sec-neuro and @fig-years.
Write to djamila@example.org, not to a key.

```{python}
#| label: fig-years
#| fig-cap: "Publication years"
#| echo: false
import analysis
```

- first item [-@gilbert2014]
- second item

```
not a cell @notakey
```
"""


def test_citations_with_lines_and_sections():
    doc = parse_qmd(CHAPTER, "chapters/02.qmd")
    found = [(c.key, c.line, c.narrative) for c in doc.citations]
    assert found == [("klimecki2014", 10, False), ("longe2010", 10, False), ("neff2003", 10, True),
                     ("gilbert2014", 20, False)]
    assert {c.section for c in doc.citations[:3]} == {"2-2 Neuropsychological Foundations"}
    assert doc.cited_keys() == {"klimecki2014", "longe2010", "neff2003", "gilbert2014"}


@pytest.mark.parametrize(
    ("line", "keys"),
    [
        pytest.param("see @sec-intro and @tbl-corpus", [], id="xrefs-are-not-citations"),
        pytest.param("mail me@example.org", [], id="email"),
        pytest.param("as @neff2003.", ["neff2003"], id="trailing-period"),
        pytest.param("[@a:b-c; @d_e]", ["a:b-c", "d_e"], id="internal-punctuation"),
        pytest.param("[see @x, pp. 3-4]", ["x"], id="prefix-and-locator"),
        pytest.param("[@fig-a; @smith2020]", ["smith2020"], id="mixed-bracket"),
    ],
)
def test_citation_syntax(line, keys):
    assert [c.key for c in citations_in_line(line, "f", 1, "")] == keys


def test_headings_keep_the_authors_numbering():
    doc = parse_qmd(CHAPTER, "c.qmd")
    assert [(h.level, h.number, h.title, h.id, h.line) for h in doc.headings] == [
        (1, "2", "Theoretical Framework", "sec-framework", 6),
        (2, "2-2", "Neuropsychological Foundations", "sec-neuro", 8),
    ]


@pytest.mark.parametrize(
    ("raw", "number", "title"),
    [
        ("**2-1-3 Theoretical Dimensions of Self-Compassion:**", "2-1-3", "Theoretical Dimensions of Self-Compassion"),
        ("2.1 Conceptual Framework:", "2.1", "Conceptual Framework"),
        ("**4- Conclusion**", "4", "Conclusion"),
        ("References", "", "References"),
    ],
)
def test_split_heading(raw, number, title):
    assert split_heading(raw) == (number, title)


def test_cells_with_options_and_lines():
    doc = parse_qmd(CHAPTER, "c.qmd")
    (cell,) = doc.cells
    assert cell.language == "python"
    assert cell.options == {"label": "fig-years", "fig-cap": "Publication years", "echo": False}
    assert cell.source == "import analysis"
    assert (cell.line, cell.first_code_line) == (13, 17)


def test_blocks_exclude_code_and_front_matter():
    doc = parse_qmd(CHAPTER, "c.qmd")
    kinds = [(b.kind, b.line, b.end_line) for b in doc.blocks]
    assert kinds == [("paragraph", 10, 11), ("list_item", 20, 20), ("list_item", 21, 21)]
    assert doc.metadata == {"title": "Chapter", "keywords": ["a", "b"]}
    assert all("import analysis" not in b.text and "notakey" not in b.text for b in doc.blocks)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        pytest.param("---\ntitle: [unclosed\n---\n", 2, "front matter", id="bad-yaml"),
        pytest.param("---\ntitle: x\n", 1, "never closed", id="unclosed-front-matter"),
    ],
)
def test_parse_errors_carry_the_line(text, line, message):
    with pytest.raises(ManuscriptError, match=message) as caught:
        parse_qmd(text, "bad.qmd")
    assert (caught.value.path, caught.value.line) == ("bad.qmd", line)


def test_a_cell_left_open_runs_to_the_end_of_the_file():
    # CommonMark closes an open fence at the end of the document, and Quarto renders such files
    # (quarto-ext/manuscript-template-vscode's notebook ends inside its last cell).
    doc = parse_qmd("# A\n\n```{python}\nx = 1\ny = 2\n", "open.qmd")
    [cell] = doc.cells
    assert (cell.line, cell.source) == (3, "x = 1\ny = 2")
