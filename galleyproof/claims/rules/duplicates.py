"""Duplicated, near-duplicated or paraphrased passages: paragraphs repeated elsewhere in the manuscript.

Candidates come from a shingle index (pairs of content words, function words dropped, so a copy with
its sentences reordered or "which" swapped for "that" still shares them); a shingle found in very many
paragraphs is boilerplate and indexes nothing, so the work grows with the text, not with its square.
Each candidate pair is scored twice with rapidfuzz: the Indel ratio of the normalised text (edits in
place) and the token-sort ratio of the content words (reordering). Runs of consecutive repeated
paragraphs are reported once, as one passage and its copy; a long sentence repeated inside otherwise
different paragraphs is reported as well.

Structured repetition is not duplication: a template filled in per item (parallel legends or list
items whose differences are one name substituted in several places), a legend repeated in a figure
legends section, and a text repeated three or more times (boilerplate).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher

from rapidfuzz import fuzz

from galleyproof.claims.context import CheckContext
from galleyproof.claims.findings import Finding, Location, quote

_WORD = re.compile(r"[\w%]+")
_FUNCTION = frozenset(
    "a an the of in on at to for from by with and or but nor as is are was were be been being this that these "
    "those which who whom whose it its their they them there here than then so such also both either each "
    "can could may might will would should must has have had do does did not no into onto over under".split())
_PROSE_KINDS = ("paragraph", "list_item", "caption", "quote", "footnote", "definition")
_XREF = re.compile(r"\[?-?@[\w:./-]+\]?")  # cross-references and citation keys are labels, not words
_LEGENDS = re.compile(r"legend|caption|figure|table", re.IGNORECASE)


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s%]", " ", text.lower()).split())


def _content(text: str) -> list[str]:
    return [w.rstrip("s") if len(w) > 3 else w for w in _WORD.findall(text.lower()) if w not in _FUNCTION]


def _candidates(contents: list[list[str]], common: int) -> set[tuple[int, int]]:
    """Pairs sharing at least a third of the smaller one's shingles (a shingle in `common` texts is ignored)."""
    shingles = [set(zip(words, words[1:])) for words in contents]
    index: dict[tuple[str, str], list[int]] = {}
    for number, found in enumerate(shingles):
        for shingle in found:
            index.setdefault(shingle, []).append(number)
    shared: Counter[tuple[int, int]] = Counter()
    for holders in index.values():
        if 1 < len(holders) <= common:
            for i, a in enumerate(holders):
                for b in holders[i + 1:]:
                    shared[(a, b)] += 1
    return {pair for pair, count in shared.items()
            if count * 3 >= min(len(shingles[pair[0]]), len(shingles[pair[1]]))}


def _score(a: str, b: str, ca: list[str], cb: list[str]) -> float:
    return max(fuzz.ratio(_norm(a), _norm(b)), fuzz.token_sort_ratio(" ".join(ca), " ".join(cb)))


def is_template(a: str, b: str) -> bool:
    """Two fillings of one template: they differ in two or more short slots, and one of them fills every
    slot with the same words ("... for omicX ... between omicX ..."). One slot changed is a copy."""
    wa, wb = _XREF.sub(" ", a).split(), _XREF.sub(" ", b).split()
    slots = [(" ".join(wa[i1:i2]), " ".join(wb[j1:j2]))
             for tag, i1, i2, j1, j2 in SequenceMatcher(None, wa, wb, autojunk=False).get_opcodes() if tag != "equal"]
    if len(slots) < 2 or any(max(len(x.split()), len(y.split())) > 4 for x, y in slots):
        return False
    return len({x for x, _ in slots}) == 1 or len({y for _, y in slots}) == 1


def _legend(item) -> bool:
    return item.kind == "caption" or bool(_LEGENDS.search(item.section or ""))


def _structured(ctx: CheckContext, a, b, repeats: Counter, key_a: str) -> bool:
    """Boilerplate, a filled-in template, parallel items of one list, or legends (one figure's legend
    repeated in a legends section, parallel legends of sibling figures)."""
    if repeats[key_a] >= 3 or is_template(a.text, b.text):
        return True
    if a.kind == b.kind == "list_item" and _group(a) == _group(b):
        return True
    return _legend(a) and _legend(b)


def _group(item) -> int:
    return item.group if item.group >= 0 else id(item)  # an unknown group is a group of one


@dataclass(frozen=True)
class _Item:
    text: str
    kind: str
    section: str
    group: int


def _pairs(ctx: CheckContext, items: list, threshold: float, min_words: int) -> list[tuple[int, int, float]]:
    texts = [item.text for item in items]
    contents = [_content(t) for t in texts]
    repeats = Counter(_norm(t) for t in texts)
    common = max(12, len(items) // 20)
    found = []
    for i, j in sorted(_candidates(contents, common)):
        if min(len(contents[i]), len(contents[j])) < min_words // 2:
            continue
        score = _score(texts[i], texts[j], contents[i], contents[j])
        if score >= threshold and not _structured(ctx, items[i], items[j], repeats, _norm(texts[i])):
            found.append((i, j, score))
    return found


def check(ctx: CheckContext) -> list[Finding]:
    settings = ctx.config.get("duplicates") or {}
    min_words = int(settings.get("min_words", 15))
    threshold = float(settings.get("min_similarity", 90))
    paras = [p for p in ctx.paragraphs if len(p.block.text.split()) >= min_words and p.block.kind in _PROSE_KINDS]
    pairs = _pairs(ctx, [_Item(p.block.text, p.block.kind, p.block.section, p.group) for p in paras],
                   threshold, min_words)
    runs: list[list[tuple[int, int, float]]] = []
    ends: dict[tuple[int, int], list] = {}
    for i, j, score in pairs:
        run = ends.pop((i - 1, j - 1), None)
        if run is None:
            run = []
            runs.append(run)
        run.append((i, j, score))
        ends[(i, j)] = run
    findings = []
    paired = {paras[i].index for run in runs for i, _, _ in run} | {paras[j].index for run in runs for _, j, _ in run}
    findings += _sentences(ctx, paired, threshold, int(settings.get("min_sentence_words", 20)))
    for run in runs:
        first = [paras[i] for i, _, _ in run]
        second = [paras[j] for _, j, _ in run]
        a, b = first[0].block, second[0].block
        lowest = min(score for _, _, score in run)
        size = f"{len(run)} paragraphs" if len(run) > 1 else "a paragraph"
        message = (f"{a.file}:{a.line}-{first[-1].block.end_line} and {b.file}:{b.line}-{second[-1].block.end_line} "
                   f"repeat {size} ({lowest:.0f}% similar), beginning \"{quote(a.text, 60)}\".")
        locations = [Location(a.file, a.line, a.section, " ".join(p.block.text for p in first)),
                     Location(b.file, b.line, b.section, " ".join(p.block.text for p in second))]
        findings.append(Finding("duplicate-passage", message, locations, []))
    return findings


def _sentences(ctx: CheckContext, paired: set[int], threshold: float, min_words: int) -> list[Finding]:
    sentences = [s for s in ctx.sentences if s.block not in paired and len(s.text.split()) >= min_words
                 and s.kind in _PROSE_KINDS]
    findings = []
    items = [_Item(s.text, s.kind, s.section, s.group) for s in sentences]
    for i, j, score in _pairs(ctx, items, threshold, min_words):
        a, b = sentences[i], sentences[j]
        if a.block == b.block:
            continue
        message = (f"The sentence at {a.file}:{a.line} is repeated at {b.file}:{b.line} ({score:.0f}% similar): "
                   f"\"{quote(a.as_written, 60)}\".")
        findings.append(Finding("duplicate-passage", message,
                                [Location(a.file, a.line, a.section, a.as_written),
                                 Location(b.file, b.line, b.section, b.as_written)], []))
    return findings
