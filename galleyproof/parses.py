"""How many times each source was parsed in this process.

The single readers (Quarto Markdown: manuscript.qmd.parse_qmd; BibTeX: bib.bibtex.parse_bibliography)
record every parse here, so a test and bench/build.py can see that a build reads each chapter and the
bibliography once. Counting costs a dictionary update per file.
"""

from __future__ import annotations

import threading
from collections import Counter

_COUNTS: Counter[str] = Counter()
_LOCK = threading.Lock()


def record(kind: str, source: str) -> None:
    """One parse of `source` ("qmd" or "bib" for `kind`)."""
    with _LOCK:
        _COUNTS[f"{kind}:{source}"] += 1


def counts() -> Counter[str]:
    """A copy of the counts so far: take one before and one after, and subtract."""
    with _LOCK:
        return Counter(_COUNTS)
