"""BibTeX through pybtex: fields, people, LaTeX, line numbers and errors that name the line."""

from pathlib import Path

import pytest

from galleyproof.bib.bibtex import entry_lines, format_bibliography, parse_bibliography, parse_bibtex, read_bibliography
from galleyproof.bib.model import Person, Reference
from galleyproof.errors import BibliographyError

BIB = r"""% a comment line
@article{kiecoltglaser2010,
  author = {Kiecolt-Glaser, Janice K. and Gouin, J.-P. and Hantsoo, L.},
  title = {Close relationships, inflammation, and {H}ealth},
  journal = {Neuroscience \& Biobehavioral Reviews},
  year = {2010}, volume = {35}, number = {1}, pages = {33--38},
  doi = {https://doi.org/10.1016/J.NEUBIOREV.2010.09.003}
}

@book{porges2011,
  author = {Porges, Stephen W.},
  title = {The polyvagal theory},
  publisher = {W. W. Norton {\&} Company},
  year = {2011}
}
@article{accent2020, author = {M{\"u}ller, J{\"o}rg}, title = {{\"U}ber Stress}, journal = {J}, year = 2020}
"""


def test_fields_people_and_lines():
    refs = {r.key: r for r in parse_bibliography(BIB, "refs.bib")}
    kg = refs["kiecoltglaser2010"]
    assert kg.line == 2 and kg.source == "refs.bib"
    assert [p.family for p in kg.authors] == ["Kiecolt-Glaser", "Gouin", "Hantsoo"]
    assert kg.authors[1].initials() == "JP"
    assert kg.container == "Neuroscience & Biobehavioral Reviews"
    assert (kg.volume, kg.issue, kg.pages) == ("35", "1", "33-38")
    assert kg.title == "Close relationships, inflammation, and Health"
    assert kg.doi == "10.1016/j.neubiorev.2010.09.003"
    assert refs["porges2011"].entry_type == "book"
    assert refs["porges2011"].line == 10
    assert refs["accent2020"].authors[0] == Person("Müller", "Jörg")
    assert refs["accent2020"].title == "Über Stress"


def test_round_trip_keeps_every_field(tmp_path: Path):
    original = Reference(key="neff2003", authors=(Person("Neff", "K. D."),), year="2003",
                         title="Self-compassion: An alternative conceptualization", container="Self and Identity",
                         volume="2", issue="2", pages="85-101", doi="10.1080/15298860309032")
    path = tmp_path / "out.bib"
    path.write_text(format_bibliography([original]))
    (back,) = read_bibliography(path)
    assert back.authors == original.authors
    for name in ("key", "year", "title", "container", "volume", "issue", "pages", "doi"):
        assert getattr(back, name) == getattr(original, name), name


def test_syntax_error_is_a_finding_that_names_the_file_and_line():
    # An unreadable entry used to reject the whole file (issue 9); now it is reported and skipped.
    bib = parse_bibtex("@article{broken,\n  title = {unclosed\n", "bad.bib")
    assert bib.references == []
    [error] = bib.errors
    assert "bad.bib:1" in str(error)


def test_missing_file_is_a_bibliography_error(tmp_path: Path):
    with pytest.raises(BibliographyError, match="not found"):
        read_bibliography(tmp_path / "nope.bib")


def test_entry_lines_skip_comments_and_strings():
    text = "@string{x = {y}}\n@comment{z}\n\n@misc{key1,\n title={t}}\n"
    assert entry_lines(text) == {"key1": 4}
