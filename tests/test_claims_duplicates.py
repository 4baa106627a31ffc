import pytest
from claims_helpers import of_kind

KIND = "duplicate-passage"
P1 = ("Self-compassion can be understood as caring for oneself in difficult moments in the same way one "
      "cares for loved others, with kindness and a genuine intention to alleviate suffering [@germer2011].")
P2 = ("It also refers to treating oneself with kindness when going through painful experiences, recognising "
      "that such experiences are part of the shared human condition [@abidi2017].")


def test_a_repeated_run_of_paragraphs_is_one_finding():
    text = f"## 2.1.1 One\n\n{P1}\n\n{P2}\n\n## 2.1.2 Two\n\n{P1}\n\n{P2[:-1]}\n"
    [finding] = of_kind(text, KIND)
    assert [loc["line"] for loc in finding["locations"]] == [3, 9]
    assert finding["locations"][1]["section"] == "2.1.2 Two"
    assert "ms.qmd:3-5" in finding["message"] and "ms.qmd:9-11" in finding["message"]


def test_a_lightly_edited_copy_is_still_found():
    edited = P1.replace("difficult moments", "hard moments").replace("loved others", "loved ones")
    assert len(of_kind(f"{P1}\n\nSomething else entirely that is long enough to count as a paragraph here.\n\n"
                       f"{edited}\n", KIND)) == 1


@pytest.mark.parametrize("text", [
    pytest.param(f"{P1}\n\n{P2}\n", id="distinct-paragraphs"),
    pytest.param("Results were mixed [@a2020].\n\nResults were mixed [@a2020].\n", id="too-short-to-matter"),
    pytest.param(f"{P1}\n\n" + P1.replace("oneself", "others").replace("caring", "judging")
                 .replace("kindness", "harshness").replace("alleviate", "ignore").replace("difficult", "easy")
                 .replace("same way", "opposite way") + "\n", id="same-frame-different-content"),
])
def test_near_misses(text):
    assert of_kind(text, KIND) == []


def test_a_long_sentence_pasted_into_another_paragraph_is_found():
    sentence = ("Sustained activation of the hypothalamic-pituitary-adrenal axis and prolonged cortisol secretion "
                "result from both pervasive self-criticism and chronic psychological stress in adults.")
    text = (f"Intro words here. {sentence} More words follow in this first paragraph [@a].\n\n"
            f"A different opening sentence for the conclusion. {sentence}\n")
    [finding] = of_kind(text, KIND)
    assert [loc["line"] for loc in finding["locations"]] == [1, 3]
    assert finding["locations"][0]["text"] == sentence


def test_short_repeated_sentences_are_not_passages():
    text = "Self-compassion helps [@a]. It is learnable.\n\nOther text entirely. Self-compassion helps [@a].\n"
    assert of_kind(text, KIND) == []
