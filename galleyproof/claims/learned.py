"""Entities learned from the manuscript itself, so conflicting claims are found in any field.

The bundled lexicon knows one field. Every manuscript also names its own entities: the abbreviations
it defines ("spotted-wing drosophila (SWD)": the long form and the short form are one entity) and the
noun phrases it repeats (two or three content words written three times or more). A claim is then a
relation cue from rules.yaml between two of these, in one clause: "warming increases SWD abundance"
gives (warming, +1, SWD). A negation just before the cue flips it; a hedged clause ("may", "might",
"could") is not a claim another one can contradict. The lexicon still adds synonyms and part-of.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from galleyproof.claims.extract import _compiled, _negated
from galleyproof.claims.sentences import Sentence

_WORD = re.compile(r"[A-Za-z][\w-]*")
_STOP = frozenset(
    "a an the of in on at to for from by with and or but as is are was were be been being this that these those "
    "which who it its their they them than then so such also both each all any our we not no more less most "
    "other some many may might can could would should will has have had do does did into over under between "
    "during after before while when where there here how what whether very only however thus".split())
# relation and evidence words are never entities of their own
_CUE_WORDS = frozenset("increase increases increased increasing decrease decreases decreased decreasing reduce reduces "
                       "reduced reducing raise raises raised lower lowers lowered lowering improve improves improved "
                       "higher greater fewer smaller larger studies study research results found shown showed "
                       "associated effect effects".split())
_HEDGES = re.compile(r"\b(?:may|might|could|possibly|perhaps|potentially|appears? to|seems? to|suggests?|"
                     r"hypothesi[sz]ed?|predicted)\b", re.IGNORECASE)


@dataclass(frozen=True)
class LearnedClaim:
    sentence: Sentence
    subject: str
    cue: str
    direction: int
    object: str
    offset: int  # of the cue in the sentence


def _phrases(sentences: list[Sentence]) -> dict[str, str]:
    """Noun phrases repeated in the manuscript: two or three content words written twice or more, or a
    content word of five letters or more written three times or more. phrase -> itself."""
    counts: Counter[str] = Counter()
    singles: Counter[str] = Counter()
    for sentence in sentences:
        words = [w.lower() for w in _WORD.findall(sentence.text)]
        singles.update(w for w in words if len(w) >= 5 and w not in _STOP and w not in _CUE_WORDS)
        for size in (2, 3):
            for i in range(len(words) - size + 1):
                gram = words[i:i + size]
                if gram[0] not in _STOP and gram[-1] not in _STOP and all(w not in _STOP for w in gram):
                    counts[" ".join(gram)] += 1
    found = {p: p for p, n in counts.items() if n >= 2}
    found.update((w, w) for w, n in singles.items() if n >= 3)
    return found


def learn_entities(sentences: list[Sentence], definitions: dict[str, str]) -> dict[str, str]:
    """Surface form (lower-case) -> entity name: defined abbreviations and repeated noun phrases."""
    entities = _phrases(sentences)
    for short, long in definitions.items():
        entities[long.lower()] = long.lower()
        entities[short.lower()] = long.lower()
    return entities


def _mentions(text: str, entities: dict[str, str]) -> list[tuple[int, int, str]]:
    """Longest entity at each word start, no overlaps: (start, end, entity)."""
    words = list(_WORD.finditer(text))
    found, k = [], 0
    while k < len(words):
        for size in (3, 2, 1):
            if k + size > len(words):
                continue
            span = text[words[k].start():words[k + size - 1].end()].lower()
            if " ".join(span.split()) in entities:
                found.append((words[k].start(), words[k + size - 1].end(), entities[" ".join(span.split())]))
                k += size
                break
        else:
            k += 1
    return found


def learned_claims(sentence: Sentence, entities: dict[str, str], config: dict) -> list[LearnedClaim]:
    cue_re, direction_of, neg_re, break_re = _compiled(config)
    text = sentence.text
    cues = [c for c in cue_re.finditer(text) if direction_of.get(c.group(0).lower(), 0)]
    if not cues:
        return []
    mentions = _mentions(text, entities)
    breaks = [0] + [m.end() for m in break_re.finditer(text)] + [len(text)]
    claims = []
    for cue in cues:
        start = max(b for b in breaks if b <= cue.start())
        stop = min(b for b in breaks if b > cue.start())
        clause = text[start:stop]
        if _HEDGES.search(clause):
            continue
        before = [m for m in mentions if start <= m[0] and m[1] <= cue.start()]
        after = [m for m in mentions if cue.end() <= m[0] and m[1] <= stop]
        if not before or not after or before[-1][2] == after[0][2]:
            continue
        direction = direction_of[cue.group(0).lower()]
        window = text[max(start, cue.start() - 25):cue.start()]
        if _negated(window, neg_re, config.get("negation_exceptions") or ()):
            direction = -direction
        claims.append(LearnedClaim(sentence, before[-1][2], cue.group(0), direction, after[0][2], cue.start()))
    return claims
