"""Whether prose cites: pandoc `[@key]`/`@key`, author-year "(Irwin & Cole, 2011)" and "Neff (2003)",
and numeric "[12]". The claim rules only need to know whether a sentence cites, and which author-year
works it names, whatever reader produced the Document.

Citation syntax: pandoc manual, "Citations". Author-year citations have one grammar, owned by
`galleyproof.manuscript.authoryear` (APA 7 sections 8.10-8.12); this module asks it for every work a
sentence names (`find_works`), including works inside a parenthetical that does not parse whole.

Every pattern here runs in linear time on any input: runs are possessive, so a 20 KB run of digits
or brackets cannot make the engine backtrack.
"""

from __future__ import annotations

import re

from galleyproof.manuscript.authoryear import find_works
from galleyproof.manuscript.qmd import XREF_PREFIXES

_NUMERIC = re.compile(r"\[\d++(?:\s*+[-–,]\s*+\d++)*+\]")
_KEY = re.compile(r"(?<![\w@.])-?@([\w][\w:.#$%&\-+?<>~/]*+)")
_XREF = XREF_PREFIXES + ("fig:", "tbl:", "sec:", "eq:")


def pandoc_keys(text: str) -> list[str]:
    """Keys of pandoc citations, bracketed or narrative; cross-references (`@fig-x`, `@fig:x`) are not."""
    return [k.rstrip(":.#$%&-+?<>~/") for k in _KEY.findall(text) if not k.startswith(_XREF)]


def cites(text: str) -> bool:
    """True when the text carries a citation in any of the recognised forms."""
    if pandoc_keys(text):
        return True
    return bool(_NUMERIC.search(text) or find_works(text))
