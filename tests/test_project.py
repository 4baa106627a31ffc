"""Reading _quarto.yml and galleyproof.yml: what the engines need, and errors that point at the line."""

from pathlib import Path

import pytest

from galleyproof.errors import ConfigError, ManuscriptError
from galleyproof.project import find_root, load_project, style_path

QUARTO = """project:
  type: book
  output-dir: _site
book:
  title: "A review"
  author:
    - name: Ada Author
      affiliation: Some University
      email: ada@example.org
  chapters:
    - index.qmd
    - part: "Body"
      chapters:
        - chapters/one.qmd
  appendices:
    - chapters/appendix.qmd
bibliography: refs.bib
csl: apa.csl
format:
  html: {}
  docx: {}
"""


def make(tmp_path: Path, quarto: str = QUARTO,
         files=("index.qmd", "chapters/one.qmd", "chapters/appendix.qmd")) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "_quarto.yml").write_text(quarto)
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("# x\n")
    return tmp_path


def test_reads_book_metadata_chapters_and_formats(tmp_path):
    project = load_project(make(tmp_path))
    assert project.title == "A review"
    assert project.authors[0].name == "Ada Author"
    assert project.authors[0].affiliation == "Some University"
    assert [project.relative(c) for c in project.chapters] == ["index.qmd", "chapters/one.qmd",
                                                                "chapters/appendix.qmd"]
    assert project.bibliography == (tmp_path / "refs.bib").resolve()
    assert project.output_dir == (tmp_path / "_site").resolve()
    assert project.formats == ("html", "docx")


def test_found_from_a_subdirectory(tmp_path):
    make(tmp_path)
    assert find_root(tmp_path / "chapters") == tmp_path.resolve()


def test_settings_by_dotted_key(tmp_path):
    make(tmp_path)
    (tmp_path / "galleyproof.yml").write_text("crossref:\n  mailto: a@b.org\n")
    project = load_project(tmp_path)
    assert project.setting("crossref.mailto") == "a@b.org"
    assert project.setting("crossref.url", "default") == "default"


def test_broken_yaml_names_file_and_line(tmp_path):
    make(tmp_path, QUARTO.replace('  title: "A review"', '  title: "A review\n  oops: [1'))
    with pytest.raises(ConfigError) as caught:
        load_project(tmp_path)
    assert caught.value.path.endswith("_quarto.yml") and caught.value.line is not None
    assert caught.value.exit_code == 2


def test_missing_chapter_points_at_its_line(tmp_path):
    make(tmp_path, files=("index.qmd", "chapters/appendix.qmd"))
    with pytest.raises(ManuscriptError, match="chapters/one.qmd") as caught:
        load_project(tmp_path)
    assert caught.value.line == 14  # the "- chapters/one.qmd" item


def test_chapter_outside_the_project_is_refused(tmp_path):
    make(tmp_path, QUARTO.replace("- chapters/one.qmd", "- ../../etc/passwd"))
    with pytest.raises(ConfigError, match="outside the project"):
        load_project(tmp_path)


def test_no_project_here(tmp_path):
    with pytest.raises(ConfigError, match="no _quarto.yml"):
        load_project(tmp_path)


def test_bundled_styles():
    assert style_path("apa").name == "apa.csl"
    with pytest.raises(ConfigError, match="bundled"):
        style_path("chicago")


def test_copy_manuscript_takes_sources_and_leaves_outputs_and_caches(tmp_path):
    from galleyproof.project import copy_manuscript

    source = make(tmp_path / "src")
    (source / "refs.bib").write_text("")
    (source / "references.bib").write_text("@misc{a, title={t}}\n")
    (source / "analysis" / "__pycache__").mkdir(parents=True)
    (source / "analysis" / "tables.py").write_text("X = 1\n")
    (source / "analysis" / "__pycache__" / "tables.pyc").write_bytes(b"\0")
    (source / "_site").mkdir()
    (source / "_site" / "manuscript.html").write_text("old")
    copy = copy_manuscript(source, tmp_path / "copy")
    assert load_project(copy).title == "A review"
    assert (copy / "analysis" / "tables.py").is_file() and (copy / "references.bib").is_file()
    assert not (copy / "analysis" / "__pycache__").exists() and not (copy / "_site").exists()
