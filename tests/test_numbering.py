"""One section-numbering grammar (galleyproof.manuscript.numbering), seen through both of its readers:
the Quarto Markdown reader with the claim checker, and the importer's plain-text reader."""

from __future__ import annotations

import pytest
from claims_helpers import of_kind

from galleyproof.manuscript.qmd import parse_qmd
from galleyproof.manuscript.source import parse_source


def numbers(text: str) -> list[tuple[str, str]]:
    return [(h.number, h.title) for h in parse_qmd(text, "ms.qmd").headings]


@pytest.mark.parametrize("heading, number, title", [
    pytest.param("# 2. Framework", "2", "Framework", id="trailing-dot"),
    pytest.param("# 3- Critical Discussion", "3", "Critical Discussion", id="trailing-dash"),
    pytest.param("## 2-1-3 Dimensions", "2-1-3", "Dimensions", id="dashes"),
    pytest.param("## 2.1: Concepts", "2.1", "Concepts", id="colon"),
    pytest.param("# II. Methods", "II", "Methods", id="roman"),
    pytest.param("# IX. Discussion", "IX", "Discussion", id="roman-nine"),
    pytest.param("## A. Data Collection", "A", "Data Collection", id="letter-in-a-heading"),
    pytest.param("## A.1 Extra Tables", "A.1", "Extra Tables", id="appendix-letter-with-part"),
    pytest.param("## S1 Appendix", "S1", "Appendix", id="supplementary"),
    pytest.param("## S2.1 Search Strings", "S2.1", "Search Strings", id="supplementary-with-part"),
    pytest.param("## 1.6.3", "", "1.6.3", id="version-number-alone"),
    pytest.param("## 2019 Update", "", "2019 Update", id="a-year"),
    pytest.param("## A Study of Heading Numbers", "", "A Study of Heading Numbers", id="article-a"),
    pytest.param("## I Am Not a Number", "", "I Am Not a Number", id="pronoun-i"),
    pytest.param("## V. cholerae in Water", "", "V. cholerae in Water", id="species-name"),
    pytest.param("## IIII. Wrong", "", "IIII. Wrong", id="not-a-roman-numeral"),
])
def test_written_numbers(heading, number, title):
    assert numbers(heading + "\n") == [(number, title)]


def test_a_lone_initial_outside_a_markdown_heading_is_a_name():
    text = ("## **A Review of Numbering**\n\n**X. Wang**\n\nUniversity of Somewhere\n\n### **Abstract:**\n\n"
            "An abstract.\n\n## **1. Introduction**\n\nText.\n\n## **II. Methods**\n\nText.\n")
    source = parse_source(text, "ms.md")
    assert [a.name for a in source.front.authors] == ["X. Wang"]
    assert [(h.number, h.title) for h in source.headings] == [("1", "Introduction"), ("II", "Methods")]


def test_run_in_headings_need_a_capitalised_title():
    text = "# Title\n\n## **1. Introduction**\n\n**1.1 Background:** Text.\n\n**2 patients** were excluded.\n"
    source = parse_source(text, "ms.md")
    assert [h.number for h in source.headings] == ["1", "1.1"]


@pytest.mark.parametrize("text", [
    pytest.param("# I. A\n\n# II. B\n\n## A. C\n\n## B. D\n\n# III. E\n\n## A. F\n", id="ieee-letters-restart"),
    pytest.param("# 1 A\n\n# 2 B\n\n# A. Appendix\n\n## A.1 Tables\n\n## A.2 Figures\n\n# B. More\n",
                 id="appendix-letters-after-arabic"),
    pytest.param("# 1 A\n\n# 2 B\n\n# S1 Text\n\n# S2 Table\n", id="supplementary-series"),
    pytest.param("# 1. A\n\n## 1.1. B\n\n## 1.2 C\n\n# 2. D\n", id="dots-with-and-without-a-closing-dot"),
    pytest.param("# 1.0 A\n\n## 1.1 B\n\n## 1.2 C\n\n# 2.0 D\n\n## 2.1 E\n\n# 3.0 F\n",
                 id="top-level-written-with-a-zero"),
])
def test_series_and_schemes_real_manuscripts_use(text):
    found = of_kind(text, "mixed-numbering") + of_kind(text, "skipped-numbering") + of_kind(text, "heading-level")
    assert found == [], [f["message"] for f in found]


def test_a_skipped_roman_numeral():
    [finding] = of_kind("# I. A\n\n# III. C\n", "skipped-numbering")
    assert finding["entities"] == ["I", "III"]


def test_the_closing_mark_sets_the_scheme_of_a_top_level_number():
    [finding] = of_kind("# 1. A\n\n# 2. B\n\n# 3- C\n", "mixed-numbering")
    assert finding["entities"] == ["2", "3"] and "dash style" in finding["message"]


def test_a_departure_is_reported_where_it_starts_not_where_the_numbering_returns():
    text = "# 1. A\n\n## 1.1 B\n\n## 1-2 C\n\n## 1.3 D\n\n# 2. E\n\n## 2-1 F\n"
    found = of_kind(text, "mixed-numbering")
    assert [f["entities"] for f in found] == [["1.1", "1-2"], ["2", "2-1"]]


def test_a_whole_depth_at_its_parents_level():
    [finding] = of_kind("# 1 A\n\n# 1.1 B\n\n# 2 C\n\n# 2.1 D\n", "heading-level")
    assert finding["entities"] == ["1.1"] and [loc["line"] for loc in finding["locations"]] == [1, 3]


def test_the_usual_level_is_the_one_below_the_parent():
    # two subsections at their parent's level and one below it: the two are the odd ones
    text = ("# Title\n\n## **1. A**\n\nText.\n\n### **1.1 B**\n\nText.\n\n## **1.2 C**\n\nText.\n\n"
            "## **1.3 D**\n\nText.\n")
    source = parse_source(text, "ms.md")
    assert [(i.kind, i.line) for i in source.issues] == [("heading-level", 11), ("heading-level", 15)]


def test_a_zero_part_names_the_section_itself_for_the_importer():
    # reports and theses number the top level 1.0, 2.0: section 2, at level 1, parent of 2.1
    text = ("# Title\n\n## **1.0 Introduction**\n\nText.\n\n### **1.1 Background**\n\nText.\n\n"
            "## **2.0 Methods**\n\nText.\n\n### **2.1 Data**\n\nText.\n")
    source = parse_source(text, "ms.md")
    assert [(h.number, h.level) for h in source.headings] == [("1.0", 1), ("1.1", 2), ("2.0", 1), ("2.1", 2)]
    assert source.issues == []
