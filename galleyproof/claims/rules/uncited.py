"""Evidential or quantitative claims with no citation.

"Studies show", "a meta-analysis found", "research indicates", percentages and counts of studies or
trials need a source. A citation in the sentence itself or later in the same paragraph counts (authors
often cite once at the end of a paragraph); one only earlier in the paragraph does not. A paragraph
followed directly by a reference entry (web pages that print each claim's reference under it, like
seed 003) counts as cited.
Figures in sections that report the authors' own data (Methods, Results: `own_data_sections`) need
no citation. The cue patterns are data in rules.yaml (`evidential_patterns`, `quantity_patterns`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from galleyproof.claims.citations import cites
from galleyproof.claims.context import CheckContext
from galleyproof.claims.findings import Finding, Location, join_names, quote


@lru_cache(maxsize=8)
def _compile(patterns: tuple[str, ...]) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in patterns)


def check(ctx: CheckContext) -> list[Finding]:
    evidential = _compile(tuple(ctx.config.get("evidential_patterns") or ()))
    quantities = _compile(tuple(ctx.config.get("quantity_patterns") or ()))
    own_data = _compile(tuple(ctx.config.get("own_data_sections") or ()))
    findings = []
    for paragraph in ctx.paragraphs:
        own = any(p.search(re.sub(r"^[\d.\-\s]+", "", paragraph.block.section)) for p in own_data)
        sentences = paragraph.sentences
        block = paragraph.block
        followed = bool(ctx.reference_lines.get(block.file, set()) & {block.end_line + 1, block.end_line + 2})
        cited_from = [followed or any(cites(s.text) for s in sentences[i:]) for i in range(len(sentences))]
        for sentence, cited in zip(sentences, cited_from):
            if cited:
                continue
            cues = [m.group(0) for p in evidential for m in p.finditer(sentence.text)]
            numbers = [] if own else [m.group(0) for p in quantities for m in p.finditer(sentence.text)]
            if not cues and not numbers:
                continue
            what = []
            if cues:
                what.append("an evidential claim (\"" + cues[0].strip() + "\")")
            if numbers:
                what.append("the figure" + ("s " if len(numbers) > 1 else " ") + join_names(numbers))
            message = (f"{sentence.file}:{sentence.line} states {' with '.join(what)} but cites no source "
                       f"in the sentence or the rest of its paragraph: \"{quote(sentence.text)}\"")
            findings.append(Finding("uncited-claim", message,
                                    [Location(sentence.file, sentence.line, sentence.section, sentence.as_written)],
                                    numbers))
    return findings
