"""What the audit reads: every entry of real bibliographies, warnings for what readers noticed,
unreadable entries as findings, and statuses that mean what they say for works without DOIs."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_bib_read import COMPAT_BIB, DATA, counted_entries

from galleyproof.audit.run import audit_path
from galleyproof.bib.bibtex import blank_comments
from galleyproof.pipeline.policy import audit_failures as failures


def offline(path: Path, tmp_path: Path) -> dict:
    return audit_path(path, mode="offline", lock_path=tmp_path / "citations.lock.json")


@pytest.mark.parametrize("name", ["biblatex-examples.bib", "steuwer-thesis.bib", "d2l.bib"])
def test_every_entry_of_a_real_bib_is_audited(name: str, tmp_path: Path):
    path = COMPAT_BIB / name
    if not path.is_file():
        pytest.skip(f"{path} is missing")
    audit = offline(path, tmp_path)
    counted = counted_entries(blank_comments(path.read_text(encoding="utf-8")))
    assert len(audit["references"]) == len(counted) == audit["summary"]["total"]
    assert [(r["key"], r["line"]) for r in audit["references"]] == counted
    # Offline nothing is accused: DOIs are unverified, works without one are no_doi or missing_doi.
    assert {r["status"] for r in audit["references"]} <= {"unverified", "no_doi", "missing_doi"}


def test_d2l_arxiv_and_books_without_doi_are_information_not_warnings(tmp_path: Path):
    path = COMPAT_BIB / "d2l.bib"
    if not path.is_file():
        pytest.skip(f"{path} is missing")
    refs = {r["key"]: r for r in offline(path, tmp_path)["references"]}
    arxiv = [r for r in refs.values() if "arxiv" in r["cited"]["container"].casefold() and not r["doi"]]
    books = [r for r in refs.values() if r["cited"]["type"] == "book" and not r["doi"]]
    assert arxiv and books
    assert {r["status"] for r in arxiv + books} == {"no_doi"}
    articles = [r for r in refs.values() if r["cited"]["type"] == "article" and not r["doi"]
                and "arxiv" not in r["cited"]["container"].casefold()]
    assert articles and {r["status"] for r in articles} == {"missing_doi"}


def test_latin1_bib_audits_with_one_warning(tmp_path: Path):
    audit = offline(DATA / "cp1252.bib", tmp_path)
    assert [r["key"] for r in audit["references"]] == ["müller1999", "café2001"]
    [warning] = audit["summary"]["warnings"]
    assert "Windows-1252" in warning and "cp1252.bib" in warning


def test_every_flaw_bib_audits_each_entry_and_reports_the_broken_one(tmp_path: Path):
    path = DATA / "every-flaw.bib"
    audit = offline(path, tmp_path)
    counted = counted_entries(blank_comments(path.read_text(encoding="utf-8")))
    assert len(audit["references"]) == len(counted) - 1
    [broken] = [f for f in audit["project"] if f["kind"] == "unreadable_entry"]
    assert (broken["key"], broken["line"], broken["file"]) == ("unclosed2012", 54, str(path))
    assert broken in failures(audit)  # a reference nobody could check fails the default policy
    warnings = audit["summary"]["warnings"]
    for expected in ("'jpers' is not defined", "'title' given twice", "'porges2011' is defined again",
                     "'missingparent'"):
        assert any(expected in w for w in warnings), expected
    statuses = {r["key"]: r["status"] for r in audit["references"]}
    assert statuses["vaswani2017"] == statuses["porges2011"] == "no_doi"
    assert statuses["abele2003"] == "missing_doi"
