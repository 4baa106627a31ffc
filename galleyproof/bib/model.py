"""Plain records for bibliographic references, shared by importer, audit, build and export."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class Person:
    family: str
    given: str = ""  # full given names or initials, as written ("Kristin D." or "K. D.")

    def initials(self) -> str:
        """'Kristin D.' and 'K. D.' both give 'KD'; hyphenated 'J.-P.' gives 'JP'."""
        parts = self.given.replace("-", " ").replace(".", " ").split()
        return "".join(p[0].upper() for p in parts if p)


@dataclass(frozen=True)
class Reference:
    """One cited work as the manuscript states it (not as a registry records it)."""

    key: str
    entry_type: str = "article"  # BibTeX type: article, book, incollection, misc, ...
    authors: tuple[Person, ...] = ()
    year: str = ""
    title: str = ""
    container: str = ""  # journal, or book title for a chapter
    volume: str = ""
    issue: str = ""
    pages: str = ""  # "85-101" or an article number such as "e9405"
    doi: str = ""  # normalised (see bib.doi.normalise_doi), "" when none
    publisher: str = ""
    url: str = ""
    eprint: str = ""  # an e-print identifier such as "arXiv:1706.03762", when the entry names one
    source: str = ""  # the file it was read from
    line: int | None = None  # line of the entry (or reference string) in that file
    raw: str = field(default="", compare=False)  # the reference string, when parsed from text

    @property
    def first_author(self) -> str:
        return self.authors[0].family if self.authors else ""


# Issue kinds that cost an entry its audit (the entry could not be read); the rest are warnings
# about an entry that was still read and audited.
ENTRY_ERRORS = frozenset({"unreadable_entry"})


@dataclass(frozen=True)
class BibIssue:
    """Something a reader noticed in a bibliography file, with where it is."""

    kind: str  # unreadable_entry | encoding | undefined_macro | duplicate_field | duplicate_key | missing_crossref
    message: str
    file: str
    line: int | None = None
    key: str = ""

    @property
    def is_error(self) -> bool:
        return self.kind in ENTRY_ERRORS

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass
class Bibliography:
    """What a reader made of one bibliography file: the entries it could read, and what it noticed."""

    references: list[Reference] = field(default_factory=list)
    issues: list[BibIssue] = field(default_factory=list)
    # Computes `digest` when first asked for: the audit never needs it, and hashing every field of a
    # 10,000-entry file costs as much as reading half of it.
    digest_of: Callable[[], str] | None = field(default=None, repr=False, compare=False)
    # Per reference, a hash of its entry's text when the reference depends on nothing else in the file
    # ('' otherwise): what lets audit.memo re-read only the entries that changed.
    entry_hashes: list[str] = field(default_factory=list, repr=False, compare=False)

    @cached_property
    def digest(self) -> str:
        """A hash of every entry's key, type and fields as read, layout aside ("" when the reader gives
        none): the cell cache keys a bibliography that cells read on it (render/cache.py)."""
        value = self.digest_of() if self.digest_of else ""
        self.digest_of = None  # what it read from (every field of the file) need not stay in memory
        return value

    @property
    def errors(self) -> list[BibIssue]:
        return [i for i in self.issues if i.is_error]

    @property
    def warnings(self) -> list[BibIssue]:
        return [i for i in self.issues if not i.is_error]
