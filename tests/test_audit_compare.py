"""compare(): cited metadata against real Crossref records from ../shared/crossref-sample/works.jsonl.

Each cited reference starts as a faithful citation of the record (built through the real BibTeX
reader, so LaTeX is folded as in a user's references.bib) and then one variation is applied.
"""

from __future__ import annotations

import copy

import pytest
from registry_server import bibtex_entry, load_example, sample_works  # noqa: F401 - fixture

from galleyproof.audit.compare import compare, matches_candidate
from galleyproof.bib.bibtex import parse_bibliography
from galleyproof.bib.model import Person, Reference


def cite(work: dict, **fields) -> Reference:
    return parse_bibliography(bibtex_entry(work, **fields), "refs.bib")[0]


BENIGN = [
    pytest.param("10.1007/s12080-013-0192-6", {}, id="exact"),
    pytest.param("10.1007/s12080-013-0192-6", {"title": "EARLY WARNING SIGNALS: THE CHARTED AND UNCHARTED TERRITORIES"},
                 id="title-case"),
    pytest.param("10.1007/s12080-013-0192-6",
                 {"title": "Early warning signals: The charted and uncharted territories."},
                 id="title-punctuation"),
    pytest.param("10.1007/s12080-013-0192-6", {"journal": "Theor. Ecol."}, id="abbreviated-journal"),
    pytest.param("10.1007/s12080-013-0192-6", {"journal": "theoretical ecology"}, id="journal-case"),
    pytest.param("10.1007/s12080-013-0192-6", {"number": None}, id="missing-issue"),
    pytest.param("10.1007/s12080-013-0192-6", {"pages": "255–264"}, id="en-dash-pages"),
    pytest.param("10.1007/s12080-013-0192-6", {"pages": "255-64"}, id="abbreviated-end-page"),
    pytest.param("10.1007/s12080-013-0192-6", {"pages": "255"}, id="first-page-only"),
    pytest.param("10.1007/s12080-013-0192-6", {"author": "Boettiger, C. and Ross, N. and Hastings, A."},
                 id="initials-for-given-names"),
    pytest.param("10.1007/s12080-013-0192-6", {"author": "Boettiger, Carl and others"}, id="et-al"),
    pytest.param("10.1016/j.drudis.2006.06.016", {"author": r"Keser{\H{u}}, Gy{\"o}rgy M. and Makara, Gergely M."},
                 id="latex-accents"),
    pytest.param("10.1016/j.drudis.2006.06.016", {"author": "Keseru, Gyorgy M. and Makara, Gergely M."},
                 id="accents-dropped"),
    pytest.param("10.1016/j.drudis.2006.06.016", {"number": "15–16"}, id="issue-range-dash"),
    pytest.param("10.1002/wcms.49", {"title": "Enabling future drug discovery by de novo design"},
                 id="registered-title-has-html"),
    pytest.param("10.1002/wcms.49", {"title": r"Enabling future drug discovery by \emph{de novo} design"},
                 id="latex-emphasis"),
    pytest.param("10.1093/nar/gkq747", {"pages": "e191"}, id="article-number-vs-page-range"),
    pytest.param("10.1002/ajmg.b.31237", {"journal": "Am. J. Med. Genet. B Neuropsychiatr. Genet."},
                 id="iso4-abbreviation-with-part"),
]


@pytest.mark.parametrize(("doi", "fields"), BENIGN)
def test_benign_differences_give_no_finding(sample_works, doi, fields):
    status, problems = compare(cite(sample_works[doi], **fields), sample_works[doi])
    assert (status, problems) == ("verified", [])


WRONG = [
    pytest.param("10.1007/s12080-013-0192-6", {"volume": "7"}, "volume", "7", "6", id="volume"),
    pytest.param("10.1007/s12080-013-0192-6", {"number": "4"}, "issue", "4", "3", id="issue"),
    pytest.param("10.1007/s12080-013-0192-6", {"year": "2015"}, "year", "2015", "2013", id="year"),
    pytest.param("10.1007/s12080-013-0192-6", {"pages": "355--364"}, "pages", "355-364", "255-264", id="pages"),
    pytest.param("10.1007/s12080-013-0192-6", {"journal": "Ecology Letters"}, "container", "Ecology Letters",
                 "Theoretical Ecology", id="journal"),
    pytest.param("10.1007/s12080-013-0192-6", {"author": "Ross, Noam and Boettiger, Carl and Hastings, Alan"},
                 "authors", "Ross; Boettiger; Hastings", "Boettiger; Ross; Hastings", id="author-order"),
    pytest.param("10.1007/s12080-013-0192-6", {"author": "Smith, Carl and Ross, Noam and Hastings, Alan"},
                 "authors", "Smith; Ross; Hastings", "Boettiger; Ross; Hastings", id="first-author"),
    pytest.param("10.1007/s12080-013-0192-6", {"author": "Boettiger, Carl and Ross, Noam"},
                 "authors", "Boettiger; Ross", "Boettiger; Ross; Hastings", id="author-left-out"),
    pytest.param("10.1007/s12080-013-0192-6", {"title": "Early warning signals of regime shifts in ecology"},
                 "title", "Early warning signals of regime shifts in ecology",
                 "Early warning signals: the charted and uncharted territories", id="title"),
]


@pytest.mark.parametrize(("doi", "fields", "field", "cited", "registered"), WRONG)
def test_wrong_fields_are_mismatches_with_both_values(sample_works, doi, fields, field, cited, registered):
    status, problems = compare(cite(sample_works[doi], **fields), sample_works[doi])
    assert status == "mismatch"
    assert [(p.kind, p.field, p.cited, p.registered) for p in problems] == [("mismatch", field, cited, registered)]


def test_year_of_print_or_online_edition_is_accepted(sample_works):
    work = dict(sample_works["10.1007/s12080-013-0192-6"], **{"published-print": {"date-parts": [[2014, 1]]}})
    assert compare(cite(work, year="2014"), work) == ("verified", [])


def test_a_doi_of_another_work_points_elsewhere(sample_works):
    cited = cite(sample_works["10.1007/s12080-013-0192-6"])
    other = sample_works["10.1016/j.drudis.2006.06.016"]
    status, problems = compare(cited, other)
    assert status == "points_elsewhere"
    assert problems[0].kind == "different_work"
    assert "Boettiger (2013) Early warning signals" in problems[0].cited
    assert problems[0].registered.startswith("Keserű (2006) Hit discovery")


def test_same_author_same_year_but_unrelated_title_points_elsewhere(sample_works):
    work = sample_works["10.1007/s12080-013-0192-6"]
    cited = cite(work, title="Neural correlates of self-criticism and self-reassurance")
    assert compare(cited, work)[0] == "points_elsewhere"


def test_documented_retraction_watch_notice_retracts(sample_works):
    work = load_example("retraction_10.1021_am300292v.json")["message"]
    cited = Reference("am", doi="10.1021/am300292v")
    status, problems = compare(cited, work)
    assert status == "retracted"
    assert [(p.kind, p.field) for p in problems] == [("retraction", "updated-by")]
    assert "10.1021/acsami.9b11759" in problems[0].registered
    assert "retraction-watch" in problems[0].registered and "20946" in problems[0].registered


def test_publisher_correction_is_reported(sample_works):
    work = load_example("work_journal-article_10.1371_journal.pone.0033693.json")["message"]
    authors = tuple(Person(a["family"], a["given"]) for a in work["author"])
    cited = Reference("pone", authors=authors, year="2012", title=work["title"][0], container="PLoS One",
                      volume="7", issue="3", pages="e33693", doi=work["DOI"])
    status, problems = compare(cited, work)
    assert status == "corrected"
    assert [(p.kind, p.field) for p in problems] == [("correction", "updated-by")]
    assert "10.1371/annotation/c76da2c1-ccb8-4797-94c1-359d3ceceeda" in problems[0].registered


def test_updated_by_is_scanned_in_full(sample_works):
    """A publisher correction first and a Retraction Watch retraction second: the retraction counts."""
    work = copy.deepcopy(load_example("work_journal-article_10.1371_journal.pone.0033693.json")["message"])
    work["updated-by"].append(load_example("retraction_10.1021_am300292v.json")["message"]["updated-by"][0])
    cited = Reference("pone", doi=work["DOI"], title=work["title"][0], year="2012")
    status, problems = compare(cited, work)
    assert status == "retracted"
    assert [p.kind for p in problems] == ["correction", "retraction"]


def test_retracted_title_prefix_is_a_second_signal(sample_works):
    work = dict(sample_works["10.1007/s12080-013-0192-6"])
    work["title"] = ["RETRACTED: " + work["title"][0]]
    status, problems = compare(cite(sample_works["10.1007/s12080-013-0192-6"]), work)
    assert status == "retracted"
    assert problems[-1].kind == "retraction" and problems[-1].field == "title"


def test_preprint_with_published_version_names_its_doi(sample_works):
    work = dict(sample_works["10.1007/s12080-013-0192-6"], type="posted-content",
                relation={"is-preprint-of": [{"id-type": "doi", "id": "10.1002/ECE3.2314", "asserted-by": "subject"}]})
    status, problems = compare(cite(sample_works["10.1007/s12080-013-0192-6"]), work)
    assert status == "corrected"
    assert [(p.kind, p.registered) for p in problems] == [("published_version", "10.1002/ece3.2314")]


# The two search-based-reference-matcher fixtures: Crossref's own accept/reject test pair.
CERMINE_AUTHORS = (Person("Tkaczyk", "D."), Person("Szostek", "P."), Person("Fedoryszak", "M."),
                   Person("Dendek", "P. J."), Person("Bolikowski", ""))
CERMINE_TITLE = "CERMINE: automatic extraction of structured metadata from scientific literature"


def test_search_candidate_with_matching_metadata_is_accepted():
    items = load_example("works_query-bibliographic_refstring_match_cermine_2018.json")["message"]["items"]
    cited = Reference("cermine", authors=CERMINE_AUTHORS, year="2015", title=CERMINE_TITLE,
                      container="International Journal on Document Analysis and Recognition (IJDAR)",
                      volume="18", issue="4", pages="317–335")
    accepted = [item["DOI"] for item in items if matches_candidate(cited, item)]
    assert accepted == ["10.1007/s10032-015-0249-8"]


def test_search_candidate_for_corrupted_citation_is_rejected():
    items = load_example("works_query-bibliographic_refstring_nomatch_cermine_2018.json")["message"]["items"]
    assert items[0]["DOI"] == "10.1007/s10032-015-0249-8"  # the look-alike is the top hit
    cited = Reference("cermine", authors=CERMINE_AUTHORS[1:] , year="2016", title=CERMINE_TITLE,
                      container="IJDAR", volume="14", issue="40", pages="310–335")
    assert [item["DOI"] for item in items if matches_candidate(cited, item)] == []


def test_main_title_cited_without_subtitle_is_benign(sample_works):
    work = sample_works["10.1007/s12080-013-0192-6"]
    assert compare(cite(work, title="Early warning signals"), work) == ("verified", [])


def _citable(work: dict) -> bool:
    return bool(work.get("title") and work.get("issued") and work.get("author"))


def test_every_sample_record_cited_faithfully_is_verified(sample_works):
    """No false alarms on 398 real records: titles with markup, consortia, year-only dates, books."""
    flagged = {}
    for doi, work in sample_works.items():
        if not _citable(work):
            continue
        status, problems = compare(cite(work, journal=(work.get("short-container-title") or [None])[0]
                                        or work.get("container-title", [""])[0]), work)
        if status != "verified":
            flagged[doi] = [(p.field, p.cited, p.registered) for p in problems]
    assert flagged == {}


def test_every_sample_record_cited_under_its_neighbours_doi_points_elsewhere(sample_works):
    works = [w for w in sample_works.values() if _citable(w)]
    missed = {}
    for work, neighbour in zip(works, works[1:]):
        status, _ = compare(cite(work), neighbour)
        if status != "points_elsewhere":
            missed[work["DOI"]] = (neighbour["DOI"], status)
    assert missed == {}
