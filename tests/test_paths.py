"""The path policy (galleyproof/paths.py): nothing a manuscript names is read or written outside the project.

Each case here read or wrote outside the project before the policy existed (issue 13, item 1).
"""

from pathlib import Path

import pytest

from galleyproof.audit.inputs import from_path
from galleyproof.cli import main
from galleyproof.errors import PathError
from galleyproof.paths import check_resources, resources
from galleyproof.project import load_project
from galleyproof.render.embedded import convert, prepare

QUARTO = """project:
  type: book
  output-dir: {output}
book:
  title: "Paths"
{extra}  chapters:
    - index.qmd
bibliography: refs.bib
"""
SECRET = "do not ship this line\n"


def make(root: Path, *, output: str = "_output", extra: str = "", index: str = "# Intro\n\nText.\n") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "_quarto.yml").write_text(QUARTO.format(output=output, extra=extra), encoding="utf-8")
    (root / "index.qmd").write_text(index, encoding="utf-8")
    (root / "refs.bib").write_text("", encoding="utf-8")
    return root


@pytest.fixture
def outside(tmp_path) -> Path:
    """A file beside the project, which nothing in the project may read or overwrite."""
    secret = tmp_path / "secret.png"
    secret.write_text(SECRET, encoding="utf-8")
    return secret


# -- outputs ------------------------------------------------------------------------------------------

def test_output_file_with_folders_is_refused_at_load(tmp_path):
    root = make(tmp_path / "p", extra="  output-file: ../../escaped\n")
    with pytest.raises(PathError, match="plain file name") as caught:
        load_project(root)
    assert caught.value.path.endswith("_quarto.yml") and caught.value.line == 6


def test_output_dir_outside_the_project_is_refused(tmp_path):
    root = make(tmp_path / "p", output="../elsewhere")
    with pytest.raises(PathError, match="output directory '../elsewhere' lies outside the project") as caught:
        load_project(root)
    assert caught.value.line == 3


def test_symlinked_output_folder_leading_outside_is_refused(tmp_path):
    root = make(tmp_path / "p")
    (tmp_path / "elsewhere").mkdir()
    (root / "_output").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(PathError, match="outside the project"):
        load_project(root)


def test_symlinked_output_folder_inside_the_project_is_fine(tmp_path):
    root = make(tmp_path / "p")
    (root / "built").mkdir()
    (root / "_output").symlink_to(root / "built")
    assert load_project(root).output_dir == (root / "built").resolve()


def test_an_output_file_shipped_as_a_link_is_replaced_not_followed(tmp_path, outside):
    root = make(tmp_path / "p")
    project = load_project(root)
    (root / "_output").mkdir()
    (root / "_output" / "manuscript.html").symlink_to(outside)
    prepared = prepare(project)
    out = convert(prepared, "html", root / "_output" / "manuscript.html")
    assert outside.read_text(encoding="utf-8") == SECRET
    assert not out.is_symlink() and "Intro" in out.read_text(encoding="utf-8")


def test_build_refuses_output_dir_outside_through_the_cli(tmp_path, capsys):
    root = make(tmp_path / "p", output="/tmp")
    assert main(["build", "--project", str(root), "--engine", "embedded", "--offline"]) == 2
    err = capsys.readouterr().err
    assert "_quarto.yml:3" in err and "outside the project" in err and "Traceback" not in err


# -- a standalone manuscript's bibliography -----------------------------------------------------------

def test_standalone_qmd_bibliography_outside_its_folder_is_refused(tmp_path):
    (tmp_path / "other.bib").write_text("@article{a, title={T}, year={2020}}\n", encoding="utf-8")
    paper = tmp_path / "paper" / "paper.qmd"
    paper.parent.mkdir()
    paper.write_text("---\ntitle: P\nbibliography: ../other.bib\n---\n\nSee [@a].\n", encoding="utf-8")
    with pytest.raises(PathError, match="bibliography '../other.bib' lies outside the project") as caught:
        from_path(paper)
    assert caught.value.path == str(paper) and caught.value.line == 3


def test_standalone_qmd_bibliography_absolute_path_is_refused(tmp_path):
    paper = tmp_path / "paper.qmd"
    paper.write_text("---\nbibliography:\n  - /etc/passwd\n---\n\nText.\n", encoding="utf-8")
    with pytest.raises(PathError, match="/etc/passwd"):
        from_path(paper)


def test_standalone_qmd_bibliography_beside_it_is_read(tmp_path):
    (tmp_path / "refs.bib").write_text("@article{a, title={T}, year={2020}}\n", encoding="utf-8")
    paper = tmp_path / "paper.qmd"
    paper.write_text("---\nbibliography: refs.bib\n---\n\nSee [@a].\n", encoding="utf-8")
    assert [r.key for r in from_path(paper).references] == ["a"]


# -- resources the Markdown embeds --------------------------------------------------------------------

@pytest.mark.parametrize("markdown, targets", [
    pytest.param("![a](fig.png)", ["fig.png"], id="inline"),
    pytest.param('![a [nested] alt](<my fig.png> "title")', ["my fig.png"], id="angle-brackets-nested-alt"),
    pytest.param("![a](f(1).png)", ["f(1).png"], id="balanced-parens"),
    pytest.param("![a][ref]\n\n[ref]: ../x.png", ["../x.png"], id="by-reference"),
    pytest.param("[ref]: ../x.png\n\nonly a link [ref]", [], id="definition-used-by-a-link-only"),
    pytest.param('<img class="x" src="/etc/hostname">', ["/etc/hostname"], id="html-img"),
    pytest.param("{{< include ../other.qmd >}}", ["../other.qmd"], id="quarto-include"),
    pytest.param("`![a](code.png)`", [], id="inline-code"),
    pytest.param("```\n![a](code.png)\n```", [], id="fenced-code"),
    pytest.param(r"\![a](not-an-image.png)", [], id="escaped"),
])
def test_resources_found(markdown, targets):
    assert [r.target for r in resources(markdown)] == targets


@pytest.mark.parametrize("target", [
    "../secret.png", "/etc/hostname", "file:///etc/hostname", "%2E%2E/secret.png", "sub/../../secret.png",
])
def test_image_outside_is_refused_with_file_and_line(tmp_path, target):
    root = make(tmp_path / "p")
    with pytest.raises(PathError, match="image .* lies outside the project") as caught:
        check_resources(f"# T\n\nText.\n\n![x]({target})\n", root, source="index.qmd")
    assert (caught.value.path, caught.value.line) == ("index.qmd", 5)


def test_remote_and_inline_images_are_not_local_reads(tmp_path):
    root = make(tmp_path / "p")
    check_resources("![a](https://example.org/a.png) ![b](data:image/png;base64,AAAA) ![c](#anchor)", root,
                    source="index.qmd")


def test_build_refuses_an_image_outside_before_pandoc_runs(tmp_path, outside, capsys):
    root = make(tmp_path / "p", index="# Intro\n\nText.\n\n![leak](../secret.png)\n")
    code = main(["build", "--project", str(root), "--engine", "embedded", "--offline", "--to", "html"])
    err = capsys.readouterr().err
    assert code == 2 and "index.qmd:5" in err and "../secret.png" in err
    assert not list((root / "_output").glob("*.html")) if (root / "_output").exists() else True


def test_symlinked_image_leading_outside_is_refused(tmp_path, outside):
    root = make(tmp_path / "p", index="# Intro\n\n![fig](fig.png)\n")
    (root / "fig.png").symlink_to(outside)
    with pytest.raises(PathError, match="'fig.png' lies outside the project") as caught:
        prepare(load_project(root))
    assert caught.value.line == 3


def test_asis_cell_output_naming_an_outside_image_is_refused_before_pandoc(tmp_path, outside):
    cell = '```{python}\n#| output: asis\nprint("![x](../secret.png)")\n```\n'
    root = make(tmp_path / "p", index=f"# Intro\n\n{cell}")
    project = load_project(root)
    prepared = prepare(project)
    with pytest.raises(PathError, match="outside the project"):
        convert(prepared, "docx", root / "_output" / "m.docx")
    assert not (root / "_output" / "m.docx").exists()
