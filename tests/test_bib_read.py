"""Reading real and flawed bibliographies entry by entry: BibTeX, biblatex, CSL-JSON, CSL-YAML."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from galleyproof.bib.bibliography import load_bibliography
from galleyproof.bib.bibtex import blank_comments, parse_bibtex
from galleyproof.bib.csl import read_items
from galleyproof.bib.encoding import decode, split_lines
from galleyproof.errors import BibliographyError

DATA = Path(__file__).parent / "data" / "bib"
COMPAT_BIB = Path(__file__).resolve().parents[1].parent / "shared" / "compat" / "bib"
_ENTRY = re.compile(r"^[ \t]*@([A-Za-z]+)[ \t]*[{(][ \t]*([^,\s]+)", re.MULTILINE)


def counted_entries(text: str) -> list[tuple[str, int]]:
    """Entries as a person counts them: `@type{key` openings other than @string/@comment/@preamble."""
    return [(m.group(2), text.count("\n", 0, m.start()) + 1) for m in _ENTRY.finditer(text)
            if m.group(1).lower() not in ("string", "comment", "preamble")]


def compat_files() -> list[Path]:
    files = sorted(COMPAT_BIB.glob("*.bib"))
    if not files:
        pytest.skip("../shared/compat/bib is not beside the repository")
    return files


@pytest.mark.parametrize("name", ["biblatex-examples.bib", "steuwer-thesis.bib", "d2l.bib"])
def test_every_entry_of_real_files_is_read_at_its_line(name: str):
    path = COMPAT_BIB / name
    if not path.is_file():
        pytest.skip(f"{path} is missing")
    text = path.read_text(encoding="utf-8")
    bib = load_bibliography(path)
    assert bib.errors == []
    assert [(r.key, r.line) for r in bib.references] == counted_entries(text)


def test_biblatex_dates_subtitles_and_crossref_in_the_biblatex_examples():
    path = COMPAT_BIB / "biblatex-examples.bib"
    if not path.is_file():
        pytest.skip(f"{path} is missing")
    refs = {r.key: r for r in load_bibliography(path).references}
    works = [r for r in refs.values() if r.entry_type not in ("set", "xdata")]
    # The issue counted 80 of 92 without a year before `date` was read; every dated work has one now.
    assert sum(1 for r in works if not r.year) <= 3
    assert refs["kant:kpv"].year == "1968"  # `date = 1968`, no `year`
    assert refs["westfahl:space"].container == "Space and Beyond"  # title inherited from @collection
    assert refs["westfahl:space"].title.startswith("The True Frontier")
    assert refs["sigfridsson"].container == "Journal of Computational Chemistry"  # `journaltitle`
    assert refs["sigfridsson"].year == "1998"


def test_comment_lines_inside_entries_do_not_reject_the_file():
    path = COMPAT_BIB / "steuwer-thesis.bib"
    if not path.is_file():
        pytest.skip(f"{path} is missing")
    refs = {r.key: r for r in load_bibliography(path).references}
    assert refs["KesslerGoEmDaStKe2011"].year == "2014"  # `%volume = {86},` above it is a comment
    assert refs["KesslerGoEmDaStKe2011"].volume == ""


def test_a_bib_with_every_flaw_audits_every_readable_entry():
    path = DATA / "every-flaw.bib"
    bib = load_bibliography(path)
    text = path.read_text(encoding="utf-8")
    counted = counted_entries(blank_comments(text))
    assert len(bib.references) == len(counted) - 1  # all but the entry whose brace never closes
    kinds = {(i.kind, i.key or "", i.line) for i in bib.issues}
    assert ("unreadable_entry", "unclosed2012", 54) in kinds
    assert ("undefined_macro", "undefinedmacro2010", 26) in kinds
    assert ("duplicate_field", "twotitles2011", 33) in kinds
    assert ("duplicate_key", "porges2011", 47) in kinds
    assert ("missing_crossref", "orphan2020", 94) in kinds
    refs = {(r.key, r.line): r for r in bib.references}
    neff = refs["neff2003", 7]
    assert (neff.volume, neff.container, neff.doi) == ("2", "Self and Identity", "10.1080/15298860309032")
    abele = refs["abele2003", 17]
    assert abele.title.endswith("traits: Findings from a prospective study")
    assert (abele.container, abele.year) == ("Journal of Personality and Social Psychology", "2003")
    odd = refs["undefinedmacro2010", 26]
    assert odd.container == "jpers (Supplement)"  # the macro's name kept as text
    assert odd.title == "A title with an Ümlaut and a 50% share"
    assert [p.family for p in odd.authors] == ["Smith", "van der Berg", "others"]
    assert refs["twotitles2011", 33].title == "The first title wins"
    assert refs["porges2011", 47].title.endswith("again")
    talk = refs["talk2015", 67]
    assert (talk.container, talk.year, talk.publisher) == ("Proceedings of the Conference", "2015", "ACM")
    assert refs["withxdata2019", 79].publisher == "Springer"
    assert refs["vaswani2017", 86].eprint == "arXiv:1706.03762"
    assert refs["vaswani2017", 86].year == "2017"


def test_a_bad_entry_names_file_line_and_reason():
    bib = parse_bibtex("@article{ok1, title={Fine}, year=2001}\n@article{broken,\n  title = {unclosed\n"
                       "@book{ok2, title={Also fine}, year=2002}\n", "bad.bib")
    assert [r.key for r in bib.references] == ["ok1", "ok2"]
    [error] = bib.errors
    assert (error.file, error.line, error.key) == ("bad.bib", 2, "broken")
    assert "cannot be read" in str(error) and str(error).startswith("bad.bib:2: ")


@pytest.mark.parametrize("name, encoding, authors", [
    pytest.param("cp1252.bib", "cp1252", ["Müller", "Garçon", "Café"], id="windows-1252"),
    pytest.param("utf8-bom.bib", "utf-8-sig", ["Müller"], id="utf-8-bom"),
])
def test_encodings_are_detected_and_named_once(name: str, encoding: str, authors: list[str]):
    path = DATA / name
    assert decode(path.read_bytes()).encoding == encoding
    bib = load_bibliography(path)
    assert [p.family for r in bib.references for p in r.authors] == authors
    [warning] = bib.issues
    assert warning.kind == "encoding" and ("Windows-1252" in warning.message or "byte-order" in warning.message)


def test_latin1_without_windows_characters_is_named_latin1(tmp_path: Path):
    path = tmp_path / "latin1.bib"
    path.write_bytes("@book{x, author={Müller, Jörg}, title={Ärger}, year=1999}\n".encode("latin-1"))
    bib = load_bibliography(path)
    assert bib.references[0].authors[0].family == "Müller"
    assert [i.kind for i in bib.issues] == ["encoding"] and "ISO-8859-1" in bib.issues[0].message


def test_form_feeds_are_not_line_breaks():
    assert split_lines("a\fb\r\nc\rd\n") == ["a\fb", "c", "d", ""]


@pytest.mark.parametrize("name", ["refs.json", "refs.yaml"])
def test_csl_bibliographies(name: str):
    bib = load_bibliography(DATA / name)
    first = bib.references[0]
    assert (first.key, first.line, first.doi, first.year) == ("alipanahi2015", 2, "10.1038/nbt.3300", "2015")
    assert first.authors[0].family == "Alipanahi" and first.entry_type == "article"
    second = bib.references[1]
    assert second.entry_type in ("book", "phdthesis") and second.year in ("1808", "2019")
    if name == "refs.json":
        assert second.authors[0].family == "van Beethoven"
        assert [i.kind for i in bib.issues] == ["unreadable_entry"]
    else:
        assert second.authors[0].family == "The Thesis Consortium" and second.line == 12


def test_crossref_csl_json_from_the_registry_examples(shared_dir: Path):
    path = shared_dir / "crossref_examples" / "csl-json_transform_10.1126_science.169.3946.635.json"
    text = path.read_text(encoding="utf-8")
    # The file is one item as Crossref serves it, not a list: wrapped as a user would.
    bib = read_items([json.loads(text)], text, str(path))
    [ref] = bib.references
    assert ref.doi == "10.1126/science.169.3946.635" and ref.entry_type == "article" and ref.pages == "635-641"


def test_unknown_suffix_and_broken_json_are_bibliography_errors(tmp_path: Path):
    (tmp_path / "refs.ris").write_text("TY  - JOUR\n")
    with pytest.raises(BibliographyError, match="cannot read .ris"):
        load_bibliography(tmp_path / "refs.ris")
    (tmp_path / "refs.json").write_text('[{"id": "a",\n "title": }]')
    with pytest.raises(BibliographyError) as caught:
        load_bibliography(tmp_path / "refs.json")
    assert caught.value.line == 2


def test_a_latin1_bib_reaches_pandoc_as_utf8(tmp_path: Path):
    """pandoc's citeproc rejects a non-UTF-8 .bib; the build hands it the UTF-8 copy."""
    import subprocess

    import pypandoc

    from galleyproof.bib.encoding import utf8_copy

    assert utf8_copy(DATA / "every-flaw.bib", tmp_path) == DATA / "every-flaw.bib"
    copy = utf8_copy(DATA / "cp1252.bib", tmp_path / "work")
    assert copy.parent == tmp_path / "work" and "Müller" in copy.read_text(encoding="utf-8")
    doc = tmp_path / "doc.md"
    doc.write_text("See @müller1999.\n", encoding="utf-8")
    pandoc = pypandoc.get_pandoc_path()
    failed = subprocess.run([pandoc, str(doc), "--citeproc", "--bibliography", str(DATA / "cp1252.bib"), "-t", "plain"],
                            capture_output=True, text=True)
    assert failed.returncode != 0 and "UTF-8" in failed.stderr
    done = subprocess.run([pandoc, str(doc), "--citeproc", "--bibliography", str(copy), "-t", "plain"],
                          capture_output=True, text=True, check=True)
    assert "Müller" in done.stdout
