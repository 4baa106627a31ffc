"""End-to-end submission exports through the real embedded engine (kernel, pandoc, Typst).

One copy of the small fixture project (tests/data/export/project: Djamila CHARIF's compact review
with a matplotlib figure and an acknowledgements section) is exported once per bundled profile and
shared by the module; failing-check cases start from a copy of that prepared project, so its cell
cache spares them a kernel start.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from io import BytesIO
from pathlib import Path

import docx
import pytest
from lxml import etree
from pypdf import PdfReader

from galleyproof.bib.bibtex import read_bibliography
from galleyproof.cli import main
from galleyproof.export.meca import MANIFEST_NS, XLINK
from galleyproof.pipeline.export import export_submission
from galleyproof.project import load_project

pytestmark = pytest.mark.slow

FIXTURE = Path(__file__).parent / "data" / "export" / "project"
IDENTIFYING = ("charif", "djamila", "djamila.charif@univ-alger2.dz", "saadallah", "algiers")
FIGURE = "figures/chapters-02-pathways-cell1-1.png"
EXPECTED_FILES = {
    "health-psychology": {"manuscript.pdf", "manuscript.docx", "manuscript-anonymised.pdf",
                          "manuscript-anonymised.docx", "title-page.docx", "cover-letter.docx", FIGURE,
                          "checklist.md"},
    "psychosomatic-medicine": {"manuscript.pdf", "manuscript.docx", "cover-letter.docx", FIGURE, "article.xml",
                               "psychosomatic-medicine-meca.zip", "checklist.md"},
    "psychoneuroendocrinology": {"manuscript.pdf", "manuscript.docx", "cover-letter.docx", "highlights.docx",
                                 FIGURE, "checklist.md"},
    "preprint": {"manuscript.pdf", FIGURE, "article.xml", "preprint-meca.zip", "checklist.md"},
}
AUTHOR_DATE = {"health-psychology": "(Neff, 2003)", "psychoneuroendocrinology": "(Neff, 2003)",
               "preprint": "(Neff, 2003)"}


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The fixture project exported for every bundled profile: (project root, {id: ExportResult})."""
    root = tmp_path_factory.mktemp("export") / "project"
    shutil.copytree(FIXTURE, root)
    project = load_project(root)
    return root, {journal: export_submission(project, journal) for journal in EXPECTED_FILES}


def pdf_text(path: Path) -> str:
    reader = PdfReader(path)
    meta = " ".join(str(v) for v in (reader.metadata or {}).values())
    return meta + "\n" + "\n".join(page.extract_text() for page in reader.pages)


def docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    props = document.core_properties
    meta = " ".join(str(getattr(props, p) or "") for p in ("author", "last_modified_by", "title", "subject",
                                                              "keywords", "comments", "category"))
    return meta + "\n" + "\n".join(p.text for p in document.paragraphs)


@pytest.mark.parametrize("journal", sorted(EXPECTED_FILES))
def test_package_and_zip_hold_the_journals_files(exported, journal):
    root, results = exported
    result = results[journal]
    assert result.written and result.ok, [c for c in result.checks if c.failed]
    package = root / "_output" / "submission" / journal
    on_disk = {p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file()}
    assert on_disk == EXPECTED_FILES[journal]
    with zipfile.ZipFile(root / "_output" / "submission" / f"{journal}.zip") as zf:
        names = set(zf.namelist())
        assert zf.testzip() is None
    assert names == EXPECTED_FILES[journal]
    assert all(not n.startswith(("/", "..")) and ".." not in n.split("/") for n in names)
    assert not [p for p in package.parent.iterdir() if p.name.startswith(".")]  # no build leftovers


@pytest.mark.parametrize("journal", sorted(EXPECTED_FILES))
def test_reference_style_is_the_journals(exported, journal):
    root, _ = exported
    text = pdf_text(root / "_output" / "submission" / journal / "manuscript.pdf")
    if journal in AUTHOR_DATE:
        assert AUTHOR_DATE[journal] in text
        assert "mindfulness (1)" not in text
    else:  # NLM/Vancouver: numbers in order of first citation, list numbered the same way
        assert "(Neff, 2003)" not in text
        assert "mindfulness (1)" in text and "(1,4)" in text
        assert re.search(r"1\.\s*Neff KD", text)


@pytest.mark.parametrize("journal", ["health-psychology"])
def test_anonymised_copies_carry_no_identity_in_text_or_metadata(exported, journal):
    root, _ = exported
    package = root / "_output" / "submission" / journal
    for name, read in (("manuscript-anonymised.pdf", pdf_text), ("manuscript-anonymised.docx", docx_text)):
        text = re.sub(r"\s+", " ", read(package / name)).lower()
        assert "self-compassion" in text  # the text is there ...
        assert [w for w in IDENTIFYING if w in text] == [], name  # ... its author is not
        assert "acknowledgements" not in text
    assert PdfReader(package / "manuscript-anonymised.pdf").metadata.get("/Author") in (None, "")
    assert docx.Document(str(package / "manuscript-anonymised.docx")).core_properties.author == ""
    # The control: the full manuscript and the title page do name her.
    assert "djamila charif" in pdf_text(package / "manuscript.pdf").lower()
    title_page = docx_text(package / "title-page.docx")
    assert "djamila.charif@univ-alger2.dz" in title_page and "thanks colleagues" in title_page


@pytest.mark.parametrize("journal", ["psychosomatic-medicine", "preprint"])
def test_jats_and_meca_manifest_describe_what_the_zip_holds(exported, journal):
    root, _ = exported
    package = root / "_output" / "submission" / journal
    article = etree.parse(str(package / "article.xml"), etree.XMLParser(load_dtd=False, no_network=True))
    refs = article.findall(".//ref-list/ref")
    bib = {r.key: r.doi for r in read_bibliography(root / "references.bib")}
    assert sorted(r.get("id") for r in refs) == sorted(f"ref-{k}" for k in bib)
    assert all(r.find("element-citation") is not None for r in refs)
    assert sorted(r.findtext(".//pub-id[@pub-id-type='doi']") for r in refs) == sorted(bib.values())
    front = article.find(".//article-meta")
    assert front.find("contrib-group/contrib/xref").get("rid") == front.find("contrib-group/aff").get("id")
    assert front.findtext("contrib-group/aff/institution-wrap/institution").startswith("Abu Al-Qasim")
    assert front.findtext("abstract/p").startswith("This compact review examines")
    assert [k.text for k in front.iterfind("kwd-group/kwd")] == [
        "Self-compassion", "Psychoneuroimmunology", "Vagal tone", "Inflammation"]
    assert article.find(".//body/sec[@id='sec-abstract']") is None  # moved to the front, not repeated
    graphics = [g.get(f"{{{XLINK}}}href") for g in article.iter("graphic")]
    assert graphics == [FIGURE]
    with zipfile.ZipFile(package / f"{journal}-meca.zip") as meca:
        names = set(meca.namelist())
        manifest = etree.fromstring(meca.read("manifest.xml"))
        inner_article = etree.parse(BytesIO(meca.read("article.xml")), etree.XMLParser(load_dtd=False))
    assert inner_article.getroot().tag == "article"
    items = {i.find(f"{{{MANIFEST_NS}}}instance").get(f"{{{XLINK}}}href"): i.get("item-type")
             for i in manifest.findall(f"{{{MANIFEST_NS}}}item")}
    assert set(items) == names - {"manifest.xml"}
    assert set(graphics) <= set(items)
    assert items["article.xml"] == "article-metadata" and items["manuscript.pdf"] == "manuscript"
    assert items[FIGURE] == "figure"


def test_checklist_lists_every_check_with_its_measure(exported):
    root, results = exported
    checklist = (root / "_output" / "submission" / "health-psychology" / "checklist.md").read_text()
    assert "# Submission checklist: Health Psychology" in checklist
    assert re.search(r"\| PASS \| Keywords \| 4 \| 3–5 \|", checklist)
    assert re.search(r"\| PASS \| Figures present, captioned, adequate resolution \| 1 figure \|.*300 dpi", checklist)
    assert "| PASS | Anonymised manuscript" in checklist
    assert [c.id for c in results["health-psychology"].checks][:5] == [
        "main-text-words", "abstract-words", "keywords", "references", "citations-resolved"]


# -- failing checks stop the export -----------------------------------------------------------------

@pytest.fixture
def project(exported, tmp_path) -> Path:
    """A fresh copy of the already prepared fixture project (cell cache included), without packages."""
    target = tmp_path / "project"
    shutil.copytree(exported[0], target, ignore=shutil.ignore_patterns("_output"))
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _tiny_word_limit(root: Path) -> None:
    text = (Path(__file__).parents[1] / "galleyproof" / "export" / "profiles" / "preprint.yaml").read_text()
    (root / "profiles" / "preprint.yaml").write_text(text.replace("main_text_words: null", "main_text_words: 40"))


def _many_keywords(root: Path) -> None:
    _edit(root / "index.qmd", "keywords: [", "keywords: [A, B, C, D, E, F, G, ")


def _no_caption(root: Path) -> None:
    caption = '#| fig-cap: "Publication years of the works cited in this review."\n'
    _edit(root / "chapters" / "02-pathways.qmd", caption, "")


def _image_outside(root: Path) -> None:
    (root.parent / "secret.png").write_bytes((root / ".galleyproof-cache").joinpath(
        "work", FIGURE).read_bytes())
    _edit(root / "chapters" / "03-conclusion.qmd", "are needed [@kirby2017].",
          "are needed [@kirby2017].\n\n![x](../secret.png)")


def _long_highlight(root: Path) -> None:
    _edit(root / "index.qmd", "  - Vagal regulation is the best-supported pathway.",
          "  - Vagal regulation is the best-supported pathway, at least among the three that this review weighs.")


def _self_citation(root: Path) -> None:
    with (root / "references.bib").open("a", encoding="utf-8") as bib:
        bib.write("\n@article{charif2024,\n  author = {Charif, Djamila},\n  title = {Compassion and cytokines},\n"
                  "  journal = {Journal of Tests},\n  year = {2024}\n}\n")
    _edit(root / "chapters" / "03-conclusion.qmd", "are needed [@kirby2017].", "are needed [@kirby2017; @charif2024].")


@pytest.mark.parametrize("journal, change, check_id, detail", [
    pytest.param("preprint", _tiny_word_limit, "main-text-words", "words over the journal's limit of 40",
                 id="tiny-word-limit"),
    pytest.param("preprint", _many_keywords, "keywords", "11 keywords; the journal accepts at most 10",
                 id="too-many-keywords"),
    pytest.param("preprint", _no_caption, "figures", "fig-years: no caption", id="missing-figure-caption"),
    pytest.param("preprint", _image_outside, "image-paths", "../secret.png: outside the project",
                 id="image-outside-project"),
    pytest.param("psychoneuroendocrinology", _long_highlight, "highlights", "highlight 2 has 97 characters",
                 id="highlight-too-long"),
    pytest.param("health-psychology", _self_citation, "anonymised", "manuscript-anonymised.pdf: Charif",
                 id="self-citation-names-the-author"),
])
def test_failing_check_stops_the_export(project, capsys, journal, change, check_id, detail):
    change(project)
    code = main(["export", "--journal", journal, "--project", str(project), "--format", "json"])
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert code == 1
    failed = [c for c in data["checks"] if c["status"] == "fail"]
    assert [c["id"] for c in failed] == [check_id]
    assert detail in failed[0]["detail"]
    assert "export stopped: 1 check failed" in captured.err and "use --draft" in captured.err
    assert data["written"] is False
    assert not (project / "_output" / "submission").exists() or not any((project / "_output" / "submission").iterdir())


def test_draft_writes_the_package_and_a_checklist_that_shows_the_failure(project, capsys):
    _many_keywords(project)
    code = main(["export", "--journal", "preprint", "--project", str(project), "--draft"])
    assert code == 0
    assert "draft: 1 failed check" in capsys.readouterr().err
    checklist = (project / "_output" / "submission" / "preprint" / "checklist.md").read_text()
    assert "Draft export." in checklist and "| FAIL | Keywords | 11 | 0–10 |" in checklist
    assert (project / "_output" / "submission" / "preprint.zip").is_file()


def test_rerun_replaces_the_package(project):
    loaded = load_project(project)
    first = export_submission(loaded, "preprint")
    (first.package_dir / "stale-from-last-time.txt").write_text("old")
    second = export_submission(loaded, "preprint")
    assert second.package_dir == first.package_dir
    assert not (second.package_dir / "stale-from-last-time.txt").exists()
    assert (second.package_dir / "manuscript.pdf").is_file()
    assert sorted(p.name for p in second.package_dir.parent.iterdir()) == ["preprint", "preprint.zip"]


def test_list_prints_ids_with_names(capsys):
    assert main(["export", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(re.match(r"^health-psychology\s+Health Psychology$", line) for line in lines)
    assert any(line.startswith("psychosomatic-medicine ") for line in lines)


def test_journal_is_required(capsys):
    assert main(["export"]) == 2
    assert "--journal ID" in capsys.readouterr().err
