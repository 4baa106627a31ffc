"""One entry point for every bibliography format Quarto accepts that galleyproof reads.

    load_bibliography(path) -> Bibliography   references + issues, by the file's suffix

Readers are looked up by suffix in `READERS`; adding a format is one function and one line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from galleyproof import parses
from galleyproof.bib.bibtex import parse_bibtex
from galleyproof.bib.csl import parse_csl_json, parse_csl_yaml
from galleyproof.bib.encoding import decode
from galleyproof.bib.model import BibIssue, Bibliography, Reference
from galleyproof.errors import BibliographyError

READERS: dict[str, Callable[[str, str], Bibliography]] = {
    ".bib": parse_bibtex, ".bibtex": parse_bibtex, ".biblatex": parse_bibtex,
    ".json": parse_csl_json, ".yaml": parse_csl_yaml, ".yml": parse_csl_yaml,
}


def load_bibliography(path: Path | str, display: str | None = None,
                      known: Mapping[str, Reference] | None = None) -> Bibliography:
    """Read a bibliography file; `display` is the name findings give it (default: the path). `known`:
    References of BibTeX entries read before, by entry hash (bibtex.parse_bibtex)."""
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise BibliographyError(f"cannot read {path.suffix or 'suffix-less'} bibliographies "
                                f"(known: {', '.join(sorted(READERS))})", path)
    try:
        decoded = decode(path.read_bytes())
    except FileNotFoundError:
        raise BibliographyError("bibliography file not found", path) from None
    except IsADirectoryError:
        raise BibliographyError("the bibliography is a folder, not a file", path) from None
    source = display or str(path)
    parses.record("bib", source)
    if known and reader is parse_bibtex:
        bib = parse_bibtex(decoded.text, source, known)
    else:
        bib = reader(decoded.text, source)
    if decoded.note:
        bib.issues.insert(0, BibIssue("encoding", f"the file {decoded.note}", source, None))
    return bib
