"""What to audit: references (and, for a manuscript, its citations) from a project or a path.

    a project            its bibliography plus every citation in its chapters
    a bibliography file  its entries (no citations, so no cited/uncited findings): .bib (BibTeX,
                         biblatex), .json (CSL-JSON), .yaml/.yml (CSL-YAML)
    a .qmd or .md file   the bibliography named by its `bibliography:` front matter, and its citations
    anything else        a plain-text manuscript or APA-style reference list (galleyproof.manuscript.source):
                         its references, and its author-year citations when the prose has any

Nothing here executes a manuscript's code: .qmd files are only read as text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from galleyproof.bib.bibliography import READERS, load_bibliography
from galleyproof.bib.model import BibIssue, Reference
from galleyproof.errors import BibliographyError, ManuscriptError
from galleyproof.manuscript.document import Citation
from galleyproof.manuscript.qmd import read_project_document, read_qmd

MANUSCRIPT_SUFFIXES = (".qmd", ".md", ".markdown", ".rmd")


@dataclass
class AuditInput:
    references: list[Reference]
    citations: list[Citation] | None  # None: no manuscript, so nothing can be cited or uncited
    source: str  # what was audited, as the user named it
    issues: list[BibIssue] = field(default_factory=list)  # what the readers noticed (warnings, unreadable entries)

    @property
    def warnings(self) -> list[str]:
        return [str(issue) for issue in self.issues if not issue.is_error]


def from_project(project) -> AuditInput:
    if project.bibliography is None:
        raise BibliographyError("the project names no bibliography in _quarto.yml", project.config_path)
    bib = load_bibliography(project.bibliography, project.relative(project.bibliography))
    return AuditInput(bib.references, read_project_document(project).citations, str(project.root), bib.issues)


def _bibliographies(metadata: dict) -> list[str]:
    value = metadata.get("bibliography")
    if not value:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def from_path(path: Path | str) -> AuditInput:
    path = Path(path)
    if not path.is_file():
        raise ManuscriptError("no such file to audit", path)
    if path.suffix.lower() in READERS and not _is_project_file(path):
        bib = load_bibliography(path)
        return AuditInput(bib.references, None, str(path), bib.issues)
    if path.suffix.lower() in MANUSCRIPT_SUFFIXES:
        doc = read_qmd(path)
        bibs = [_bibliography_path(path, bib) for bib in _bibliographies(doc.metadata)]
        if bibs:
            loaded = [load_bibliography(bib, str(bib)) for bib in bibs]
            return AuditInput([r for bib in loaded for r in bib.references], doc.citations, str(path),
                              [i for bib in loaded for i in bib.issues])
        if path.suffix.lower() == ".qmd":
            raise ManuscriptError("the front matter names no bibliography: to audit", path, 1)
    return _plain_text(path)


def _bibliography_path(manuscript: Path, value: str) -> Path:
    """A front matter's bibliography, refused (file and line) unless inside the manuscript's project: the
    folder of the nearest _quarto.yml, or the manuscript's own folder (its entries go to the registries)."""
    from galleyproof import paths
    from galleyproof.errors import ConfigError
    from galleyproof.project import find_root

    try:
        root = find_root(manuscript.parent)
    except ConfigError:
        root = manuscript.parent.resolve()
    line = paths.front_matter_line(manuscript, "bibliography")
    return paths.inside_project(value, root, base=manuscript.parent, what="bibliography", source=manuscript,
                                line=line)


def _is_project_file(path: Path) -> bool:
    """_quarto.yml, galleyproof.yml and the like are configuration, not CSL bibliographies."""
    return path.name.startswith("_") or path.stem in ("galleyproof", "accepted-findings")


def _plain_text(path: Path) -> AuditInput:
    """A plain-text manuscript or reference list, read by the importer's reader: its references and,
    when its prose cites author-year (`(Neff, 2003)`), those citations, so undefined and uncited
    works are found as in a project. A bare reference list cites nothing and gets no such findings."""
    from galleyproof.manuscript.source import load_source

    source = load_source(path, str(path))
    if not source.references:
        raise BibliographyError("found no APA-style references in this file", path)
    return AuditInput(source.references, source.document.citations or None, str(path))
