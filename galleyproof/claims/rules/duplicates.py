"""Duplicated or near-duplicated passages: paragraphs repeated elsewhere in the manuscript.

Similarity is rapidfuzz's normalised Indel ratio (0-100) over whitespace- and case-normalised text;
runs of consecutive repeated paragraphs are reported once, as one passage and its copy. A long
sentence repeated inside otherwise different paragraphs is reported as well.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from galleyproof.claims.context import CheckContext
from galleyproof.claims.findings import Finding, Location, quote


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s%]", " ", text.lower()).split())


def _pairs(texts: list[str], threshold: float) -> list[tuple[int, int, float]]:
    if len(texts) < 2:
        return []
    scores = process.cdist(texts, texts, scorer=fuzz.ratio, score_cutoff=threshold, workers=-1)
    return [(i, j, float(scores[i, j])) for i in range(len(texts)) for j in range(i + 1, len(texts))
            if scores[i, j] >= threshold]


def check(ctx: CheckContext) -> list[Finding]:
    settings = ctx.config.get("duplicates") or {}
    min_words = int(settings.get("min_words", 15))
    threshold = float(settings.get("min_similarity", 90))
    paras = [p for p in ctx.paragraphs if len(p.block.text.split()) >= min_words]
    pairs = _pairs([_norm(p.block.text) for p in paras], threshold)
    runs: list[list[tuple[int, int, float]]] = []
    for i, j, score in pairs:
        for run in runs:
            last_i, last_j, _ = run[-1]
            if i == last_i + 1 and j == last_j + 1:
                run.append((i, j, score))
                break
        else:
            runs.append([(i, j, score)])
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
    sentences = [s for s in ctx.sentences if s.block not in paired and len(s.text.split()) >= min_words]
    findings = []
    for i, j, score in _pairs([_norm(s.text) for s in sentences], threshold):
        a, b = sentences[i], sentences[j]
        message = (f"The sentence at {a.file}:{a.line} is repeated at {b.file}:{b.line} ({score:.0f}% similar): "
                   f"\"{quote(a.as_written, 60)}\".")
        findings.append(Finding("duplicate-passage", message,
                                [Location(a.file, a.line, a.section, a.as_written),
                                 Location(b.file, b.line, b.section, b.as_written)], []))
    return findings
