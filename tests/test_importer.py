"""`galleyproof import` end to end: the committed manuscript is what the importer makes of seed 000."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pypandoc
import pytest
import yaml
from conftest import REPO, seed_path

from galleyproof.bib.apa import parse_reference_list
from galleyproof.bib.bibtex import read_bibliography
from galleyproof.cli import main
from galleyproof.manuscript.authoryear import find_citations
from galleyproof.manuscript.qmd import parse_qmd, read_qmd
from galleyproof.project import load_project, style_path

DATA = Path(__file__).parent / "data" / "import"
CHAPTERS = ["chapters/01-introduction.qmd", "chapters/02-theoretical-framework.qmd",
            "chapters/03-critical-discussion-and-methodological-challenges.qmd", "chapters/04-conclusion.qmd"]
GENERATED = ["index.qmd", *CHAPTERS, "chapters/references.qmd", "references.bib"]
PAREN_CITATION = re.compile(r"\([^()]*\b\d{4}\)")
PANDOC_CITATION = re.compile(r"\[[^\[\]]*@[^\[\]]*\]|@\w+")


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> tuple[Path, dict]:
    into = tmp_path_factory.mktemp("imported")
    out = into.parent / "import.json"
    code = main(["import", str(seed_path("000")), "--into", str(into), "--format", "json", "--output", str(out)])
    assert code == 0
    return into, json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", GENERATED)
def test_committed_manuscript_is_the_import(imported, name):
    """The author's prose is the import, byte for byte; the analysis cells added to the chapters since
    (between paragraphs, each fenced block with one blank line before it) are the only difference."""
    into, _ = imported
    committed = (REPO / name).read_bytes()
    if name.endswith(".qmd"):
        committed = without_cells((REPO / name).read_text(encoding="utf-8"), name).encode("utf-8")
    assert committed == (into / name).read_bytes()


def without_cells(text: str, name: str) -> str:
    """`text` minus its executable cells, each with the blank line that separates it from the paragraph
    before; a cell that is not between blank lines (inside a paragraph) fails the test."""
    lines = text.split("\n")
    drop: set[int] = set()
    for cell in parse_qmd(text, name).cells:
        start = cell.line - 1
        end = next(i for i in range(start + 1, len(lines)) if lines[i].strip() == "```")
        assert lines[start - 1] == "" and lines[end + 1] == "", f"{name}:{cell.line}: cell not between paragraphs"
        drop |= set(range(start - 1, end + 1))
    return "\n".join(line for i, line in enumerate(lines) if i not in drop)


@pytest.mark.parametrize(("name", "labels"), [
    pytest.param(CHAPTERS[1], ["tbl-pathway-evidence"], id="pathways-2-5"),
    pytest.param(CHAPTERS[2], ["tbl-discussion-corpus", "tbl-discussion-audit"], id="critical-discussion"),
])
def test_chapters_embed_their_evidence_as_analysis_cells(name, labels):
    """The design: "chapters mirroring the review's sections embed executable analysis cells"; the cells
    call the analysis/ package, as the appendix does, rather than carrying typed-in results."""
    cells = parse_qmd((REPO / name).read_text(encoding="utf-8"), name).cells
    assert [c.options.get("label") for c in cells] == labels
    assert all("from analysis." in c.source or "show(" in c.source for c in cells)


def test_quarto_config_contract(imported):
    into, _ = imported
    config = yaml.safe_load((into / "_quarto.yml").read_text(encoding="utf-8"))
    assert config["project"] == {"type": "book", "output-dir": "_output", "execute-dir": "project"}
    assert config["book"]["chapters"] == ["index.qmd", *CHAPTERS, "chapters/references.qmd"]
    assert config["book"]["author"] == [{"name": "Djamila CHARIF",
                                         "affiliation": "Abu Al-Qasim Saadallah University – Algiers 2",
                                         "email": "djamila.charif@univ-alger2.dz"}]
    assert (config["bibliography"], config["csl"], config["number-sections"]) == ("references.bib", "apa.csl", False)
    assert set(config["format"]) == {"html", "pdf", "docx"}
    assert (into / "apa.csl").read_bytes() == style_path("apa").read_bytes()
    project = load_project(into)
    assert [p.relative_to(into.resolve()).as_posix() for p in project.chapters] == config["book"]["chapters"]


def test_index_front_matter_and_abstract(imported):
    into, _ = imported
    doc = read_qmd(into / "index.qmd")
    seed = seed_path("000").read_text(encoding="utf-8").splitlines()
    assert doc.metadata["keywords"][0] == "Self-Compassion" and len(doc.metadata["keywords"]) == 6
    assert (doc.metadata["submitted"], doc.metadata["accepted"], doc.metadata["published"]) == (
        "06/11/2025", "19/02/2026", "29/05/2026")
    text = (into / "index.qmd").read_text(encoding="utf-8")
    assert "# Abstract {.unnumbered #sec-abstract}\n\n" + seed[14] + "\n\n" + seed[16] + "\n" in text


def test_headings_ids_and_levels(imported):
    into, _ = imported
    headings = [h for name in CHAPTERS for h in read_qmd(into / name).headings]
    assert [h.level for h in headings if h.level == 1] == [1, 1, 1, 1]
    ids = [h.id for h in headings] + ["sec-abstract", "sec-references"]
    assert all(i.startswith("sec-") for i in ids) and len(set(ids)) == len(ids)
    by_number = {h.number: (h.level, h.title) for h in headings}
    assert by_number["2.1"] == (2, "Conceptual Framework")
    assert by_number["2.1.1"] == (3, "Concept of Self-Compassion")
    assert by_number["2-5-1"] == (3, "The Cholinergic Anti-Inflammatory Parasympathetic Pathway")
    first = (into / CHAPTERS[2]).read_text(encoding="utf-8").splitlines()[0]
    assert first == ("# 3- Critical Discussion and Methodological Challenges "
                     "{#sec-critical-discussion-and-methodological-challenges}")


def test_every_citation_converted_and_resolvable(imported):
    into, _ = imported
    keys = {ref.key for ref in read_bibliography(into / "references.bib")}
    cited = set()
    for name in ["index.qmd", *CHAPTERS]:
        for number, line in enumerate((into / name).read_text(encoding="utf-8").splitlines(), 1):
            assert not find_citations(line), f"{name}:{number} still has an author-year citation"
        cited |= read_qmd(into / name).cited_keys()
    assert cited == keys and len(keys) == 17


def test_prose_is_carried_over_as_written(imported):
    """Each seed prose line, citations removed, is a chapter line with pandoc citations removed."""
    into, _ = imported
    seed = seed_path("000").read_text(encoding="utf-8").splitlines()[18:159]
    body = "\n".join((into / name).read_text(encoding="utf-8") for name in CHAPTERS).splitlines()
    produced = {PANDOC_CITATION.sub("", line) for line in body}
    for line in seed:
        if line.strip() and not line.lstrip().startswith(("#", "**2")):
            assert PAREN_CITATION.sub("", line) in produced, line
    run_in = "Self-compassion is defined as an orientation toward oneself that is adaptive and functional."
    assert run_in in body


def test_reported_defects_of_the_review(imported):
    _, report = imported
    assert [(i["kind"], i["line"]) for i in report["issues"]] == [
        # One switch of scheme (dots to dashes at 2-1-3) is one defect, reported where it starts; the
        # levels are judged against the usual level of each depth: "1." is the level-3 odd one among
        # level-2 top sections, 2-4 and 2-5 among level-3 subsections, and depth 3 (from 2.1.2) is not
        # below depth 2 (galleyproof.manuscript.numbering).
        ("heading-level", 19), ("paragraph-split", 25), ("heading-level", 57), ("heading-numbering-mixed", 69),
        ("heading-level", 88), ("heading-level", 94)]
    assert all(i["file"] == str(seed_path("000")) for i in report["issues"])
    assert report["chapters"] == CHAPTERS and report["references"] == 17 and report["citations"] == 26


def test_bibliography_round_trips_every_field(imported):
    into, _ = imported
    parsed = parse_reference_list(seed_path("000").read_text(encoding="utf-8"))
    back = read_bibliography(into / "references.bib")
    fields = ("key", "entry_type", "authors", "year", "title", "container", "volume", "issue", "pages", "doi",
              "publisher", "url")
    assert [[getattr(r, f) for f in fields] for r in back] == [[getattr(r, f) for f in fields] for r in parsed]


def test_pandoc_formats_citations_from_the_bibliography(imported, tmp_path):
    into, _ = imported
    result = subprocess.run(
        [pypandoc.get_pandoc_path(), "-f", "markdown", "-t", "plain", "--wrap=none", "--citeproc",
         "--bibliography", str(into / "references.bib"), "--csl", str(into / "apa.csl")],
        input="Text [@kiecoltglaser2010; @porges2011].\n", capture_output=True, text=True, check=True)
    assert "(Kiecolt-Glaser et al., 2010; Porges, 2011)" in result.stdout
    assert "Neuroscience & Biobehavioral Reviews, 35(1), 33–38. https://doi.org/10.1016/j.neubiorev.2010.09.003" \
        in result.stdout
    assert "W. W. Norton & Company." in result.stdout
    assert "WARNING" not in result.stderr


# --- synthetic defects ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(p.stem for p in DATA.glob("*.txt")))
def test_synthetic_defects(case, tmp_path, capsys):
    expected = json.loads((DATA / f"{case}.expected.json").read_text(encoding="utf-8"))
    code = main(["import", str(DATA / f"{case}.txt"), "--into", str(tmp_path), "--format", "json"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert [[i["kind"], i["line"]] for i in report["issues"]] == expected["issues"]
    assert [r.key for r in read_bibliography(tmp_path / "references.bib")] == expected["keys"]
    for name in report["chapters"]:
        for line in (tmp_path / name).read_text(encoding="utf-8").splitlines():
            assert not find_citations(line)


FORMS = DATA / "citation-forms.txt"


def _prose(path: Path) -> list[str]:
    """The draft's prose paragraphs (one line each), headings and the reference list left out."""
    text = path.read_text(encoding="utf-8").split("## References")[0]
    return [p.strip() for p in text.split("\n\n") if p.strip() and not p.startswith("#")]


@pytest.fixture(scope="module")
def rendered_forms(tmp_path_factory) -> list[str]:
    """Paragraphs pandoc's citeproc (APA CSL) renders from the imported citation-forms draft."""
    into = tmp_path_factory.mktemp("forms")
    assert main(["import", str(FORMS), "--into", str(into)]) == 0
    paragraphs = []
    for name in ["index.qmd", *sorted(p.relative_to(into).as_posix() for p in (into / "chapters").glob("0*.qmd"))]:
        out = subprocess.run([pypandoc.get_pandoc_path(), "-f", "markdown", "-t", "plain", "--wrap=none",
                              "--citeproc", "--bibliography", str(into / "references.bib"), "--csl",
                              str(into / "apa.csl"), str(into / name)], capture_output=True, text=True, check=True)
        paragraphs += [p.strip() for p in out.stdout.split("\n\n")]
    return paragraphs


@pytest.mark.parametrize("paragraph", [
    pytest.param(p, id=p[:40], marks=[pytest.mark.xfail(
        strict=True, reason="the BibTeX writer puts 'van der' in the von part, which citeproc drops in text "
                            "(APA keeps it: 'van der Kolk, 2014'); bib/ writes the entry, not the grammar")]
                 if "van der" in p else [])
    for p in _prose(FORMS)])
def test_imported_citations_render_as_the_author_wrote_them(rendered_forms, paragraph):
    """Each author-year form, rewritten to pandoc syntax and formatted by citeproc, reads as written."""
    assert paragraph in rendered_forms


# --- the command --------------------------------------------------------------------------------------


def test_existing_quarto_config_is_kept_unless_forced(tmp_path, capsys):
    (tmp_path / "_quarto.yml").write_text("project:\n  type: book\n# edited by hand\n", encoding="utf-8")
    assert main(["import", str(seed_path("000")), "--into", str(tmp_path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["kept"] == ["_quarto.yml"]
    assert "# edited by hand" in (tmp_path / "_quarto.yml").read_text(encoding="utf-8")
    assert main(["import", str(seed_path("000")), "--into", str(tmp_path), "--format", "json", "--force"]) == 0
    assert "# edited by hand" not in (tmp_path / "_quarto.yml").read_text(encoding="utf-8")


def test_reimport_is_a_no_op_and_never_overwrites_edits(tmp_path, capsys):
    args = ["import", str(seed_path("000")), "--into", str(tmp_path), "--format", "json"]
    assert main(args) == 0
    capsys.readouterr()
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["written"] == [] and len(report["unchanged"]) == 9
    chapter = tmp_path / CHAPTERS[0]
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nAn edit.\n", encoding="utf-8")
    assert main(args) == 2
    assert "An edit." in chapter.read_text(encoding="utf-8")
    assert "--force" in capsys.readouterr().err


@pytest.mark.parametrize("make", [
    pytest.param(lambda p: p / "missing.txt", id="missing"),
    pytest.param(lambda p: (p / "bin.txt").write_bytes(b"\xff\xfe\xfa") and p / "bin.txt", id="not-utf8"),
    pytest.param(lambda p: p, id="directory"),
])
def test_unreadable_input_exits_2(tmp_path, capsys, make):
    source = make(tmp_path)
    assert main(["import", str(source), "--into", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.startswith("galleyproof import: error:")
    assert not (tmp_path / "out").exists()


def test_help_describes_the_command(capsys):
    assert main(["import", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--into DIR" in out and "Quarto book project" in out and "exit codes" in out
