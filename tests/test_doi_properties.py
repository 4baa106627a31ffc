"""DOI normalisation is idempotent and blind to invisible characters (Hypothesis properties)."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from galleyproof.bib.doi import normalise_doi

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]  # ZWSP, ZWNJ, ZWJ, WJ, BOM, soft hyphen
SUFFIX = st.text(alphabet=st.characters(blacklist_categories=("Z", "C")), min_size=1, max_size=30)
DOI_LIKE = st.builds(lambda prefix, suffix, wrap: wrap.format(f"10.{prefix}/{suffix}"),
                     st.integers(1000, 999999999).map(str), SUFFIX,
                     st.sampled_from(["{}", "https://doi.org/{}", "doi:{}", "({})", "<{}>.", "DOI {};", "{}%29"]))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60), DOI_LIKE))
@example("10.1000/)")  # used to give '10.1000/' and then ''
@example("10.1000/a%2529")
@example("10.1000/\\\\_x")
@example("10.1000/\u0130")  # lower() lengthens dotted capital I
def test_normalisation_is_idempotent(text):
    once = normalise_doi(text)
    assert normalise_doi(once) == once


@settings(max_examples=200, deadline=None)
@given(DOI_LIKE, st.lists(st.tuples(st.integers(0, 60), st.sampled_from(INVISIBLE)), max_size=4))
def test_invisible_characters_change_nothing(text, insertions):
    dirty = text
    for position, char in insertions:
        dirty = dirty[:position] + char + dirty[position:]
    assert normalise_doi(dirty) == normalise_doi(text)


@pytest.mark.parametrize("char", INVISIBLE)
def test_a_real_doi_with_an_invisible_character_is_that_doi(char):
    assert normalise_doi(f"10.1007/s12080{char}-013-0192-6") == "10.1007/s12080-013-0192-6"
    assert normalise_doi(f"{char}https://doi.org/10.1007/S12080-013-0192-6{char}") == "10.1007/s12080-013-0192-6"


def _stepwise(text: str) -> str:
    """normalise_doi without its shortcut for bare DOIs: every step, to a fixed point."""
    from galleyproof.bib.doi import _once

    doi = _once(text or "")
    for _ in range(8):
        again = _once(doi)
        if again == doi:
            return doi
        doi = again
    return ""


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=40), DOI_LIKE, DOI_LIKE.map(str.upper)))
@example("10.1000/ABC.")
@example("10.1000/a/")
@example("10.1002/(SICI)1096-987X(199803)19:4<377::AID-JCC1>3.0.CO;2-P")
def test_the_bare_doi_shortcut_answers_as_every_step_does(text):
    assert normalise_doi(text) == _stepwise(text)
