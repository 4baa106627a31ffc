from pathlib import Path

import pytest

from galleyproof.claims.lexicon import load_lexicon
from galleyproof.errors import ConfigError


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


@pytest.mark.parametrize("text, entity", [
    pytest.param("activity in the mPFC was higher", "medial prefrontal cortex", id="abbreviation"),
    pytest.param("the Medial Prefrontal Cortex", "medial prefrontal cortex", id="name-any-case"),
    pytest.param("Hypothalamic–pituitary–adrenal axis", "hypothalamic-pituitary-adrenal axis", id="en-dashes"),
    pytest.param("natural killer cells", "natural killer cells", id="plural-name"),
    pytest.param("NK cells", "natural killer cells", id="abbreviated-plural"),
    pytest.param("levels of TNF-α rose", "tumor necrosis factor alpha", id="greek-letter"),
    pytest.param("norepinephrine", "noradrenaline", id="synonym"),
    pytest.param("the cholinergic anti-inflammatory parasympathetic pathway", "cholinergic anti-inflammatory pathway",
                 id="pattern"),
    pytest.param("three RCTs", "randomized controlled trial", id="abbreviation-plural"),
])
def test_mentions_find_the_entity(lexicon, text, entity):
    assert [m.entity for m in lexicon.mentions(text)] == [entity]


@pytest.mark.parametrize("text", [
    pytest.param("we act on this", id="ACT-is-case-sensitive"),
    pytest.param("the acceptance of the results", id="partial-name"),
    pytest.param("pacc and accumulate", id="inside-words"),
])
def test_mentions_ignore_lookalikes(lexicon, text):
    assert lexicon.mentions(text) == []


def test_longest_form_wins_and_spans_quote_the_text(lexicon):
    text = "the ventromedial prefrontal cortex (vmPFC)"
    found = lexicon.mentions(text)
    assert [(m.entity, text[m.start:m.end]) for m in found] == [
        ("ventromedial prefrontal cortex", "ventromedial prefrontal cortex"),
        ("ventromedial prefrontal cortex", "vmPFC")]


def test_hierarchy_relates_general_and_specific_but_not_siblings(lexicon):
    assert lexicon.related("prefrontal cortex", "ventromedial prefrontal cortex")
    assert lexicon.covers("medial prefrontal cortex", "ventromedial prefrontal cortex")
    assert not lexicon.covers("ventromedial prefrontal cortex", "medial prefrontal cortex")
    assert not lexicon.related("orbitofrontal cortex", "medial prefrontal cortex")


def test_every_category_is_broad(lexicon):
    by_category = {}
    for entity in lexicon.entities.values():
        by_category.setdefault(entity.category, []).append(entity.name)
    for category in ("brain_region", "neurochemical", "immune_marker", "physiological_marker", "pathway",
                     "intervention"):
        assert len(by_category[category]) >= 7, category


def test_a_project_file_extends_the_lexicon(tmp_path: Path):
    extra = tmp_path / "terms.yml"
    extra.write_text("categories:\n  brain_region:\n    entries:\n"
                     "      - name: habenula\n        abbr: [Hb]\n        parent: thalamus\n"
                     "      - name: insula\n        synonyms: [island of Reil]\n", encoding="utf-8")
    lexicon = load_lexicon(extra)
    assert [m.entity for m in lexicon.mentions("the Hb and the island of Reil")] == ["habenula", "insula"]
    assert lexicon.related("thalamus", "habenula")


@pytest.mark.parametrize("body, line", [
    pytest.param("categories:\n  x:\n    entries:\n      - abbr: [Q]\n", None, id="entry-without-name"),
    pytest.param("categories: [\n", 1, id="bad-yaml"),
    pytest.param("terms: []\n", 1, id="no-categories"),
])
def test_a_broken_lexicon_is_a_config_error(tmp_path: Path, body, line):
    extra = tmp_path / "terms.yml"
    extra.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_lexicon(extra)
    assert info.value.path == str(extra)
    if line:
        assert info.value.line is not None
