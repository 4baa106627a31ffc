"""Abbreviations used before their definition, defined twice with different long forms, or defined and
never used.

Definitions are "long form (SF)" pairs found with the Schwartz & Hearst algorithm (Pacific Symposium on
Biocomputing 2003, "A simple algorithm for identifying abbreviation definitions in biomedical text"):
each character of the short form must appear, in order, in the words before the parenthesis, the first
one at the start of a word. The abstract is its own scope, as journals require abbreviations to be
defined again in the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from galleyproof.claims.context import CheckContext
from galleyproof.claims.findings import Finding, Location
from galleyproof.claims.sentences import Sentence

_PAREN = re.compile(r"\(([A-Za-z][A-Za-z0-9\-]{1,9})\)")


@dataclass(frozen=True)
class Definition:
    short: str
    long: str
    sentence: Sentence
    order: int
    start: int  # offset of "(SF)" in the sentence


def _short_form(raw: str) -> str | None:
    short = raw[:-1] if len(raw) > 2 and raw.endswith("s") and raw[-2].isupper() else raw
    capitals = sum(c.isupper() for c in short)
    if capitals < 2 and not (capitals == 1 and any(c.isdigit() for c in short)):
        return None
    return short


_FUNCTION_WORDS = {"and", "of", "the", "for", "in", "on", "a", "an", "to", "with"}


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


def _definitions(sentences: list[Sentence]) -> list[Definition]:
    found = []
    for order, sentence in enumerate(sentences):
        for match in _PAREN.finditer(sentence.text):
            short = _short_form(match.group(1))
            if short:
                long = best_long_form(short, sentence.text[:match.start()])
                if long:
                    found.append(Definition(short, long, sentence, order, match.start()))
    return found


def _uses(short: str, sentences: list[Sentence]) -> list[tuple[int, int, Sentence]]:
    token = re.compile(r"(?<![\w-])(\(?)" + re.escape(short) + r"s?(\)?)(?![\w-])")
    found = []
    for order, sentence in enumerate(sentences):
        for match in token.finditer(sentence.text):
            if not (match.group(1) and match.group(2)):  # "(SF)" is the definition itself
                found.append((order, match.start(), sentence))
    return found


def _loc(sentence: Sentence) -> Location:
    return Location(sentence.file, sentence.line, sentence.section, sentence.as_written)


def _scope_findings(short: str, defs: list[Definition], sentences: list[Sentence]) -> list[Finding]:
    first = defs[0]
    early = [(o, p, s) for o, p, s in _uses(short, sentences) if (o, p) < (first.order, first.start)]
    if not early:
        return []
    used = early[0][2]
    message = (f"{short} is used at {used.file}:{used.line} before it is defined as \"{first.long}\" at "
               f"{first.sentence.file}:{first.sentence.line}.")
    return [Finding("abbreviation-used-before-definition", message, [_loc(used), _loc(first.sentence)], [short])]


def _abstract_only(short: str, defs: list[Definition], body: list[Sentence]) -> list[Finding]:
    used = _uses(short, body)
    if not used:
        return []
    first, where = defs[0], used[0][2]
    message = (f"{short} is used at {where.file}:{where.line} but defined only in the abstract "
               f"({first.sentence.file}:{first.sentence.line}), which readers of the body may skip.")
    return [Finding("abbreviation-used-before-definition", message, [_loc(where), _loc(first.sentence)], [short])]


def check(ctx: CheckContext) -> list[Finding]:
    scopes = {"abstract": [s for s in ctx.sentences if s.part == "abstract"],
              "body": [s for s in ctx.sentences if s.part != "abstract"]}
    findings = []
    defined: dict[str, dict[str, list[Definition]]] = {}
    for scope, sentences in scopes.items():
        for definition in _definitions(sentences):
            defined.setdefault(definition.short, {}).setdefault(scope, []).append(definition)
    for short, by_scope in defined.items():
        for scope, defs in by_scope.items():
            findings += _scope_findings(short, defs, scopes[scope])
        if "body" not in by_scope:
            findings += _abstract_only(short, by_scope["abstract"], scopes["body"])
        defs = [d for scope in ("abstract", "body") for d in by_scope.get(scope, [])]
        findings += _differently(short, defs)
        if not _uses(short, ctx.sentences):
            places = ", ".join(f"{d.sentence.file}:{d.sentence.line}" for d in defs)
            message = f"{short} (\"{defs[0].long}\") is defined at {places} but never used."
            findings.append(Finding("abbreviation-unused", message, [_loc(d.sentence) for d in defs], [short]))
    return findings


def _differently(short: str, defs: list[Definition]) -> list[Finding]:
    first = defs[0]
    differing = [d for d in defs[1:] if fuzz.token_set_ratio(d.long.lower(), first.long.lower()) < 80]
    if not differing:
        return []
    other = differing[0]
    message = (f"{short} is defined as \"{first.long}\" at {first.sentence.file}:{first.sentence.line} "
               f"but as \"{other.long}\" at {other.sentence.file}:{other.sentence.line}.")
    return [Finding("abbreviation-defined-differently", message, [_loc(first.sentence), _loc(other.sentence)],
                    [short])]
