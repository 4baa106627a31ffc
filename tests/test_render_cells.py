"""One cell's outputs as Pandoc Markdown: Quarto options and Jupyter's rich output types."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from galleyproof.manuscript.document import CodeCell
from galleyproof.render.cells import cell_options, render_cell
from galleyproof.render.pandoc import html_to_markdown

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\nfake").decode()
STDOUT = {"output_type": "stream", "name": "stdout", "text": "hello\n"}
STDERR = {"output_type": "stream", "name": "stderr", "text": "careful\n"}
FIGURE = {"output_type": "display_data", "data": {"image/png": PNG, "text/plain": "<Figure>"}, "metadata": {}}
TABLE = {"output_type": "execute_result", "data": {
    "text/html": "<div><style scoped>.x{}</style><table><thead><tr><th>k</th><th>n</th></tr></thead>"
                 "<tbody><tr><td>alpha</td><td>3</td></tr></tbody></table></div>",
    "text/plain": "k n\nalpha 3"}, "metadata": {}, "execution_count": 1}
MARKDOWN = {"output_type": "display_data", "data": {"text/markdown": "**bold** [@neff2003]", "text/plain": "x"}}


def render(tmp_path: Path, options: dict, outputs: list[dict], defaults: dict | None = None):
    cell = CodeCell("python", "x = 1", options, "c.qmd", 5, 5 + len(options))
    return render_cell(cell, cell_options(cell, defaults or {}), outputs,
                       figure_path=lambda n: tmp_path / "figures" / f"c-{n}.png",
                       figure_ref=lambda p: p.relative_to(tmp_path).as_posix(),
                       html_to_markdown=html_to_markdown)


@pytest.mark.parametrize("options, defaults, outputs, present, absent", [
    pytest.param({}, {}, [STDOUT], ["x = 1", "hello"], [], id="defaults-echo-and-output"),
    pytest.param({"echo": False}, {}, [STDOUT], ["hello"], ["x = 1"], id="echo-false"),
    pytest.param({}, {"echo": False}, [STDOUT], ["hello"], ["x = 1"], id="echo-false-project-default"),
    pytest.param({"echo": True}, {"echo": False}, [STDOUT], ["x = 1"], [], id="cell-overrides-default"),
    pytest.param({"output": False}, {}, [STDOUT], ["x = 1"], ["hello"], id="output-false"),
    pytest.param({"include": False}, {}, [STDOUT], [], ["x = 1", "hello"], id="include-false"),
    pytest.param({"eval": False}, {}, [], ["x = 1"], [], id="eval-false"),
    pytest.param({"warning": False}, {}, [STDOUT, STDERR], ["hello"], ["careful"], id="warning-false"),
    pytest.param({}, {}, [STDERR], ["careful"], [], id="warning-shown"),
    pytest.param({"output": "asis", "echo": False}, {}, [{**STDOUT, "text": "*raw* md\n"}], ["*raw* md"], ["```"],
                 id="output-asis"),
    pytest.param({"echo": False}, {}, [MARKDOWN], ["**bold** [@neff2003]"], [], id="markdown-output"),
])
def test_options(tmp_path, options, defaults, outputs, present, absent):
    markdown = render(tmp_path, options, outputs, defaults).markdown
    for text in present:
        assert text in markdown
    for text in absent:
        assert text not in markdown


def test_labelled_figure_is_written_with_caption_and_id(tmp_path):
    rendered = render(tmp_path, {"label": "fig-years", "fig-cap": "Years", "echo": False}, [FIGURE])
    assert rendered.markdown == "![Years](figures/c-1.png){#fig-years}"
    assert (tmp_path / "figures" / "c-1.png").read_bytes() == base64.b64decode(PNG)
    assert [(f.caption, f.label) for f in rendered.figures] == [("Years", "fig-years")]


def test_html_table_becomes_a_captioned_pipe_table(tmp_path):
    markdown = render(tmp_path, {"label": "tbl-corpus", "tbl-cap": "The corpus", "echo": False}, [TABLE]).markdown
    assert "| alpha | 3" in markdown.replace("   ", " ").replace("  ", " ")
    # Inside Quarto's display div, the caption after the table and before the div closes.
    assert markdown.startswith("::: {.cell-output-display}\n")
    assert markdown.rstrip().endswith(": The corpus {#tbl-corpus}\n:::")
    assert "style" not in markdown


def test_markdown_in_data_qmd_is_parsed_as_quarto_does(tmp_path):
    html = ('<table><tr><th>p</th></tr><tr><td><span data-qmd="[@a2001; @b2002] and *x*">a2001</span></td></tr>'
            '<tr><td><span>plain [@c2003]</span></td></tr></table>')
    markdown = html_to_markdown(html)
    assert "[@a2001; @b2002] and *x*" in markdown
    assert "\\[@c2003\\]" in markdown  # without data-qmd, text stays text
