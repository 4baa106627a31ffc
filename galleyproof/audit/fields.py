"""Normal forms of bibliographic fields, so that only real differences become findings.

Crossref titles may carry inline HTML (`<i>`, `<sub>`) and entities (`&amp;`) and runs of
whitespace (API-NOTES.md); BibTeX titles arrive with LaTeX already folded by pybtex. Journal
abbreviations follow ISO 4 habits: words shortened to a prefix or a contraction ("Natl" for
"National"), articles and prepositions dropped (data/containers.yaml).
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import yaml
from rapidfuzz import fuzz

from galleyproof.bib.bibtex import plain
from galleyproof.bib.model import Reference

_TAG = re.compile(r"<[^>]+>")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_DASHES = re.compile(r"\s*(?:--|[-\u2010-\u2015\u2212])\s*")
_YEAR = re.compile(r"(1[5-9]|20)\d\d")
_NUMBER_LABEL = re.compile(r"^(?:vol(?:ume)?|no|issue|nr)\.?\s*")
_LEADING_ZEROS = re.compile(r"\b0+(\d)")
_PAGE_LABEL = re.compile(r"^(?:pp?\.?|pages?)\s*", re.IGNORECASE)


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    data = yaml.safe_load((Path(__file__).parent / "data" / "containers.yaml").read_text(encoding="utf-8"))
    return frozenset(data["stopwords"])


@lru_cache(maxsize=65536)  # names and journals recur across a bibliography
def fold(text: str) -> str:
    """Tags, entities, LaTeX, accents, case and punctuation removed: 'Crème <i>de</i> {\\'E}té' -> 'creme de ete'."""
    if not text:
        return ""
    if "<" in text:
        text = _TAG.sub(" ", text)
    text = html.unescape(text)
    if "\\" in text or "{" in text:
        text = plain(text)
    if not text.isascii():  # ASCII has nothing to decompose: skip the per-character pass
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", text.casefold().replace("&", " and ")).strip()


def title_similarity(cited: str, registered: list[str]) -> float:
    """Best rapidfuzz ratio (0-100) of the cited title against any registered spelling."""
    cited = fold(cited)
    return max((_similarity(cited, fold(r)) for r in registered if r), default=0.0)


@lru_cache(maxsize=65536)  # compare() and the different-work test ask for the same pair
def _similarity(a: str, b: str) -> float:
    # A main title cited without its subtitle (or the reverse) is the same title.
    shorter, longer = sorted((a, b), key=len)
    if len(shorter.split()) >= 3 and longer.startswith(shorter + " "):
        return 95.0
    return fuzz.ratio(a, b)


def year_of(text: str) -> str:
    match = _YEAR.search(text or "")
    return match.group(0) if match else ""


def plain_number(text: str) -> str:
    """'Vol. 07' -> '7', '1–2' -> '1-2': volumes and issues compared as written, minus noise."""
    return _plain_number(str(text or ""))


@lru_cache(maxsize=65536)  # volumes and issues recur
def _plain_number(text: str) -> str:
    text = _DASHES.sub("-", text).strip().casefold()
    text = _NUMBER_LABEL.sub("", text)
    return _LEADING_ZEROS.sub(r"\1", text)


def page_range(text: str) -> tuple[str, str]:
    """'635–641' -> ('635', '641'); '1849-56' -> ('1849', '1856'); 'e33693' -> ('e33693', '')."""
    return _page_range(str(text or ""))


@lru_cache(maxsize=65536)
def _page_range(text: str) -> tuple[str, str]:
    text = _PAGE_LABEL.sub("", text.strip())
    parts = _DASHES.split(text, maxsplit=1)
    first = parts[0].strip().casefold()
    last = parts[1].strip().casefold() if len(parts) > 1 else ""
    if first.isdigit() and last.isdigit() and len(last) < len(first):
        last = first[: len(first) - len(last)] + last  # APA-style abbreviated end page
    return first, last


def _abbreviates(short: str, full: str) -> bool:
    """'natl' abbreviates 'national' (same first letter, letters in order)."""
    if not short or short[0] != full[0]:
        return False
    rest = iter(full)
    return all(ch in rest for ch in short)


@lru_cache(maxsize=65536)
def _content_words(text: str) -> tuple[str, ...]:
    return tuple(w for w in fold(text).split() if w not in stopwords())


def same_container(cited: str, registered: list[str]) -> bool:
    """Full vs abbreviated journal names, acronyms ('IJDAR'), and fuzzy spelling agree."""
    return _same_container(cited, tuple(registered))


@lru_cache(maxsize=65536)  # a journal is cited, and registered, again and again
def _same_container(cited: str, registered: tuple[str, ...]) -> bool:
    cited_words = _content_words(cited)
    if not cited_words:
        return True
    for name in registered:
        candidates = [name] + re.findall(r"\(([^)]+)\)", name)
        for candidate in candidates:
            words = _content_words(re.sub(r"\([^)]*\)", " ", candidate) if candidate == name else candidate)
            if not words:
                continue
            if fuzz.ratio(" ".join(cited_words), " ".join(words)) >= 90:
                return True
            if len(words) == len(cited_words) and all(map(_abbreviates, cited_words, words)):
                return True
            if len(cited_words) == 1 and cited_words[0] in ("".join(w[0] for w in words),
                                                            "".join(w[0] for w in fold(candidate).split())):
                return True
    return False


@lru_cache(maxsize=1)
def _doi_types() -> dict:
    return yaml.safe_load((Path(__file__).parent / "data" / "doi_types.yaml").read_text(encoding="utf-8"))


def is_preprint(ref: Reference) -> bool:
    """An arXiv (or similar) preprint: an e-print identifier, or a preprint server as container or URL."""
    if ref.eprint or "arxiv.org" in ref.url.casefold():
        return True
    words = fold(ref.container).split()
    return any(marker in words or fold(ref.container).startswith(marker)
               for marker in _doi_types()["preprint_markers"])


def usually_without_doi(ref: Reference) -> bool:
    """Whether a reference without a DOI is normal for its kind (data/doi_types.yaml): books, theses,
    reports, software, web pages, preprints. A @misc entry with a journal is an article in disguise."""
    if is_preprint(ref):
        return True
    if ref.entry_type not in _doi_types()["usually_without_doi"]:
        return False
    return not (ref.entry_type == "misc" and ref.container)
