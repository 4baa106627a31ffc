"""The same quantity stated with different numbers in different places.

A quantity is read only where the text names what is measured, so two figures are comparable:
"reduced anxiety by 58%" (measure: reduce anxiety), "58% of participants" (measure: participants),
"a total of 42 studies were included" / "the 42 included studies" (measure: included studies).
Beyond those, any count of a noun phrase ("412 breeding colonies", "37% of the colonies") is a
quantity keyed by its noun phrase and by what qualifies it in the clause: names ("in Norway"), years,
and participles ("surveyed", "completed"). Two figures are compared only when both match, so "412
colonies in Norway" and "398 colonies in Sweden", or "120 patients enrolled" and "98 patients
completed", are different quantities. Ranges ("between 10 and 20 sites") and table cells are not read.
Figures for different measures, or several figures in one sentence, are never compared. The abstract
against the body is reported first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from galleyproof.claims.context import CheckContext
from galleyproof.claims.findings import Finding, Location, join_names
from galleyproof.claims.sentences import Sentence

_NUM = r"(?<![\d.,])(\d++(?:\.\d++)?)"  # starts at a number's start, possessive: linear on digit runs
_STOP = {"the", "a", "an", "of", "in", "on", "and", "or", "by", "to", "its", "their", "average", "up",
         "about", "around", "approximately", "nearly", "almost", "over", "more", "than", "mean"}
# verb stem, object words, "by" [up to | an average of | about] N %
_CHANGE = re.compile(r"\b(reduc|increas|decreas|lower|rais|cut|improv|boost|declin|drop|rose|fell)\w*\s+"
                     r"((?:[\w-]+\s+){0,4}?)by\s+(?:(?:up to|an average of|on average|about|around|approximately|"
                     r"nearly|almost|over|more than)\s+)?" + _NUM + r"\s?(?:%|per ?cent)", re.IGNORECASE)
_OBJECT_BY = re.compile(r"(?:,|\band)\s+([\w-]+(?:\s+[\w-]+)?)\s+by\s+" + _NUM + r"\s?(?:%|per ?cent)", re.IGNORECASE)
_SHARE = re.compile(_NUM + r"\s?(?:%|per ?cent)\s+of\s+(?:the\s+)?((?:[\w-]+\s+){0,2}?[\w-]+s)\b", re.IGNORECASE)
_COUNT = re.compile(r"\b(?:total of|included|reviewed|identified|analy[sz]ed|enrolled|recruited)\s+" + _NUM +
                    r"\s+([\w-]+\s+)?(studies|trials|RCTs|participants|patients|articles|papers)\b", re.IGNORECASE)


_TOKEN = re.compile(r"[A-Za-z][\w'-]*|\d[\d,]*(?:\.\d+)?%?")
_FUNCTION = frozenset("a an the of in on at to for from by with and or but as is are was were be been this that "
                      "these those which who it its their they than then so such also each all any our we".split())
_PREPOSITIONS = frozenset("across among within along around near about per over under into onto through throughout "
                          "after before during since until via beside between without against toward towards "
                          "were was are is be been have has had".split())
_RANGE = frozenset({"between", "from", "to", "and", "or", "than", "-", "vs", "versus"})
_UNITS = frozenset("year years month months week weeks day days hour hours minute minutes second seconds km m cm mm "
                   "kg g mg ml l times fold percent per degrees".split())


@dataclass(frozen=True)
class Quantity:
    measure: str
    value: str
    sentence: Sentence
    offset: int = 0


_DEICTIC = frozenset("this these our the present total all".split())
_SCOPE = frozenset("in among for at from within during across on under".split())


def _qualifiers(tokens: list[re.Match], index: int, first_word: int) -> frozenset[str]:
    """Names, years, participles and the words of "in/among/for ..." phrases within six words of the
    figure: what tells two counts apart ("in the control arm", "in Devon", "in 2021", "completed")."""
    found = set()
    scoped = 0
    for k in range(max(0, index - 6), min(len(tokens), index + 8)):
        word = tokens[k].group(0)
        lower = word.lower()
        if lower in _SCOPE:
            after = tokens[k + 1].group(0).lower() if k + 1 < len(tokens) else ""
            scoped = 0 if after in _DEICTIC else 3  # "in this cohort", "in our sample": the study itself
            continue
        if k != index and re.fullmatch(r"(?:1[89]|20)\d\d", word):
            found.add(word)
        elif word[:1].isupper() and k > first_word and lower not in _FUNCTION:
            found.add(lower)
        elif len(word) > 4 and word.islower() and word.endswith(("ed", "ing")) and word not in ("including", "during"):
            found.add(word)
        elif scoped and lower not in _FUNCTION and not word[0].isdigit():
            found.add(lower)
        scoped = max(0, scoped - 1) if lower not in _FUNCTION else scoped
    return frozenset(found)


def counts(sentence: Sentence) -> list[Quantity]:
    """"N noun phrase" and "N% of noun phrase" anywhere in the sentence, keyed with their qualifiers."""
    tokens = list(_TOKEN.finditer(sentence.text))
    found = []
    for index, token in enumerate(tokens):
        word = token.group(0)
        if not word[0].isdigit() or (index and tokens[index - 1].group(0).lower() in _RANGE):
            continue
        if index + 1 < len(tokens) and tokens[index + 1].group(0).lower() in _RANGE:
            continue
        value = word.rstrip("%").replace(",", "")
        if not word.endswith("%") and re.fullmatch(r"(?:1[89]|20)\d\d", value):
            continue  # a year
        rest = tokens[index + 1:index + 6]
        phrase: list[str] = []
        if word.endswith("%"):
            if not rest or rest[0].group(0) != "of":
                continue
            rest = rest[1:]
        for nxt in rest:
            w = nxt.group(0)
            if w.lower() in _FUNCTION or w in _PREPOSITIONS or not w.islower() or w[0].isdigit() or len(phrase) == 3:
                break
            phrase.append(w)
        if not phrase or phrase[-1] in _UNITS or phrase[0] in _UNITS or not phrase[-1].endswith("s"):
            continue
        measure = ("share of " if word.endswith("%") else "number of ") + " ".join(phrase)
        qualifiers = _qualifiers(tokens, index, 1)
        key = measure + (" [" + ", ".join(sorted(qualifiers)) + "]" if qualifiers else "")
        found.append(Quantity(key, value, sentence, token.start()))
    return found


def _measure(*words: str) -> str:
    kept = [w.lower().rstrip("s") for part in words for w in (part or "").split() if w.lower() not in _STOP]
    return " ".join(kept)


def quantities(sentence: Sentence) -> list[Quantity]:
    text, found = sentence.text, []
    for match in _CHANGE.finditer(text):
        found.append(Quantity(_measure(match.group(1), match.group(2)), match.group(3), sentence))
        verb = match.group(1)
        for extra in _OBJECT_BY.finditer(text, match.end()):
            found.append(Quantity(_measure(verb, extra.group(1)), extra.group(2), sentence))
    for match in _SHARE.finditer(text):
        found.append(Quantity(_measure("share of", match.group(2)), match.group(1), sentence))
    for match in _COUNT.finditer(text):
        found.append(Quantity(_measure(match.group(2), match.group(3)), match.group(1), sentence))
    return [q for q in found if q.measure]


def check(ctx: CheckContext) -> list[Finding]:
    by_measure: dict[str, list[Quantity]] = {}
    hypothetical = [re.compile(p, re.IGNORECASE) for p in ctx.config.get("hypothetical_cues") or ()]
    for sentence in ctx.sentences:
        if sentence.kind == "table_cell" or any(p.search(sentence.text) for p in hypothetical):
            continue  # a table holds many figures; a worked example's figures are illustrations
        for quantity in quantities(sentence) + counts(sentence):
            by_measure.setdefault(quantity.measure, []).append(quantity)
    findings, reported = [], set()
    for measure, items in by_measure.items():
        values = {float(q.value) for q in items}
        if len(values) < 2 or len({q.sentence for q in items}) < 2 or len({q.sentence for q in items}) == 1:
            continue
        if len({(q.sentence.block, q.value) for q in items}) == len({q.sentence.block for q in items}) == 1:
            continue
        # the abstract's figure first: it is what readers quote
        items = sorted(items, key=lambda q: q.sentence.part != "abstract")
        firsts = list({float(q.value): q for q in reversed(items)}.values())[::-1]
        same = frozenset((q.sentence, float(q.value)) for q in firsts)
        if same in reported:
            continue  # one pair of figures read by two patterns ("included 42 studies", "42 studies")
        reported.add(same)
        listed = join_names(f"{q.value} ({q.sentence.file}:{q.sentence.line_at(q.offset)})" for q in firsts)
        what = measure.split(" [")[0]
        message = f"The figure for \"{what}\" is given as {listed}."
        findings.append(Finding("inconsistent-quantity", message,
                                [Location(q.sentence.file, q.sentence.line_at(q.offset), q.sentence.section,
                                          q.sentence.as_written) for q in firsts], [what, *[q.value for q in firsts]]))
    return findings
