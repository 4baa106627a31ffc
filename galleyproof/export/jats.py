"""JATS XML of the article, through pandoc's `jats_archiving+element_citations` writer.

With the `element_citations` extension pandoc writes each reference as `<ref>` holding an
`<element-citation>` (`<person-group>`, `<article-title>`, `<source>`, `<year>`, ...,
`<pub-id pub-id-type="doi">`) instead of formatted `<mixed-citation>` text (pandoc manual, "Extension:
element_citations"; ../shared/NOTES.md). `inspect_jats` reads the result back with lxml, without
loading the DTD or any external entity, so a well-formedness problem is caught before packaging.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lxml import etree

from galleyproof.errors import ExportError

XLINK = "http://www.w3.org/1999/xlink"


@dataclass(frozen=True)
class JatsSummary:
    references: int
    structured: int  # refs written as <element-citation>
    with_doi: int
    graphics: tuple[str, ...]  # xlink:href of every <graphic>, as written


def parse_xml(path: Path) -> etree._ElementTree:
    """Parse without the DTD, the network or entity expansion; malformed XML is an ExportError."""
    parser = etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False)
    try:
        return etree.parse(str(path), parser)
    except etree.XMLSyntaxError as exc:
        raise ExportError(f"not well-formed XML: {exc.msg}", path, exc.lineno) from None


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
