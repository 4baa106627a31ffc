"""The build pipeline over tests/data/render/mini: each source parsed once, the build manifest, and cells
keyed on the parsed bibliography and on the claim check's report. Real kernel, pandoc and typst; parses
counted by the readers themselves (galleyproof.parses: "qmd", "bib" and "prose", pandoc's reading of a
chapter for the claim checks), not by patching them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from galleyproof import parses
from galleyproof.pipeline.manifest import MANIFEST_NAME
from galleyproof.pipeline.manifest import load as load_manifest
from galleyproof.pipeline.run import build
from galleyproof.project import load_project
from galleyproof.render.embedded import prepare

pytestmark = pytest.mark.slow

MINI = Path(__file__).parent / "data" / "render" / "mini"
# A chapter whose cell reads the bibliography, as the manuscript's evidence appendix does.
BIB_CHAPTER = """# Corpus {#sec-corpus}

```{python}
from galleyproof.bib.bibtex import read_bibliography
print(f"{len(read_bibliography('references.bib'))} works in the corpus")
```
"""
# A chapter whose cell reads the claim check's report, as the manuscript's consistency appendix does.
REPORT_CHAPTER = """# Findings {#sec-findings}

```{python}
import json
check = json.loads(open("_output/reports/check.json", encoding="utf-8").read())
print(f"The claim check reports {check['summary']['total']} findings.")
```
"""


def copy_mini(target: Path, with_cells: bool = False) -> Path:
    shutil.copytree(MINI, target, ignore=shutil.ignore_patterns("_output", ".galleyproof-cache", "__pycache__"))
    if with_cells:
        (target / "chapters" / "04-corpus.qmd").write_text(BIB_CHAPTER, encoding="utf-8")
        (target / "chapters" / "05-findings.qmd").write_text(REPORT_CHAPTER, encoding="utf-8")
        config = target / "_quarto.yml"
        text = config.read_text(encoding="utf-8")
        last = "    - chapters/03-discussion.qmd\n"
        added = "    - chapters/04-corpus.qmd\n    - chapters/05-findings.qmd\n"
        config.write_text(text.replace(last, last + added), encoding="utf-8")
        assert "05-findings" in config.read_text(encoding="utf-8")
    return target


def run_build(root: Path, **options):
    return build(load_project(root), engine="embedded", offline=True, **options)


def parsed_during(action) -> tuple[object, dict[str, int]]:
    before = parses.counts()
    result = action()
    after = parses.counts()
    return result, {name: n - before[name] for name, n in after.items() if n - before[name]}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = copy_mini(tmp_path_factory.mktemp("pipeline") / "mini", with_cells=True)
    result, counts = parsed_during(lambda: run_build(root))
    return root, result, counts


def test_a_build_parses_every_chapter_and_the_bibliography_once(built):
    root, result, counts = built
    project = load_project(root)
    names = [project.relative(path) for path in project.chapters]
    assert len(names) == 7
    # Each chapter once by the Quarto Markdown reader and once by pandoc for the claim checks' prose.
    assert counts == {**{f"qmd:{n}": 1 for n in names}, **{f"prose:{n}": 1 for n in names},
                      f"bib:{project.relative(project.bibliography)}": 1}
    assert result.status == "built"


def test_a_prose_edit_reads_the_prose_of_that_chapter_only(rebuilt):
    chapter = rebuilt / "chapters" / "03-discussion.qmd"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nA closing sentence.\n", encoding="utf-8")
    result, counts = parsed_during(lambda: run_build(rebuilt))
    assert result.status == "built"
    assert {name for name in counts if name.startswith("prose:")} == {"prose:chapters/03-discussion.qmd"}
    # The cached readings are those of the current texts only.
    assert len(list((rebuilt / ".galleyproof-cache" / "prose").glob("*.json"))) == 7


def test_check_and_export_read_the_prose_from_the_build_cache(rebuilt):
    from galleyproof.claims.run import check_project
    from galleyproof.pipeline.run import stage

    project = load_project(rebuilt)
    result, counts = parsed_during(lambda: check_project(project))
    assert result["summary"] == json.loads((rebuilt / "_output" / "reports" / "check.json").read_text())["summary"]
    assert not any(name.startswith("prose:") for name in counts)
    (rebuilt / "_output" / "reports" / "check.json").unlink()  # so export's staging checks again
    _, counts = parsed_during(lambda: stage(load_project(rebuilt)))
    assert not any(name.startswith("prose:") for name in counts)


def test_a_cell_reads_the_check_report_of_this_build(rebuilt):
    """The report is written before the cells that read it run or are taken from the cache: a prose edit
    that adds a finding shows in the chapter whose cell prints the report's count."""
    html = rebuilt / "_output" / "manuscript.html"
    report = rebuilt / "_output" / "reports" / "check.json"
    before = json.loads(report.read_text(encoding="utf-8"))["summary"]["total"]
    assert f"The claim check reports {before} findings." in html.read_text(encoding="utf-8")
    chapter = rebuilt / "chapters" / "03-discussion.qmd"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nStudies show that 40% of patients improve.\n",
                       encoding="utf-8")
    result = run_build(rebuilt)
    after = json.loads(report.read_text(encoding="utf-8"))["summary"]["total"]
    assert after > before
    assert {c.chapter: c.status for c in result.chapters}["chapters/05-findings.qmd"] == "executed"
    assert f"The claim check reports {after} findings." in html.read_text(encoding="utf-8")


def test_the_check_report_is_the_same_for_the_same_input(rebuilt):
    """No time or order of its own in check.json: cells keyed on it stay cached when nothing changed."""
    report = rebuilt / "_output" / "reports" / "check.json"
    first = report.read_bytes()
    result = build(load_project(rebuilt), engine="embedded", offline=True, fresh=True)
    assert report.read_bytes() == first
    assert {c.chapter: c.status for c in result.chapters}["chapters/05-findings.qmd"] == "executed"  # fresh
    chapter = rebuilt / "chapters" / "01-background.qmd"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # no finding changes
    result = run_build(rebuilt)
    assert report.read_bytes() == first
    assert {c.chapter: c.status for c in result.chapters}["chapters/05-findings.qmd"] == "cached"


def test_the_manifest_names_every_input_of_every_output(built):
    root, result, _ = built
    manifest = json.loads((root / "_output" / MANIFEST_NAME).read_text(encoding="utf-8"))
    recorded = load_manifest(root / "_output")
    assert recorded is not None
    pdf = recorded.outputs["pdf"]
    assert pdf.path == "_output/manuscript.pdf"
    # sources, files the cells read, and the tools
    for name in ("_quarto.yml", "chapters/02-results.qmd", "references.bib", "apa.csl", "data/counts.csv",
                 "helpers/numbers.py", "tool:galleyproof", "tool:pandoc", "tool:typst"):
        assert name in pdf.inputs, name
        assert manifest["inputs"][name] == pdf.inputs[name]  # each digest written once, for every output
    assert "tool:typst" not in recorded.outputs["html"].inputs
    assert set(manifest["outputs"]) >= {"html", "pdf", "docx", "report:audit", "report:check", "report:report"}
    assert manifest["tools"]["pandoc"].startswith("3.") and manifest["tools"]["typst"]


@pytest.fixture
def rebuilt(built, tmp_path):
    """A copy of the built project with its outputs, manifest and cell cache: each test edits its own."""
    root = tmp_path / "mini"
    shutil.copytree(built[0], root)
    return root


def test_nothing_changed_parses_nothing_and_renders_nothing(rebuilt):
    outputs = {p: p.stat().st_mtime_ns for p in (rebuilt / "_output").rglob("*") if p.is_file()}
    result, counts = parsed_during(lambda: run_build(rebuilt))
    assert result.status == "unchanged" and counts == {}
    assert {p: p.stat().st_mtime_ns for p in outputs} == outputs  # not one file rewritten
    assert result.audit["summary"] and result.check["summary"]  # the recorded reports, for the policy
    assert {c.chapter: c.status for c in result.chapters}["chapters/02-results.qmd"] == "unchanged"


@pytest.mark.parametrize("change", [
    pytest.param(lambda root: (root / "_output" / "manuscript.docx").unlink(), id="output-deleted"),
    pytest.param(lambda root: (root / "_output" / "reports" / "audit.json").write_text("{}"), id="report-edited"),
    pytest.param(lambda root: (root / "data" / "counts.csv").write_text("group,n\nalpha,1\n"),
                 id="file-a-cell-read"),
    pytest.param(lambda root: (root / "apa.csl").write_text((root / "apa.csl").read_text() + "\n"), id="csl"),
])
def test_any_input_or_output_that_changed_rebuilds(rebuilt, change):
    change(rebuilt)
    assert run_build(rebuilt).status == "built"
    assert run_build(rebuilt).status == "unchanged"


def test_an_online_build_after_an_offline_one_rebuilds(rebuilt):
    # The audit mode is part of what made the reports: switching it is not a no-op (offline keeps it local).
    result = build(load_project(rebuilt), engine="embedded", offline=False)
    assert result.status == "built"


def test_a_whitespace_edit_to_the_bibliography_keeps_the_cells_that_read_it(rebuilt):
    bib = rebuilt / "references.bib"
    text = bib.read_text(encoding="utf-8")
    bib.write_text("\n\n" + text.replace("  author = ", "\tauthor   =   ").replace("},\n", "},\n\n"),
                   encoding="utf-8")
    result = run_build(rebuilt)
    assert result.status == "built"  # pandoc reads the file too: the outputs are made again
    assert {c.chapter: c.status for c in result.chapters}["chapters/04-corpus.qmd"] == "cached"
    alone = prepare(load_project(rebuilt))  # outside a build: the cache parses the bibliography itself
    assert {c.chapter: c.status for c in alone.chapters}["chapters/04-corpus.qmd"] == "cached"
    bib.write_text(bib.read_text(encoding="utf-8").replace("year = {2003}", "year = {2004}"), encoding="utf-8")
    result = run_build(rebuilt)
    assert {c.chapter: c.status for c in result.chapters}["chapters/04-corpus.qmd"] == "executed"
    assert "works in the corpus" in result.outputs["html"].read_text(encoding="utf-8")
