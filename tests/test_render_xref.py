"""xref.lua through real pandoc: Quarto cross-references resolved before citeproc, in every writer."""

from __future__ import annotations

import pytest

from galleyproof.render.pandoc import FILTERS, run_pandoc

DOC = """# 2. Framework {#sec-framework}

## 2-5-1 The cholinergic pathway {#sec-cholinergic}

# Evidence base {#sec-evidence}

![First caption](one.png){#fig-one}

![Second caption](two.png){#fig-two}

| a | b |
|---|---|
| 1 | 2 |

: Corpus {#tbl-corpus}

REFERENCE
"""


def resolve(reference: str, to: str = "plain") -> tuple[str, list[str]]:
    text, warnings = run_pandoc(["-f", "markdown", "-t", to, "--wrap=none", "--lua-filter",
                                 str(FILTERS / "xref.lua")], stdin=DOC.replace("REFERENCE", reference))
    return text, warnings


@pytest.mark.parametrize("reference, expected", [
    pytest.param("See @fig-two.", "See Figure 2.", id="figure"),
    pytest.param("See @tbl-corpus.", "See Table 1.", id="table"),
    pytest.param("See @sec-cholinergic.", "See Section 2-5-1.", id="section-with-its-own-number"),
    pytest.param("See @sec-framework.", "See Section 2.", id="section-numbered-2."),
    pytest.param("See @sec-evidence.", "See Evidence base.", id="unnumbered-section-by-title"),
    pytest.param("Figure [-@fig-one].", "Figure 1.", id="suppressed-prefix"),
    pytest.param("See [@fig-one; @fig-two].", "See Figure 1 and Figure 2.", id="two-references"),
])
def test_reference_text(reference, expected):
    text, warnings = resolve(reference)
    assert expected in text
    assert not warnings


def test_captions_are_numbered_in_document_order():
    text, _ = resolve("", to="html")
    assert "Figure 1: First caption" in text and "Figure 2: Second caption" in text
    assert "Table 1: Corpus" in text


def test_unknown_reference_is_marked_and_warned():
    text, warnings = resolve("See @fig-missing.")
    assert "?@fig-missing" in text
    assert any("fig-missing" in w for w in warnings)


def test_citations_are_left_to_citeproc():
    text, _ = resolve("As [@neff2003] said.", to="markdown")
    assert "[@neff2003]" in text


def test_links_point_at_the_target():
    text, _ = resolve("See @tbl-corpus.", to="html")
    assert '<a href="#tbl-corpus">Table 1</a>' in text
