"""Run the claim rules over a project or a manuscript file and return the issue-4 JSON contract.

    {"findings": [{"id", "kind", "severity", "message", "locations": [{"file", "line", "section",
     "text"}], "entities", ["accepted", "reason"]}],
     "summary": {"total", "open": {"error", "warning", "info"}, "errors", "warnings", "accepted",
                 "by_kind", "files", "stale_acceptances", "rules"}}

`open` and `errors`/`warnings` count findings not accepted in accepted-findings.yml.

Never executes code cells: the Document readers skip them.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from galleyproof.bib.model import Reference
from galleyproof.claims.accept import apply_accepted, read_accepted
from galleyproof.claims.context import CheckContext
from galleyproof.claims.findings import SEVERITIES, Finding
from galleyproof.claims.lexicon import Lexicon, load_lexicon
from galleyproof.claims.rules import RULES, load
from galleyproof.claims.sentences import part_of
from galleyproof.errors import ConfigError, ManuscriptError
from galleyproof.manuscript.book import PROSE_CACHE, Book, read_chapters_prose
from galleyproof.manuscript.document import Document
from galleyproof.manuscript.prose import Prose
from galleyproof.project import SETTINGS_FILE, read_yaml

RULES_PATH = Path(__file__).with_name("rules.yaml")
MANUSCRIPT_SUFFIXES = (".qmd", ".md", ".txt", ".markdown")


def load_config(overrides: dict | None = None, source: Path | None = None) -> dict[str, Any]:
    """rules.yaml, with a project's `claims.severity` overrides (from `source`, galleyproof.yml) applied."""
    config = copy.deepcopy(read_yaml(RULES_PATH))
    if overrides is not None and not isinstance(overrides, dict):
        raise ConfigError("`claims` must be a mapping (severity, lexicon)", source)
    severity = (overrides or {}).get("severity") or {}
    if not isinstance(severity, dict):
        raise ConfigError("claims.severity must map finding kinds to error, warning or info", source)
    for kind, level in severity.items():
        if kind not in config["severity"]:
            raise ConfigError(f"claims.severity names unknown finding kind {kind!r} "
                              f"(known: {', '.join(config['severity'])})", source)
        if level not in SEVERITIES:
            raise ConfigError(f"claims.severity.{kind} must be one of {', '.join(SEVERITIES)}, not {level!r}",
                              source)
        config["severity"][kind] = level
    return config


def references_in(doc: Document, config: dict) -> list[str]:
    """Entries of a reference list written in the manuscript itself (the seeds carry one)."""
    parts = config.get("parts", {})
    return [b.text.lstrip("-*• ") for b in doc.blocks
            if part_of(b.section, parts) == "skip" and re.search(r"references?|bibliography", b.section, re.I)]


def check_document(doc: Document, *, lexicon: Lexicon | None = None, config: dict | None = None,
                   root: Path | None = None, references: list[str] | None = None,
                   reference_lines: dict[str, set[int]] | None = None, accepted=(),
                   progress: Callable[[str], None] | None = None, sources: dict[str, str] | None = None,
                   bib_keys: set[str] | None = None, bib_entries: list[dict] | None = None,
                   bib_path: Path | None = None, prose: dict[str, Prose] | None = None) -> dict:
    """Findings of every rule. `sources` (file -> Markdown text) are read as pandoc reads them: `prose`
    holds those readings when the caller has them (manuscript.book), the others are read here;
    `bib_keys`/`bib_entries` are the bibliography's keys and entries (None: no bibliography known)."""
    config = config or load_config()
    context = CheckContext(doc, lexicon or load_lexicon(), config, root,
                           references if references is not None else references_in(doc, config),
                           reference_lines or {}, sources or {}, bib_keys, bib_entries or [], bib_path,
                           _display(bib_path, root), prose or {})
    findings: list[Finding] = []
    for name in RULES:
        if progress:
            progress(name)
        findings += load(name).check(context)
    for finding in findings:
        finding.severity = config["severity"].get(finding.kind, "warning")
    order = {name: index for index, name in enumerate(doc.files)}  # book order, not alphabetical
    findings.sort(key=lambda f: (SEVERITIES.index(f.severity),
                                 order.get(f.locations[0].file, len(order)) if f.locations else 0,
                                 f.locations[0].line if f.locations else 0, f.kind))
    stale = apply_accepted(findings, list(accepted))
    return {"findings": [f.as_dict() for f in findings],
            "summary": summarise(findings, doc.files, [a.id for a in stale])}


def summarise(findings: list[Finding], files: list[str], stale: list[str]) -> dict:
    open_ = [f for f in findings if not f.accepted]
    by_kind: dict[str, int] = {}
    for finding in findings:
        by_kind[finding.kind] = by_kind.get(finding.kind, 0) + 1
    counts = {level: sum(f.severity == level for f in open_) for level in SEVERITIES}
    return {"total": len(findings),
            "open": counts,
            "errors": counts["error"],  # unaccepted errors: what `--strict` and export checks fail on
            "warnings": counts["warning"],
            "accepted": len(findings) - len(open_),
            "by_kind": by_kind,
            "files": list(files),
            "stale_acceptances": stale,
            "rules": list(RULES)}



def _project_references(project) -> list[str]:
    """"Family, (Year)" per bibliography entry: all the citation-variant rule compares.

    Read with pybtex directly rather than galleyproof.bib.bibtex.read_bibliography, whose LaTeX-to-text
    rendering of every field costs about a second per run and is not needed for a surname and a year.
    """
    if not project.bibliography or not project.bibliography.is_file():
        return []
    from pybtex.database import parse_file
    from pybtex.scanner import PybtexError
    try:
        data = parse_file(str(project.bibliography), bib_format="bibtex")
    except (PybtexError, OSError, UnicodeDecodeError):
        return []  # a broken bibliography is the audit's finding to report, not the claim checker's
    entries = []
    for entry in data.entries.values():
        authors = entry.persons.get("author") or []
        if authors:
            family = " ".join(authors[0].prelast_names + authors[0].last_names).replace("{", "").replace("}", "")
            entries.append(f"{family}, ({entry.fields.get('year', '')})")
    return entries


def _display(path: Path | None, root: Path | None) -> str:
    if path is None:
        return ""
    try:
        return str(path.resolve().relative_to(root.resolve())) if root else path.name
    except ValueError:
        return path.name


def _bibliography(path: Path | None) -> tuple[set[str] | None, list[dict]]:
    """(keys, entries) of a BibTeX bibliography; (None, []) when there is none to read.

    Each entry is {"key", "authors" (family names), "year", "title", "doi"}: what the citation rules
    compare to find one work under two keys.
    """
    if path is None or not path.is_file() or path.suffix.lower() != ".bib":
        return None, []
    from pybtex.database import parse_file
    from pybtex.scanner import PybtexError
    try:
        data = parse_file(str(path), bib_format="bibtex")
    except (PybtexError, OSError, UnicodeDecodeError):
        return None, []  # a broken bibliography is the audit's finding, not the claim checker's
    entries = []
    for key, entry in data.entries.items():
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        families = [" ".join(p.prelast_names + p.last_names).replace("{", "").replace("}", "") for p in people]
        entries.append({"key": key, "authors": families, "year": entry.fields.get("year", ""),
                        "title": entry.fields.get("title", "").replace("{", "").replace("}", ""),
                        "doi": entry.fields.get("doi", "").lower()})
    return set(data.entries.keys()), entries


def _front_matter_bibliography(doc: Document, folder: Path) -> Path | None:
    """The `bibliography:` a single manuscript's front matter names (the first, when it lists several)."""
    value = doc.metadata.get("bibliography") if isinstance(doc.metadata, dict) else None
    if isinstance(value, list):
        value = value[0] if value else None
    return folder / value if isinstance(value, str) and value else None


def check_project(project, progress: Callable[[str], None] | None = None, *, book: Book | None = None) -> dict:
    """All chapters of a project, with its lexicon extension, severity overrides and accepted findings.
    `book`: the project's sources as the build already read them (manuscript.book.read_book), with their
    prose readings; without one, the chapters are read here and their prose comes from the same cache."""
    from galleyproof.manuscript.qmd import read_project_document
    settings = project.setting("claims", {}) or {}
    config = load_config(settings, project.root / SETTINGS_FILE)
    extra = [project.root / settings["lexicon"]] if settings.get("lexicon") else []
    if book is not None:
        doc, sources, prose = book.document, book.texts(), book.prose()
        refs = list(book.references or ())
        references = references_in(doc, config) or [f"{r.first_author}, ({r.year})" for r in refs if r.authors]
        keys, entries = ({r.key for r in refs}, [_entry(r) for r in refs]) if book.references is not None \
            else (None, [])
    else:
        doc = read_project_document(project)
        sources = _sources(project.root, doc.files)
        prose = read_chapters_prose(sources, project.root / PROSE_CACHE)
        references = references_in(doc, config) or _project_references(project)
        keys, entries = _bibliography(project.bibliography)
    return check_document(doc, lexicon=load_lexicon(*extra), config=config, root=project.root,
                          references=references, accepted=read_accepted(project.accepted_path), progress=progress,
                          sources=sources, bib_keys=keys, bib_entries=entries, bib_path=project.bibliography,
                          prose=prose)


def _entry(ref: Reference) -> dict:
    """What `_bibliography` gives for one entry, from an already parsed Reference."""
    return {"key": ref.key, "authors": [p.family for p in ref.authors], "year": ref.year, "title": ref.title,
            "doi": ref.doi.lower()}


def _sources(root: Path, files: list[str]) -> dict[str, str]:
    """The text of each Markdown chapter, for the pandoc reading of the prose."""
    from galleyproof.errors import ManuscriptError
    from galleyproof.manuscript.qmd import source_text  # a notebook as the Markdown it holds

    texts = {}
    for file in files:
        try:
            texts[file] = source_text(root / file, file)
        except (OSError, UnicodeDecodeError, ManuscriptError):
            continue  # the Document reader already reported an unreadable chapter
    return texts


def _pandoc_markdown(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False  # the reader raises the proper ManuscriptError
    return text.startswith("---") or "[@" in text


def is_pandoc_markdown(path: Path) -> bool:
    return path.suffix == ".qmd" or (path.suffix != ".txt" and _pandoc_markdown(path))


def read_manuscript(path: Path) -> tuple[Document, list[str], dict[str, set[int]]]:
    """(document, reference entries, reference lines by file) of one manuscript file.

    A .qmd, or a .md written for pandoc (front matter or `[@key]` citations), goes through the Quarto
    Markdown reader; other .md/.txt (the seeds, web text) through the importer's plain-text reader,
    which also takes the reference list out of the prose.
    """
    if is_pandoc_markdown(path):
        from galleyproof.manuscript.qmd import read_qmd
        return read_qmd(path, path.name), [], {}
    from galleyproof.manuscript.source import load_source
    source = load_source(path, path.name)
    references = [f"{r.first_author}, ({r.year})" for r in source.references if r.authors]
    lines = {source.file: {r.line for r in source.references if r.line}}
    return source.document, references, lines


def _accepted_path(path: Path) -> Path:
    """The project's accepted-findings.yml when the file lies in a project, else the one beside it."""
    from galleyproof.project import ACCEPTED_FILE, find_root
    try:
        return find_root(path.parent) / ACCEPTED_FILE
    except ConfigError:
        return path.parent / ACCEPTED_FILE


def check_path(path: Path | str, progress: Callable[[str], None] | None = None) -> dict:
    """A project directory (or any path inside one), or a single manuscript file."""
    path = Path(path)
    if path.is_dir():
        from galleyproof.project import load_project
        return check_project(load_project(path), progress)
    if not path.is_file():
        raise ManuscriptError("no such file or directory", path)
    if path.suffix.lower() not in MANUSCRIPT_SUFFIXES:
        raise ManuscriptError(f"cannot check a {path.suffix or 'suffix-less'} file; give a .qmd, .md or .txt "
                              "manuscript or a project directory", path)
    accepted = read_accepted(_accepted_path(path))
    doc, references, reference_lines = read_manuscript(path)
    # Markdown prose is read as pandoc reads it (code, URLs and attributes are not prose) even when the
    # plain-text reader supplied the document's reference list; only .txt is read as plain text.
    markdown = path.suffix.lower() in (".md", ".markdown", ".qmd") and doc.files == [path.name]
    sources = {path.name: path.read_text(encoding="utf-8")} if markdown else None
    bibliography = _front_matter_bibliography(doc, path.parent)
    keys, entries = _bibliography(bibliography)
    return check_document(doc, root=path.parent, references=references or None, reference_lines=reference_lines,
                          accepted=accepted, progress=progress, sources=sources, bib_keys=keys, bib_entries=entries,
                          bib_path=bibliography)
