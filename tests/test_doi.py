"""DOI normalisation: one spelling per work, whatever way the author wrote it."""

import pytest

from galleyproof.bib.doi import normalise_doi


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
