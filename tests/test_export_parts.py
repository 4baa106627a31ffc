"""The export's small parts on their own: word counts, figure resolution, anonymisation, safe names,
the atomic swap and the MECA manifest. End-to-end exports are in test_export_package.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

from galleyproof.errors import ExportError
from galleyproof.export import anonymise
from galleyproof.export.checks import count_words, effective_dpi
from galleyproof.export.meca import MANIFEST_NS, XLINK, MecaItem, manifest_xml
from galleyproof.export.safety import safe_name, swap_into_place
from galleyproof.project import Author

AUTHOR = Author("Djamila CHARIF", "Abu Al-Qasim Saadallah University – Algiers 2", "djamila.charif@univ-alger2.dz")
IDENTITY = anonymise.identity_of((AUTHOR,))


@pytest.mark.parametrize("text, words", [
    pytest.param("Self-compassion is kind.", 3, id="hyphenated-word-is-one"),
    pytest.param("As shown [@neff2003; @irwin2011], it helps.", 4, id="citation-keys-not-words"),
    pytest.param("See @fig-years and [the site](https://example.org/a/b).", 4, id="xref-and-link-target"),
    pytest.param("**Bold** and *italic* text {#sec-x}", 4, id="markup-and-attributes"),
    pytest.param("IL-6 rose by 20 % in 2011.", 6, id="numbers-count"),
])
def test_count_words(text, words):
    assert count_words(text) == words


def _png(path: Path, size: tuple[int, int], dpi: float | None) -> Path:
    image = Image.new("RGB", size, "white")
    image.save(path, dpi=(dpi, dpi)) if dpi else image.save(path)
    return path


@pytest.mark.parametrize("size, dpi, width_mm, expected", [
    pytest.param((1800, 900), 300, None, 300, id="embedded-dpi"),
    pytest.param((600, 300), 100, 86, 177, id="small-figure-at-column-width"),
    pytest.param((2032, 1000), None, 172, 300, id="no-dpi-pixels-over-print-width"),
    pytest.param((3000, 1000), 72, 86, 886, id="shrunk-to-column-raises-resolution"),
])
def test_effective_dpi(tmp_path, size, dpi, width_mm, expected):
    value, described = effective_dpi(_png(tmp_path / "f.png", size, dpi), width_mm)
    assert round(value) == expected
    assert f"{size[0]}×{size[1]} px" in described


def test_effective_dpi_unknown_without_metadata_or_print_width(tmp_path):
    value, described = effective_dpi(_png(tmp_path / "f.png", (100, 100), None), None)
    assert value is None and "no dpi recorded" in described


@pytest.mark.parametrize("source, expected", [
    pytest.param("Written by Djamila CHARIF.", "Written by [anonymised for review]."),
    pytest.param("As Charif (2020) argued", "As [anonymised for review] (2020) argued", id="family-name-any-case"),
    pytest.param("Write to djamila.charif@univ-alger2.dz today.", "Write to [anonymised for review] today.",
                 id="email"),
    pytest.param("At Abu Al-Qasim Saadallah\nUniversity – Algiers 2 we", "At [anonymised for review] we",
                 id="affiliation-across-line-break"),
    pytest.param("At Abu Al-Qasim Saadallah University we", "At [anonymised for review] we", id="institution-alone"),
    # Citation keys and image files stay (the package renames identifying files); ids reach HTML and JATS,
    # so an id naming the author is renamed, consistently with its cross-references.
    pytest.param("[@charif2020] and ![x](charif.png){#fig-charif}, see @fig-charif",
                 "[@charif2020] and ![x](charif.png){#fig-anon}, see @fig-anon", id="syntax-kept-working"),
    pytest.param("![Photo by Djamila Charif](a.png)", f"![Photo by {anonymise.MARKER}](a.png)", id="image-caption"),
    # Echoed code and its output reach the reviewer too (was: code left as written).
    pytest.param("```\nauthor = 'Charif'\n```\n", "```\nauthor = '[anonymised for review]'\n```\n",
                 id="code-too"),
    pytest.param("ORCID 0000-0002-1825-0097 and https://orcid.org/0000-0002-1825-009X.",
                 "ORCID [anonymised for review] and [anonymised for review].", id="orcid"),
    pytest.param("Code: https://github.com/someone/analysis and [repo](https://gitlab.com/x/y).",
                 "Code: [anonymised for review] and [repo]{}.", id="repository-links"),
    pytest.param("See https://example.org/page.", "See https://example.org/page.", id="other-links-kept"),
    pytest.param("Mail [me](mailto:djamila.charif@univ-alger2.dz).", "Mail [me]{}.", id="mailto-link"),
    pytest.param("Charifa and Djamilah are other people.", "Charifa and Djamilah are other people.",
                 id="whole-words-only"),
])
def test_redact(source, expected):
    assert anonymise.redact(source, IDENTITY) == expected


def test_anonymise_drops_acknowledgements_and_keeps_the_rest():
    text = ("# Results\n\nIt works.\n\n## Acknowledgements {.unnumbered}\n\nThanks to Djamila.\n\n"
            "### Funding\n\nA grant.\n\n# Discussion\n\nMore.\n")
    out = anonymise.anonymise_markdown(text, IDENTITY)
    assert "Acknowledgements" not in out and "grant" not in out and "Djamila" not in out
    assert "# Results" in out and "# Discussion\n\nMore." in out
    assert "Thanks to Djamila." in anonymise.identifying_sections(text)


@pytest.mark.parametrize("heading", ["## VI. Acknowledgements", "## A. Funding", "## 5.1: Author Contributions",
                                     "## **7- Acknowledgments**"])
def test_anonymise_drops_numbered_identifying_sections(heading):
    # section numbers as manuscript.numbering reads them: IEEE roman, appendix letters, closing marks
    text = f"# Results\n\nIt works.\n\n{heading}\n\nThanks to Djamila.\n\n# Discussion\n\nMore.\n"
    out = anonymise.anonymise_markdown(text, IDENTITY)
    assert heading not in out and "Djamila" not in out and "# Discussion\n\nMore." in out


def test_find_identity_reports_what_leaked():
    text = "Title\nDjamila   CHARIF\nabu al-qasim saadallah university"
    assert anonymise.find_identity(text, IDENTITY) == ["abu al-qasim saadallah university", "Djamila CHARIF"]
    assert anonymise.find_identity("Nothing to see.", IDENTITY) == []


@pytest.mark.parametrize("name", ["../evil.pdf", "/etc/passwd", "figures/../../x", "a\\b.pdf", "", ".hidden",
                                  "figures/ok/..", "C:/x.pdf"])
def test_unsafe_names_are_refused(name):
    with pytest.raises(ExportError, match="unsafe file name"):
        safe_name(name)


@pytest.mark.parametrize("name", ["manuscript.pdf", "figures/fig-1.png", "preprint-meca.zip"])
def test_safe_names_pass(name):
    assert safe_name(name) == name


def test_swap_replaces_the_old_package_and_leaves_nothing_behind(tmp_path):
    target = tmp_path / "submission" / "j"
    target.mkdir(parents=True)
    (target / "stale.pdf").write_text("old")
    built = tmp_path / "submission" / ".j.build"
    built.mkdir()
    (built / "manuscript.pdf").write_text("new")
    swap_into_place(built, target)
    assert sorted(p.name for p in target.iterdir()) == ["manuscript.pdf"]
    assert sorted(p.name for p in target.parent.iterdir()) == ["j"]


def test_manifest_lists_items_with_type_media_type_and_href():
    xml = manifest_xml([MecaItem("manuscript.pdf", "manuscript", "the paper"),
                        MecaItem("figures/f.png", "figure", "Years <of> & works")])
    root = etree.fromstring(xml)
    assert root.tag == f"{{{MANIFEST_NS}}}manifest"
    items = root.findall(f"{{{MANIFEST_NS}}}item")
    assert [i.get("item-type") for i in items] == ["manuscript", "figure"]
    instances = [i.find(f"{{{MANIFEST_NS}}}instance") for i in items]
    assert [(x.get("media-type"), x.get(f"{{{XLINK}}}href")) for x in instances] == [
        ("application/pdf", "manuscript.pdf"), ("image/png", "figures/f.png")]
    assert items[1].findtext(f"{{{MANIFEST_NS}}}item-description") == "Years <of> & works"
