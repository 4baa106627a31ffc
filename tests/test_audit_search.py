"""Search suggestions: reference strings matched as Crossref's own matcher documents, and wrong DOIs
(points_elsewhere, not_found) fixed with the cited work's real DOI, over the local registry."""

from __future__ import annotations

from pathlib import Path

import pytest
from registry_server import bibtex_entry, load_example, registry, sample_works  # noqa: F401 - fixtures

from galleyproof.audit.compare import supported_by_string
from galleyproof.audit.run import audit_path
from galleyproof.registry.http import RetryPolicy

FAST = RetryPolicy(retries=1, backoff=0.05, timeout=2.0)
# The two query strings of crossref_examples/README.md (Crossref's search-based reference matcher tests).
MATCH = ("[1]D. Tkaczyk, P. Szostek, M. Fedoryszak, P. J. Dendek, and Bolikowski,“CERMINE: automatic extraction of "
         "structured metadata from scientific literature,” International Journal on Document Analysis and "
         "Recognition (IJDAR), vol. 18, no. 4, pp. 317–335, 2015.")
NO_MATCH = ("P. Szostek, M. Fedoryszak, P. J. Dendek, and Ł. Bolikowski,“CERMINE: automatic extraction of structured "
            "metadata from scientific literature,” IJDAR, vol. 14, no. 40, pp. 310–335, 2016.")
CERMINE_DOI = "10.1007/s10032-015-0249-8"


@pytest.fixture(autouse=True)
def polite(monkeypatch):
    monkeypatch.setenv("GALLEYPROOF_MAILTO", "reviewer@example.org")


def work_list(*works: dict) -> dict:
    return {"status": "ok", "message-type": "work-list", "message": {"items": list(works), "total-results": len(works)}}


def test_reference_strings_behave_as_crossref_documents(registry, tmp_path: Path):
    fake, url = registry
    fake.search_returns("Tkaczyk", load_example("works_query-bibliographic_refstring_match_cermine_2018.json"))
    fake.search_returns("Szostek, M.", load_example("works_query-bibliographic_refstring_nomatch_cermine_2018.json"))
    fake.search_returns("P. Szostek", load_example("works_query-bibliographic_refstring_nomatch_cermine_2018.json"))
    path = tmp_path / "refs.txt"
    path.write_text(MATCH + "\n" + NO_MATCH + "\n", encoding="utf-8")
    audit = audit_path(path, crossref_url=url, datacite_url=url, lock_path=tmp_path / "lock.json", policy=FAST)
    suggested = {r["line"]: r["suggested_doi"] for r in audit["references"]}
    assert suggested == {1: CERMINE_DOI, 2: None}


def test_an_unparsed_string_is_judged_by_its_own_words():
    match = load_example("works_query-bibliographic_refstring_match_cermine_2018.json")["message"]["items"][0]
    nomatch = load_example("works_query-bibliographic_refstring_nomatch_cermine_2018.json")["message"]["items"][0]
    assert match["DOI"].lower() == nomatch["DOI"].lower() == CERMINE_DOI  # the top hit is the same paper
    assert supported_by_string(MATCH, match)
    assert not supported_by_string(NO_MATCH, nomatch)  # wrong year, first author left out: rejected


@pytest.mark.parametrize("wrong_doi, status", [
    pytest.param("10.1016/j.drudis.2006.06.016", "points_elsewhere", id="points-elsewhere"),
    pytest.param("10.1371/notarealdoi", "not_found", id="not-found"),
])
def test_a_wrong_doi_gets_the_cited_works_real_doi(registry, sample_works, tmp_path: Path, wrong_doi, status):
    fake, url = registry
    cited = sample_works["10.1007/s12080-013-0192-6"]
    decoy = sample_works["10.1016/j.drudis.2006.06.016"]
    fake.search_returns("Early warning signals", work_list(decoy, cited))
    path = tmp_path / "refs.bib"
    path.write_text(bibtex_entry(cited, key="boettiger2013", doi=wrong_doi), encoding="utf-8")
    [ref] = audit_path(path, crossref_url=url, datacite_url=url, lock_path=tmp_path / "lock.json",
                       policy=FAST)["references"]
    assert (ref["status"], ref["suggested_doi"]) == (status, "10.1007/s12080-013-0192-6")


def test_no_suggestion_when_the_registry_has_only_look_alikes(registry, sample_works, tmp_path: Path):
    fake, url = registry
    cited = sample_works["10.1007/s12080-013-0192-6"]
    look_alike = dict(cited, DOI="10.9999/look-alike", issued={"date-parts": [[2019]]}, volume="9")
    fake.search_returns("Early warning signals", work_list(look_alike))
    path = tmp_path / "refs.bib"
    path.write_text(bibtex_entry(cited, key="boettiger2013", doi="10.1371/notarealdoi"), encoding="utf-8")
    [ref] = audit_path(path, crossref_url=url, datacite_url=url, lock_path=tmp_path / "lock.json",
                       policy=FAST)["references"]
    assert (ref["status"], ref["suggested_doi"]) == ("not_found", None)
