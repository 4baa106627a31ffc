"""Abbreviations used before their definition, defined twice with different long forms, or defined and
never used.

Definitions are found with the Schwartz & Hearst algorithm (Pacific Symposium on Biocomputing 2003,
"A simple algorithm for identifying abbreviation definitions in biomedical text"): each character of
the short form must appear, in order, in the long form, the first one at the start of a word. Both of
their orders are read, "long form (SF)" and "SF (long form)", and so are glossary forms "SF: long form",
"SF = long form" and a table row whose first cells are the short and the long form. Definitions in
captions and tables count. A short form written as part of a name ("Travis CI") is not a use of the
abbreviation. The abstract is its own scope, as journals require abbreviations to be defined again in
the body. (The `abbreviations` package on PyPI implements the same algorithm, for the "long form (SF)"
order only, unmaintained since 2019; the few lines here are kept instead.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from galleyproof.claims.context import CheckContext
from galleyproof.claims.findings import Finding, Location
from galleyproof.claims.sentences import Sentence

_PAREN = re.compile(r"\(([A-Za-z][A-Za-z0-9\-]{1,9})(?:[,;][^()]{0,80})?\)")
_SF_FIRST = re.compile(r"(?<![\w-])([A-Za-z][A-Za-z0-9\-]{1,9}) \(([^()]{3,120})\)")
_GLOSSARY = re.compile(r"^([A-Za-z][A-Za-z0-9\-]{1,9})\s*(?::|=|\u2013|-{1,2})\s+([^.;:()]{3,120})")
_FUNCTION_WORDS = {"and", "of", "the", "for", "in", "on", "a", "an", "to", "with"}


@dataclass(frozen=True)
class Definition:
    short: str
    long: str
    sentence: Sentence
    order: int
    start: int  # offset of the short form in the sentence (its own occurrence is no use)


def _short_form(raw: str) -> str | None:
    short = raw[:-1] if len(raw) > 2 and raw.endswith("s") and raw[-2].isupper() else raw
    capitals = sum(c.isupper() for c in short)
    if capitals < 2 and not (capitals == 1 and any(c.isdigit() for c in short)):
        return None
    return short


def best_long_form(short: str, text: str) -> str | None:
    """Schwartz & Hearst's findBestLongForm over the words before the parenthesis.

    One refinement: the long form may not start with a function word when an earlier word also fits
    ("Acceptance and Commitment Therapy (ACT)", not "and Commitment Therapy").
    """
    words = text.split()[-min(len(short) + 5, len(short) * 2):]
    candidate = " ".join(words)
    s, l = len(short) - 1, len(candidate) - 1
    while s >= 0:
        c = short[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        while l >= 0 and (candidate[l].lower() != c or (s == 0 and l > 0 and candidate[l - 1].isalnum())):
            l -= 1
        if l < 0:
            return None
        if s == 0:
            first = candidate[l:].split()[0].lower()
            earlier = candidate[:l].split()
            if first in _FUNCTION_WORDS and earlier and earlier[-1][0].lower() == c \
                    and earlier[-1].lower() not in _FUNCTION_WORDS:
                l = candidate.rfind(earlier[-1], 0, l)
        l -= 1
        s -= 1
    start = candidate.rfind(" ", 0, l + 1) + 1
    long = candidate[start:].strip(" ,;:\"'")
    return long if len(long) > len(short) else None


def whole_long_form(short: str, phrase: str) -> str | None:
    """The phrase itself when all of it spells the short form (SF-first and glossary orders)."""
    phrase = phrase.strip(" ,;:\"'")
    words = phrase.split()
    if not words or len(words) > len(short) * 2 + 2 or words[0].lower() in _FUNCTION_WORDS:
        return None
    if not words[0][:1].lower() == short[:1].lower() or short.lower() in phrase.lower():
        return None  # "AppImage | AppImageHub" names a thing, it does not spell out a short form
    found = best_long_form(short, phrase)
    return phrase if found == phrase else None


def _in_sentence(sentence: Sentence, order: int) -> list[Definition]:
    found, text = [], sentence.text
    for match in _PAREN.finditer(text):
        short = _short_form(match.group(1))
        long = best_long_form(short, text[:match.start()]) if short else None
        if short and long:
            found.append(Definition(short, long, sentence, order, match.start(1)))
    for match in _SF_FIRST.finditer(text):
        short = _short_form(match.group(1))
        long = whole_long_form(short, match.group(2)) if short else None
        if short and long:
            found.append(Definition(short, long, sentence, order, match.start(1)))
    glossary = _GLOSSARY.match(text)
    if glossary:
        short = _short_form(glossary.group(1))
        long = whole_long_form(short, glossary.group(2)) if short else None
        if short and long:
            found.append(Definition(short, long, sentence, order, glossary.start(1)))
    return found


def _table_rows(sentences: list[Sentence]) -> list[Definition]:
    """A glossary table: a row's cell holding a short form followed by a cell spelling it out."""
    found = []
    for order in range(len(sentences) - 1):
        a, b = sentences[order], sentences[order + 1]
        if a.kind == b.kind == "table_cell" and a.line == b.line and a.block != b.block:
            short = _short_form(a.text.strip()) if re.fullmatch(r"[A-Za-z][A-Za-z0-9\-]{1,9}", a.text.strip()) else None
            long = whole_long_form(short, b.text) if short else None
            if short and long:
                found.append(Definition(short, long, a, order, 0))
    return found


def definitions(sentences: list[Sentence]) -> list[Definition]:
    found = [d for order, s in enumerate(sentences) for d in _in_sentence(s, order)] + _table_rows(sentences)
    return sorted(found, key=lambda d: (d.order, d.start))


_TOKEN = re.compile(r"(?<![\w-])[A-Za-z][A-Za-z0-9\-]*+")


def token_index(sentences: list[Sentence]) -> dict[str, list[tuple[int, int, Sentence]]]:
    """Word -> (sentence order, offset, sentence) of each occurrence, built once: finding every use of
    every short form is then one pass over the text, however many abbreviations it defines."""
    index: dict[str, list[tuple[int, int, Sentence]]] = {}
    for order, sentence in enumerate(sentences):
        for match in _TOKEN.finditer(sentence.text):
            word = match.group(0).rstrip("-")
            if any(c.isupper() for c in word):
                index.setdefault(word, []).append((order, match.start(), sentence))
    return index


def _uses(short: str, index: dict, definitions: set[tuple[int, int]],
          named: bool = True) -> list[tuple[int, int, Sentence]]:
    """Occurrences of the short form (or its plural) that are not a definition; with `named=False`,
    not inside a name either ("Travis CI", "the GitHub API" are names, "the CI service" is a use)."""
    found = sorted(index.get(short, []) + index.get(short + "s", []), key=lambda u: u[:2])
    return [(order, start, sentence) for order, start, sentence in found
            if (order, start) not in definitions and (named or not _in_name(sentence.text, start))]


def _in_name(text: str, start: int) -> bool:
    """After a mixed-case word ("arXiv API", "GitHub CI") or a capitalised one inside the sentence."""
    words = text[:start].split()
    if not words or not words[-1].isalpha() or words[-1].isupper() or words[-1].islower():
        return False
    word = words[-1]
    return any(c.isupper() for c in word[1:]) or len(words) > 1


def _loc(sentence: Sentence, offset: int = 0) -> Location:
    return Location(sentence.file, sentence.line_at(offset), sentence.section, sentence.as_written)


def _scope_findings(short: str, defs: list[Definition], index: dict,
                    spans: set[tuple[int, int]]) -> list[Finding]:
    first = defs[0]
    early = [(o, p, s) for o, p, s in _uses(short, index, spans, named=False)
             if (o, p) < (first.order, first.start)]
    if not early:
        return []
    _, offset, used = early[0]
    use, definition = _loc(used, offset), _loc(first.sentence, first.start)
    message = (f"{short} is used at {use.where} before it is defined as \"{first.long}\" at {definition.where}.")
    return [Finding("abbreviation-used-before-definition", message, [use, definition], [short])]


def _abstract_only(short: str, defs: list[Definition], body: dict) -> list[Finding]:
    used = _uses(short, body, set(), named=False)
    if not used:
        return []
    first, (_, offset, where) = defs[0], used[0]
    use, definition = _loc(where, offset), _loc(first.sentence, first.start)
    message = (f"{short} is used at {use.where} but defined only in the abstract ({definition.where}), "
               f"which readers of the body may skip.")
    return [Finding("abbreviation-used-before-definition", message, [use, definition], [short])]


def check(ctx: CheckContext) -> list[Finding]:
    scopes = {"abstract": [s for s in ctx.sentences if s.part == "abstract"],
              "body": [s for s in ctx.sentences if s.part != "abstract"]}
    findings = []
    defined: dict[str, dict[str, list[Definition]]] = {}
    spans: dict[str, set[tuple[int, int]]] = {}
    for scope, sentences in scopes.items():
        spans[scope] = set()
        for definition in definitions(sentences):
            defined.setdefault(definition.short, {}).setdefault(scope, []).append(definition)
            spans[scope].add((definition.order, definition.start))
    index = {scope: token_index(sentences) for scope, sentences in scopes.items()}
    for short, by_scope in defined.items():
        for scope, defs in by_scope.items():
            findings += _scope_findings(short, defs, index[scope], spans[scope])
        if "body" not in by_scope:
            findings += _abstract_only(short, by_scope["abstract"], index["body"])
        defs = [d for scope in ("abstract", "body") for d in by_scope.get(scope, [])]
        findings += _differently(short, defs)
        if not any(_uses(short, index[scope], spans[scope]) for scope in scopes):
            places = ", ".join(_loc(d.sentence, d.start).where for d in defs)
            message = f"{short} (\"{defs[0].long}\") is defined at {places} but never used."
            findings.append(Finding("abbreviation-unused", message, [_loc(d.sentence, d.start) for d in defs], [short]))
    return findings


def _words(long: str) -> set[str]:
    return {w.rstrip("s") for w in re.split(r"[\s\-]+", long.lower()) if w and w not in _FUNCTION_WORDS}


def same_long_form(a: str, b: str) -> bool:
    """One long form written twice: the same words (one may add a word: "CFT model"), or a typo.
    "major adverse cardiac events" and "major adverse cerebrovascular events" are two."""
    wa, wb = _words(a), _words(b)
    return wa <= wb or wb <= wa or fuzz.ratio(a.lower(), b.lower()) >= 90


def _differently(short: str, defs: list[Definition]) -> list[Finding]:
    first = defs[0]
    differing = [d for d in defs[1:] if not same_long_form(d.long, first.long)]
    if not differing:
        return []
    other = differing[0]
    a, b = _loc(first.sentence, first.start), _loc(other.sentence, other.start)
    message = f"{short} is defined as \"{first.long}\" at {a.where} but as \"{other.long}\" at {b.where}."
    return [Finding("abbreviation-defined-differently", message, [a, b], [short])]
