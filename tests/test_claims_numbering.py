import pytest
from claims_helpers import of_kind


def test_mixed_schemes_point_at_both_headings():
    text = """
    # 2. Framework

    ## 2.1 Concepts

    ### 2.1.1 One

    ### 2-1-2 Two

    ## 2-2 Foundations
    """
    [finding] = of_kind(text, "mixed-numbering")
    assert [loc["line"] for loc in finding["locations"]] == [5, 7]
    assert finding["entities"] == ["2.1.1", "2-1-2"]


def test_run_in_bold_headings_count():
    text = """
    ## 2.1 Concepts

    **2.1.1 Concept of X:** X is a construct.

    ### 2-1-2 Related concepts
    """
    [finding] = of_kind(text, "mixed-numbering")
    assert [loc["line"] for loc in finding["locations"]] == [3, 5]


@pytest.mark.parametrize("headings, at", [
    pytest.param(["# 1 A", "# 3 C"], "3", id="skipped-top-level"),
    pytest.param(["# 1 A", "## 1.2 B"], "1.2", id="child-starts-at-two"),
    pytest.param(["# 1 A", "## 1.1 B", "## 1.1 C"], "1.1", id="repeated"),
])
def test_skipped_numbers(headings, at):
    [finding] = of_kind("\n\n".join(headings) + "\n", "skipped-numbering")
    assert finding["entities"][-1] == at


def test_heading_levels_that_disagree_with_number_depth():
    text = "# 1 A\n\n## 1.1 B\n\n### 1.2 C\n\n## 1.3 D\n"
    [finding] = of_kind(text, "heading-level")
    assert finding["entities"] == ["1.2"]


@pytest.mark.parametrize("text", [
    pytest.param("# 1 A\n\n## 1.1 B\n\n### 1.1.1 C\n\n## 1.2 D\n\n# 2 E\n", id="consistent-dots"),
    pytest.param("# 1- A\n\n## 1-1 B\n\n## 1-2 C\n\n# 2- D\n", id="consistent-dashes"),
    pytest.param("# Introduction\n\n# Methods\n", id="unnumbered"),
    pytest.param("# 1 A\n\n## 1.1 B\n\n# 2 C\n\n## 2.1 D\n", id="new-chapter-restarts"),
])
def test_near_misses(text):
    found = [f for f in of_kind(text, "mixed-numbering") + of_kind(text, "skipped-numbering")
             + of_kind(text, "heading-level")]
    assert found == []
