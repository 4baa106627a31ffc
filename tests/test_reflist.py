"""Plain-text reference lists in every common style: split, parsed, and on the lines editors count."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from galleyproof.audit.run import audit_path
from galleyproof.bib.encoding import split_lines
from galleyproof.bib.reflist import parse_reference_text, read_reference_list
from galleyproof.errors import BibliographyError

DATA = Path(__file__).parent / "data" / "reflists"
COMPAT = Path(__file__).resolve().parents[1].parent / "shared" / "compat" / "reflists"


def compat(name: str) -> str:
    path = COMPAT / name
    if not path.is_file():
        pytest.skip(f"{path} is missing")
    return path.read_text(encoding="utf-8")


def people_count(name: str) -> list[int]:
    """The references a person counts, by their first line, found independently of the reader:
    numbered lists by their `[n]` markers, hanging-indent lists by their unindented lines."""
    lines = split_lines(compat(name))
    numbered = [n for n, line in enumerate(lines, 1) if re.match(r"^\s*\[\d+\]", line)]
    if numbered:
        return numbered
    return [n for n, line in enumerate(lines, 1) if line.replace("\f", "")[:1].strip()]


@pytest.mark.parametrize("name, readme_count", [("bd413nt2715.txt", 74), ("bh989ww6442.txt", 216)])
def test_real_lists_are_found_whole_on_their_lines(name: str, readme_count: int):
    expected = people_count(name)
    assert len(expected) == readme_count  # the README's count, verified by reading the file
    found = read_reference_list(compat(name), name).references
    lines = [f.first for f in found]
    assert len(set(lines) & set(expected)) >= 0.97 * readme_count
    assert set(lines) <= set(expected)  # no reference starts on a line a person would not start one on
    for f in found:
        ref = f.reference
        assert ref.year and ref.title and ref.authors, ref.raw
        assert not ref.title.endswith("-") and len(ref.title.split()) >= 2, ref.raw
        # The title is whole: in the joined text it is followed by its closing punctuation.
        assert ref.title.endswith(("?", "!")) or re.search(re.escape(ref.title) + r"\s*[.?!,”\"]", ref.raw), \
            (ref.title, ref.raw)


@pytest.mark.parametrize("name, line, title", [
    pytest.param("bd413nt2715.txt", 6, "Negotiating gender roles: Gender differences in assertive negotiating are "
                 "mediated by women’s fear of backlash and attenuated when negotiating on behalf of others",
                 id="apa-four-lines"),
    pytest.param("bd413nt2715.txt", 137, "Addressing moderated mediation hypotheses: Theory, methods, and "
                 "prescriptions", id="apa-after-form-feed"),
    pytest.param("bh989ww6442.txt", 70, "Efficient non-linear model reduction via a least-squares petrov–galerkin "
                 "projection and compressive tensor approximations", id="numbered-hyphenation-removed"),
    pytest.param("bh989ww6442.txt", 63, "Model reduction for large-scale systems with high-dimensional parametric "
                 "input space", id="numbered-compound-hyphen-kept"),
])
def test_wrapped_titles(name: str, line: int, title: str):
    found = {f.first: f.reference for f in read_reference_list(compat(name), name).references}
    assert found[line].title == title


def _line_of(path: Path, start: str) -> int:
    return next(n for n, line in enumerate(split_lines(path.read_text(encoding="utf-8")), 1)
                if line.lstrip("\f").lstrip().startswith(start))


STYLES = {
    "harvard-elsevier.txt": [
        ("Alipanahi, B.", "2015", "Alipanahi", "Predicting the sequence specificities of DNA- and RNA-binding proteins "
         "by deep learning", "10.1038/nbt.3300", "33", "831-838"),
        ("Porges, S.W.", "2011", "Porges", "The Polyvagal Theory: Neurophysiological Foundations of Emotions, "
         "Attachment, Communication, and Self-regulation", "", "", ""),
        ("van der Maaten", "2008", "van der Maaten", "Visualizing data using t-SNE", "", "9", "2579-2605"),
    ],
    "vancouver.txt": [
        ("1. Alipanahi", "2015", "Alipanahi", "Predicting the sequence specificities of DNA- and RNA-binding proteins "
         "by deep learning", "10.1038/nbt.3300", "33", "831-8"),
        ("3. World Health", "2016", "World Health Organization", "Global report on diabetes", "", "", ""),
        ("4. Keserű", "2006", "Keserű", "Hit discovery and hit-to-lead approaches", "10.1016/j.drudis.2006.06.016",
         "11", "741-8"),
    ],
    "chicago-mla.txt": [
        ("Boettiger, Carl", "2013", "Boettiger", "Early Warning Signals: The Charted and Uncharted Territories",
         "10.1007/s12080-013-0192-6", "6", "255-64"),
        ("Alipanahi, Babak", "2015", "Alipanahi", "Predicting the Sequence Specificities of DNA- and RNA-Binding "
         "Proteins by Deep Learning", "10.1038/nbt.3300", "33", "831-38"),
        ("Morrison, Toni", "1987", "Morrison", "Beloved", "", "", ""),
    ],
    "ieee-chapters.txt": [
        ("[2] B. Alipanahi", "2015", "Alipanahi", "Predicting the sequence specificities of DNA- and RNA-binding "
         "proteins by deep learning", "10.1038/nbt.3300", "33", "831-838"),
        ("[1] G. M. Keser", "2006", "Keserű", "Hit discovery and hit-to-lead approaches", "", "11", "741-748"),
        ("[3] S. W. Porges", "2011", "Porges", "The Polyvagal Theory", "", "", ""),
    ],
    "mixed.txt": [
        ("Neff, K. D.", "2003", "Neff", "Self-compassion: An alternative conceptualization of a healthy attitude "
         "toward oneself", "10.1080/15298860309032", "2", "85-101"),
        ("[2] C. Boettiger", "2013", "Boettiger", "Early warning signals: the charted and uncharted territories",
         "10.1007/s12080-013-0192-6", "6", "255-264"),
        ("[3] van der Maaten", "2008", "van der Maaten", "Visualizing data using t-SNE", "", "9", "2579-605"),
    ],
    "nature.txt": [
        ("1. LeCun", "2015", "LeCun", "Deep learning", "", "521", "436-444"),
        ("2. Alipanahi", "2015", "Alipanahi", "Predicting the sequence specificities of DNA- and RNA-binding proteins "
         "by deep learning", "", "33", "831-838"),
        ("3. Silver", "2016", "Silver", "Mastering the game of Go with deep neural networks and tree search", "",
         "529", "484-489"),
    ],
    "apa7.txt": [
        ("American Psychological", "2020", "American Psychological Association", "Publication manual of the American "
         "Psychological Association (7th ed.)", "10.1037/0000165-000", "", ""),
        ("Neff, K. D.", "2003", "Neff", "Self-compassion: An alternative conceptualization of a healthy attitude "
         "toward oneself", "10.1080/15298860309032", "2", "85-101"),
        ("Smith, A.", "n.d.", "Smith", "A web page without a date", "", "", ""),
    ],
}
COUNTS = {"nature.txt": 3, "apa7.txt": 4, "harvard-elsevier.txt": 5, "vancouver.txt": 5, "chicago-mla.txt": 4,
          "ieee-chapters.txt": 6, "mixed.txt": 6}


@pytest.mark.parametrize("name", list(STYLES))
def test_each_style_field_by_field(name: str):
    path = DATA / name
    audit = audit_path(path, mode="offline", lock_path=Path("/nonexistent") / "lock.json", search=False)
    assert audit["summary"]["total"] == COUNTS[name]
    assert audit["project"] == []  # a bare list cites nothing: no undefined keys invented from it
    found = {f.first: f.reference for f in read_reference_list(path.read_text(encoding="utf-8"), str(path)).references}
    for start, year, first_author, title, doi, volume, pages in STYLES[name]:
        ref = found[_line_of(path, start)]
        assert (ref.year, ref.authors[0].family, ref.title, ref.doi, ref.volume, ref.pages) == \
            (year, first_author, title, doi, volume, pages), start


def test_form_feeds_and_page_headers_do_not_shift_or_split(tmp_path: Path):
    path = DATA / "ieee-chapters.txt"
    text = path.read_text(encoding="utf-8")
    assert "\f" in text
    found = read_reference_list(text, str(path)).references
    starts = [f.first for f in found]
    assert starts == [n for n, line in enumerate(split_lines(text), 1) if re.match(r"^\[\d\]", line)]
    assert all("Thesis About Things" not in f.reference.raw for f in found)  # the running header is dropped


def test_a_document_with_no_reference_says_so(tmp_path: Path):
    path = tmp_path / "notes.txt"
    path.write_text("Mindful self-compassion may sound like a soft idea, but its effects are grounded in science.\n"
                    "Over the past two decades, psychologists have studied it closely (see below).\n", encoding="utf-8")
    with pytest.raises(BibliographyError, match="found no references"):
        audit_path(path, mode="offline", lock_path=tmp_path / "lock.json")


def test_latin1_reference_list_is_read_with_a_warning(tmp_path: Path):
    path = tmp_path / "refs.txt"
    path.write_bytes("Müller, J. (2010). Über Stress. Zeitschrift für Psychologie, 12, 1–10.\n"
                     "Garçon, F. (2011). Naïve methods. Journal of Methods, 3, 4–5.\n".encode("cp1252"))
    audit = audit_path(path, mode="offline", lock_path=tmp_path / "lock.json", search=False)
    assert [r["cited"]["authors"] for r in audit["references"]] == [["Müller"], ["Garçon"]]
    assert len(audit["summary"]["warnings"]) == 1 and "Windows-1252" in audit["summary"]["warnings"][0]


@pytest.mark.parametrize("text", [
    "However, Smith (2010) found that compassion helps.",
    "The results (2019) were clear and the effects are large.",
    "See chapter 3.",
])
def test_prose_is_not_a_reference(text: str):
    assert parse_reference_text(text) is None


def test_a_manuscript_with_a_numbered_list_keeps_prose_and_references_apart(tmp_path: Path):
    from galleyproof.manuscript.source import parse_source

    vancouver = (DATA / "vancouver.txt").read_text(encoding="utf-8")
    prose = ("Deep learning predicts binding specificities [1], and early warning signals are debated [2].\n"
             "Smith and Jones (2019) found the same in 2020 with 45 participants.\n\n")
    text = "A short review\n\n" + prose + vancouver
    manuscript = parse_source(text, "review.txt")
    assert len(manuscript.references) == 5
    assert manuscript.references[0].authors[0].family == "Alipanahi"
    offset = text.count("\n", 0, text.index("1. Alipanahi"))
    assert manuscript.references[0].line == offset + 1
    path = tmp_path / "review.txt"
    path.write_text(text, encoding="utf-8")
    audit = audit_path(path, mode="offline", lock_path=tmp_path / "lock.json", search=False)
    assert audit["summary"]["total"] == 5
    assert not [f for f in audit["project"] if f["kind"] == "undefined_key"]  # "(2019)" is prose, not a citation


@pytest.mark.parametrize("name", ["bd413nt2715.txt", "bh989ww6442.txt"])
def test_the_same_lists_pasted_flush_left_are_split_alike(name: str):
    """Copied from a PDF viewer the hanging indent is often lost: the references are still told apart."""
    text = compat(name)
    flush = "\n".join(line.lstrip(" ") for line in split_lines(text))
    original = [(f.first, f.reference.title) for f in read_reference_list(text).references]
    assert [(f.first, f.reference.title) for f in read_reference_list(flush).references] == original
