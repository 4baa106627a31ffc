"""Plain records for bibliographic references, shared by importer, audit, build and export."""

from __future__ import annotations

from dataclasses import dataclass, field


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
    source: str = ""  # the file it was read from
    line: int | None = None  # line of the entry (or reference string) in that file
    raw: str = field(default="", compare=False)  # the reference string, when parsed from text

    @property
    def first_author(self) -> str:
        return self.authors[0].family if self.authors else ""
