import pytest
from claims_helpers import of_kind

KIND = "uncited-claim"


@pytest.mark.parametrize("sentence, entities", [
    pytest.param("Recent studies conducted in the local context have confirmed its value.", [],
                 id="studies-confirmed"),
    pytest.param("A 2012 meta-analysis found that anxiety fell by 58% and depression by 45%.", ["58%", "45%"],
                 id="meta-analysis-percentages"),
    pytest.param("Dozens of clinical studies show less anxiety.", ["Dozens of clinical studies"], id="dozens"),
    pytest.param("Research indicates that training helps.", [], id="research-indicates"),
    pytest.param("Research from the University of Oxford's centre indicates that it helps.", [],
                 id="research-from-somewhere-indicates"),
    pytest.param("Mindfulness can cut relapse rates by up to 43%.", ["43%"], id="bare-percentage"),
    pytest.param("Twelve of them, in fact 12 trials, enrolled adults.", ["12 trials"], id="count-of-trials"),
    pytest.param("Training has been shown to reduce amygdala reactivity.", [], id="has-been-shown"),
])
def test_uncited_claims_are_found(sentence, entities):
    [finding] = of_kind(f"Some context first.\n\n{sentence}\n", KIND)
    assert finding["locations"][0]["line"] == 3
    assert finding["entities"] == entities


def test_the_line_is_the_sentence_line_in_a_wrapped_paragraph(tmp_path):
    from galleyproof.claims.run import check_path
    path = tmp_path / "ms.qmd"
    path.write_text("Intro sentence that is fine.\nIt goes on here.\nStudies show that it works.\n", encoding="utf-8")
    [finding] = [f for f in check_path(path)["findings"] if f["kind"] == KIND]
    assert finding["locations"][0]["line"] == 3


@pytest.mark.parametrize("text", [
    pytest.param("Studies show that it works [@neff2003].", id="pandoc-citation"),
    pytest.param("Studies show that it works (Neff & Vonk, 2009).", id="author-year"),
    pytest.param("Neff (2003) found that 58% improved.", id="narrative-author-year"),
    pytest.param("Studies show that it works. The effect is large (Kirby et al., 2023).",
                 id="cited-later-in-paragraph"),
    pytest.param("Studies show that it works [12].", id="numeric-citation"),
    # the citation grammar is manuscript/authoryear.py's, the importer's: bare forms and spaced n. d. count
    pytest.param("Studies show that it works, as Longe et al., 2010, found.", id="bare-author-year"),
    pytest.param("Studies show that it works (Neff, n. d.).", id="no-date-spaced"),
    pytest.param("Studies show that it works (for a review, see Neff, 2003, Table 2).", id="free-prefix-suffix"),
    pytest.param("The programme lasts eight weeks and meets in 2024.", id="no-claim"),
    pytest.param("Our review showed that the model is coherent.", id="the-authors-own-review"),
])
def test_near_misses(text):
    assert of_kind(text + "\n", KIND) == []


def test_a_citation_earlier_in_the_paragraph_does_not_cover_a_later_claim():
    text = "Cortisol rises under stress (Irwin & Cole, 2011). Moreover, studies of the community suggest more.\n"
    [finding] = of_kind(text, KIND)
    assert finding["locations"][0]["text"].startswith("Moreover")


def test_figures_in_the_authors_own_results_need_no_citation():
    text = """
    # 2 Methods

    Of the 120 participants, 58% were women.

    # 3 Results

    Anxiety fell by 21% in the training arm. Studies show similar effects elsewhere.
    """
    [finding] = of_kind(text, KIND)
    assert finding["locations"][0]["text"] == "Studies show similar effects elsewhere."
    assert finding["entities"] == []


@pytest.mark.parametrize("text, figures", [
    pytest.param("Be 100% compatible with the format.", [], id="intensifier"),
    pytest.param("In 100% of the samples the marker rose.", ["100%"], id="a-figure"),
    pytest.param("Figure 2 shows X. ![Sizes](a.png){width=\"90%\"}", [], id="image-attribute"),
    pytest.param("The tool is set with `width: 40%`.", [], id="inline-code"),
    pytest.param("Consider a farm where 30% of the hedgerows are cut.", [], id="worked-example"),
    pytest.param("We found that 30% of the hedgerows were cut.", [], id="first-person"),
    pytest.param("We completed an analysis which shows that the effect is real.", [], id="own-analysis"),
    pytest.param("Several studies have shown that it works, and we build on them.", [],
                 id="others-evidence-before-first-person"),
])
def test_what_is_and_is_not_a_claim(text, figures):
    found = of_kind(f"Some context first.\n\n{text}\n", KIND)
    expected_count = 1 if figures or "studies have shown" in text else 0
    assert len(found) == expected_count
    assert [f["entities"] for f in found] == ([figures] if expected_count else [])


def test_unfinished_citations_are_found_at_their_line():
    text = "First line of a paragraph\ncontinues here (CITE) and\nthen ?? ends.\n\nAnother [citation needed].\n"
    found = of_kind(text, "unfinished-citation")
    assert sorted(f["locations"][0]["line"] for f in found) == [2, 5]
