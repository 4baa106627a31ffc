import pytest
from claims_helpers import check_text, of_kind

from galleyproof.claims.rules.abbreviations import best_long_form


@pytest.mark.parametrize("short, before, long", [
    pytest.param("mPFC", "the medial prefrontal cortex ", "medial prefrontal cortex", id="lowercase-first"),
    pytest.param("HPA", "the hypothalamic-pituitary-adrenal ", "hypothalamic-pituitary-adrenal", id="hyphenated"),
    pytest.param("PNI", "advances in psychoneuroimmunology ", "psychoneuroimmunology", id="letters-in-one-word"),
    pytest.param("ACT", "and Acceptance and Commitment Therapy ", "Acceptance and Commitment Therapy",
                 id="function-word"),
    pytest.param("NR3C1", "the glucocorticoid receptor gene ", None, id="gene-symbol-is-no-definition"),
])
def test_long_forms(short, before, long):
    assert best_long_form(short, before) == long


def test_used_before_definition():
    text = """
    Vagal tone is assessed by HRV in most studies [@a2020].

    Heart rate variability (HRV) falls under stress, and HRV recovers with rest [@b2021].
    """
    [finding] = of_kind(text, "abbreviation-used-before-definition")
    assert finding["entities"] == ["HRV"]
    assert [loc["line"] for loc in finding["locations"]] == [1, 3]


def test_defined_differently():
    text = """
    Acceptance and commitment therapy (ACT) helps. ACT is brief [@a2020].

    Attention control training (ACT) also helps. ACT is cheap [@b2021].
    """
    [finding] = of_kind(text, "abbreviation-defined-differently")
    assert "Acceptance and commitment therapy" in finding["message"]
    assert "Attention control training" in finding["message"]


def test_defined_and_never_used():
    text = "Functional magnetic resonance imaging (fMRI) studies agree [@a2020].\n"
    [finding] = of_kind(text, "abbreviation-unused")
    assert finding["entities"] == ["fMRI"] and finding["severity"] == "info"


def test_the_abstract_is_its_own_scope():
    text = """
    # Abstract

    The hypothalamic-pituitary-adrenal (HPA) axis is reviewed; HPA activity matters.

    # 1 Introduction

    The hypothalamic-pituitary-adrenal (HPA) axis governs cortisol [@a2020]. HPA output rises [@b2020].
    """
    assert check_text(text)["findings"] == []


@pytest.mark.parametrize("text", [
    pytest.param("Compassion-focused therapy (CFT) is used. CFT works [@a2020]. "
                 "Compassion-Focused Therapy model (CFT) again.\n",
                 id="same-long-form-twice"),
    pytest.param("DNA and RNA are everywhere [@a2020].\n", id="never-defined"),
    pytest.param("We used PET (positron emission tomography) and PET scans [@a2020].\n", id="no-definition-form"),
])
def test_near_misses(text):
    kinds = {f["kind"] for f in check_text(text)["findings"]}
    assert not kinds & {"abbreviation-used-before-definition", "abbreviation-defined-differently",
                        "abbreviation-unused"}


def test_defined_only_in_the_abstract_but_used_in_the_body():
    text = """
    # Abstract

    Loneliness raises interleukin-6 (IL-6).

    # 1 Results

    IL-6 rose in lonely adults [@a2020].
    """
    found = check_text(text)["findings"]
    assert [(f["kind"], [loc["line"] for loc in f["locations"]]) for f in found] == [
        ("abbreviation-used-before-definition", [7, 3])]
    assert "only in the abstract" in found[0]["message"]
