"""JATS XML of the article, through pandoc's `jats_archiving+element_citations` writer.

With the `element_citations` extension pandoc writes each reference as `<ref>` holding an
`<element-citation>` (`<person-group>`, `<article-title>`, `<source>`, `<year>`, ...,
`<pub-id pub-id-type="doi">`) instead of formatted `<mixed-citation>` text (pandoc manual, "Extension:
element_citations"; ../shared/NOTES.md). `inspect_jats` reads the result back with lxml, without
loading the DTD or any external entity, so a well-formedness problem is caught before packaging.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from lxml import etree

from galleyproof.errors import ExportError
from galleyproof.export.anonymise import split_sections
from galleyproof.project import Author

ABSTRACT = re.compile(r"^abstract\b", re.IGNORECASE)

XLINK = "http://www.w3.org/1999/xlink"


@dataclass(frozen=True)
class JatsSummary:
    references: int
    structured: int  # refs written as <element-citation>
    with_doi: int
    graphics: tuple[str, ...]  # xlink:href of every <graphic>, as written


def front_matter(authors: tuple[Author, ...], abstract: str, keywords: list[str]) -> dict[str, Any]:
    """Metadata for pandoc's JATS template (`article.jats_publishing`): `abstract` fills <abstract>,
    `tags` the <kwd-group>, and `affiliation` entries with ids the <aff> elements that each
    <contrib> points at with <xref ref-type="aff">."""
    names = list(dict.fromkeys(a.affiliation for a in authors if a.affiliation))
    ids = {name: f"{i}" for i, name in enumerate(names, 1)}
    meta: dict[str, Any] = {
        "author": [{k: v for k, v in (("name", a.name), ("email", a.email),
                                      ("affiliation", [ids[a.affiliation]] if a.affiliation else None)) if v}
                   for a in authors],
        "affiliation": [{"id": ids[name], "name": name} for name in names],
        "tags": keywords,
    }
    if abstract:
        meta["abstract"] = abstract
    return meta


def without_abstract(markdown: str) -> str:
    """The body without its `# Abstract` section, which the JATS front matter carries instead."""
    return "".join(split_sections(markdown.splitlines(keepends=True), ABSTRACT)[0])


def parse_xml(path: Path) -> etree._ElementTree:
    """Parse without the DTD, the network or entity expansion; malformed XML is an ExportError."""
    parser = etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False)
    try:
        return etree.parse(str(path), parser)
    except etree.XMLSyntaxError as exc:
        raise ExportError(f"not well-formed XML: {exc.msg}", path, exc.lineno) from None


def wrap_abstract(path: Path) -> None:
    """JATS allows only block elements in <abstract>; pandoc writes a one-paragraph abstract (which it
    reads as inline metadata) as bare text, so wrap that text in a <p>."""
    tree = parse_xml(path)
    abstract = tree.getroot().find(".//article-meta/abstract")
    if abstract is None or (not (abstract.text or "").strip() and abstract.find("p") is not None):
        return
    paragraph = etree.Element("p")
    paragraph.text = (abstract.text or "").strip("\n")
    for child in list(abstract):
        paragraph.append(child)
    abstract.text = "\n"
    paragraph.tail = "\n"
    abstract.append(paragraph)
    path.write_bytes(etree.tostring(tree, xml_declaration=True, encoding="utf-8", doctype=tree.docinfo.doctype))


def inspect_jats(path: Path) -> JatsSummary:
    root = parse_xml(path).getroot()
    if root.tag != "article":
        raise ExportError(f"JATS root element is <{root.tag}>, not <article>", path)
    refs = root.findall(".//ref-list/ref")
    graphics = tuple(g.get(f"{{{XLINK}}}href", "") for g in root.iter("graphic", "inline-graphic"))
    for href in graphics:
        pure = PurePosixPath(href)
        if not href or pure.is_absolute() or ".." in pure.parts or "\\" in href or ":" in href:
            raise ExportError(f"JATS graphic {href!r} is not a relative path inside the package", path)
    return JatsSummary(
        references=len(refs),
        structured=sum(1 for r in refs if r.find("element-citation") is not None),
        with_doi=sum(1 for r in refs if r.find(".//pub-id[@pub-id-type='doi']") is not None),
        graphics=graphics,
    )
