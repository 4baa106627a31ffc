"""DOI normalisation: one spelling per work, whatever way the author wrote it."""

import pytest

from galleyproof.bib.doi import doi_url, find_dois, normalise_doi


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        pytest.param("10.1111/bjc.12043", "10.1111/bjc.12043", id="bare"),
        pytest.param("https://doi.org/10.1111/BJC.12043", "10.1111/bjc.12043", id="url-upper"),
        pytest.param("http://dx.doi.org/10.1038/nri3042", "10.1038/nri3042", id="dx-url"),
        pytest.param("doi:10.1038/nri3042.", "10.1038/nri3042", id="doi-prefix-trailing-dot"),
        pytest.param("DOI 10.1038/nri3042;", "10.1038/nri3042", id="doi-word-semicolon"),
        pytest.param("<https://doi.org/10.1080/15298860309032>", "10.1080/15298860309032", id="angle-brackets"),
        pytest.param("(10.1038/nature01321)", "10.1038/nature01321", id="in-parentheses"),
        pytest.param("10.1016/0006-8993(89)90001-X", "10.1016/0006-8993(89)90001-x", id="balanced-parens-kept"),
        pytest.param("10.1162/tacl\\_a\\_00276", "10.1162/tacl_a_00276", id="latex-escaped"),
        pytest.param("https://doi.org/10.1002%2Fcpp.507", "10.1002/cpp.507", id="percent-encoded"),
        pytest.param("https://self-compassion.org/wp-content/uploads/JRP.pdf", "", id="not-a-doi"),
        pytest.param("", "", id="empty"),
    ],
)
def test_normalise_doi(written, normal):
    assert normalise_doi(written) == normal


def test_find_dois_in_free_text_keeps_order():
    text = "See https://doi.org/10.1037/a0023861 and doi:10.32872/CPE.9405, then nothing."
    assert find_dois(text) == ["10.1037/a0023861", "10.32872/cpe.9405"]


def test_doi_url():
    assert doi_url("10.1002/cpp.507") == "https://doi.org/10.1002/cpp.507"
    assert doi_url("") == ""
