"""The real Quarto projects in ../shared/compat/quarto/ build with the embedded engine as published.

Each project is copied to tmp_path (../shared is never written) and built through the library's
build(), offline (the audit reads no network). What a reader sees in every output is asserted: the
front matter's title and authors, numbered figures and equations, the embedded notebook figure, MathML
in HTML, and no Quarto syntax left as text. Where a project cannot build here (R cells without an R
kernel, a file missing from the snapshot) the build stops with one error naming the file and line; in a
default project, the other documents are still built and the failure is listed with its file and line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rendered_text import copy_project, html_text, leftovers, text_of

from galleyproof.errors import ManuscriptError, RenderError
from galleyproof.pipeline.progress import RecordingReporter
from galleyproof.pipeline.run import build
from galleyproof.project import load_project

pytestmark = pytest.mark.slow

COMPAT = Path(__file__).resolve().parents[2] / "shared" / "compat" / "quarto"
LA_PALMA = ("La Palma Earthquakes", "Steve Purves", "Rowan Cockett", "Curvenote",
            "Figure 1: Timeline of recent earthquakes on La Palma", "Figure 2: Map of La Palma",
            "Figure 3: Locations of earthquakes on La Palma since 2017.", "(Figure 1)", "Equation 1",
            "Table 1: Recent historic eruptions on La Palma", "79.8 years on average", "Marrero")


def compat(name: str, tmp_path: Path) -> Path:
    if not (COMPAT / name).is_dir():
        pytest.skip(f"{COMPAT / name} is not here")
    return copy_project(COMPAT / name, tmp_path / name)


@pytest.fixture(scope="module", params=["template-vscode", "template-jupyter"])
def manuscript(request, tmp_path_factory):
    root = compat(request.param, tmp_path_factory.mktemp("compat"))
    return root, build(load_project(root), engine="embedded", offline=True)


def test_manuscript_templates_build_every_format(manuscript):
    root, result = manuscript
    assert {k: v.name for k, v in result.outputs.items()} == {
        "html": "index.html", "docx": "index.docx", "jats": "index.xml", "pdf": "index.pdf"}
    # agu-pdf (a LaTeX journal extension) is built as its base format, and the user is told so.
    assert any("agu-pdf" in w and "built pdf" in w for w in result.warnings)
    assert not result.unresolved


@pytest.mark.parametrize("suffix", [".html", ".docx", ".pdf"])
def test_manuscript_templates_read_as_quarto_renders_them(manuscript, suffix):
    root, result = manuscript
    text = text_of(root / "_output" / f"index{suffix}")
    missing = [s for s in LA_PALMA if s not in text]
    assert not missing, missing
    assert leftovers(text) == []
    assert "Section 2" in text  # @sec-data-methods, numbered as `number-sections: true` asks


def test_agu_pdf_uses_the_extensions_citation_style(manuscript):
    root, result = manuscript
    pdf = text_of(result.outputs["pdf"])
    html = text_of(result.outputs["html"])
    # The agu extension's american-geophysical-union.csl (its `common:` options) styles the PDF built for
    # agu-pdf; the HTML keeps pandoc's default style. AGU lists authors by initials.
    assert "Marrero, J., García, A." in pdf and "Marrero, J., García, A." not in html


def test_manuscript_html_has_mathml_alt_text_and_the_embedded_figure(manuscript):
    root, _ = manuscript
    html = (root / "_output" / "index.html").read_text(encoding="utf-8")
    assert '<math display="block"' in html and 'id="eq-poisson"' in html
    assert 'alt="A scatterplot of earthquake locations plotting latitude against longitude."' in html
    assert 'alt="An event plot of the years of the last 8 eruptions on La Palma."' in html
    images = re.findall(r"<img\b[^>]*>", html)
    assert len([i for i in images if 'src="data:image/png;base64,' in i]) >= 3  # timeline, map, embedded scatter
    assert "import matplotlib" not in html_text(root / "_output" / "index.html")  # manuscripts hide code


def test_manuscript_jats_carries_the_article(manuscript):
    root, _ = manuscript
    xml = (root / "_output" / "index.xml").read_text(encoding="utf-8")
    assert "<article-title>La Palma Earthquakes</article-title>" in xml
    assert "Purves" in xml and "<element-citation" in xml


def test_submission_names_the_files_missing_from_the_snapshot(tmp_path):
    root = compat("submission-quarto-full", tmp_path)
    reporter = RecordingReporter()
    with pytest.raises(ManuscriptError) as caught:
        build(load_project(root), engine="embedded", offline=True, reporter=reporter)
    assert ("warn", "_quarto.yml:7: manuscript.resources lists data/catalogoComunSV_1663233588717.csv, which does "
                    "not exist") in reporter.events
    assert (caught.value.path, caught.value.line) == ("article.qmd", 95)
    assert "notebooks/visualization-figure-creation-seaborn.ipynb" in str(caught.value)
    assert "does not exist" in str(caught.value)


def test_r_cells_without_an_r_kernel_give_one_clear_error(tmp_path):
    root = compat("quartobooksample", tmp_path)
    with pytest.raises(RenderError) as caught:
        build(load_project(root), engine="embedded", offline=True)
    assert (caught.value.path, caught.value.line) == ("python_r.qmd", 21)
    assert "R kernel" in caught.value.message and "IRkernel" in caught.value.message
    assert not (root / "_output" / "manuscript.html").exists()


def test_preprint_project_builds_its_template_past_the_r_example(tmp_path):
    # A default project: example.qmd's R cells cannot run here, template.qmd is still built, as
    # `quarto render` renders a project's other documents after one fails.
    root = compat("quarto-preprint", tmp_path)
    result = build(load_project(root), engine="embedded", offline=True)
    [failure] = result.failed
    assert failure.startswith("example.qmd:64: this document's R cells need an R kernel") and "IRkernel" in failure
    assert {k: v.name for k, v in result.outputs.items()} == {"template.preprint-typst": "template.pdf"}
    assert "Your Title Here" in text_of(result.outputs["template.preprint-typst"])
    assert not result.ok


def test_preprint_template_builds_with_the_extensions_typst_partials(tmp_path):
    root = compat("quarto-preprint", tmp_path)
    result = build(load_project(root / "template.qmd"), engine="embedded", offline=True)
    assert list(result.outputs) == ["pdf"]
    text = text_of(result.outputs["pdf"])
    for expected in ("Your Title Here", "Optional Subtitle", "First Author", "Second Author",
                     "First University", "Department Name", "Words:", "Send correspondence to"):
        assert expected in text, expected  # typst-show.typ's title block, authornote and word count
    assert "Appendix content here" in text and leftovers(text) == []
    # The extension's typst-function filter turns the `.place` div into a float at the top of the page.
    assert text.index("Full page width content goes here") < text.index("Introduction")


def test_preprint_example_fails_before_any_cell_runs(tmp_path):
    root = compat("quarto-preprint", tmp_path)
    result = build(load_project(root), engine="embedded", offline=True)
    assert [f.split(":")[0] for f in result.failed] == ["example.qmd"]
    assert not (root / ".galleyproof-cache" / "cells").exists()
