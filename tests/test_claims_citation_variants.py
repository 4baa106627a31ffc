import pytest
from claims_helpers import check_text, of_kind

KIND = "citation-variant"


@pytest.mark.parametrize("a, b", [
    pytest.param("(Kiecolt-Glaser et al., 2010)", "(Kiecolt-Glasser et al., 2010)", id="author-spelling"),
    pytest.param("(Slavich & Cole, 2023)", "(Slavich & Cole, 2022)", id="year-off-by-one"),
    pytest.param("Smith and Paulus (2022)", "(Smith & Paulos, 2022)", id="narrative-and-parenthetical"),
    pytest.param("(Slavich & Cole, 2013, 2023)", "(Slavich & Cole, 2022)", id="second-of-several-years"),
    pytest.param("(Neff, 2003, p. 4)", "Neff (2004, p. 5) agrees", id="narrative-with-page"),
])
def test_variants_are_found(a, b):
    [finding] = of_kind(f"One claim {a}.\n\nAnother claim {b}.\n", KIND)
    assert [loc["line"] for loc in finding["locations"]] == [1, 3]


def test_a_year_the_reference_list_does_not_have_is_found():
    text = """
    # 1 Body

    Compassion helps (Gilbert, 2010).

    # References

    - Gilbert, P. (2014). The origins and nature of compassion focused therapy. *BJCP*, 53(1), 6-41.
    """
    [finding] = of_kind(text, KIND)
    assert "2014" in finding["message"] and finding["locations"][0]["line"] == 3


@pytest.mark.parametrize("a, b", [
    pytest.param("(Neff, 2003)", "(Neff, 2011)", id="same-author-different-works"),
    pytest.param("(Smith, 2020)", "(Smyth, 2020)", id="different-short-names"),
    pytest.param("(Germer, 2011)", "(Germer & Neff, 2013)", id="different-author-lists"),
    pytest.param("(Irwin & Cole, 2011)", "(Irwin & Cole, 2011)", id="identical"),
])
def test_near_misses(a, b):
    assert of_kind(f"One claim {a}.\n\nAnother claim {b}.\n", KIND) == []


def test_years_matching_the_reference_list_are_fine():
    text = """
    Compassion helps (Gilbert, 2014). Self-kindness too (Neff, 2003).

    # References

    - Gilbert, P. (2014). The origins. *BJCP*, 53(1), 6-41.
    - Neff, K. D. (2003). Self-compassion. *Self and Identity*, 2(2), 85-101.
    """
    assert check_text(text)["findings"] == []
