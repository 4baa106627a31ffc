"""MECA archives: a zip with `manifest.xml` listing every file and its type (NISO RP-30-2020, MECA).

The manifest follows the MECA 1.0 manifest DTD as journal systems read it: root
`<manifest manifest-version="1" xmlns="https://manuscriptexchange.org/schema/manifest">`, one
`<item item-type="...">` per file with an `<item-description>` and an
`<instance media-type="..." xlink:href="..."/>`. The article's JATS goes in as `article-metadata`.
"""

from __future__ import annotations

import mimetypes
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from galleyproof.export.safety import safe_name
from galleyproof.export.scrub import deterministic_info

MANIFEST_NS = "https://manuscriptexchange.org/schema/manifest"
XLINK = "http://www.w3.org/1999/xlink"
DOCTYPE = ('<!DOCTYPE manifest PUBLIC "-//MECA//DTD Manifest v1.0//en" '
           '"https://www.manuscriptexchange.org/schema/manifest-1.0.dtd">')
MEDIA_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
    ".xml": "application/xml",
    ".md": "text/markdown",
    ".png": "image/png",
}


@dataclass(frozen=True)
class MecaItem:
    href: str  # name inside the archive
    item_type: str  # manuscript, article-metadata, figure, cover-letter, title-page, ...
    description: str


def media_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return MEDIA_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def manifest_xml(items: list[MecaItem]) -> bytes:
    root = etree.Element(f"{{{MANIFEST_NS}}}manifest", nsmap={None: MANIFEST_NS, "xlink": XLINK})
    root.set("manifest-version", "1")
    for order, item in enumerate(items, 1):
        element = etree.SubElement(root, f"{{{MANIFEST_NS}}}item", {"item-type": item.item_type,
                                                                    "id": f"item-{order}"})
        etree.SubElement(element, f"{{{MANIFEST_NS}}}item-description").text = item.description
        etree.SubElement(element, f"{{{MANIFEST_NS}}}file-order").text = str(order)
        etree.SubElement(element, f"{{{MANIFEST_NS}}}instance",
                         {"media-type": media_type(item.href), f"{{{XLINK}}}href": safe_name(item.href)})
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True, doctype=DOCTYPE)


def write_meca(archive: Path, source_dir: Path, items: list[MecaItem]) -> Path:
    """Zip `items` (files in `source_dir`) with their manifest into `archive`: manifest first, then the
    items in manifest order, with fixed timestamps, so the same package gives the same archive bytes."""
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(deterministic_info("manifest.xml"), manifest_xml(items))
        for item in items:
            zf.writestr(deterministic_info(safe_name(item.href)), (source_dir / safe_name(item.href)).read_bytes())
    return archive
