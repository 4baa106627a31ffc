"""The same quantity stated with different numbers in different places.

A quantity is read only where the text names what is measured, so two figures are comparable:
"reduced anxiety by 58%" (measure: reduce anxiety), "58% of participants" (measure: participants),
"a total of 42 studies were included" / "the 42 included studies" (measure: included studies).
Figures for different measures, or several figures in one sentence, are never compared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from galleyproof.claims.context import CheckContext
from galleyproof.claims.findings import Finding, Location, join_names
from galleyproof.claims.sentences import Sentence

_NUM = r"(\d+(?:\.\d+)?)"
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


@dataclass(frozen=True)
class Quantity:
    measure: str
    value: str
    sentence: Sentence


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
    for sentence in ctx.sentences:
        for quantity in quantities(sentence):
            by_measure.setdefault(quantity.measure, []).append(quantity)
    findings = []
    for measure, items in by_measure.items():
        values = {float(q.value) for q in items}
        if len(values) < 2 or len({q.sentence for q in items}) < 2:
            continue
        firsts = list({q.value: q for q in items}.values())
        listed = join_names(f"{q.value} ({q.sentence.file}:{q.sentence.line})" for q in firsts)
        message = f"The figure for \"{measure}\" is given as {listed}."
        findings.append(Finding("inconsistent-quantity", message,
                                [Location(q.sentence.file, q.sentence.line, q.sentence.section, q.sentence.as_written)
                                 for q in firsts], [measure, *[q.value for q in firsts]]))
    return findings
