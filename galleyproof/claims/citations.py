"""Citations as written in prose: pandoc `[@key]`/`@key`, author-year "(Irwin & Cole, 2011)" and
"Neff (2003)", and numeric "[12]". The claim rules only need to know whether a sentence cites, and
which author-year works it names, whatever reader produced the Document.

Citation syntax: pandoc manual, "Citations"; author-year forms: APA 7 section 8.10-8.11.

Every pattern runs in linear time on any input: names and numbers may only start at a word boundary
and their runs are possessive (Python 3.11 `re`), and a parenthesis is taken whole before its year is
looked for, so a 20 KB run of capitals or digits cannot make the engine backtrack.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from galleyproof.manuscript.qmd import XREF_PREFIXES

_YEAR = r"(?:1[6-9]|20)\d{2}[a-z]?|n\.d\.|in press"
_NAME = r"(?<![\w'’\-])[A-Z][\w'’\-]++(?:\s(?:van|von|de|der|da|del|la|le)\s[A-Z][\w'’\-]++)?"
_AUTHORS = rf"{_NAME}(?:,?\s(?:et\sal\.?|(?:&|and)\s{_NAME}))?(?:,\s{_NAME})*(?:,?\s(?:&|and)\s{_NAME})?"
# "(Irwin & Cole, 2011; Kirby et al., 2023)", "(see Neff, 2003, p. 4)"
_PAREN = re.compile(r"\(([^()]*+)\)")
_HAS_YEAR = re.compile(r"\b(?:" + _YEAR + r")\b")
_ITEM = re.compile(rf"(?P<authors>{_AUTHORS}),?\s(?P<year>{_YEAR})\b")
# "Neff (2003)", "Longe et al. (2010)"
_NARRATIVE = re.compile(rf"(?P<authors>{_AUTHORS})\s\((?P<year>{_YEAR})\)")
_NUMERIC = re.compile(r"\[\d++(?:\s*+[-–,]\s*+\d++)*+\]")
_KEY = re.compile(r"(?<![\w@.])-?@([\w][\w:.#$%&\-+?<>~/]*+)")
_XREF = XREF_PREFIXES + ("fig:", "tbl:", "sec:", "eq:")


@dataclass(frozen=True)
class AuthorYear:
    authors: str  # as written: "Kiecolt-Glaser et al."
    year: str
    start: int
    end: int

    @property
    def first_author(self) -> str:
        return normalise_name(re.split(r",|\s&\s|\sand\s|\set al", self.authors)[0])

    @property
    def author_key(self) -> str:
        """Family names, normalised: "irwin cole", "kiecolt-glaser etal"."""
        names = re.split(r",\s|\s&\s|\sand\s", self.authors.replace(" et al.", ", etal").replace(" et al", ", etal"))
        return " ".join(normalise_name(n) for n in names if n.strip())


def normalise_name(name: str) -> str:
    text = unicodedata.normalize("NFKD", name.strip()).encode("ascii", "ignore").decode()
    return text.lower().replace("’", "'")


def author_year(text: str) -> list[AuthorYear]:
    found = []
    for match in _PAREN.finditer(text):
        if not _HAS_YEAR.search(match.group(1)):
            continue
        inner_start = match.start(1)
        for item in _ITEM.finditer(match.group(1)):
            found.append(AuthorYear(item.group("authors"), item.group("year"), inner_start + item.start(),
                                    inner_start + item.end()))
    for match in _NARRATIVE.finditer(text):
        if not any(f.start <= match.start() < f.end for f in found):
            found.append(AuthorYear(match.group("authors"), match.group("year"), match.start(), match.end()))
    return sorted(found, key=lambda f: f.start)


def pandoc_keys(text: str) -> list[str]:
    """Keys of pandoc citations, bracketed or narrative; cross-references (`@fig-x`, `@fig:x`) are not."""
    return [k.rstrip(":.#$%&-+?<>~/") for k in _KEY.findall(text) if not k.startswith(_XREF)]


def cites(text: str) -> bool:
    """True when the text carries a citation in any of the recognised forms."""
    if pandoc_keys(text):
        return True
    return bool(author_year(text) or _NUMERIC.search(text))
