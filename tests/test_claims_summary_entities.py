import pytest
from claims_helpers import of_kind

KIND = "summary-entity-not-in-body"


def test_an_entity_only_in_the_conclusion_is_found():
    text = """
    # Abstract

    We review vagal pathways.

    # 1 Body

    Self-compassion increases vagal tone [@a2020].

    # 2 Conclusion

    Self-compassion raises vagal tone and lowers interleukin-6.
    """
    [finding] = of_kind(text, KIND)
    assert finding["entities"] == ["interleukin-6"]
    assert finding["locations"][0]["line"] == 11
    assert "conclusion" in finding["message"]


@pytest.mark.parametrize("text", [
    pytest.param("""
        # 1 Body

        The vagus nerve and the sympathetic nervous system both matter [@a2020].

        # 2 Conclusion

        The autonomic nervous system links compassion to immunity.
        """, id="general-term-covers-body-parts"),
    pytest.param("""
        # 1 Body

        ## 1.1 The HPA axis

        Cortisol follows a daily curve [@a2020].

        # 2 Conclusion

        The HPA axis deserves more attention.
        """, id="named-in-a-body-heading"),
    pytest.param("""
        # Introduction

        Interleukin-6 is an inflammatory marker [@a2020].
        """, id="no-summary-part"),
])
def test_near_misses_are_not_flagged(text):
    assert of_kind(text, KIND) == []


def test_a_front_matter_abstract_is_a_summary(tmp_path):
    from galleyproof.claims.run import check_path
    path = tmp_path / "article.qmd"
    path.write_text("---\ntitle: T\nabstract: |\n  Self-compassion lowers interleukin-6 and cortisol.\n---\n\n"
                    "# 1 Body\n\nSelf-compassion lowers cortisol [@a2020].\n", encoding="utf-8")
    [finding] = [f for f in check_path(path)["findings"] if f["kind"] == KIND]
    assert finding["entities"] == ["interleukin-6"]
    # the line of the words, below `abstract: |`
    assert (finding["locations"][0]["line"], finding["locations"][0]["section"]) == (4, "Abstract")
