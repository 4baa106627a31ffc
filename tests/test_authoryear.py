"""One author-year grammar, two readings: the importer's whole-parenthetical parse (`find_citations`,
rewritten to pandoc) and the claim rules' every-cited-work finder (`find_works`) give the same works.

The table holds real forms (APA 7 sections 8.10-8.12, 8.17-8.19, and the slips real drafts carry);
a Hypothesis strategy builds citations from their parts; the last tables are the inputs on which the
two grammars this module replaced (manuscript/authoryear.py's and claims/citations.py's) disagreed.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from galleyproof.bib.apa import parse_reference_list
from galleyproof.manuscript.authoryear import find_citations, find_works, resolve_citations, rewrite_line


def _works(works) -> list[tuple[tuple[str, ...], bool, str]]:
    return [(w.authors, w.et_al, w.year) for w in works]


def _strict(text: str) -> list[tuple[tuple[str, ...], bool, str]]:
    return _works(w for c in find_citations(text) for w in c.works)


# (text, works as (family names, et al., year), the importer's rewrite of the text)
FORMS = [
    pytest.param("(Kiecolt-Glaser et al., 2010)", [(("Kiecolt-Glaser",), True, "2010")],
                 "[@kiecoltglaser2010]", id="hyphenated-et-al"),
    pytest.param("(van der Kolk, 2014, p. 12)", [(("van der Kolk",), False, "2014")],
                 "[@vanderkolk2014, p. 12]", id="particles-page"),
    pytest.param("Van der Kolk (2014) argued", [(("Van der Kolk",), False, "2014")],
                 "@vanderkolk2014 argued", id="particles-capitalised-at-sentence-start"),
    pytest.param("O'Brien and Smith (2019a) found", [(("O'Brien", "Smith"), False, "2019a")],
                 "@obrien2019a found", id="apostrophe-and-letter-year"),
    pytest.param("(see Neff, 2003; cf. Gilbert, 2009)", [(("Neff",), False, "2003"), (("Gilbert",), False, "2009")],
                 "[see @neff2003; cf. @gilbert2009]", id="prefixes"),
    pytest.param("(Müller & Özdemir, n.d.)", [(("Müller", "Özdemir"), False, "n.d.")],
                 "[@mullernd]", id="diacritics-no-date"),
    pytest.param("(Neff, n. d.-b)", [(("Neff",), False, "n.d.-b")], "[@neffndb]", id="no-date-spaced-lettered"),
    pytest.param("(Lee, in press)", [(("Lee",), False, "in press")], "[@leend]", id="in-press"),
    pytest.param("(Zhou, 2015, 2017)", [(("Zhou",), False, "2015"), (("Zhou",), False, "2017")],
                 "[@zhou2015; @zhou2017]", id="one-author-two-years"),
    pytest.param("(Neff, 2003a, 2003b)", [(("Neff",), False, "2003a"), (("Neff",), False, "2003b")],
                 "[@neff2003a; @neff2003b]", id="lettered-years"),
    pytest.param("(Smith, Jones, & Brown, 2003)", [(("Smith", "Jones", "Brown"), False, "2003")],
                 "[@smith2003]", id="three-authors-apa6"),
    pytest.param("(Łukasiewicz & Šimić, 1999)", [(("Łukasiewicz", "Šimić"), False, "1999")],
                 "[@ukasiewicz1999]", id="latin-extended-capitals"),
    pytest.param("(De Houwer et al., 2009, Table 2)", [(("De Houwer",), True, "2009")],
                 "[@dehouwer2009, Table 2]", id="capital-particle-table-locator"),
    pytest.param("(for a review, see Neff, 2003)", [(("Neff",), False, "2003")],
                 "[for a review, see @neff2003]", id="free-prefix"),
    pytest.param("(Rabbitt, 1982, as cited in Lyon et al., 2014)", [(("Lyon",), True, "2014")],
                 "[Rabbitt, 1982, as cited in @lyon2014]", id="secondary-source"),
    pytest.param("(Neff, 2003, for a review)", [(("Neff",), False, "2003")],
                 "[@neff2003, for a review]", id="free-suffix"),
    pytest.param("(e.g., Neff & Vonk, 2009; Germer, 2011, pp. 4–5)",
                 [(("Neff", "Vonk"), False, "2009"), (("Germer",), False, "2011")],
                 "[e.g., @neff2009; @germer2011, pp. 4–5]", id="two-items-prefix-pages"),
    pytest.param("(Figure 1; Neff, 2003)", [(("Neff",), False, "2003")], "[Figure 1\\; @neff2003]",
                 id="plain-item-before"),
    pytest.param("(the effect was small; see Neff, 2003; Table 2)", [(("Neff",), False, "2003")],
                 "[the effect was small\\; see @neff2003\\; Table 2]", id="plain-items-around"),
    pytest.param("Neff (2003, p. 4) argued", [(("Neff",), False, "2003")], "@neff2003 [p. 4] argued",
                 id="narrative-page"),
    pytest.param("Neff (2003, 2011) argued", [(("Neff",), False, "2003"), (("Neff",), False, "2011")],
                 "@neff2003 [-@neff2011] argued", id="narrative-two-years"),
    pytest.param("Neff's (2003) definition", [(("Neff",), False, "2003")], "Neff's [-@neff2003] definition",
                 id="narrative-possessive"),
    pytest.param("Longe et al.’s (2010, p. 3) study", [(("Longe",), True, "2010")],
                 "Longe et al.’s [-@longe2010, p. 3] study", id="narrative-possessive-et-al-page"),
    pytest.param("Gross' (1998) process model", [(("Gross",), False, "1998")], "Gross' [-@gross1998] process model",
                 id="narrative-possessive-of-a-name-ending-in-s"),
    pytest.param("Smith and Jones’ (2010, p. 2) view", [(("Smith", "Jones"), False, "2010")],
                 "Smith and Jones’ [-@smith2010, p. 2] view", id="narrative-possessive-apostrophe-two-authors"),
    pytest.param("as in Longe et al., 2010, the", [(("Longe",), True, "2010")], "as in @longe2010, the",
                 id="bare-et-al"),
    pytest.param("| Bioconda | Grüning et al, 2018 |", [(("Grüning",), True, "2018")], "| Bioconda | @gruning2018 |",
                 id="bare-et-al-without-stop-in-a-table"),
    pytest.param("(Neff 2003)", [(("Neff",), False, "2003")], "[@neff2003]", id="no-comma"),
    pytest.param("(DSM-5; World Health Organization, 2020)", [(("World Health Organization",), False, "2020")],
                 "[DSM-5\\; @worldhealthorganization2020]", id="group-author"),
    pytest.param("(Department of Health and Human Services, 2017)",
                 [(("Department of Health and Human Services",), False, "2017")],
                 "[@departmentofhealthandhumanservices2017]", id="group-author-with-and"),
    pytest.param("(López García & Neff, 2010)", [(("López García", "Neff"), False, "2010")], "[@lopezgarcia2010]",
                 id="double-surname"),
    pytest.param("the World Health Organization (2020) said", [], "the World Health Organization (2020) said",
                 id="group-names-not-read-in-running-text"),
    pytest.param("In March, 2020, the trial began", [], "In March, 2020, the trial began",
                 id="a-date-is-not-a-citation"),
    pytest.param("(Model, 3000)", [], "(Model, 3000)", id="not-a-year"),
    pytest.param("According to Polyvagal Theory (2011), x", [], "According to Polyvagal Theory (2011), x",
                 id="proper-noun"),
]


@pytest.mark.parametrize("text, works, rewritten", FORMS)
def test_one_grammar_for_rewriting_and_for_finding(text, works, rewritten):
    assert _strict(text) == works
    assert _works(find_works(text)) == works
    assert rewrite_line(text, find_citations(text)) == rewritten


@pytest.mark.parametrize("text, works", [
    pytest.param("(N = 2003; Neff, 2003)", [(("Neff",), False, "2003")], id="a-year-like-number-in-plain-text"),
    pytest.param("(Neff 2003 and Germer, 2011)", [(("Neff",), False, "2003"), (("Germer",), False, "2011")],
                 id="two-works-in-one-item"),
    pytest.param("(see [1]; Neff, 2003)", [(("Neff",), False, "2003")], id="brackets-pandoc-cannot-carry"),
    # APA 8.21: a group's first citation introduces its abbreviation; the rewrite would drop "[NIMH]"
    pytest.param("(National Institute of Mental Health [NIMH], 2019; Neff, 2003)",
                 [(("National Institute of Mental Health",), False, "2019"), (("Neff",), False, "2003")],
                 id="group-author-introducing-its-abbreviation"),
    pytest.param("(see American Psychological Association [APA], 2020, p. 4)",
                 [(("American Psychological Association",), False, "2020")], id="abbreviation-prefix-locator"),
    # APA 8.15: a republished work, listed under its own year; the pandoc form would print only 1953
    pytest.param("(Freud, 1900/1953, p. 4; Neff, 2003)", [(("Freud",), False, "1953"), (("Neff",), False, "2003")],
                 id="republished-work"),
    pytest.param("Freud (1900/1953) argued", [(("Freud",), False, "1953")], id="republished-work-narrative"),
])
def test_the_finder_also_reads_parentheticals_that_do_not_parse_whole(text, works):
    assert _works(find_works(text)) == works
    assert all(c.narrative for c in find_citations(text))  # never rewritten as one parenthetical
    # nor any work inside it: "Neff, 2003" rewritten as @neff2003 would print "Neff (2003)"
    assert rewrite_line(text, find_citations(text)) == text


def test_works_carry_their_span_and_authors_as_written():
    text = "Earlier work (see Kiecolt-Glaser et al., 2010, p. 3) and Neff and Vonk (2009) agree."
    spans = [(text[w.start:w.end], w.names) for w in find_works(text)]
    assert spans == [("Kiecolt-Glaser et al., 2010", "Kiecolt-Glaser et al."), ("Neff and Vonk (2009", "Neff and Vonk")]


def test_lettered_no_date_works_resolve_to_their_own_entries():
    refs = parse_reference_list("Neff, K. D. (n.d.). Exercises. Self-Compassion.\n"
                                "Neff, K. D. (n.d.). Guided meditations. Self-Compassion.\n")
    assert [r.key for r in refs] == ["neffnda", "neffndb"]
    (cite,) = resolve_citations(find_citations("(Neff, n.d.-b)"), refs)
    assert [(w.key, w.resolved) for w in cite.works] == [("neffndb", True)]


def test_a_republished_work_resolves_to_its_entry():
    # APA 9.41 ends the entry with "(Original work published 1900)", which bib.apa does not read yet
    refs = parse_reference_list("Freud, S. (1953). The interpretation of dreams. Hogarth Press.\n")
    (cite,) = resolve_citations(find_citations("Freud (1900/1953) argued", lenient=True), refs)
    assert [(w.key, w.resolved) for w in cite.works] == [(refs[0].key, True)] and not cite.whole


# --- generated citations ----------------------------------------------------------------------------

FAMILIES = ["Neff", "Kiecolt-Glaser", "O'Brien", "D’Mello", "Müller", "Özdemir", "van der Kolk", "De Houwer",
            "da Silva", "Le", "McDonald", "Šimić", "Ng", "Smith-Jones"]
YEARS = st.one_of(st.integers(1600, 2099).map(str), st.tuples(st.integers(1900, 2030), st.sampled_from("abc"))
                  .map(lambda t: f"{t[0]}{t[1]}"), st.sampled_from(["n.d.", "in press", "n.d.-a"]))
WORK = st.tuples(st.lists(st.sampled_from(FAMILIES), min_size=1, max_size=4), st.booleans(),
                 st.sampled_from([", ", " "]), st.lists(YEARS, min_size=1, max_size=3))
PREFIX = st.sampled_from(["", "see ", "see also ", "e.g., ", "cf. ", "for a review, see "])
LOCATOR = st.sampled_from(["", ", p. 4", ", pp. 12–14", ", para. 2", ", Chapter 3", ", Table 2"])


def _written(names: list[str], et_al: bool, joiner: str) -> tuple[str, tuple[str, ...], bool]:
    if et_al and len(names) >= 3:
        return f"{names[0]} et al.", (names[0],), True
    if len(names) == 1:
        return names[0], (names[0],), False
    return ", ".join(names[:-1]) + ("," if len(names) > 2 else "") + f" {joiner} {names[-1]}", tuple(names), False


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(PREFIX, WORK, LOCATOR, st.sampled_from(["&", "and"])), min_size=1, max_size=3))
def test_generated_parentheticals_parse_the_same_both_ways(items):
    parts, expected = [], []
    for prefix, (names, et_al, separator, years), locator, joiner in items:
        written, authors, is_et_al = _written(names, et_al, joiner)
        parts.append(f"{prefix}{written}{separator}{', '.join(years)}{locator}")
        expected += [(authors, is_et_al, year) for year in years]
    text = "Prose before (" + "; ".join(parts) + ") and after."
    assert _strict(text) == expected
    assert _works(find_works(text)) == expected
    (citation,) = find_citations(text)
    assert not citation.narrative and text[citation.start:citation.end] == text[13:-11]


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(WORK, st.sampled_from(["&", "and"]), st.sampled_from(["", ", p. 4"]))
def test_generated_narratives_parse_the_same_both_ways(work, joiner, locator):
    names, et_al, _, years = work
    written, authors, is_et_al = _written(names, et_al, joiner)
    text = f"As {written} ({', '.join(years)}{locator}) showed, it holds."
    expected = [(authors, is_et_al, year) for year in years]
    assert _strict(text) == expected
    assert _works(find_works(text)) == expected
    assert "(" not in rewrite_line(text, find_citations(text))


# --- where the two old grammars disagreed -----------------------------------------------------------
# manuscript/authoryear.py (strict) and claims/citations.py (lenient) before they became one.


@pytest.mark.parametrize("text, works", [
    # old strict: required four digits to look inside a parenthesis, so n.d. works were never imported
    pytest.param("(Müller & Özdemir, n.d.)", [(("Müller", "Özdemir"), False, "n.d.")], id="no-date"),
    # old strict: no "in press"; old lenient had it
    pytest.param("(Lee, in press)", [(("Lee",), False, "in press")], id="in-press"),
    # old lenient: "Kolk" only (particles only between capitalised names); old strict: whole name
    pytest.param("(van der Kolk, 2014)", [(("van der Kolk",), False, "2014")], id="lower-case-particles"),
    # old strict: "der Kolk" (no capitalised particle); old lenient: whole name
    pytest.param("Van der Kolk (2014) argued", [(("Van der Kolk",), False, "2014")], id="capitalised-particles"),
    # old lenient: no bare form, so a sentence citing this way counted as uncited
    pytest.param("as Longe et al., 2010, showed", [(("Longe",), True, "2010")], id="bare"),
    # old lenient: "n.d." only; old strict: "n. d." too
    pytest.param("(Neff, n. d.)", [(("Neff",), False, "n.d.")], id="spaced-no-date"),
    # old strict: any four digits were a year; old lenient: 1600-2099
    pytest.param("(Model, 3000)", [], id="year-range"),
    # both old: only the first of several years by one author
    pytest.param("(Zhou, 2015, 2017)", [(("Zhou",), False, "2015"), (("Zhou",), False, "2017")], id="several-years"),
    # old strict: not read (left as text); old lenient: "Organization" was the author
    pytest.param("(World Health Organization, 2020)", [(("World Health Organization",), False, "2020")],
                 id="group-author"),
    # both old: "Neff's" was the family name (key neffs2003, first author "neff's")
    pytest.param("Neff's (2003) definition", [(("Neff",), False, "2003")], id="possessive"),
    # old strict: "March, 2020" became @march2020; old lenient: nothing
    pytest.param("In March, 2020, the trial began", [], id="date"),
])
def test_where_the_old_grammars_disagreed(text, works):
    assert _strict(text) == works
    assert _works(find_works(text)) == works


@pytest.mark.timeout(60)
@pytest.mark.parametrize("text", [
    pytest.param("x " + "de " * 20_000 + "Smith (2003)", id="particle-run"),
    pytest.param("(" + "Smith, " * 20_000 + "2003)", id="author-list-run"),
    pytest.param("(O" + "'B" * 20_000 + ", 2003)", id="apostrophe-run"),
    pytest.param("(" + "Smith, 2003; " * 5_000 + ")", id="item-run"),
    pytest.param("A" * 20_000 + " (" + "1" * 20_000 + ")", id="capitals-digits"),
])
def test_linear_on_long_runs(text):
    # The old strict grammar took minutes on the first four (quadratic backtracking or rescans); the
    # timeout guards against a hang, it is not a speed target (bench/check.py prints those).
    find_citations(text)
    find_works(text)
