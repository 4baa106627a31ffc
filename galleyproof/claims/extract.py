"""Claims in a sentence: subject constructs, a relation with a direction, and the entities it is about.

"Self-compassion practices are associated with increased activity in the mPFC and the ACC" gives
subjects {self-compassion}, direction +1, objects {medial prefrontal cortex, anterior cingulate cortex}.
The reading is deliberately shallow and explainable: a relation cue from `rules.yaml`; its subject is
the constructs written before it in the same clause (or earlier in the sentence); its objects are the
lexicon entities after it, up to the next cue or clause break. A negation just before a cue flips it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from galleyproof.claims.lexicon import Lexicon, Mention
from galleyproof.claims.sentences import Sentence


@dataclass(frozen=True)
class Claim:
    sentence: Sentence
    subjects: frozenset[str]
    cue: str
    direction: int  # +1, -1 or 0 (associated, no direction)
    objects: tuple[Mention, ...]

    def by_category(self) -> dict[str, frozenset[str]]:
        groups: dict[str, set[str]] = {}
        for mention in self.objects:
            groups.setdefault(mention.category, set()).add(mention.entity)
        return {k: frozenset(v) for k, v in groups.items()}


def trie_pattern(phrases: list[str]) -> str:
    """One regex for many phrases, as a character trie ("increase|increases|increased" ->
    "increase(?:d|s)?"): each position of the text tries a few characters instead of every phrase,
    which `re` would do for a plain alternation of hundreds. Greedy optional tails keep the longest
    phrase that the word boundary after it allows, as longest-first alternation did."""
    trie: dict = {}
    for phrase in phrases:
        node = trie
        for char in phrase.lower():
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return "(?:" + build(trie) + ")"


@lru_cache(maxsize=8)
def _patterns(relations_key: tuple, negations: tuple, breaks: tuple):
    cues = sorted(((phrase, int(d)) for d, phrases in relations_key for phrase in phrases), key=lambda c: -len(c[0]))
    direction = {phrase.lower(): d for phrase, d in cues}
    cue_re = re.compile(r"(?<![\w-])" + trie_pattern([p for p, _ in cues]) + r"(?![\w-])", re.IGNORECASE)
    neg_re = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in negations) + r")(?![\w-])", re.IGNORECASE)
    break_re = re.compile("|".join(re.escape(b) for b in breaks), re.IGNORECASE)
    return cue_re, direction, neg_re, break_re


def inflect(verb: str) -> list[str]:
    """Regular English forms of a verb lemma: reduce -> reduces, reduced, reducing."""
    if verb.endswith("e"):
        return [verb, verb + "s", verb + "d", verb[:-1] + "ing"]
    if verb.endswith("y") and verb[-2:-1] not in "aeiou":
        return [verb, verb[:-1] + "ies", verb[:-1] + "ied", verb + "ing"]
    if verb.endswith(("ss", "sh", "ch", "x")):
        return [verb, verb + "es", verb + "ed", verb + "ing"]
    return [verb, verb + "s", verb + "ed", verb + "ing"]


_COMPILED: dict[int, tuple] = {}


def _compiled(config: dict):
    """The cue patterns of one config, built once per config object (every sentence asks for them)."""
    key = id(config)
    cached = _COMPILED.get(key)
    if cached is None or cached[0] is not config:
        _COMPILED.clear()  # one config at a time: a new check replaces the old entry
        cached = _COMPILED[key] = (config, _build(config))
    return cached[1]


def _build(config: dict):
    phrases: dict[str, list[str]] = {str(d): list(p) for d, p in (config.get("relations") or {}).items()}
    for direction, verbs in (config.get("relation_verbs") or {}).items():
        phrases.setdefault(str(direction), []).extend(form for verb in verbs for form in inflect(verb))
    relations = tuple((d, tuple(dict.fromkeys(p))) for d, p in sorted(phrases.items()))
    return _patterns(relations, tuple(config.get("negations") or ()), tuple(config.get("clause_breaks") or (";",)))


def _negated(window: str, neg_re: re.Pattern, exceptions) -> bool:
    """A negation cue in the words before the relation, unless it opens "not only", "not merely", ..."""
    lowered = window.lower()
    return any(not any(lowered.startswith(e.lower(), m.start()) for e in exceptions) for m in neg_re.finditer(window))


def _clause_start(breaks: list[int], position: int) -> int:
    return max((b for b in breaks if b <= position), default=0)


def _clause_end(breaks: list[int], position: int, length: int) -> int:
    return min((b for b in breaks if b > position), default=length)


def extract_claims(sentence: Sentence, lexicon: Lexicon, config: dict) -> list[Claim]:
    cue_re, direction_of, neg_re, break_re = _compiled(config)
    text = sentence.text
    cues = list(cue_re.finditer(text))
    if not cues:
        return []
    subject_cats = set(config.get("subject_categories") or ())
    object_cats = set(config.get("object_categories") or ())
    mentions = lexicon.mentions(text, subject_cats | object_cats)
    if not any(m.category in object_cats for m in mentions):
        return []
    breaks = [m.end() for m in break_re.finditer(text)]
    claims = []
    for index, cue in enumerate(cues):
        start = _clause_start(breaks, cue.start())
        stop = min(_clause_end(breaks, cue.start(), len(text)),
                   cues[index + 1].start() if index + 1 < len(cues) else len(text))
        objects = tuple(m for m in mentions if m.category in object_cats and cue.end() <= m.start < stop)
        if not objects:
            continue
        subjects = {m.entity for m in mentions if m.category in subject_cats and start <= m.start < cue.start()}
        if not subjects:  # "...; rather, it is ... capable of activating": the subject came earlier
            subjects = {m.entity for m in mentions if m.category in subject_cats and m.start < cue.start()}
        if not subjects:
            continue
        direction = direction_of.get(cue.group(0).lower(), 0)
        window = text[max(start, cue.start() - 25):cue.start()]
        if direction and _negated(window, neg_re, config.get("negation_exceptions") or ()):
            direction = -direction
        claims.append(Claim(sentence, frozenset(subjects), cue.group(0), direction, objects))
    return claims
