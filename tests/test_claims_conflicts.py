import pytest
from claims_helpers import of_kind

KIND = "conflicting-claim"

BODY_VS_CONCLUSION = """
# 2 Neural basis

Self-compassion practice is associated with increased activity in the medial prefrontal cortex (mPFC)
and the anterior cingulate cortex (ACC) [@klimecki2014].

# 4 Conclusion

Self-compassion activates circuits in the orbitofrontal cortex and the anterior cingulate cortex.
"""


def test_conclusion_naming_other_regions_than_the_body_is_found():
    [finding] = of_kind(BODY_VS_CONCLUSION, KIND)
    assert [loc["line"] for loc in finding["locations"]] == [8, 3]
    assert set(finding["entities"]) == {"orbitofrontal cortex", "anterior cingulate cortex",
                                        "medial prefrontal cortex"}
    assert "orbitofrontal cortex" in finding["message"] and "ms.qmd:8" in finding["message"]
    assert finding["severity"] == "error"


def test_opposite_directions_for_one_subject_are_found():
    text = """
    # 2 Body

    Self-compassion training reduces cortisol in students [@a2020].

    # 3 More

    Self-compassion training increases cortisol at awakening [@b2021].
    """
    [finding] = of_kind(text, KIND)
    assert finding["entities"] == ["cortisol"]
    assert [loc["line"] for loc in finding["locations"]] == [3, 7]


def test_a_negated_cue_flips_the_direction():
    text = """
    Mindfulness training reduces IL-6 [@a2020].

    Mindfulness training does not reduce IL-6 in older adults [@b2021].
    """
    assert len(of_kind(text, KIND)) == 1


@pytest.mark.parametrize("text", [
    pytest.param("""
        # 2 Body

        Self-criticism is associated with increased activity in the amygdala [@longe2010].
        Self-reassurance is associated with increased activity in the insula [@longe2010].

        # 3 Conclusion

        Self-criticism engages the amygdala, whereas self-reassurance engages the insula.
        """, id="different-subjects-different-regions"),
    pytest.param("""
        # 2 Body

        Compassion training is associated with increased activity in the vmPFC and striatum [@k2014].

        # 3 Conclusion

        Compassion training engages the prefrontal cortex.
        """, id="general-term-in-conclusion"),
    pytest.param("""
        # 2 Body

        Self-compassion increases activity in the prefrontal cortex [@k2014].

        # 3 Conclusion

        Self-compassion increases activity in the dorsolateral prefrontal cortex and the prefrontal cortex.
        """, id="specific-term-in-conclusion"),
    pytest.param("""
        # 2 Body

        Self-compassion lowers cortisol [@a2020]. Self-criticism raises cortisol [@b2020].
        """, id="opposite-directions-for-different-subjects"),
    pytest.param("""
        # 2 Body

        Self-compassion is associated with increased activity in the mPFC and ACC [@k2014].

        # 3 Conclusion

        Self-compassion is associated with increased activity in the ACC.
        """, id="conclusion-summarises-a-subset"),
    pytest.param("""
        # 2 Body

        Self-compassion increases oxytocin [@a2020].

        # 3 Conclusion

        Self-compassion increases activity in the insula.
        """, id="different-categories"),
])
def test_near_misses_are_not_conflicts(text):
    assert of_kind(text, KIND) == []


def test_not_only_is_no_negation():
    text = """
    Mindfulness training not only reduces IL-6 [@a2020].

    Mindfulness training reduces IL-6 in older adults [@b2021].
    """
    assert of_kind(text, KIND) == []


def test_verb_lemmas_cover_their_regular_forms():
    text = """
    Loneliness heightened IL-6 in older adults [@a2020].

    Loneliness mitigates IL-6 according to one trial [@b2021].
    """
    [finding] = of_kind(text, KIND)
    assert "heightened" in finding["message"] and "mitigates" in finding["message"]
