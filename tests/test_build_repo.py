"""The repository's own manuscript, built end to end on a copy with the embedded engine and a real kernel."""

from __future__ import annotations

import re
from html import unescape

import docx
import pypdf
import pytest
from conftest import REPO

from galleyproof.bib.bibtex import read_bibliography
from galleyproof.manuscript.qmd import read_qmd
from galleyproof.pipeline.run import build
from galleyproof.project import copy_manuscript, load_project

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not (REPO / "_quarto.yml").is_file(), reason="the manuscript is not imported yet")]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = copy_manuscript(REPO, tmp_path_factory.mktemp("repo") / "project")
    project = load_project(root)
    result = build(project, offline=True)
    html = result.outputs["html"].read_text(encoding="utf-8")
    document = docx.Document(str(result.outputs["docx"]))
    docx_text = "\n".join([p.text for p in document.paragraphs] +
                          [c.text for t in document.tables for r in t.rows for c in r.cells])
    return {
        "project": project, "result": result, "html": html,
        "html_text": flat(unescape(re.sub(r"<[^>]+>", "", html))),
        "pdf": flat("\n".join(p.extract_text() for p in pypdf.PdfReader(result.outputs["pdf"]).pages)),
        "docx": flat(docx_text),
    }


def chapter_titles(project) -> list[str]:
    """Each chapter's level-1 heading as the author wrote it ("3- Critical Discussion ...")."""
    titles = []
    for chapter in project.chapters:
        lines = chapter.read_text(encoding="utf-8").splitlines()
        headings = [h for h in read_qmd(chapter).headings if h.level == 1]
        titles += [re.sub(r"\s*\{[^}]*\}\s*$", "", lines[h.line - 1].lstrip("#").strip()) for h in headings]
    return titles


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html_text"])
def test_every_chapter_title_is_in_the_output(built, fmt):
    for title in chapter_titles(built["project"]):
        assert flat(title) in built[fmt], title


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html_text"])
def test_the_formatted_reference_list_is_in_the_output(built, fmt):
    # An entry of an APA reference list: "Family, I. I., & Other, I. (Year). First words of the title".
    for ref in read_bibliography(built["project"].bibliography):
        entry = re.escape(ref.first_author) + r", [^()]{1,120}\(" + ref.year + r"\)\. " + \
            re.escape(" ".join(ref.title.split()[:4]))
        assert re.search(entry, built[fmt]), ref.key


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html_text"])
def test_no_citation_or_cross_reference_is_left_unresolved(built, fmt):
    text = built[fmt]
    assert "?@" not in text
    assert not re.search(r"\(\w+\d{4}\?\)", text)  # citeproc's mark for an unknown key
    assert not [w for w in built["result"].warnings if "unresolved" in w or "not found" in w]


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html_text"])
def test_evidence_appendix_tables_and_figures_are_numbered_and_referenced(built, fmt):
    text = built[fmt]
    # Chapters 2 and 3 carry their own analysis tables (issue 8.7), so the appendix's are numbered after them.
    for caption in ("Table 1: The three pathways", "Table 2: The evidence base under discussion",
                    "Table 3: How far the cited evidence can be checked",
                    "Table 4: The reference corpus", "Figure 1: Cited works by year", "Table 5: Evidence map",
                    "Figure 2: Evidence map by work", "Table 6: Citation audit"):
        assert caption in text
    assert text.index("Table 1: The three pathways") < text.rindex("2-5-1 The Cholinergic") < text.index("Table 4:")
    assert "the cholinergic anti-inflammatory pathway (Section 2-5-1)" in text
    assert "(Tracey, 2002)" in text  # the evidence map's citations went through citeproc


def test_html_is_one_self_contained_document(built):
    assert built["html"].count("data:image/png;base64,") == 2
    assert not re.search(r'<img[^>]+src="(?!data:)', built["html"])


def test_rebuild_is_cached_and_byte_identical(built):
    outputs = {**built["result"].outputs, **built["result"].reports}  # the reviewer reports too
    first = {name: path.read_bytes() for name, path in outputs.items()}
    again = build(built["project"], offline=True)
    # Since the build manifest, nothing changed means nothing redone: not even the cache is asked.
    assert again.status == "unchanged" and {c.status for c in again.chapters if c.cells} == {"unchanged"}
    assert again.timings.get("kernel", 0) == 0
    assert {name: path.read_bytes() for name, path in {**again.outputs, **again.reports}.items()} == first
    assert b"generated" not in first["report"]  # no clock in the build's reviewer report


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html_text"])
def test_audit_table_lists_each_status_with_its_references(built, fmt):
    # Offline with an empty lock: DOIs are unverified, references without one are missing_doi.
    audit = built["result"].audit
    table = flat(built[fmt]).split("Table 3: Citation audit")[-1]
    for status in {r["status"] for r in audit["references"]}:
        assert status.replace("_", " ") in table
    assert "Abidi, 2017" in table  # keys went through citeproc: a formatted citation, not "abidi2017"
