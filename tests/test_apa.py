"""APA reference strings from the seeds, checked field by field against the text as printed."""

from __future__ import annotations

import pytest
from conftest import seed_path

from galleyproof.bib.apa import assign_keys, make_key, parse_reference, parse_reference_list
from galleyproof.bib.model import Person, Reference


@pytest.fixture(scope="module")
def manuscript_refs() -> dict[str, Reference]:
    path = seed_path("000")
    refs = parse_reference_list(path.read_text(encoding="utf-8"), str(path))
    return {ref.key: ref for ref in refs}


@pytest.fixture(scope="module")
def web_refs() -> list[Reference]:
    path = seed_path("003")
    return parse_reference_list(path.read_text(encoding="utf-8"), str(path))


def test_every_reference_of_the_manuscript_is_found_on_its_line(manuscript_refs):
    lines = seed_path("000").read_text(encoding="utf-8").splitlines()
    start = lines.index("**References:**") + 1
    bullets = [n for n, text in enumerate(lines, 1) if n > start and text.startswith("- ")]
    assert len(manuscript_refs) == 17
    assert sorted(ref.line for ref in manuscript_refs.values()) == bullets
    for ref in manuscript_refs.values():
        assert lines[ref.line - 1] == ref.raw


def test_keys_of_the_manuscript(manuscript_refs):
    assert set(manuscript_refs) == {
        "abidi2017", "germer2011", "germer2013", "gilbert2014", "irwin2011", "kiecoltglaser2010",
        "kirby2023", "klimecki2014", "longe2010", "nassar2022", "neff2003", "neff2009", "porges2011",
        "slavich2023", "smith2022", "tracey2002", "zhang2022"}


@pytest.mark.parametrize("key, expected", [
    pytest.param("kiecoltglaser2010", dict(
        authors=(Person("Kiecolt-Glaser", "J. K."), Person("Gouin", "J.-P."), Person("Hantsoo", "L.")),
        year="2010", title="Close relationships, inflammation, and health",
        container="Neuroscience & Biobehavioral Reviews", volume="35", issue="1", pages="33-38",
        doi="10.1016/j.neubiorev.2010.09.003", entry_type="article"), id="hyphenated-family-and-initials"),
    pytest.param("longe2010", dict(
        authors=tuple(Person(f, g) for f, g in [("Longe", "O."), ("Maratos", "F. A."), ("Gilbert", "P."),
                      ("Evans", "G."), ("Volker", "S."), ("Rockliff", "H."), ("Rippon", "G.")]),
        container="NeuroImage", volume="49", issue="2", pages="1849-1856", doi=""), id="seven-authors-no-doi"),
    pytest.param("germer2011", dict(
        entry_type="book", publisher="Guilford Press", container="", volume="",
        title="The mindful path to self-compassion: Freeing yourself from destructive thoughts and emotions"),
        id="book-italic-title"),
    pytest.param("porges2011", dict(entry_type="book", publisher="W. W. Norton & Company",
                                    authors=(Person("Porges", "S. W."),)), id="book-publisher-with-initials"),
    pytest.param("kirby2023", dict(container="Psychoneuroendocrinology", volume="147", issue="",
                                   pages="105942", doi="10.1016/j.psyneuen.2022.105942"),
                 id="article-number-without-issue"),
    pytest.param("gilbert2014", dict(doi="10.1111/bjc.12043", url="", pages="6-41"), id="angle-bracket-doi"),
    pytest.param("abidi2017", dict(container="Journal of Social Sciences", volume="26", issue="26",
                                   pages="41-55", doi=""), id="no-doi"),
    pytest.param("zhang2022", dict(container="Brain, Behavior, and Immunity", volume="105", pages="12-24"),
                 id="journal-with-commas"),
])
def test_manuscript_reference_fields(manuscript_refs, key, expected):
    ref = manuscript_refs[key]
    for name, value in expected.items():
        assert getattr(ref, name) == value, name


def test_web_page_references_found_between_claims(web_refs):
    assert [(ref.line, ref.key) for ref in web_refs] == [
        (6, "longe2010"), (8, "rockliff2011"), (14, "marx2023"), (16, "gilbert2006"), (22, "neff2003"),
        (25, "breines2012"), (27, "neff2005")]


def test_stray_journal_line_and_claims_are_not_references():
    lines = seed_path("003").read_text(encoding="utf-8").splitlines()
    assert lines[22] == "Journal of Research in Personality, 41"
    assert parse_reference(lines[22]) is None
    assert parse_reference(lines[20]) is None  # "Neff’s foundational work introduced ..."
    assert parse_reference("<aside>") is None


def test_web_page_details(web_refs):
    by_key = {ref.key: ref for ref in web_refs}
    assert by_key["rockliff2011"].title == "Effects of intranasal oxytocin on “compassion focused imagery.”"
    assert by_key["rockliff2011"].container == "Emotion"
    assert by_key["marx2023"].pages == "e9405"
    assert by_key["marx2023"].doi == "10.32872/cpe.9405"
    assert by_key["gilbert2006"].container == "Clinical Psychology & Psychotherapy"
    assert by_key["neff2003"].url == "https://self-compassion.org/wp-content/uploads/publications/JRP.pdf"
    assert by_key["neff2003"].doi == ""


def test_the_two_shared_references_are_printed_differently(manuscript_refs, web_refs):
    web = {ref.key: ref for ref in web_refs}
    longe_ms, longe_web = manuscript_refs["longe2010"], web["longe2010"]
    assert longe_ms.authors[4] == Person("Volker", "S.")
    assert longe_web.authors[4] == Person("Volker", "F.")
    assert (longe_ms.doi, longe_web.doi) == ("", "10.1016/j.neuroimage.2009.09.019")
    neff_ms, neff_web = manuscript_refs["neff2003"], web["neff2003"]
    assert neff_ms.title == neff_web.title
    assert (neff_ms.container, neff_ms.volume, neff_ms.issue, neff_ms.pages) == (
        "Self and Identity", "2", "2", "85-101")
    assert (neff_web.container, neff_web.volume, neff_web.issue, neff_web.pages) == (
        "Journal of Research in Personality", "41", "2", "139-154")


@pytest.mark.parametrize("text, authors", [
    pytest.param("Longe, O., ... & Rippon, G. (2010). Having a word with yourself. *NeuroImage*, 49(2), 1849–1856.",
                 [("Longe", "O."), ("Rippon", "G.")], id="apa7-ellipsis"),
    pytest.param("Longe, O., Maratos, F. A., . . . Rippon, G. (2010). Having a word. NeuroImage, 49(2), 1849-1856.",
                 [("Longe", "O."), ("Maratos", "F. A."), ("Rippon", "G.")], id="apa6-spaced-ellipsis"),
    pytest.param("van Dam, N. T., & Smith, A. (2019). Title. Psychological Science, 30(1), 1-2.",
                 [("van Dam", "N. T."), ("Smith", "A.")], id="particle"),
])
def test_author_lists(text, authors):
    ref = parse_reference(text)
    assert [(p.family, p.given) for p in ref.authors] == authors


def test_chapter_in_edited_book():
    ref = parse_reference("Neff, K. D. (2011). Self-compassion. In M. Leary & R. Hoyle (Eds.), "
                          "*Handbook of individual differences* (pp. 561–573). Guilford Press.")
    assert (ref.entry_type, ref.title, ref.container, ref.pages, ref.publisher) == (
        "incollection", "Self-compassion", "Handbook of individual differences", "561-573", "Guilford Press")


@pytest.mark.parametrize("family, year, key", [
    ("Kiecolt-Glaser", "2010", "kiecoltglaser2010"),
    ("Müller", "2020", "muller2020"),
    ("O’Brien", "2001", "obrien2001"),
    ("Neff", "n.d.", "neffnd"),
])
def test_make_key(family, year, key):
    assert make_key(Reference(key="", authors=(Person(family, "A."),), year=year)) == key


def test_colliding_keys_get_letters_in_order():
    refs = [Reference(key="", authors=(Person("Neff", "K. D."),), year="2003", title=t) for t in "ABC"]
    refs.insert(1, Reference(key="", authors=(Person("Neff", "K. D."),), year="2009", title="D"))
    assert [r.key for r in assign_keys(refs)] == ["neff2003a", "neff2009", "neff2003b", "neff2003c"]


WRAPPED = """References

Breines, J. G., & Chen, S. (2012). Self-compassion increases self-improvement motivation.
  Personality and Social Psychology Bulletin, 38(9), 1133–1143.
  https://doi.org/10.1177/0146167212445599
Neff, K. D., Hsieh, Y. P., & Dejitterat, K. (2005). Self-compassion, achievement goals, and coping
with academic failure. Self and Identity, 4(3), 263–287. https://doi.org/10.1080/13576500444000317
Longe, O., Maratos, F. A., Gilbert, P., Evans, G., Volker, S., Rockliff, H., &
Rippon, G. (2010). Having a word with yourself: Neural correlates of self-criticism and self-reassurance.
NeuroImage, 49(2), 1849-1856.
Porges, S. W. (2011). The polyvagal theory: Neurophysiological foundations of emotions,
  attachment, communication, and self-regulation. W. W. Norton & Company.
"""


def test_references_wrapped_across_lines_are_joined():
    # Lists copied from PDFs wrap: a reference cut after its title would lose its journal and DOI,
    # and the audit would then report a DOI as missing that the author gave.
    refs = {r.key: r for r in parse_reference_list(WRAPPED, "refs.txt")}
    assert list(refs) == ["breines2012", "neff2005", "longe2010", "porges2011"]
    breines = refs["breines2012"]
    assert (breines.line, breines.container, breines.volume, breines.issue, breines.pages, breines.doi) == (
        3, "Personality and Social Psychology Bulletin", "38", "9", "1133-1143", "10.1177/0146167212445599")
    assert refs["neff2005"].title == "Self-compassion, achievement goals, and coping with academic failure"
    assert refs["neff2005"].doi == "10.1080/13576500444000317"
    assert refs["longe2010"].line == 8 and refs["longe2010"].authors[-1].family == "Rippon"
    assert refs["longe2010"].container == "NeuroImage"
    assert (refs["porges2011"].entry_type, refs["porges2011"].publisher) == ("book", "W. W. Norton & Company")


def test_a_claim_after_a_complete_reference_is_not_absorbed():
    text = ("Breines, J. G., & Chen, S. (2012). Self-compassion increases self-improvement motivation. "
            "Personality and Social Psychology Bulletin, 38(9), 1133–1143. https://doi.org/10.1177/0146167212445599\n"
            "Self-compassion also predicted healthier coping and motivation in academic settings, 2012.\n")
    [ref] = parse_reference_list(text)
    assert "healthier coping" not in ref.raw and ref.doi == "10.1177/0146167212445599"


@pytest.mark.parametrize(
    ("text", "given"),
    [
        pytest.param("Neff, Kristin D. (2003). Self-compassion. Self and Identity, 2(2), 85-101.", "Kristin D.",
                     id="given-name-and-initial"),
        pytest.param("Gouin, Jean-Philippe (2010). Close relationships. Health, 3, 1-2.", "Jean-Philippe",
                     id="hyphenated-given-name"),
    ],
)
def test_given_names_written_out(text, given):
    ref = parse_reference(text)
    assert ref is not None and ref.authors[0].given == given


def test_prose_with_a_comma_and_a_year_is_not_a_reference():
    assert parse_reference("However, Smith (2010) found that kindness helps.") is None
