"""How documents look: the HTML template (title block, side contents, citation hover, print CSS, no
network), authors and affiliations in HTML, PDF (Typst) and DOCX, and readable PDF tables.

Through the real engine: pandoc, typst and, for the browser test, Debian's chromium."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pypdf
import pytest
import yaml

from galleyproof.cli import main
from galleyproof.render.embedded import Prepared, convert
from galleyproof.render.look.authors import by_author

DATA = Path(__file__).parent / "data" / "look"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


# --- authors: the spellings Quarto reads, one shape out --------------------------------------------


@pytest.mark.parametrize(("meta", "names", "affiliations"), [
    pytest.param({"author": "Norah Jones"}, ["Norah Jones"], [], id="one-string"),
    pytest.param({"author": ["Norah Jones", "Bill Gates"]}, ["Norah Jones", "Bill Gates"], [], id="list-of-strings"),
    pytest.param({"author": [{"name": "Ada", "affiliation": "A Univ; B Lab"}]}, ["Ada"], ["A Univ", "B Lab"],
                 id="galleyproof-import"),
    pytest.param({"author": {"name": {"given": "Rowan", "family": "Cockett"}, "affiliations": ["Curvenote"]}},
                 ["Rowan Cockett"], ["Curvenote"], id="structured-name"),
    pytest.param({"authors": [{"name": {"literal": "M. Vuorre"}, "affiliation": [{"ref": 1}]},
                              {"name": "E. Author", "affiliation": [{"ref": 2}, {"ref": 1}]}],
                  "affiliations": [{"id": 1, "name": "Tilburg University", "department": "Social Psychology"},
                                   {"id": 2, "name": "Example University"}]},
                 ["M. Vuorre", "E. Author"], ["Social Psychology, Tilburg University", "Example University"],
                 id="refs-to-top-level"),
    pytest.param({"author": [], "authors": [{"name": "Hidden"}]}, [], [], id="cleared-for-anonymity"),
])
def test_authors_normalise_to_quartos_views(meta, names, affiliations):
    authors, places = by_author(meta)
    assert [a["name"]["literal"] for a in authors] == names
    assert [p["display"] for p in places] == affiliations
    assert [p["number"] for p in places] == list(range(1, len(places) + 1))


def test_orcid_and_corresponding_are_kept():
    meta = yaml.safe_load((DATA / "front.yml").read_text(encoding="utf-8"))
    authors, places = by_author(meta)
    assert [a.get("orcid") for a in authors] == ["0000-0002-0760-5497", "0000-0002-7859-8394"]
    assert authors[0]["corresponding"] is True and "corresponding" not in authors[1]
    assert [[p["number"] for p in a["affiliations"]] for a in authors] == [[1], [1, 2]]
    assert places[1]["display"] == "Earth Sciences, Simon Fraser University, Burnaby, Canada"


# --- the three formats -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def article(tmp_path_factory) -> Prepared:
    root = tmp_path_factory.mktemp("look")
    markdown = root / "article.md"
    markdown.write_text((DATA / "article.md").read_text(encoding="utf-8"), encoding="utf-8")
    meta = yaml.safe_load((DATA / "front.yml").read_text(encoding="utf-8"))
    return Prepared(root, markdown, root, meta, [], DATA / "refs.bib", None,
                    options={"html": {"toc": True}, "pdf": {}, "docx": {}})


def test_html_title_block_toc_and_no_external_resource(article, tmp_path):
    html = convert(article, "html", tmp_path / "a.html").read_text(encoding="utf-8")
    header = " ".join(re.search(r'<header id="title-block-header".*?</header>', html, re.S).group(0).split())
    for text in ("La Palma Earthquakes", "Seismic swarms before the 2021 eruption", "Steve Purves", "Rowan Cockett",
                 "Curvenote", "Earth Sciences, Simon Fraser University, Burnaby, Canada", "2024-05-01",
                 "In September 2021 seismic activity", "La Palma, Earthquakes", "mailto:steve@curvenote.com"):
        assert text in header, text
    assert header.count('href="https://orcid.org/0000-0002-') == 2
    assert re.search(r'<nav id="TOC" class="toc-sidebar".*?href="#sec-methods"', html, re.S)
    assert '<a href="#ref-neff2003" role="doc-biblioref">' in html and 'id="ref-neff2003"' in html
    assert "@media print" in html and "citation-popup" in html
    # Self-contained: nothing to fetch (links are not fetched; src/stylesheet/import would be).
    assert not re.search(r"""<link\b|<script[^>]*\bsrc=|@import|\bsrc=["']?(https?:)?//""", html)


def test_html_numbers_sections_when_asked(article, tmp_path):
    article.options["html"] = {"toc": True, "number-sections": True}
    try:
        html = " ".join(convert(article, "html", tmp_path / "n.html").read_text(encoding="utf-8").split())
    finally:
        article.options["html"] = {"toc": True}
    assert '<span class="header-section-number">1.1</span> Methods' in html
    assert '<span class="toc-section-number">2</span> Results' in html


def test_pdf_prints_authors_affiliations_and_orcid(article, tmp_path):
    pdf = pypdf.PdfReader(convert(article, "pdf", tmp_path / "a.pdf"))
    first = " ".join(pdf.pages[0].extract_text().split())
    for text in ("Steve Purves", "Rowan Cockett", "Curvenote", "steve@curvenote.com", "In September 2021",
                 "Earth Sciences, Simon Fraser University, Burnaby, Canada"):
        assert text in first, text
    links = [a.get_object().get("/A", {}).get("/URI") for a in pdf.pages[0].get("/Annots", [])]
    assert "https://orcid.org/0000-0002-0760-5497" in links
    assert pdf.metadata["/Author"] == "Steve Purves & Rowan Cockett"


def test_pdf_tables_stay_inside_the_margin_unhyphenated(article, tmp_path):
    path = convert(article, "pdf", tmp_path / "t.pdf")
    words = _words(path)
    right = max(x for _, x in words if not _in_table(_)) + 1  # the text column's right edge
    assert all(x <= right for _, x in words), [w for w in words if w[1] > right]
    table = [w for w, _ in words if _in_table(w)]
    assert {"unverified", "points_elsewhere", "missing_doi"} <= set(table)
    assert not [w for w in table if w.endswith(("-", "\u00ad"))]  # no word broken by hyphenation


def _words(pdf: Path) -> list[tuple[str, float]]:
    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [(w, float(x)) for x, w in re.findall(r'xMax="([\d.]+)"[^>]*>([^<]*)</word>', bbox)]


def _in_table(word: str) -> bool:
    return word in {"unverified", "points_elsewhere", "missing_doi", "Status", "Description", "Works"}


def test_docx_has_the_author_block_before_the_text(article, tmp_path):
    path = convert(article, "docx", tmp_path / "a.docx")
    with zipfile.ZipFile(path) as docx:
        body = re.sub(r"<[^>]+>", " ", docx.read("word/document.xml").decode("utf-8"))
        core = docx.read("docProps/core.xml").decode("utf-8")
        custom = docx.read("docProps/custom.xml").decode("utf-8") if "docProps/custom.xml" in docx.namelist() else ""
    text = " ".join(body.split())
    assert "Steve Purves : Curvenote. ORCID 0000-0002-0760-5497 . steve@curvenote.com (corresponding author)" in text
    assert "Rowan Cockett : Curvenote; Earth Sciences, Simon Fraser University, Burnaby, Canada" in text
    assert text.index("Rowan Cockett :") < text.index("In September 2021") < text.index("Introduction")
    assert "<dc:creator>Steve Purves; Rowan Cockett</dc:creator>" in core
    assert "affiliations" not in custom and "by-author" not in custom


@pytest.mark.parametrize("fmt", ["html", "pdf", "docx"])
def test_an_anonymised_copy_names_nobody(article, tmp_path, fmt):
    path = convert(article, fmt, tmp_path / f"anon.{fmt}", metadata={"author": [], "affiliation": [], "email": ""})
    if fmt == "pdf":
        text = " ".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
    elif fmt == "docx":
        with zipfile.ZipFile(path) as docx:
            text = " ".join(docx.read(n).decode("utf-8") for n in docx.namelist() if n.endswith(".xml"))
    else:
        text = path.read_text(encoding="utf-8")
    for leak in ("Purves", "Cockett", "Curvenote", "Simon Fraser", "0000-0002-0760-5497"):
        assert leak not in text, leak


# --- in a browser --------------------------------------------------------------------------------------


@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _open(browser, path: Path, width: int):
    """A page on `path` where every request that is not the file itself (or inline data) is refused."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.left = []  # requests that would have left the page
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))

    def guard(route):
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            page.left.append(url)
            route.abort()

    page.route("**/*", guard)
    page.goto(path.as_uri())
    return page


def _box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


@pytest.mark.browser
@pytest.mark.slow
def test_manuscript_html_in_chromium(browser, project_copy, tmp_path):
    assert main(["build", "--project", str(project_copy), "--to", "html", "--offline", "--engine", "embedded",
                 "--format", "json", "--output", str(tmp_path / "build.json")]) == 0
    html = project_copy / "_output" / "manuscript.html"

    page = _open(browser, html, 1400)
    page.screenshot(path=str(tmp_path / "wide.png"))
    header, toc, main_box = _box(page, "#title-block-header"), _box(page, "nav#TOC"), _box(page, "main")
    assert header["y"] < 100 and header["height"] > 150  # the title block opens the page
    assert page.locator("#title-block-header h1.title").inner_text().startswith("The Psychoneurological Approach")
    assert "Djamila CHARIF" in page.locator(".quarto-title-meta-author").inner_text()
    assert "Abu Al-Qasim Saadallah University" in page.locator(".quarto-title-meta-author").inner_text()
    assert page.inner_text("main").lower().count("keywords") == 1  # the author's own line, not repeated
    assert page.is_visible("nav#TOC") and toc["x"] >= main_box["x"] + main_box["width"]  # beside the text
    assert toc["y"] < 100 and page.locator("nav#TOC a").count() > 10
    assert page.locator("nav#TOC").inner_text().startswith("On this page")

    citation = page.locator("main a[href^='#ref-']").first
    citation.scroll_into_view_if_needed()
    citation.hover()
    popup = page.locator("#citation-popup")
    assert popup.is_visible() and re.search(r"\(\d{4}\)", popup.inner_text())  # the APA entry
    page.screenshot(path=str(tmp_path / "hover.png"))
    reference = page.locator("main a[href='#tbl-evidence-map']").first  # a cross-reference previews its target
    reference.scroll_into_view_if_needed()
    reference.hover()
    assert popup.is_visible() and "Evidence map" in popup.inner_text() and popup.locator("table").count() == 1

    page.emulate_media(media="print")
    assert not page.is_visible("nav#TOC")
    page.close()

    narrow = _open(browser, html, 420)
    narrow.screenshot(path=str(tmp_path / "narrow.png"))
    toc, main_box = _box(narrow, "nav#TOC"), _box(narrow, "main")
    assert toc["y"] < main_box["y"] and main_box["width"] <= 420  # contents above, nothing wider than the screen
    assert toc["height"] < 100 and _box(narrow, "#title-block-header")["y"] < 200  # folded: the title shows
    narrow.click("nav#TOC summary")
    assert narrow.locator("nav#TOC a").first.is_visible()
    assert narrow.evaluate("document.documentElement.scrollWidth") <= 420
    assert page.left == [] and narrow.left == [] and page.errors == [] and narrow.errors == []


@pytest.mark.browser
def test_single_document_callouts_and_margin_notes(browser, tmp_path):
    """A one-file project without a table of contents: the text is centred, callouts are Quarto's boxes,
    a margin note sits in the right margin."""
    source = tmp_path / "note.qmd"
    source.write_text("---\ntitle: A Short Note\nauthor: Ada Example\nformat:\n  html:\n    toc: false\n---\n\n"
                      "## Background\n\n::: {.callout-warning}\nCareful here.\n:::\n\n"
                      "::: {.column-margin}\nA margin note.\n:::\n\nText after the note.\n", encoding="utf-8")
    assert main(["build", "--project", str(source), "--to", "html", "--offline", "--engine", "embedded",
                 "--format", "json", "--output", str(tmp_path / "build.json")]) == 0
    page = _open(browser, tmp_path / "_output" / "note.html", 1400)
    page.screenshot(path=str(tmp_path / "note.png"))
    assert page.locator("nav#TOC").count() == 0
    text = _box(page, "main")
    assert abs((text["x"] + text["width"] / 2) - 700) < 40  # centred
    callout = page.locator("div.callout-warning")
    assert callout.evaluate("e => getComputedStyle(e).borderLeftColor") == "rgb(255, 193, 7)"
    assert "Careful here." in callout.inner_text()
    margin = _box(page, ".column-margin")
    assert margin["x"] >= text["x"] + text["width"]  # beside the text, not in it
    assert page.left == [] and page.errors == []
