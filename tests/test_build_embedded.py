"""End-to-end builds of the fixture project tests/data/render/mini through the embedded engine.

A real Jupyter kernel, real pandoc and real typst; outputs read back with pypdf and python-docx.
One built copy is shared by the read-only tests (module scope); tests that edit files build their own.
"""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path

import docx
import pypdf
import pytest

from galleyproof.cli import main
from galleyproof.pipeline.progress import RecordingReporter
from galleyproof.pipeline.run import build
from galleyproof.project import load_project

pytestmark = pytest.mark.slow

MINI = Path(__file__).parent / "data" / "render" / "mini"
CHAPTER_TITLES = ("Preface", "1. Background", "1-1 The vagal pathway", "Results", "Discussion", "References")
APA_REFERENCES = (
    "Irwin, M. R., & Cole, S. W. (2011). Reciprocal regulation of the neural and innate immune systems.",
    "Neff, K. D. (2003). Self-compassion: An alternative conceptualization",
    "Tracey, K. J. (2002). The inflammatory reflex.",
)


def copy_mini(target: Path) -> Path:
    shutil.copytree(MINI, target, ignore=shutil.ignore_patterns("_output", ".galleyproof-cache", "__pycache__"))
    return target


def run_build(root: Path, **options):
    return build(load_project(root), offline=True, **options)


def test_progress_is_reported_per_chapter_and_format(tmp_path):
    root = copy_mini(tmp_path / "mini")
    reporter = RecordingReporter()
    result = run_build(root, formats=["html", "docx"], reporter=reporter)
    assert ("stage", "chapters", "5") in reporter.events and ("stage", "formats", "2") in reporter.events
    assert reporter.items("chapters") == {c.chapter: c.status for c in result.chapters}
    assert reporter.items("formats") == {"html": "_output/manuscript.html", "docx": "_output/manuscript.docx"}


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)


def docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = copy_mini(tmp_path_factory.mktemp("built") / "mini")
    result = run_build(root)
    html = result.outputs["html"].read_text(encoding="utf-8")
    return {"root": root, "result": result, "html": html, "html_text": flat(unescape(re.sub(r"<[^>]+>", "", html))),
            "html_bytes": result.outputs["html"].read_bytes(),
            "pdf": flat(pdf_text(result.outputs["pdf"])), "docx": flat(docx_text(result.outputs["docx"]))}


def test_every_format_is_written(built):
    assert set(built["result"].outputs) == {"html", "pdf", "docx"}
    assert all(path.stat().st_size > 1000 for path in built["result"].outputs.values())


def test_first_build_executes_the_chapters_with_cells(built):
    statuses = {c.chapter: c.status for c in built["result"].chapters}
    assert statuses == {"index.qmd": "no cells", "chapters/01-background.qmd": "no cells",
                        "chapters/02-results.qmd": "executed", "chapters/03-discussion.qmd": "executed",
                        "chapters/references.qmd": "no cells"}
    assert built["result"].timings["kernel"] > 0


def test_html_is_self_contained_with_apa_citations_and_bibliography(built):
    html, text = built["html"], built["html_text"]
    assert "(Neff, 2003)" in text and "Tracey (2002)" in text
    assert 'id="refs"' in html
    for reference in APA_REFERENCES:
        assert reference in text
    assert "data:image/png;base64," in html  # the figure is embedded, not linked
    assert "(neff2003?)" not in html and "?@" not in html


@pytest.mark.parametrize("fmt", ["html", "pdf", "docx"])
def test_cross_references_are_resolved(built, fmt):
    text = built["html_text"] if fmt == "html" else built[fmt]
    assert "summarised in Table 1 and drawn in Figure 1; see also Results" in text
    assert "As Section 1-1 argued" in text
    assert "Figure 1: Counts by group" in text
    assert "Table 1: Counts per group" in text
    assert "?@" not in text and "sec-vagal" not in text.replace('id="sec-vagal"', "")


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_chapter_titles_and_reference_list_reach_every_format(built, fmt):
    text = built[fmt]
    for title in CHAPTER_TITLES:
        assert title in text
    for reference in APA_REFERENCES:
        assert reference in text


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_dataframe_becomes_a_real_table(built, fmt):
    # The cell printed a DataFrame; its rows must reach PDF and DOCX, not only HTML.
    assert re.search(r"alpha\s*3", built[fmt]) and re.search(r"gamma\s*2", built[fmt])


@pytest.mark.parametrize("marker, shown", [
    pytest.param("echoed-output-marker", True, id="echo-true-output-shown"),
    pytest.param('print("echoed-output-marker")', True, id="echo-true-source-shown"),
    pytest.param("hidden-output-marker", False, id="output-false"),
    pytest.param("included-nowhere-marker", False, id="include-false"),
    pytest.param("never-run-marker", True, id="eval-false-echoed"),
    pytest.param("load_counts", False, id="echo-false-from-quarto-yml"),
    pytest.param("total-marker 10", True, id="chapter-front-matter-echo"),
    pytest.param("total = 3 + 5 + 2", True, id="chapter-front-matter-echo-source"),
])
def test_cell_options_are_honoured(built, marker, shown):
    assert (marker in built["html_text"]) is shown


def test_eval_false_cell_did_not_run(built):
    # The cell raises if run; the build succeeded, and its source appears only as echoed code.
    assert built["result"].ok


def test_chapter_front_matter_title_becomes_a_heading(built):
    assert re.search(r"<h1[^>]*>Discussion</h1>", built["html"])


def test_reports_are_written(built):
    assert (built["root"] / "_output" / "reports" / "audit.json").is_file()


@pytest.fixture
def rebuilt(tmp_path):
    root = copy_mini(tmp_path / "mini")
    first = run_build(root)
    return root, first


@pytest.fixture
def kernel_probe(tmp_path, monkeypatch):
    """A file each new Python process appends to (via sitecustomize): a kernel start leaves a line.

    pandoc and typst are not Python, and this test process has already started, so only a Jupyter
    kernel can write it.
    """
    probe_dir, marker = tmp_path / "probe", tmp_path / "kernel-starts.txt"
    probe_dir.mkdir()
    (probe_dir / "sitecustomize.py").write_text(
        f"with open({str(marker)!r}, 'a') as f:\n    f.write('python started\\n')\n")
    monkeypatch.setenv("PYTHONPATH", str(probe_dir))
    return marker


def statuses(result) -> dict[str, str]:
    return {c.chapter: c.status for c in result.chapters if c.cells}


def test_no_change_rebuild_starts_no_kernel_and_is_byte_identical(rebuilt, kernel_probe):
    # Since the build manifest, a rebuild with nothing changed only hashes its inputs (was: "cached").
    root, first = rebuilt
    html, pdf, docx_bytes = (first.outputs[f].read_bytes() for f in ("html", "pdf", "docx"))
    second = run_build(root)
    assert not kernel_probe.exists()
    assert second.status == "unchanged"
    assert set(statuses(second).values()) == {"unchanged"}
    assert second.timings.get("kernel", 0) == 0 and second.timings.get("execute", 0) == 0
    assert second.outputs["html"].read_bytes() == html
    assert second.outputs["pdf"].read_bytes() == pdf
    assert second.outputs["docx"].read_bytes() == docx_bytes


def test_fresh_reexecutes_everything_and_gives_the_same_bytes(rebuilt, kernel_probe):
    root, first = rebuilt
    html, pdf, docx_bytes = (first.outputs[f].read_bytes() for f in ("html", "pdf", "docx"))
    fresh = run_build(root, fresh=True)
    assert kernel_probe.read_text().count("python started") == 2  # one kernel per chapter with cells
    assert set(statuses(fresh).values()) == {"executed"}
    assert fresh.outputs["html"].read_bytes() == html
    assert fresh.outputs["pdf"].read_bytes() == pdf
    assert fresh.outputs["docx"].read_bytes() == docx_bytes


@pytest.mark.parametrize("edit, executed", [
    pytest.param(("chapters/03-discussion.qmd", "total = 3 + 5 + 2", "total = 3 + 5 + 2 + 0"),
                 "chapters/03-discussion.qmd", id="edit-cell-source"),
    pytest.param(("helpers/numbers.py", "import pandas as pd", "import pandas as pd  # edited"),
                 "chapters/02-results.qmd", id="edit-imported-module"),
    pytest.param(("data/counts.csv", "gamma,2", "gamma,7"), "chapters/02-results.qmd", id="edit-data-file"),
])
def test_an_edit_reexecutes_only_the_chapter_that_depends_on_it(rebuilt, kernel_probe, edit, executed):
    root, _ = rebuilt
    path, old, new = edit
    target = root / path
    target.write_text(target.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    result = run_build(root)
    assert statuses(result) == {"chapters/02-results.qmd": "cached", "chapters/03-discussion.qmd": "cached",
                                executed: "executed"}
    assert kernel_probe.read_text().count("python started") == 1


def test_prose_edit_reexecutes_nothing(rebuilt, kernel_probe):
    root, _ = rebuilt
    chapter = root / "chapters" / "02-results.qmd"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("come from a data file", "come from data"),
                       encoding="utf-8")
    result = run_build(root)
    assert set(statuses(result).values()) == {"cached"} and not kernel_probe.exists()
    assert "come from data" in result.outputs["html"].read_text(encoding="utf-8")


def test_cli_build_json(tmp_path, capsys):
    root = copy_mini(tmp_path / "mini")
    code = main(["build", "--project", str(root), "--to", "html", "--offline", "--format", "json"])
    out = capsys.readouterr()
    assert code == 0
    assert '"engine": "embedded"' in out.out and "manuscript.html" in out.out
    assert "chapters/02-results.qmd" in out.err  # progress on stderr, not mixed into the JSON
    assert (root / "_output" / "manuscript.html").is_file()
    assert not (root / "_output" / "manuscript.pdf").exists()
