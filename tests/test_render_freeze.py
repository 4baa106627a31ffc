"""Quarto's `_freeze/` through the embedded engine: frozen results stand in for the kernel.

Two kinds of real input: the committed `_freeze/` of ../shared/compat/quarto/template-vscode (written by
Quarto itself), and projects made here with `_freeze/<doc>/execute-results/html.json` written as Quarto
writes it (quarto-cli freeze.ts: `{"hash": md5 of the source, "result": {"engine", "markdown",
"supporting", "filters", "includes"}}`, figures under `_freeze/<doc>/figure-html/`). Their cells raise if
executed, so an output that shows the frozen values proves no kernel ran them. Real pandoc and kernel.
"""

from __future__ import annotations

import hashlib
import json
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from rendered_text import copy_project, docx_text, html_text, leftovers, pdf_text

from galleyproof.errors import CellError, ManuscriptError, PathError, RenderError
from galleyproof.pipeline.run import build
from galleyproof.project import load_project
from galleyproof.render import freeze

pytestmark = pytest.mark.slow

COMPAT = Path(__file__).resolve().parents[2] / "shared" / "compat" / "quarto"


def png(width: int = 4, height: int = 3) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\xcc\x22\x22" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def write_frozen(root: Path, source: str, markdown: str, *, engine: str = "jupyter",
                 figures: tuple[str, ...] = (), fmt: str = "html", hash_of: str | None = None) -> Path:
    """`_freeze/<source without suffix>/` as Quarto leaves it after rendering `source` to `fmt`."""
    text = (root / source).read_text(encoding="utf-8") if hash_of is None else hash_of
    folder = root / "_freeze" / Path(source).with_suffix("")
    stem = Path(source).stem
    result = {"engine": engine, "markdown": markdown, "supporting": [f"{stem}_files"], "filters": [],
              "includes": {}}
    (folder / "execute-results").mkdir(parents=True, exist_ok=True)
    path = folder / "execute-results" / f"{fmt}.json"
    path.write_text(json.dumps({"hash": hashlib.md5(text.encode()).hexdigest(), "result": result}, indent=2),
                    encoding="utf-8")
    for figure in figures:
        (folder / figure).parent.mkdir(parents=True, exist_ok=True)
        (folder / figure).write_bytes(png())
    return path


SOURCE = """---
title: Frozen analysis
---

## Results

```{python}
#| echo: false
raise RuntimeError("this cell must not run")
```

```{python}
#| label: fig-growth
#| fig-cap: Growth of the frozen colony
raise RuntimeError("nor this one")
```

The colony doubled `{python} raise_now()` times (@fig-growth).
"""

# What Quarto's Jupyter engine writes for SOURCE (the shape of the compat sample's html.json).
FROZEN = """---
title: Frozen analysis
---

## Results

::: {#a1b2c3d4 .cell execution_count=1}
``` {.python .cell-code .hidden}
raise RuntimeError("this cell must not run")
```

::: {.cell-output .cell-output-stdout}
```
colony count: 4096
```
:::
:::


::: {#cell-fig-growth .cell execution_count=2}
``` {.python .cell-code}
raise RuntimeError("nor this one")
```

::: {.cell-output .cell-output-display}
![Growth of the frozen colony](analysis_files/figure-html/fig-growth-output-1.png){#fig-growth width=4 height=3}
:::
:::


::: {.cell-output .cell-output-display .hidden execution_count=3}
```
hidden-output-text
```
:::

::: {#e5f6 .cell execution_count=4}
``` {.python .cell-code}
df
```

::: {.cell-output .cell-output-display execution_count=4}
```{=html}
<div><style scoped>.dataframe td {color: red}</style>
<table border="1" class="dataframe"><thead><tr><th>strain</th><th>doublings</th></tr></thead>
<tbody><tr><td>K-12</td><td>twelve</td></tr></tbody></table></div>
```
:::
:::

The colony doubled 12 times (@fig-growth).
"""


def frozen_project(root: Path, freeze_setting: str | None = "auto") -> Path:
    execute = f"execute:\n  freeze: {freeze_setting}\n" if freeze_setting else ""
    (root / "_quarto.yml").write_text(f"project:\n  title: Lab\n{execute}format:\n  html: default\n  docx: default\n",
                                      encoding="utf-8")
    (root / "analysis.qmd").write_text(SOURCE, encoding="utf-8")
    write_frozen(root, "analysis.qmd", FROZEN, figures=("figure-html/fig-growth-output-1.png",))
    return root


def run(root: Path, **options):
    return build(load_project(root), engine="embedded", offline=True, **options)


def test_frozen_result_stands_in_for_the_kernel_in_html_and_docx(tmp_path):
    root = frozen_project(tmp_path)
    result = run(root)
    assert [(c.chapter, c.status) for c in result.chapters] == [("analysis.qmd", "frozen")]
    assert not (root / ".galleyproof-cache" / "cells").exists() and result.timings.get("kernel", 0.0) == 0.0
    html = (root / "_output" / "analysis.html").read_text(encoding="utf-8")
    for text in (html_text(root / "_output" / "analysis.html"), docx_text(root / "_output" / "analysis.docx")):
        assert "colony count: 4096" in text and "doubled 12 times (Figure 1)" in text
        assert "Figure 1: Growth of the frozen colony" in text
        assert "K-12" in text and "twelve" in text  # the HTML table reached DOCX as a table
        assert "hidden-output-text" not in text and 'RuntimeError("this cell must not run")' not in text
        assert leftovers(text) == []
    assert 'raise RuntimeError("nor this one")' in html_text(root / "_output" / "analysis.html")  # echoed code
    assert html.count("data:image/png;base64,") == 1  # the figure from _freeze/analysis/figure-html
    with zipfile.ZipFile(root / "_output" / "analysis.docx") as docx:
        assert any(n.startswith("word/media/") for n in docx.namelist())


def test_auto_executes_again_when_the_source_changed(tmp_path):
    root = frozen_project(tmp_path)
    with (root / "analysis.qmd").open("a", encoding="utf-8") as handle:
        handle.write("\nOne more sentence.\n")
    with pytest.raises(CellError, match="this cell must not run"):
        run(root)


def test_true_never_executes_even_when_the_source_changed(tmp_path):
    root = frozen_project(tmp_path, "true")
    with (root / "analysis.qmd").open("a", encoding="utf-8") as handle:
        handle.write("\nOne more sentence.\n")
    result = run(root)
    assert [c.status for c in result.chapters] == ["frozen"]
    assert "colony count: 4096" in html_text(result.outputs["html"])


def test_auto_does_not_read_an_outdated_result_it_will_not_use(tmp_path):
    """Quarto executes a changed document under `auto`: the stale result is not converted, so a figure
    missing from it does not stop the build (the cells run and raise here, proving they ran)."""
    root = frozen_project(tmp_path)
    (root / "_freeze" / "analysis" / "figure-html" / "fig-growth-output-1.png").unlink()
    with (root / "analysis.qmd").open("a", encoding="utf-8") as handle:
        handle.write("\nOne more sentence.\n")
    with pytest.raises(CellError, match="this cell must not run"):
        run(root)
    assert freeze.thaw(root, root / "analysis.qmd", str, current_only=True) is None


@pytest.mark.parametrize("setting", [None, "false"])
def test_without_freeze_the_cells_execute_as_before(tmp_path, setting):
    root = frozen_project(tmp_path, setting)
    with pytest.raises(CellError, match="this cell must not run"):
        run(root)


def test_fresh_executes_every_cell(tmp_path):
    with pytest.raises(CellError, match="this cell must not run"):
        run(frozen_project(tmp_path), fresh=True)


def test_a_file_rendered_on_its_own_executes(tmp_path):
    root = frozen_project(tmp_path, "true")
    with pytest.raises(CellError, match="this cell must not run"):
        build(load_project(root / "analysis.qmd"), engine="embedded", offline=True)


def test_crlf_source_hashes_as_quarto_does(tmp_path):
    root = frozen_project(tmp_path)
    (root / "analysis.qmd").write_bytes(SOURCE.replace("\n", "\r\n").encode())
    assert freeze.source_hash(root / "analysis.qmd") == hashlib.md5(SOURCE.encode()).hexdigest()
    assert [c.status for c in run(root).chapters] == ["frozen"]


def test_a_result_that_is_not_json_is_no_result(tmp_path):
    root = frozen_project(tmp_path)
    results = root / "_freeze" / "analysis" / "execute-results" / "html.json"
    results.write_text("<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> theirs\n", encoding="utf-8")
    with pytest.raises(CellError, match="this cell must not run"):  # as Quarto: executed instead
        run(root)


def test_a_figure_missing_from_the_freezer_is_named(tmp_path):
    root = frozen_project(tmp_path)
    (root / "_freeze" / "analysis" / "figure-html" / "fig-growth-output-1.png").unlink()
    with pytest.raises(ManuscriptError) as caught:
        run(root)
    assert caught.value.path == "_freeze/analysis/execute-results/html.json"
    assert "_freeze/analysis/figure-html/fig-growth-output-1.png" in caught.value.message


def test_the_changed_freezer_rebuilds(tmp_path):
    root = frozen_project(tmp_path)
    run(root)
    results = root / "_freeze" / "analysis" / "execute-results" / "html.json"
    results.write_text(results.read_text(encoding="utf-8").replace("4096", "8192"), encoding="utf-8")
    again = run(root)
    assert again.status == "built" and "colony count: 8192" in html_text(again.outputs["html"])


# An R document as Quarto's knitr engine freezes it (Quarto 1.4+: a labelled table cell is a div).
R_SOURCE = """---
title: Cars
---

```{r}
#| label: tbl-cars
#| tbl-cap: Stopping distances
knitr::kable(head(cars, 2))
```

```{r}
#| label: fig-speed
#| fig-cap: Speed against distance
plot(cars)
```

There are `r nrow(cars)` cars; see @tbl-cars and @fig-speed.
"""

R_FROZEN = """---
title: Cars
---

::: {#tbl-cars .cell tbl-cap='Stopping distances'}

```{.r .cell-code}
knitr::kable(head(cars, 2))
```

::: {.cell-output-display}
| speed| dist|
|-----:|----:|
|     4|    2|
|     4|   10|
:::
:::

::: {.cell}

```{.r .cell-code}
plot(cars)
```

::: {.cell-output-display}
![Speed against distance](cars_files/figure-html/fig-speed-1.png){#fig-speed width=672}
:::
:::

There are 50 cars; see @tbl-cars and @fig-speed.
"""


def r_project(root: Path, frozen: bool = True) -> Path:
    (root / "_quarto.yml").write_text("project:\n  title: R\nformat:\n  html: default\n  docx: default\n"
                                      "  pdf: default\n", encoding="utf-8")
    (root / "cars.qmd").write_text(R_SOURCE, encoding="utf-8")
    if frozen:
        write_frozen(root, "cars.qmd", R_FROZEN, engine="knitr", figures=("figure-html/fig-speed-1.png",))
    return root


def test_missing_r_kernel_uses_the_frozen_result_with_a_note(tmp_path):
    root = r_project(tmp_path)
    result = run(root)  # no freeze setting: execution was asked for, but no R kernel is installed here
    assert [c.status for c in result.chapters] == ["frozen"]
    [note] = [w for w in result.warnings if "R kernel" in w]
    assert note.startswith("cars.qmd:5: this document's R cells need an R kernel")
    assert "the frozen result _freeze/cars/execute-results/html.json is shown instead" in note
    for text in (html_text(result.outputs["html"]), docx_text(result.outputs["docx"]), pdf_text(result.outputs["pdf"])):
        assert "There are 50 cars; see Table 1 and Figure 1." in text
        assert "Table 1: Stopping distances" in text and "Figure 1: Speed against distance" in text
        assert leftovers(text) == []
    assert not result.unresolved


def test_missing_r_kernel_with_an_outdated_result_says_so(tmp_path):
    root = r_project(tmp_path)
    (root / "cars.qmd").write_text(R_SOURCE + "\nA new closing line.\n", encoding="utf-8")
    result = run(root)
    assert any("made from an earlier version of the file" in w for w in result.warnings)


def test_missing_r_kernel_without_a_frozen_result_fails_as_before(tmp_path):
    with pytest.raises(RenderError, match="R kernel") as caught:
        run(r_project(tmp_path, frozen=False))
    assert (caught.value.path, caught.value.line) == ("cars.qmd", 5)


def test_result_files_are_read_by_preference(tmp_path):
    root = r_project(tmp_path)
    write_frozen(root, "cars.qmd", R_FROZEN.replace("50 cars", "fifty cars"), fmt="docx")
    assert freeze.results_file(root, root / "cars.qmd") == root / "_freeze/cars/execute-results/html.json"
    (root / "_freeze/cars/execute-results/html.json").unlink()
    assert freeze.results_file(root, root / "cars.qmd") == root / "_freeze/cars/execute-results/docx.json"


# The committed _freeze/ of a real manuscript, written by Quarto ------------------------------------


def test_compat_manuscript_builds_from_its_freezer_without_a_kernel(tmp_path):
    if not (COMPAT / "template-vscode").is_dir():
        pytest.skip("../shared/compat/quarto/template-vscode is not here")
    root = copy_project(COMPAT / "template-vscode", tmp_path / "template-vscode")
    result = run(root)
    assert [(c.chapter, c.status) for c in result.chapters] == [
        ("index.qmd", "frozen"), ("notebooks/data-screening.qmd", "frozen")]  # the article and its embed
    assert not (root / ".galleyproof-cache" / "cells").exists()
    html = html_text(result.outputs["html"])
    docx = docx_text(result.outputs["docx"])
    for text in (html, docx):
        assert "79.8 years on average" in text  # the inline value as Quarto evaluated it
        assert "Figure 1: Timeline of recent earthquakes on La Palma" in text
        assert "Figure 3: Locations of earthquakes on La Palma since 2017." in text  # embedded from the notebook
        assert "np.float64" not in text and "import matplotlib" not in text  # `output: false`, hidden code
        assert "colormaps" not in text  # an embed shows the notebook cell's outputs, not its code
    raw = result.outputs["html"].read_text(encoding="utf-8")
    assert raw.count("data:image/png;base64,") >= 3  # timeline and scatter from _freeze/, and the map


@pytest.mark.parametrize("echo", ["", " echo=true"])
def test_embed_from_a_frozen_notebook_shows_outputs_and_code_only_with_echo(tmp_path, echo):
    root = frozen_project(tmp_path)
    (root / "_quarto.yml").write_text("project:\n  type: manuscript\nexecute:\n  freeze: auto\nformat: html\n",
                                      encoding="utf-8")
    (root / "index.qmd").write_text("---\ntitle: Article\n---\n\nSee @fig-growth.\n\n"
                                    f"{{{{< embed analysis.qmd#fig-growth{echo} >}}}}\n", encoding="utf-8")
    result = run(root)
    assert [(c.chapter, c.status) for c in result.chapters] == [("index.qmd", "no cells"), ("analysis.qmd", "frozen")]
    text = html_text(result.outputs["html"])
    assert "See Figure 1." in text and "Figure 1: Growth of the frozen colony" in text
    assert ('raise RuntimeError("nor this one")' in text) == bool(echo)


def test_an_unreadable_result_is_reported_and_the_cells_run(tmp_path):
    root = frozen_project(tmp_path)
    (root / "analysis.qmd").write_text("---\ntitle: Live\n---\n\n```{python}\nprint('executed live')\n```\n",
                                       encoding="utf-8")
    results = root / "_freeze" / "analysis" / "execute-results" / "html.json"
    results.write_text("<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> theirs\n", encoding="utf-8")
    result = run(root)
    assert [c.status for c in result.chapters] == ["executed"]
    assert "executed live" in html_text(result.outputs["html"])
    assert ("_freeze/analysis/execute-results/html.json: the frozen result is not readable (it looks like a git "
            "merge conflict); the cells are executed instead") in result.warnings


# Shapes of Quarto's engine output, read without a build -----------------------------------------------


def thawed_lines(tmp_path: Path, markdown: str, includes: dict | None = None) -> freeze.Thawed:
    (tmp_path / "doc.qmd").write_text("---\ntitle: x\n---\n", encoding="utf-8")
    path = write_frozen(tmp_path, "doc.qmd", markdown)
    if includes:
        data = json.loads(path.read_text(encoding="utf-8"))
        data["result"]["includes"] = includes
        path.write_text(json.dumps(data), encoding="utf-8")
    thawed = freeze.thaw(tmp_path, tmp_path / "doc.qmd", lambda html: "| converted |\n|---|\n| table |")
    assert thawed is not None and thawed.current
    return thawed


def test_a_labelled_cell_div_whose_figure_carries_the_label_is_unwrapped(tmp_path):
    (tmp_path / "_freeze/doc/figure-html").mkdir(parents=True)
    (tmp_path / "_freeze/doc/figure-html/fig-a-1.png").write_bytes(png())
    thawed = thawed_lines(tmp_path, "::: {#fig-a .cell fig-cap=\"Cap\"}\n::: {.cell-output-display}\n"
                                    "![Cap](doc_files/figure-html/fig-a-1.png){#fig-a}\n:::\n:::\n")
    text = "\n".join(thawed.lines)
    assert text.count("#fig-a") == 1 and "_freeze/doc/figure-html/fig-a-1.png" in text
    assert thawed.files == ["_freeze/doc/execute-results/html.json", "_freeze/doc/figure-html/fig-a-1.png"]


def test_a_labelled_table_cell_keeps_its_label_and_caption_around_the_table(tmp_path):
    thawed = thawed_lines(tmp_path, "::: {#tbl-b .cell tbl-cap='Counts'}\n\n```{.r .cell-code}\nkable(x)\n```\n\n"
                                    "::: {.cell-output-display}\n| a |\n|---|\n| 1 |\n:::\n:::\n")
    assert thawed.lines[:2] == ["::: {#tbl-b tbl-cap='Counts'}", ""]
    assert "| a |" in thawed.lines and ".cell-output-display" not in "\n".join(thawed.lines)
    assert thawed.cells["tbl-b"][0].startswith("```{.r .cell-code}")


def test_interactive_output_that_needs_quartos_page_scripts_becomes_a_note(tmp_path):
    markdown = ("::: {.cell}\n::: {.cell-output .cell-output-display}\n```{=html}\n<div id='p'></div>\n"
                "<script>require(['plotly'], function(P) {P.plot('p')})</script>\n```\n:::\n:::\n")
    thawed = thawed_lines(tmp_path, markdown, {"include-in-header": ["<script src='https://cdn/require.js'></script>"]})
    assert "require(" not in "\n".join(thawed.lines) and "interactive output" in "\n".join(thawed.lines)
    assert thawed.warnings
    assert "require(" in "\n".join(thawed_lines(tmp_path, markdown).lines)  # no page scripts needed: kept


def test_a_frozen_interactive_output_is_html_only_with_a_note_elsewhere_as_an_executed_ones(tmp_path):
    """Kept for HTML, and PDF/DOCX/JATS show a note and the build warns, as for an executed cell's widget
    (cells.interactive_markdown): raw HTML alone would vanish from those formats without a word."""
    markdown = ("::: {.cell}\n::: {.cell-output .cell-output-display}\n```{=html}\n<div id='w'></div>\n"
                "<script>document.getElementById('w').textContent = 'drawn'</script>\n```\n:::\n:::\n")
    root = tmp_path / "project"
    root.mkdir()
    (root / "_quarto.yml").write_text("project:\n  title: W\nexecute:\n  freeze: auto\nformat:\n  html: default\n"
                                      "  docx: default\n", encoding="utf-8")
    (root / "doc.qmd").write_text("---\ntitle: Widget\n---\n\n```{python}\nraise RuntimeError('not run')\n```\n",
                                  encoding="utf-8")
    write_frozen(root, "doc.qmd", markdown)
    result = run(root)
    assert [c.status for c in result.chapters] == ["frozen"]
    assert "textContent = 'drawn'" in result.outputs["html"].read_text(encoding="utf-8")
    assert "interactive output: interactive, shown in the HTML version" in docx_text(result.outputs["docx"])
    assert any("no static image; PDF, DOCX and JATS show a note instead" in w for w in result.warnings)


def test_frozen_figures_are_the_documents_figures(tmp_path):
    from galleyproof.render.embedded import prepare

    if not (COMPAT / "template-vscode").is_dir():
        pytest.skip("../shared/compat/quarto/template-vscode is not here")
    root = copy_project(COMPAT / "template-vscode", tmp_path / "template-vscode")
    prepared = prepare(load_project(root))
    # Copied beside the executed cells' figures, where writers and export look for them.
    assert [(f.path.relative_to(prepared.resource_dir).as_posix(), f.label) for f in prepared.figures] == [
        ("figures/frozen-index-figure-html-fig-timeline-output-1.png", "fig-timeline"),
        ("figures/frozen-notebooks-data-screening-figure-html-fig-spatial-plot-output-1.png", "fig-spatial-plot")]
    assert prepared.figures[0].caption == "Timeline of recent earthquakes on La Palma"
    assert prepared.figures[0].path.read_bytes() == (root / "_freeze/index/figure-html/fig-timeline-output-1.png"
                                                     ).read_bytes()
    assert "_freeze/" not in prepared.markdown.read_text(encoding="utf-8")


# knitr in Quarto 1.4+: a labelled cell is a div carrying the label (and `tbl-cap`), a multi-panel
# figure's caption is the div's last paragraph and its panels are `<label>-1`, `-2`; kableExtra tables
# are raw HTML in a five-backtick fence.
STUDY = """---
title: Study
---

```{r}
#| label: tbl-fit
#| tbl-cap: Model fit by band
kable(fit)
```

```{r}
#| label: fig-bands
#| fig-cap: Throws by band.
#| fig-subcap: ["Constant", "Varied"]
#| layout-ncol: 2
plot(a); plot(b)
```

```{r}
#| label: fig-one
#| fig-cap: A single panel.
plot(c)
```

See @tbl-fit, @fig-bands and @fig-one. {{< fa car >}}
"""

STUDY_FROZEN = """---
title: Study
---

::: {#tbl-fit .cell layout-align="center" tbl-cap='Model fit by band'}
::: {.cell-output-display}

`````{=html}
<table>
<caption>Fit to every band</caption>
 <thead>
  <tr><th style="text-align:left;"> Band </th><th style="text-align:right;"> Estimate </th></tr>
 </thead>
<tbody>
  <tr><td style="text-align:left;"> low </td><td style="text-align:right;"> 0.71 </td></tr>
</tbody>
</table>

`````

:::
:::

::: {#fig-bands .cell layout-ncol="2" layout-align="center"}
::: {.cell-output-display}
![Constant](study_files/figure-html/fig-bands-1.png){#fig-bands-1 fig-align='center' width=100%}
:::

::: {.cell-output-display}
![Varied](study_files/figure-html/fig-bands-2.png){#fig-bands-2 fig-align='center' width=100%}
:::

Throws by band.
:::

::: {.cell}
::: {.cell-output-display}
![A single panel.](study_files/figure-html/fig-one-1.png){#fig-one width=672}
:::
:::

See @tbl-fit, @fig-bands and @fig-one. {{< fa car >}}
"""


def test_knitr_labelled_cell_divs_number_as_quarto_numbers_them(tmp_path):
    (tmp_path / "_quarto.yml").write_text("project:\n  title: K\nexecute:\n  freeze: true\n"
                                          "format:\n  html: default\n  docx: default\n", encoding="utf-8")
    (tmp_path / "study.qmd").write_text(STUDY, encoding="utf-8")
    write_frozen(tmp_path, "study.qmd", STUDY_FROZEN, engine="knitr", figures=tuple(
        f"figure-html/{name}.png" for name in ("fig-bands-1", "fig-bands-2", "fig-one-1")))
    result = run(tmp_path)
    assert not result.unresolved and not [w for w in result.warnings if "kernel" in w]  # freeze: no kernel asked
    # An unknown shortcode left in the frozen Markdown is reported at the author's line.
    assert "study.qmd:25: shortcode {{< fa car >}} is not supported by the embedded engine; left as written" in (
        result.warnings)
    for text in (html_text(result.outputs["html"]), docx_text(result.outputs["docx"])):
        assert "See Table 1, Figure 1 and Figure 2." in text
        assert "Table 1: Model fit by band" in text and "low" in text and "0.71" in text
        assert "Figure 1: Throws by band." in text and "Figure 2: A single panel." in text
        assert "Figure 3" not in text  # the panels are parts of Figure 1
    assert result.outputs["html"].read_text(encoding="utf-8").count("data:image/png;base64,") == 3


def test_a_hash_of_the_source_with_its_includes_expanded_counts_as_unchanged(tmp_path):
    # Recent Quarto hashes the Markdown it executed, includes expanded (freeze.ts `freezeInputHash(input, markdown)`).
    root = frozen_project(tmp_path)
    part = "Methods are described in the protocol.\n"
    (root / "_methods.qmd").write_text(part, encoding="utf-8")
    source = SOURCE.replace("## Results\n", "## Results\n\n{{< include _methods.qmd >}}\n")
    (root / "analysis.qmd").write_text(source, encoding="utf-8")
    expanded = source.replace("{{< include _methods.qmd >}}\n", part)
    write_frozen(root, "analysis.qmd", FROZEN, figures=("figure-html/fig-growth-output-1.png",), hash_of=expanded)
    assert [c.status for c in run(root).chapters] == ["frozen"]


def test_a_book_chapter_without_its_kernel_builds_from_its_freezer(tmp_path):
    (tmp_path / "_quarto.yml").write_text("project:\n  type: book\nbook:\n  title: Cars book\n  chapters:\n"
                                          "    - index.qmd\n    - chapters/cars.qmd\nformat: html\n", encoding="utf-8")
    (tmp_path / "index.qmd").write_text("# Preface {.unnumbered}\n\nSee @tbl-cars.\n", encoding="utf-8")
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "cars.qmd").write_text(R_SOURCE, encoding="utf-8")
    write_frozen(tmp_path, "chapters/cars.qmd", R_FROZEN, engine="knitr", figures=("figure-html/fig-speed-1.png",))
    result = run(tmp_path)
    assert [(c.chapter, c.status) for c in result.chapters] == [("index.qmd", "no cells"),
                                                                ("chapters/cars.qmd", "frozen")]
    assert any(w.startswith("chapters/cars.qmd:5: this document's R cells need an R kernel") for w in result.warnings)
    text = html_text(result.outputs["html"])
    assert "See Table 1.1." in text and "Table 1.1: Stopping distances" in text  # numbered by chapter
    assert "There are 50 cars; see Table 1.1 and Figure 1.1." in text


@pytest.mark.parametrize("how", ["dotdot", "symlink"])
def test_a_frozen_figure_outside_the_project_is_refused(tmp_path, how):
    """A committed result is input like any source: the figure it shows is copied into the outputs, so
    one that lies outside the project (by `..` or through a link) must not be."""
    outside = tmp_path / "secret.png"
    outside.write_bytes(png(7, 7))
    root = tmp_path / "project"
    root.mkdir()
    frozen_project(root)
    figure = "analysis_files/figure-html/fig-growth-output-1.png"
    if how == "dotdot":
        write_frozen(root, "analysis.qmd", FROZEN.replace(figure, "analysis_files/../../../secret.png"))
    else:
        linked = root / "_freeze" / "analysis" / "figure-html" / "fig-growth-output-1.png"
        linked.unlink()
        linked.symlink_to(outside)
    with pytest.raises(PathError) as caught:
        run(root)
    assert caught.value.path == "_freeze/analysis/execute-results/html.json"
    assert "outside the project" in caught.value.message
    assert not list(root.rglob("frozen-*")), "nothing was copied from outside"
