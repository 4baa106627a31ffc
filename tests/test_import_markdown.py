"""`galleyproof import` of Markdown drafts: YAML front matter kept as metadata, lists that survive
pandoc. Inputs in data/import-md/ (written for these cases); rendered with the real pandoc."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pypandoc
import pytest
import yaml

from galleyproof.cli import main
from galleyproof.manuscript.qmd import read_qmd

DATA = Path(__file__).parent / "data" / "import-md"


def run_import(source: Path, into: Path, capsys) -> dict:
    assert main(["import", str(source), "--into", str(into), "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def front(path: Path) -> dict:
    return read_qmd(path).metadata


@pytest.mark.parametrize(("case", "title", "chapters"), [
    pytest.param("quarto-authors", "Kindness and Cells: A Short Review", 2, id="quarto-author-schema"),
    pytest.param("simple-front-matter", "On Kindness", 2, id="simple"),
])
def test_front_matter_is_kept_as_metadata(case, title, chapters, tmp_path, capsys):
    source = DATA / f"{case}.md"
    written = yaml.safe_load(source.read_text(encoding="utf-8").split("---\n")[1])
    report = run_import(source, tmp_path, capsys)
    assert front(tmp_path / "index.qmd") == written  # every key, as the author wrote it
    config = yaml.safe_load((tmp_path / "_quarto.yml").read_text(encoding="utf-8"))
    assert config["book"]["title"] == title
    author = written["author"]
    assert config["book"]["author"] == author
    assert len(report["chapters"]) == chapters  # the first heading is a chapter, not the title
    assert not [i for i in report["issues"] if i["kind"].startswith("front-matter")]
    body = (tmp_path / "index.qmd").read_text(encoding="utf-8").split("---\n", 2)[2]
    assert "title:" not in body and "author:" not in body


def test_quarto_authors_reach_the_rendered_book(tmp_path, capsys):
    """The imported project's front matter is what the renderer's author block reads."""
    run_import(DATA / "quarto-authors.md", tmp_path, capsys)
    meta = front(tmp_path / "index.qmd")
    assert meta["author"][0]["orcid"] == "0000-0002-1825-0097"
    assert meta["author"][0]["affiliations"] == [{"name": "Example University", "department": "Psychology"}]
    assert meta["abstract"] == "We review how kindness toward oneself relates to immune function.\n"


def test_a_rule_of_text_is_not_taken_for_front_matter(tmp_path, capsys):
    report = run_import(DATA / "rule-not-front-matter.md", tmp_path, capsys)
    assert [(i["kind"], i["line"]) for i in report["issues"]][0] == ("front-matter-unread", 1)
    assert front(tmp_path / "index.qmd") == {"title": "On Kindness"}
    html = " ".join(pandoc_html(tmp_path / "index.qmd").split())
    assert "<hr /> <p>A draft copied from a web page: the rule above is not front matter.</p> <hr />" in html


def pandoc_html(path: Path) -> str:
    return subprocess.run([pypandoc.get_pandoc_path(), "-f", "markdown", "-t", "html", str(path)],
                          capture_output=True, text=True, check=True).stdout


def list_items(html: str) -> list[str]:
    """The text of every list item, without its nested lists."""
    root = ElementTree.fromstring(f"<div>{html}</div>")
    items = []
    for li in root.iter("li"):
        parts = [li.text or ""]
        for child in li:
            if child.tag not in ("ul", "ol"):
                parts.append("".join(child.itertext()))
            parts.append(child.tail or "")
        items.append(" ".join("".join(parts).split()))
    return items


def test_lists_survive_as_lists(tmp_path, capsys):
    run_import(DATA / "lists.md", tmp_path, capsys)
    html = pandoc_html(tmp_path / "chapters" / "01-introduction.qmd")
    items = list_items(html)
    assert "to map the pathways;" in items and "including nested points" in items
    assert "to weigh the evidence [@neff2003];" in items  # the citation converted, inside its item
    assert {"search the literature", "screen the abstracts"} <= set(items)
    assert {"a bullet pasted from a word processor", "another pasted bullet"} <= set(items)
    assert any(i.startswith("A bold lead-in item: Its text continues") for i in items)
    assert len(re.findall(r"<ol", html)) == 1 and "<ul>\n<li>including nested points" in html
    assert "<p>The aims of this review are:</p>" in html
    assert "2003. The line above is prose, not a list." in re.sub(r"\s+", " ", html)  # a wrapped year
    text = (tmp_path / "chapters" / "01-introduction.qmd").read_text(encoding="utf-8")
    assert "•" not in text and "The aims of this review are:\n\n- to map" in text


def test_list_prose_is_otherwise_as_written(tmp_path, capsys):
    """Only markup changes: a blank line before a list, '- ' for a pasted bullet, pandoc citations."""
    run_import(DATA / "lists.md", tmp_path, capsys)
    chapter = (tmp_path / "chapters" / "01-introduction.qmd").read_text(encoding="utf-8")
    source = (DATA / "lists.md").read_text(encoding="utf-8")
    body = source[source.index("The aims"):source.index("## References")].rstrip("\n")
    normalised = body.replace("• ", "- ").replace("(Neff, 2003)", "[@neff2003]")
    assert chapter.split("\n", 2)[2].replace("\n\n", "\n").rstrip("\n") == normalised.replace("\n\n", "\n")
