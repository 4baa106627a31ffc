"""Double-blind exports of the leak corpus (tests/data/leak/project): no planted identifier survives in
any file the reviewers get, read with outside tools (pdftotext, pdfinfo -meta, unzip of every part,
Pillow on every image), and the export's own leak scan finds what redaction cannot remove.

The title page, the cover letter and the named manuscript exist to identify the authors; every other
file of the package (and of the package zip and the MECA archive) is scanned.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from galleyproof.export import leaks, scrub
from galleyproof.export.identity import identity_of
from galleyproof.pipeline.export import export_submission
from galleyproof.project import load_project

pytestmark = pytest.mark.slow

CORPUS = Path(__file__).parent / "data" / "leak" / "project"
IDENTIFYING_FILES = ("title-page.docx", "cover-letter.docx", "manuscript.pdf", "manuscript.docx")
# (where it is planted, the string): 36 placements of 25 identifiers.
PLACEMENTS = [
    ("_quarto.yml author name", "Bartholomew Quince"),
    ("_quarto.yml co-author name", "Wilhelmina Oakenshield"),
    ("_quarto.yml e-mail", "b.quince@lantern-institute.example"),
    ("_quarto.yml co-author e-mail", "w.oakenshield@dunmere.example"),
    ("_quarto.yml ORCID", "0000-0002-1825-0097"),
    ("_quarto.yml personal URL", "quince-sleep.example.org"),
    ("_quarto.yml affiliation", "Lantern Institute of Cognition"),
    ("_quarto.yml department", "Department of Nocturnal Studies"),
    ("_quarto.yml co-author affiliation", "Dunmere College of Science"),
    ("_quarto.yml funding award", "NT-2291-77"),
    ("_quarto.yml funder", "Nocturne Trust"),
    ("_quarto.yml repo-url", "quince-lab/spindle-analysis"),
    ("_quarto.yml thanks", "Ignatius Brackenbury"),
    ("prose: affiliation", "Lantern Institute of Cognition"),
    ("prose: e-mail", "b.quince@lantern-institute.example"),
    ("prose: mailto link", "w.oakenshield@dunmere.example"),
    ("prose: ORCID iD", "0000-0002-1825-0097"),
    ("prose: personal page link", "quince-sleep.example.org"),
    ("prose: repository URL", "github.com/quince-lab"),
    ("prose: second repository URL", "dunmere-sleep"),
    ("prose: e-mail known only from git config", "bq.private@mailbox.example"),
    ("prose: grant number", "R01-MH448812"),
    ("footnote: co-author and affiliation", "Oakenshield"),
    ("Word comment author and text", "Bartholomew"),
    ("tracked-change (insertion) author", "Wilhelmina"),
    ("figure caption", "W. Oakenshield"),
    ("table cell", "Quince"),
    ("figure file name", "oakenshield-lab-photo"),
    ("PNG tEXt chunk", "Bartholomew Quince"),
    ("PNG zTXt chunk", "b.quince@lantern-institute.example"),
    ("PNG iTXt chunk", "Lantern Institute"),
    ("JPEG EXIF Artist / XPAuthor / comment", "Wilhelmina Oakenshield"),
    ("chapter file name (cell figure name) and figure id", "quince-methods"),
    ("echoed code and its output", "Bartholomew Quince"),
    ("run-in acknowledgement: a co-author thanked", "Percival Thistlewood"),
    ("Funding section: grant number", "NT-2291-77"),
]
IDENTIFIERS = sorted({s for _, s in PLACEMENTS} | {"Quince", "Oakenshield", "Thistlewood", "Brackenbury",
                                                    "Percival", "Ignatius", "quince-lab"}, key=str.lower)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("leak") / "project"
    shutil.copytree(CORPUS, root)
    for command in (["git", "init", "-q"], ["git", "config", "user.email", "bq.private@mailbox.example"],
                    ["git", "remote", "add", "origin", "git@github.com:quince-lab/manuscript.git"]):
        subprocess.run(command, cwd=root, check=True, capture_output=True)
    return root


@pytest.fixture(scope="module")
def exports(corpus):
    project = load_project(corpus)
    return {journal: export_submission(project, journal) for journal in ("health-psychology", "blind-archive")}


def test_the_corpus_plants_at_least_25_identifiers_of_different_kinds():
    assert len(PLACEMENTS) >= 25 and len({s for _, s in PLACEMENTS}) >= 25
    sources = "\n".join(p.read_text(encoding="utf-8") for p in CORPUS.rglob("*")
                        if p.is_file() and p.suffix in (".qmd", ".yml"))
    sources += "\n".join(str(p) for p in CORPUS.rglob("*"))
    sources += _image_text((CORPUS / "figures" / "density.png").read_bytes())
    sources += _image_text((CORPUS / "figures" / "oakenshield-lab-photo.jpg").read_bytes())
    missing = [s for _, s in PLACEMENTS if s.lower() not in sources.lower() and "git" not in s]
    assert not missing


# -- reading every file as an outside tool would --------------------------------------------------------

def _image_text(data: bytes) -> str:
    with Image.open(io.BytesIO(data)) as image:
        parts = [f"{k} {v}" for k, v in image.info.items() if isinstance(v, (str, bytes))]
        parts += [str(v) for v in image.getexif().values()]
        if image.format == "PNG":
            image.load()
            parts += [f"{k} {v}" for k, v in getattr(image, "text", {}).items()]
    parts.append(data.decode("latin-1"))
    parts.append(data.decode("utf-16-le", errors="ignore"))
    return "\n".join(str(p) for p in parts)


def _texts(name: str, data: bytes) -> list[str]:
    texts = [name]
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for entry in archive.namelist():
                if Path(entry).name not in IDENTIFYING_FILES:
                    texts += _texts(f"{name}/{entry}", archive.read(entry))
    elif data.startswith(b"%PDF"):
        with _tmp_file(data) as path:
            for command in (["pdftotext", str(path), "-"], ["pdfinfo", "-meta", str(path)], ["pdfinfo", str(path)]):
                texts.append(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
        texts.append(data.decode("latin-1"))
    elif data[:8] == scrub.PNG_SIGNATURE or data[:2] == b"\xff\xd8":
        texts.append(_image_text(data))
    else:
        text = data.decode("utf-8", errors="replace")
        texts += [text, re.sub(r"<[^>]+>", "", text)]
    return texts


class _tmp_file:
    def __init__(self, data: bytes):
        import tempfile

        handle = tempfile.NamedTemporaryFile(suffix=".pdf", delete=False)
        handle.write(data)
        handle.close()
        self.path = Path(handle.name)

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *exc) -> None:
        self.path.unlink()


def _survivors(package: Path, zip_path: Path) -> dict[str, list[str]]:
    shipped = [p for p in sorted(package.rglob("*")) if p.is_file() and p.name not in IDENTIFYING_FILES]
    texts: list[tuple[str, str]] = []
    for path in shipped:
        texts += [(path.name, t) for t in _texts(str(path.relative_to(package)), path.read_bytes())]
    texts += [(zip_path.name, t) for t in _texts(zip_path.name, zip_path.read_bytes())]
    survivors: dict[str, list[str]] = {}
    for identifier in IDENTIFIERS:
        needle = " ".join(identifier.lower().split())
        where = sorted({name for name, text in texts if needle in " ".join(text.lower().split())})
        if where:
            survivors[identifier] = where
    return survivors


@pytest.mark.parametrize("journal", ["health-psychology", "blind-archive"])
def test_no_planted_identifier_survives_in_any_reviewer_file(exports, journal):
    result = exports[journal]
    by_id = {c.id: c for c in result.checks}
    assert result.written, [c for c in result.checks if c.failed]
    assert by_id["anonymised"].status == "pass", by_id["anonymised"].detail
    assert _survivors(result.package_dir, result.zip_path) == {}


def test_the_blind_copy_keeps_the_science(exports):
    package = exports["health-psychology"].package_dir
    text = subprocess.run(["pdftotext", str(package / "manuscript-anonymised.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Spindle density rises after learning" in text and "Participants slept two nights" in text
    assert "[anonymised for review]" in text
    with zipfile.ZipFile(package / "manuscript-anonymised.docx") as docx:
        document = docx.read("word/document.xml").decode("utf-8")
        assert "This sentence was added in revision." in document and "w:ins" in document
        assert "Sleep is for memory." in docx.read("word/comments.xml").decode("utf-8")
        media = [n for n in docx.namelist() if n.startswith("word/media/")]
        assert len(media) >= 3  # the photo, the density plot and the cell's figure are all there


def test_the_meca_archive_ships_the_blind_jats(exports):
    result = exports["blind-archive"]
    names = {f.name for f in result.files}
    assert {"article.xml", "blind-archive-meca.zip"} <= names
    with zipfile.ZipFile(result.package_dir / "blind-archive-meca.zip") as meca:
        assert "manifest.xml" in meca.namelist() and "article.xml" in meca.namelist()
        assert "manuscript.pdf" not in meca.namelist()


def test_the_title_page_still_names_the_authors(exports):
    with zipfile.ZipFile(exports["health-psychology"].package_dir / "title-page.docx") as docx:
        document = docx.read("word/document.xml").decode("utf-8")
    assert "Bartholomew Quince" in document and "Percival Thistlewood" in document


def test_package_zip_is_byte_identical_across_rebuilds(corpus, exports):
    first = exports["health-psychology"].zip_path.read_bytes()
    again = export_submission(load_project(corpus), "health-psychology").zip_path.read_bytes()
    assert again == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert {info.date_time for info in archive.infolist()} == {scrub.ZIP_DATE}


# -- the leak scan on its own -----------------------------------------------------------------------------

IDENTITY = identity_of((), [{"author": [{"name": "Bartholomew Quince", "email": "b.quince@lantern.example"}]}])


def _png_with(chunk: str) -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    if chunk == "zTXt":
        info.add_text("Comment", "by Bartholomew Quince", zip=True)
    else:
        info.add_text("Author", "Bartholomew Quince")
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def _docx_with_comment_author() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/comments.xml", '<w:comments xmlns:w="urn:w"><w:comment w:author="Bartholomew '
                                              'Quince"><w:p><w:r><w:t>ok</w:t></w:r></w:p></w:comment></w:comments>')
        archive.writestr("word/document.xml", "<w:document xmlns:w='urn:w'><w:t>Bartho</w:t></w:document>")
    return buffer.getvalue()


@pytest.mark.parametrize("name, data", [
    pytest.param("a.png", _png_with("tEXt"), id="png-text-chunk"),
    pytest.param("a.png", _png_with("zTXt"), id="png-compressed-text-chunk"),
    pytest.param("a.docx", _docx_with_comment_author(), id="docx-comment-author"),
    pytest.param("quince-figure.png", b"plain", id="file-name"),
    pytest.param("a.txt", b"Write to b.quince@lantern.example", id="email"),
    pytest.param("a.txt", b"ORCID 0000-0002-1825-0097", id="any-orcid"),
])
def test_leak_scan_finds(name, data):
    assert leaks.scan_bytes(name, data, scrub.term_pattern(IDENTITY))


@pytest.mark.parametrize("data", [_png_with("tEXt"), _png_with("zTXt")])
def test_stripped_images_carry_no_metadata_and_the_same_pixels(data):
    stripped = scrub.strip_image(data)
    assert not leaks.scan_bytes("a.png", stripped, scrub.term_pattern(IDENTITY))
    with Image.open(io.BytesIO(data)) as before, Image.open(io.BytesIO(stripped)) as after:
        assert before.tobytes() == after.tobytes()


def test_scrubbed_docx_names_nobody(tmp_path):
    path = tmp_path / "a.docx"
    path.write_bytes(_docx_with_comment_author())
    scrub.scrub_docx(path, IDENTITY)
    assert leaks.scan_files([path], IDENTITY) == []
    with zipfile.ZipFile(path) as archive:
        assert 'w:author="Anonymous"' in archive.read("word/comments.xml").decode()
