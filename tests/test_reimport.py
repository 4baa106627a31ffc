"""Importing an updated draft into an existing project: chapters in _quarto.yml follow the draft,
the author's edits are kept, and the command says what changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from galleyproof.cli import main
from galleyproof.manuscript.reimport import chapter_changes, config_chapters, update_chapters

DATA = Path(__file__).parent / "data" / "import-md"
V1, V2 = DATA / "quarto-authors.md", DATA / "quarto-authors-v2.md"


def run(source: Path, into: Path, capsys, *extra: str) -> tuple[int, dict, str]:
    code = main(["import", str(source), "--into", str(into), "--format", "json", *extra])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out else {}, err


def book(into: Path) -> list[str]:
    return yaml.safe_load((into / "_quarto.yml").read_text(encoding="utf-8"))["book"]["chapters"]


def test_updated_draft_updates_chapters_and_says_what_changed(tmp_path, capsys):
    run(V1, tmp_path, capsys)
    config = tmp_path / "_quarto.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("format:", "# my own note\nformat:"),
                      encoding="utf-8")
    code, report, err = run(V2, tmp_path, capsys)
    assert code == 0
    assert book(tmp_path) == ["index.qmd", "chapters/01-introduction.qmd", "chapters/02-biological-pathways.qmd",
                              "chapters/03-discussion.qmd", "chapters/references.qmd"]
    assert "# my own note" in config.read_text(encoding="utf-8")  # the hand edit stays
    assert report["chapter_changes"] == {
        "added": ["chapters/03-discussion.qmd"], "removed": [],
        "renamed": [{"from": "chapters/02-pathways.qmd", "to": "chapters/02-biological-pathways.qmd"}]}
    assert "added chapters/03-discussion.qmd" in err
    assert "renamed chapters/02-pathways.qmd -> chapters/02-biological-pathways.qmd" in err
    # The draft's new text reaches a chapter nobody edited; the renamed chapter's old file goes.
    assert "matters a great deal" in (tmp_path / "chapters/01-introduction.qmd").read_text(encoding="utf-8")
    assert report["deleted"] == ["chapters/02-pathways.qmd"] and not (tmp_path / "chapters/02-pathways.qmd").exists()

    code, report, _ = run(V2, tmp_path, capsys)  # again: nothing to do
    assert code == 0 and report["written"] == [] and report["chapter_changes"]["added"] == []


def test_removed_chapter_edited_by_the_author_is_left_in_place(tmp_path, capsys):
    run(V2, tmp_path, capsys)
    discussion = tmp_path / "chapters/03-discussion.qmd"
    discussion.write_text(discussion.read_text(encoding="utf-8") + "\nMy own paragraph.\n", encoding="utf-8")
    code, report, err = run(V1, tmp_path, capsys)
    assert code == 0
    assert report["chapter_changes"]["removed"] == ["chapters/03-discussion.qmd"]
    assert report["left"] == ["chapters/03-discussion.qmd"] and "My own paragraph." in discussion.read_text()
    assert "left chapters/03-discussion.qmd in place" in err
    assert "chapters/03-discussion.qmd" not in book(tmp_path)


def test_an_edited_chapter_is_never_overwritten_without_force(tmp_path, capsys):
    run(V1, tmp_path, capsys)
    intro = tmp_path / "chapters/01-introduction.qmd"
    intro.write_text(intro.read_text(encoding="utf-8") + "\nAn edit.\n", encoding="utf-8")
    code, _, err = run(V2, tmp_path, capsys)
    assert code == 2 and "01-introduction.qmd" in err and "--force" in err
    assert "An edit." in intro.read_text(encoding="utf-8") and book(tmp_path)[2] == "chapters/02-pathways.qmd"
    code, report, _ = run(V2, tmp_path, capsys, "--force")
    assert code == 0 and "An edit." not in intro.read_text(encoding="utf-8")
    assert report["chapter_changes"]["renamed"]


def test_without_a_record_every_changed_file_counts_as_edited(tmp_path, capsys):
    """A fresh clone has no .galleyproof-cache/: the import cannot tell an edit from the old draft."""
    run(V1, tmp_path, capsys)
    (tmp_path / ".galleyproof-cache" / "import.json").unlink()
    code, _, err = run(V2, tmp_path, capsys)
    assert code == 2 and "01-introduction.qmd" in err


# --- the pieces --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("book:\n  title: T\n  chapters:\n  - index.qmd\n  - a.qmd\nformat: html\n",
                 "book:\n  title: T\n  chapters:\n  - index.qmd\n  - b.qmd\n  - c.qmd\nformat: html\n", id="block"),
    pytest.param("book:\n  chapters:\n    - index.qmd   \n    - a.qmd\n  # keep me\n  appendices: [x.qmd]\n",
                 "book:\n  chapters:\n    - index.qmd\n    - b.qmd\n    - c.qmd\n  # keep me\n  appendices: [x.qmd]\n",
                 id="indented-items-comment-after"),
    pytest.param("# top\nbook:\n  chapters: [index.qmd, a.qmd]  # mine\n",
                 "# top\nbook:\n  chapters: [index.qmd, b.qmd, c.qmd]\n", id="flow"),
    pytest.param("book:\n  chapters:\n  - index.qmd\n  - part: One\n    chapters: [a.qmd]\n", None,
                 id="parts-untouched"),
    pytest.param("project:\n  type: book\n", None, id="no-book"),
])
def test_update_chapters_in_place(text, expected):
    assert update_chapters(text, ["index.qmd", "b.qmd", "c.qmd"]) == expected


def test_parts_are_reported_not_rewritten(tmp_path, capsys):
    run(V1, tmp_path, capsys)
    config = tmp_path / "_quarto.yml"
    with_parts = config.read_text(encoding="utf-8").replace(
        "  - chapters/02-pathways.qmd\n", "  - part: Body\n    chapters:\n    - chapters/02-pathways.qmd\n")
    config.write_text(with_parts, encoding="utf-8")
    assert config_chapters(with_parts) is None
    code, report, _ = run(V2, tmp_path, capsys)
    assert code == 0 and report["kept"] == ["_quarto.yml"]
    assert config.read_text(encoding="utf-8") == with_parts


@pytest.mark.parametrize(("old", "new", "texts", "expected"), [
    pytest.param(["c/01-a.qmd", "c/02-b.qmd"], ["c/01-a.qmd", "c/02-new.qmd", "c/03-b.qmd"], {},
                 {"added": ["c/02-new.qmd"], "removed": [], "renamed": [{"from": "c/02-b.qmd", "to": "c/03-b.qmd"}]},
                 id="inserted-before-renumbers"),
    pytest.param(["c/01-a.qmd", "c/02-b.qmd"], ["c/01-a.qmd", "c/02-other.qmd"],
                 {"c/02-b.qmd": "# 2 Bees {#sec-bees}\n\nText.", "c/02-other.qmd": "# 2 Wasps {#sec-wasps}\n\nMore."},
                 {"added": ["c/02-other.qmd"], "removed": ["c/02-b.qmd"], "renamed": []}, id="replaced"),
    pytest.param(["c/01-a.qmd", "c/02-paths.qmd"], ["c/01-a.qmd", "c/02-body-paths.qmd"],
                 {"c/02-paths.qmd": "# 2. Paths {#sec-paths}\n\nSame text here.",
                  "c/02-body-paths.qmd": "# 2. Body Paths {#sec-body-paths}\n\nSame text here."},
                 {"added": [], "removed": [], "renamed": [{"from": "c/02-paths.qmd", "to": "c/02-body-paths.qmd"}]},
                 id="retitled"),
])
def test_chapter_changes(old, new, texts, expected):
    assert chapter_changes(old, new, texts, texts).as_dict() == expected
