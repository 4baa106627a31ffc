"""Quarto projects of every kind through the embedded engine: our own varied cases in tests/data/quarto.

default-two: a default project with two documents (_metadata.yml, _variables.yml, an include, inline
code, an equation, a callout, raw blocks, a mermaid cell, an unknown shortcode, an unresolved reference).
single-notebook: one .ipynb with no _quarto.yml, its stored outputs (a figure, a plotly output).
book-figures: a book whose figures, tables and equations are numbered by chapter.
Real kernel, pandoc and typst; outputs read back as text.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from rendered_text import copy_project, docx_text, html_text, leftovers, pdf_text

from galleyproof.errors import CellError, ConfigError, ManuscriptError, RenderError
from galleyproof.pipeline.run import build
from galleyproof.project import load_project

DATA = Path(__file__).parent / "data" / "quarto"


def run(root: Path, **options):
    return build(load_project(root), engine="embedded", offline=True, **options)


# Project types and metadata (no rendering) ---------------------------------------------------------


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_manuscript_article_defaults_to_index_and_hides_code(tmp_path):
    write(tmp_path, {"_quarto.yml": "project:\n  type: manuscript\n", "index.qmd": "---\ntitle: T\n---\n",
                     "notes.qmd": "# other\n"})
    project = load_project(tmp_path)
    assert project.kind == "manuscript" and [p.name for p in project.chapters] == ["index.qmd"]
    assert project.metadata["execute"]["echo"] is False


def test_manuscript_article_named_and_missing(tmp_path):
    write(tmp_path, {"_quarto.yml": "project:\n  type: manuscript\nmanuscript:\n  article: paper.qmd\n"})
    with pytest.raises(ManuscriptError, match="paper.qmd") as caught:
        load_project(tmp_path)
    assert caught.value.line == 4


def test_default_project_renders_each_top_level_document(tmp_path):
    write(tmp_path, {"_quarto.yml": "project:\n  title: P\n", "b.qmd": "# b\n", "a.ipynb": json.dumps(
        {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), "_skip.qmd": "# no\n",
        "sub/c.qmd": "# deeper\n"})
    project = load_project(tmp_path)
    assert project.kind == "default" and [o.stem for o in project.outputs] == ["a", "b"]


def test_default_project_render_list(tmp_path):
    write(tmp_path, {"_quarto.yml": "project:\n  render:\n    - b.qmd\n", "a.qmd": "# a\n", "b.qmd": "# b\n"})
    assert [o.stem for o in load_project(tmp_path).outputs] == ["b"]


def test_metadata_merges_project_shared_and_front_matter(tmp_path):
    write(tmp_path, {
        "_quarto.yml": "project:\n  type: manuscript\n  title: P\nbibliography: main.bib\nnumber-sections: true\n"
                       "format:\n  html:\n    toc: true\n  docx: default\n",
        "_metadata.yml": "subtitle: From metadata\ncrossref:\n  fig-prefix: Fig.\n",
        "index.qmd": "---\ntitle: Article\nbibliography: [extra.bib]\ndate: last-modified\nauthor:\n"
                     "  - name: {given: Ada, family: Lovelace}\n    orcid: 0000-0002-1825-0097\n"
                     "    corresponding: true\n    email: ada@example.org\n    affiliations:\n      - ref: u\n"
                     "affiliations:\n  - id: u\n    name: Analytical University\n    department: Engines\n"
                     "format:\n  html:\n    toc-depth: 2\n---\n"})
    os.utime(tmp_path / "index.qmd", (1700000000, 1700000000))
    project = load_project(tmp_path)
    meta = project.metadata
    assert meta["subtitle"] == "From metadata" and meta["crossref"] == {"fig-prefix": "Fig."}
    assert [Path(b).name for b in meta["bibliography"]] == ["main.bib", "extra.bib"]
    assert meta["date"] == "2023-11-14"
    # `format:` merges like any mapping: the document's options join the project's formats.
    assert project.outputs[0].formats == ("html", "docx")
    assert project.outputs[0].format_options["html"] == {"toc": True, "toc-depth": 2, "number-sections": True}
    [author] = project.authors
    assert (author.name, author.affiliation, author.orcid, author.corresponding) == (
        "Ada Lovelace", "Engines, Analytical University", "0000-0002-1825-0097", True)


def test_unsupported_project_type_names_the_line(tmp_path):
    write(tmp_path, {"_quarto.yml": "project:\n  type: slideshow\n"})
    with pytest.raises(ConfigError, match="slideshow") as caught:
        load_project(tmp_path)
    assert caught.value.line == 2


# Building ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def default_two(tmp_path_factory):
    root = copy_project(DATA / "default-two", tmp_path_factory.mktemp("quarto") / "default-two")
    return root, run(root)


@pytest.mark.slow
def test_default_project_writes_one_output_per_document_and_format(default_two):
    root, result = default_two
    assert {k: v.name for k, v in result.outputs.items()} == {
        "report.html": "report.html", "report.docx": "report.docx", "notes.html": "notes.html",
        "notes.docx": "notes.docx"}
    assert "Short Notes" in html_text(root / "_output" / "notes.html")


@pytest.mark.slow
def test_default_project_report_in_html(default_two):
    root, _ = default_two
    html = (root / "_output" / "report.html").read_text(encoding="utf-8")
    text = html_text(root / "_output" / "report.html")
    for expected in ("A Report With Everything", "Shared by every document here", "Rhea Report", "Otto Other",
                     "Kindness Lab", "Department of Cells", "The mean is 4.0",
                     "the title is “A Report With Everything”",
                     "Figure 1: Three bars", "By Eq. 1 the bars in Figure 1 average out; see Section 1",
                     "Mind the sample", "A margin note", "flowchart LR", "The sample held 212 people", "Knuth"):
        assert expected in text, expected
    assert 'alt="Three grey bars of rising height"' in html and "<math" in html
    assert 'class="callout callout-warning"' in html and 'id="raw-html-marker"' in html
    assert "raw-typst-marker" not in html and "{python}" not in text and "$$" not in text


@pytest.mark.slow
def test_default_project_report_in_docx(default_two):
    root, _ = default_two
    text = docx_text(root / "_output" / "report.docx")
    for expected in ("A Report With Everything", "The mean is 4.0", "Figure 1: Three bars", "Mind the sample",
                     "The sample held 212 people"):
        assert expected in text, expected
    assert "only in HTML" not in text and "raw-typst-marker" not in text


@pytest.mark.slow
def test_default_project_warnings_name_file_and_line(default_two):
    root, result = default_two
    warnings = "\n".join(result.warnings)
    assert "report.qmd:56: mermaid cells are not run by the embedded engine" in warnings
    assert "report.qmd:71: shortcode {{< lipsum 2 >}} is not supported" in warnings
    assert result.unresolved == ["report.qmd:45: @fig-nowhere refers to no figure, table, section, equation, "
                                 "listing or callout (printed as ?@fig-nowhere)"]


@pytest.mark.slow
def test_unresolved_reference_fails_a_strict_build(tmp_path):
    root = copy_project(DATA / "default-two", tmp_path / "default-two")
    result = run(root, strict=True)
    assert any(f.startswith("report.qmd:45: @fig-nowhere") for f in result.failures)
    again = run(root, strict=True)  # nothing changed: the rebuild repeats what the build found
    assert again.status == "unchanged"
    assert again.failures == result.failures and again.unresolved == result.unresolved


@pytest.fixture(scope="module")
def notebook(tmp_path_factory):
    root = copy_project(DATA / "single-notebook", tmp_path_factory.mktemp("quarto") / "single-notebook")
    return root, run(root / "analysis.ipynb")


@pytest.mark.slow
def test_single_notebook_uses_its_stored_outputs(notebook):
    root, result = notebook
    assert load_project(root / "analysis.ipynb").kind == "file"
    assert {k: v.name for k, v in result.outputs.items()} == {
        "html": "analysis.html", "docx": "analysis.docx", "pdf": "analysis.pdf"}
    assert [c.status for c in result.chapters] == ["stored"]
    for path in result.outputs.values():
        text = {".html": html_text, ".docx": docx_text, ".pdf": pdf_text}[path.suffix](path)
        for expected in ("A Notebook Alone", "Nora Notebook", "stored-output-marker 1234",
                         "Figure 1: A line drawn long ago", "Equation 1", "Knuth"):
            assert expected in text, (path.name, expected)
        assert "5678" not in text.replace("print(5678)", "") and leftovers(text) == []  # the code, not run


@pytest.mark.slow
def test_single_notebook_plotly_is_html_only_with_a_note_elsewhere(notebook):
    root, result = notebook
    html = (root / "_output" / "analysis.html").read_text(encoding="utf-8")
    assert 'id="plotly-marker"' in html and "window.plotted" in html
    assert 'alt="A zigzag line rising to the right"' in html
    assert "plotly output: interactive, shown in the HTML version" in docx_text(root / "_output" / "analysis.docx")
    assert "plotly-marker" not in pdf_text(root / "_output" / "analysis.pdf")
    # A notebook's place is its cell, as Jupyter numbers them, not a line of the Markdown it was read as.
    assert "analysis.ipynb, cell 5: plotly output has no static image; PDF, DOCX and JATS show a note instead" \
        in result.warnings


@pytest.mark.slow
def test_notebook_executes_when_execute_enabled(tmp_path):
    root = copy_project(DATA / "single-notebook", tmp_path / "nb")
    path = root / "analysis.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["cells"][0]["source"].insert(1, "execute:\n  enabled: true\n")
    nb["cells"] = nb["cells"][:-1]  # the plotly cell needs plotly
    path.write_text(json.dumps(nb), encoding="utf-8")
    result = run(path, formats=["html"])
    text = html_text(result.outputs["html"])
    assert "5678" in text and "stored-output-marker" not in text
    assert [c.status for c in result.chapters] == ["executed"]


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    root = copy_project(DATA / "book-figures", tmp_path_factory.mktemp("quarto") / "book-figures")
    return root, run(root)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["html", "pdf", "docx"])
def test_book_numbers_floats_by_chapter(book, fmt):
    root, result = book
    text = {"html": html_text, "pdf": pdf_text, "docx": docx_text}[fmt](result.outputs[fmt])
    for expected in ("1 First Chapter", "2 Second Chapter", "(Figure 1.1, Figure 2.1)",
                     "Figure 1.1: The first figure", "Figure 2.1: The second figure",
                     "Table 1.1: A small table", "Figure 2.1 and Equation 2.1 come later", "(2.1)",
                     "Table 1.1 is in Section 1",
                     # appendices are lettered, as in Quarto books
                     "Appendix A — Extra Material", "A.1 Details", "Figure A.1: An appendix figure",
                     "Figure A.1 is in Section A; Section A.1 has the details"):
        assert expected in text, expected
    assert "?@fig-missing" in text  # as Quarto prints it; reported with its line:
    assert result.unresolved == ["chapters/two.qmd:16: @fig-missing refers to no figure, table, section, "
                                 "equation, listing or callout (printed as ?@fig-missing)"]


# Errors: one sentence with file and line, before any cell runs where the input is at fault -----------


def single(tmp_path: Path, text: str, name: str = "doc.qmd") -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    shutil.copy(DATA / "single-notebook" / "refs.bib", tmp_path / "refs.bib")
    return tmp_path / name


@pytest.mark.parametrize(("text", "line", "words"), [
    pytest.param("---\ntitle: R\n---\n\nText.\n\n```{r}\nx <- 1\n```\n", 7, "R kernel", id="r-cell"),
    pytest.param("---\nengine: knitr\n---\n\n```{python}\nx = 1\n```\n", 1, "R kernel", id="engine-knitr"),
    pytest.param("# Today\n\nIt is `r Sys.Date()` now.\n", 3, "R kernel", id="knitr-inline"),
    pytest.param("---\njupyter: no-such-kernel\n---\n\n```{python}\nx = 1\n```\n", 1, "no-such-kernel",
                 id="unknown-kernel"),
    pytest.param("```{python}\nx = 1\n```\n\n```{julia}\ny = 2\n```\n", 5, "julia", id="second-language"),
])
def test_cells_no_kernel_can_run_stop_with_file_and_line(tmp_path, text, line, words):
    with pytest.raises(RenderError if words != "julia" else ManuscriptError) as caught:
        run(single(tmp_path, text), formats=["html"])
    assert (caught.value.path, caught.value.line) == ("doc.qmd", line)
    assert words in caught.value.message
    assert not (tmp_path / ".galleyproof-cache" / "cells").exists()


@pytest.mark.parametrize(("csl", "words"), [
    pytest.param(None, "does not exist", id="missing"),
    pytest.param("<style><unclosed></style>", "not valid XML", id="malformed"),
    pytest.param("<?xml version='1.0'?><bibliography/>", "not a CSL style", id="not-a-style"),
])
def test_bad_csl_is_named_before_any_cell_runs(tmp_path, csl, words):
    if csl is not None:
        (tmp_path / "style.csl").write_text(csl, encoding="utf-8")
    doc = single(tmp_path, "---\nbibliography: refs.bib\ncsl: style.csl\n---\n\n```{python}\nx = 1\n```\n")
    with pytest.raises(ConfigError, match=words) as caught:
        run(doc, formats=["html"])
    assert "style.csl" in str(caught.value)
    assert not (tmp_path / ".galleyproof-cache" / "cells").exists()


def test_embed_of_an_unknown_label_names_the_line(tmp_path):
    (tmp_path / "nb.qmd").write_text("```{python}\n#| label: fig-a\nx = 1\n```\n", encoding="utf-8")
    doc = single(tmp_path, "Intro.\n\n{{< embed nb.qmd#fig-b >}}\n")
    with pytest.raises(ManuscriptError, match="no cell labelled 'fig-b'") as caught:
        run(doc, formats=["html"])
    assert (caught.value.path, caught.value.line) == ("doc.qmd", 3)


@pytest.mark.slow
def test_a_cell_over_its_timeout_is_stopped_with_its_line(tmp_path):
    doc = single(tmp_path, "---\nexecute:\n  timeout: 2\n---\n\n```{python}\nimport time\ntime.sleep(30)\n```\n")
    with pytest.raises(CellError, match="timed out after 2 s") as caught:
        run(doc, formats=["html"])
    assert (caught.value.path, caught.value.line) == ("doc.qmd", 6)


@pytest.mark.slow
def test_the_kernel_named_by_jupyter_runs_the_cells(tmp_path, monkeypatch):
    # A second installed kernel (a kernelspec of our own on JUPYTER_PATH), told apart by its environment.
    spec = tmp_path / "jupyter" / "kernels" / "marked-python"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Marked Python", "language": "python", "env": {"GP_KERNEL_MARK": "marked"}}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    root = tmp_path / "doc"
    root.mkdir()
    doc = single(root, "---\njupyter: marked-python\n---\n\n```{python}\nimport os\n"
                       "print('kernel', os.environ.get('GP_KERNEL_MARK'))\n```\n")
    result = run(doc, formats=["html"])
    assert "kernel marked" in html_text(result.outputs["html"])


def test_interactive_output_that_needs_the_network_falls_back_to_its_image(tmp_path):
    from galleyproof.manuscript.document import CodeCell
    from galleyproof.render.cells import render_cell

    png = base64.b64encode((DATA / "book-figures" / "figure.png").read_bytes()).decode()
    output = {"output_type": "display_data", "data": {
        "application/vnd.plotly.v1+json": {}, "image/png": png,
        "text/html": '<script src="https://cdn.plot.ly/plotly-2.min.js"></script><div id="p"></div>'}}
    cell = CodeCell("python", "fig", {}, "doc.qmd", 3, 4)
    rendered = render_cell(cell, {"echo": False}, [output], figure_path=lambda n: tmp_path / f"f-{n}.png",
                           figure_ref=lambda p: p.name, html_to_markdown=str)
    assert "cdn.plot.ly" not in rendered.markdown and "f-1.png" in rendered.markdown
    assert rendered.warnings == ["plotly output loads its library from the network; its static form is shown"]


@pytest.mark.slow
def test_a_typst_extension_format_runs_its_filters_and_survives_a_broken_one(tmp_path):
    write(tmp_path, {
        "_extensions/demo/_extension.yml": "title: Demo\ncontributes:\n  formats:\n    typst:\n      filters:\n"
                                           "        - shout.lua\n        - broken.lua\n",
        "_extensions/demo/shout.lua": "function Str(s)\n  if quarto.doc.is_format('typst') and s.text == 'quiet'"
                                      " then return pandoc.Str('LOUD') end\nend\n",
        "_extensions/demo/broken.lua": "return {{ Para = function(p) return quarto.no.such.api(p) end }}\n",
        "doc.qmd": "---\ntitle: Extension demo\nformat:\n  demo-typst: default\n  docx: default\n---\n\n"
                   "A quiet word.\n"})
    result = run(tmp_path / "doc.qmd")
    assert set(result.outputs) == {"pdf", "docx"}
    assert "A LOUD word." in pdf_text(result.outputs["pdf"])
    assert "A quiet word." in docx_text(result.outputs["docx"])  # the filter is the typst format's only
    assert any("broken.lua skipped" in w for w in result.warnings)


def test_unknown_formats_are_reported_by_name(tmp_path):
    from galleyproof.render.formats import plan_formats

    plans = plan_formats(tmp_path, ("html", "elsevier-pdf", "pptx", "pdf"), {})
    assert [(p.name, p.writer) for p in plans] == [("html", "html"), ("elsevier-pdf", "pdf"), ("pptx", None),
                                                   ("pdf", None)]
    notes = [p.note for p in plans]
    assert notes[1] == "no extension in _extensions/ provides format elsevier-pdf; built pdf instead"
    assert "format pptx is not made by the embedded engine" in notes[2]
    assert notes[3] == "format pdf: same output as elsevier-pdf, built once"


def test_execution_disabled_starts_no_kernel(tmp_path):
    doc = single(tmp_path, "---\nexecute:\n  enabled: false\n---\n\n```{python}\nprint('never run')\n```\n")
    result = run(doc, formats=["html"])
    assert [c.status for c in result.chapters] == ["not executed"]
    text = html_text(result.outputs["html"])
    assert "print('never run')" in text and "never run never run" not in text


def test_listings_are_numbered_and_referenced(tmp_path):
    doc = single(tmp_path, "```{python}\n#| lst-label: lst-sum\n#| lst-cap: Adding up\nprint(1 + 1)\n```\n\n"
                           "```{#lst-plain .python lst-cap=\"A plain listing\"}\nx = 2\n```\n\n"
                           "@lst-sum prints 2 and @lst-plain sets x.\n")
    result = run(doc, formats=["html"])
    text = html_text(result.outputs["html"])
    for expected in ("Listing 1: Adding up", "Listing 2: A plain listing", "Listing 1 prints 2 and Listing 2 sets x"):
        assert expected in text, expected
    assert not result.unresolved


@pytest.mark.slow
def test_a_short_timeout_applies_to_the_documents_cells_not_to_our_set_up(tmp_path):
    # Our set-up cell imports matplotlib's inline backend: on a busy machine that alone can take
    # longer than a document's one-second timeout, which must not fail a one-line cell.
    doc = single(tmp_path, "---\nexecute:\n  timeout: 1\n---\n\n```{python}\nprint('quick', 6 * 7)\n```\n")
    result = run(doc, formats=["html"])
    assert "quick 42" in html_text(result.outputs["html"])
