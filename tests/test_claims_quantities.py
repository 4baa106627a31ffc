import pytest
from claims_helpers import of_kind

KIND = "inconsistent-quantity"


def test_one_measure_with_two_figures_is_found():
    text = """
    # Abstract

    Training reduced anxiety by 58% [@a2012].

    # 3 Results

    The meta-analysis reports that training reduced anxiety by 38% [@a2012].
    """
    [finding] = of_kind(text, KIND)
    assert finding["entities"][1:] == ["58", "38"]
    assert [loc["line"] for loc in finding["locations"]] == [3, 7]


def test_counts_of_included_studies_are_compared():
    text = "A total of 42 studies were included [@x].\n\nWe included 44 studies in the synthesis [@x].\n"
    assert len(of_kind(text, KIND)) == 1


@pytest.mark.parametrize("text", [
    pytest.param("Training reduced anxiety by 58% and depression by 45% [@a].\n", id="two-measures-one-sentence"),
    pytest.param("Training reduced anxiety by 58% [@a].\n\nTraining reduced depression by 45% [@a].\n",
                 id="different-measures"),
    pytest.param("Training reduced anxiety by 58% [@a].\n\nAs noted, it reduced anxiety by 58% [@a].\n",
                 id="same-figure-twice"),
    pytest.param("In 2012, 40 participants joined [@a].\n\nIn 2013, 60 patients joined [@b].\n",
                 id="unanchored-counts"),
])
def test_near_misses(text):
    assert of_kind(text, KIND) == []
