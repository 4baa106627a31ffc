"""The embedded engine's API for other steps (export): prepare() once, convert() to any format."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pypdf
import pytest

from galleyproof.errors import RenderError
from galleyproof.project import load_project, style_path
from galleyproof.render.embedded import convert, prepare

pytestmark = pytest.mark.slow

MINI = Path(__file__).parent / "data" / "render" / "mini"


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    root = tmp_path_factory.mktemp("embedded") / "mini"
    shutil.copytree(MINI, root, ignore=shutil.ignore_patterns("_output", ".galleyproof-cache", "__pycache__"))
    return prepare(load_project(root))


def test_prepared_exposes_markdown_figures_and_metadata(prepared):
    text = prepared.markdown.read_text(encoding="utf-8")
    assert "```{python}" not in text and "#| label" not in text  # cells replaced by their outputs
    assert "@tbl-counts" in text  # cross-references are resolved at conversion, not here
    [figure] = prepared.figures
    assert figure.label == "fig-years" and figure.caption == "Counts by group"
    assert figure.path.is_file() and figure.path.parent.parent == prepared.resource_dir
    assert prepared.metadata["title"] == "A Small Review of Kindness and Cells"
    assert prepared.metadata["author"] == [{"name": "Ada Example", "affiliation": "Example University",
                                            "email": "ada@example.org"}]
    assert prepared.metadata["keywords"] == ["kindness", "cells"]
    assert prepared.timings["kernel"] > 0


def test_jats_has_structured_references(prepared, tmp_path):
    xml = convert(prepared, "jats", tmp_path / "article.xml").read_text(encoding="utf-8")
    assert "<element-citation" in xml and '<pub-id pub-id-type="doi">10.1038/nri3042</pub-id>' in xml
    assert '<xref alt="Table 1" rid="tbl-counts"' in xml or 'rid="tbl-counts"' in xml


def test_metadata_override_anonymises_the_pdf(prepared, tmp_path):
    named = pypdf.PdfReader(convert(prepared, "pdf", tmp_path / "named.pdf"))
    anonymous = pypdf.PdfReader(convert(prepared, "pdf", tmp_path / "anon.pdf", metadata={"author": []}))
    assert named.metadata.get("/Author") == "Ada Example"
    assert "/Author" not in anonymous.metadata
    assert "Ada Example" not in anonymous.pages[0].extract_text()


def test_another_citation_style(prepared, tmp_path):
    text = convert(prepared, "plain", tmp_path / "nature.txt", csl=style_path("nature")).read_text(encoding="utf-8")
    assert "(Neff, 2003)" not in text and "Nature Reviews Immunology" in text


def test_typst_source_keeps_our_numbering(prepared, tmp_path):
    typ = convert(prepared, "typst", tmp_path / "book.typ").read_text(encoding="utf-8")
    assert "#set figure(numbering: none)" in typ and "Figure 1: Counts by group" in typ


def test_unknown_format_is_refused(prepared, tmp_path):
    with pytest.raises(RenderError, match="epub"):
        convert(prepared, "epub", tmp_path / "book.epub")


def test_quarto_format_options_reach_pandoc(prepared, tmp_path):
    # The fixture's _quarto.yml asks for a table of contents in HTML only.
    assert prepared.options["html"] == {"toc": True, "number-sections": False}
    html = convert(prepared, "html", tmp_path / "book.html").read_text(encoding="utf-8")
    assert '<nav id="TOC"' in html and 'href="#sec-vagal"' in html.split("</nav>")[0]
    typ = convert(prepared, "pdf", tmp_path / "book.pdf")
    assert "Contents" not in pypdf.PdfReader(typ).pages[0].extract_text()


def test_docx_does_not_carry_build_paths(prepared, tmp_path):
    import zipfile

    with zipfile.ZipFile(convert(prepared, "docx", tmp_path / "book.docx")) as docx_zip:
        text = "".join(docx_zip.read(name).decode("utf-8", "replace") for name in docx_zip.namelist()
                       if name.endswith(".xml"))
    assert str(prepared.root) not in text and "references.bib" not in text
    assert "Irwin, M. R., &amp; Cole, S. W. (2011)" in text  # the bibliography itself is still there


def test_a_long_table_breaks_across_pdf_pages(prepared, tmp_path):
    # pandoc puts tables in Typst figures, which do not break by default: rows would overprint page 1.
    rows = "\n".join(f"| row {i:03d} | value {i} |" for i in range(1, 121))
    source = tmp_path / "long.md"
    source.write_text(f"# Long\n\n| Row | Value |\n|---|---|\n{rows}\n\n: A long table {{#tbl-long}}\n")
    from dataclasses import replace

    pdf = pypdf.PdfReader(convert(replace(prepared, markdown=source), "pdf", tmp_path / "long.pdf"))
    pages = [page.extract_text() for page in pdf.pages]
    assert len(pages) >= 3
    assert "row 001" in pages[0] and "row 120" not in pages[0]
    assert any("row 120" in text for text in pages[1:])


def test_fig_dpi_sets_figure_resolution(prepared, tmp_path):
    from PIL import Image

    root = tmp_path / "mini"
    shutil.copytree(MINI, root, ignore=shutil.ignore_patterns("_output", ".galleyproof-cache", "__pycache__"))
    config = root / "_quarto.yml"
    config.write_text(config.read_text(encoding="utf-8") + "fig-dpi: 300\n", encoding="utf-8")
    [figure] = prepare(load_project(root)).figures
    with Image.open(figure.path) as fine, Image.open(prepared.figures[0].path) as default:
        assert round(fine.info["dpi"][0]) == 300
        assert fine.width >= 2.5 * default.width  # same figure, three times the pixels of the default 100 dpi


def test_cell_table_columns_are_sized_by_printed_text(prepared, tmp_path):
    # Citation markup is far longer than the citation it prints; sized by the markup, the status
    # column would shrink until Typst hyphenates its words.
    keys = "[" + "; ".join(["@neff2003", "@irwin2011"] * 4) + "]"
    rows = "\n".join(f"| {status:<11} | {4:<10} | {keys} |" for status in ("unverified", "missing doi"))
    # As pandoc writes a cell's HTML table: dashes as long as each column's Markdown.
    rule = f"|{'-' * 13}|{'-' * 12}|{'-' * (len(keys) + 2)}|"
    source = tmp_path / "table.md"
    source.write_text(f"::: {{.cell-output-display}}\n| Status | References | Keys |\n{rule}\n"
                      f"{rows}\n\n: Audit {{#tbl-audit}}\n:::\n")
    from dataclasses import replace

    typ = convert(replace(prepared, markdown=source), "typst", tmp_path / "table.typ").read_text()
    widths = [float(w) for w in re.search(r"columns: \(([\d.%, ]+)\)", typ).group(1).replace("%", "").split(",")]
    assert widths[0] >= 15 and widths[2] <= 70, widths
    pdf = convert(replace(prepared, markdown=source), "pdf", tmp_path / "t.pdf")
    text = pypdf.PdfReader(pdf).pages[0].extract_text()
    assert "unverified" in text and "un-" not in text
