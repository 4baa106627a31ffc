"""Evidential or quantitative claims with no citation.

"Studies show", "a meta-analysis found", "research indicates", percentages and counts of studies or
trials need a source. A citation in the sentence itself or later in the same paragraph counts (authors
often cite once at the end of a paragraph); one only earlier in the paragraph does not. A paragraph
followed directly by a reference entry (web pages that print each claim's reference under it, like
seed 003) counts as cited.
A claim that continues a cited sentence ("This effect ...", `continuation_patterns`) counts as cited.
Figures that report the authors' own data need no citation: in a Methods or Results section or any of
its subsections (`own_data_sections`), in a figure legend or a table, or stated with first-person or
"this study" cues (`own_data_cues`); nor do figures in a hypothetical worked example ("consider",
"suppose", "e.g.": `hypothetical_cues`). Evidential cues always need a source. An unfinished citation
("(CITE)", "[citation needed]", "??") is reported as such. All cue patterns are data in rules.yaml.
"""

from __future__ import annotations

import re
from functools import lru_cache

from galleyproof.claims.citations import cites
from galleyproof.claims.context import CheckContext
from galleyproof.claims.findings import Finding, Location, join_names, quote
from galleyproof.claims.sentences import Paragraph, Sentence

# Kinds of unit whose figures are the authors' own: a figure legend or a table reports their data.
OWN_DATA_KINDS = ("caption", "table_cell")


@lru_cache(maxsize=16)
def _compile(patterns: tuple[str, ...]) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in patterns)


def _patterns(ctx: CheckContext, name: str) -> tuple[re.Pattern, ...]:
    return _compile(tuple(ctx.config.get(name) or ()))


def _own_section(sentence: Sentence, own_data: tuple[re.Pattern, ...]) -> bool:
    """Under a Methods or Results heading, at any depth ("3.2 Cohort" inside "3 Results")."""
    return any(p.search(re.sub(r"^[\d.\-\s]+", "", title)) for title in sentence.sections for p in own_data)


def _own_before(text: str, start: int, own_cues: tuple[re.Pattern, ...]) -> bool:
    """"We ... completed an analysis which shows", "our data show": the evidence is the authors' own."""
    return any(p.search(text, 0, start + 12) for p in own_cues)


def _cited_from(ctx: CheckContext, paragraph: Paragraph) -> list[bool]:
    """Per sentence: a citation in it or later in its paragraph, or in the sentence it continues."""
    sentences, block = paragraph.sentences, paragraph.block
    followed = bool(ctx.reference_lines.get(block.file, set()) & {block.end_line + 1, block.end_line + 2})
    continuing = _patterns(ctx, "continuation_patterns")
    own = [cites(s.text) for s in sentences]
    result, later = [False] * len(sentences), followed
    for i in range(len(sentences) - 1, -1, -1):
        later = later or own[i]
        result[i] = later
    for i in range(1, len(sentences)):
        if own[i - 1] and any(p.match(sentences[i].text) for p in continuing):
            result[i] = True
    return result


def _unfinished(ctx: CheckContext, sentence: Sentence) -> Finding | None:
    for pattern in _patterns(ctx, "unfinished_citation_patterns"):
        match = pattern.search(sentence.text)
        if match:
            line = sentence.line_at(match.start())
            message = (f"{sentence.file}:{line} has an unfinished citation \"{match.group(0).strip()}\": "
                       f"\"{quote(sentence.as_written)}\"")
            return Finding("unfinished-citation", message,
                           [Location(sentence.file, line, sentence.section, sentence.as_written)],
                           [match.group(0).strip()])
    return None


def check(ctx: CheckContext) -> list[Finding]:
    evidential = _patterns(ctx, "evidential_patterns")
    quantities = _patterns(ctx, "quantity_patterns")
    own_data = _patterns(ctx, "own_data_sections")
    own_cues = _patterns(ctx, "own_data_cues")
    hypothetical = _patterns(ctx, "hypothetical_cues")
    findings = []
    # an abstract written in the first person reports the authors' own figures throughout
    own_abstract = any(p.search(s.text) for s in ctx.sentences if s.part == "abstract" for p in own_cues)
    for paragraph in ctx.paragraphs:
        for sentence, cited in zip(paragraph.sentences, _cited_from(ctx, paragraph)):
            unfinished = _unfinished(ctx, sentence)
            if unfinished:
                findings.append(unfinished)
                continue
            if cited:
                continue
            cues = [m for p in evidential for m in p.finditer(sentence.text)
                    if not _own_before(sentence.text, m.start(), own_cues)]
            own = (sentence.kind in OWN_DATA_KINDS or _own_section(sentence, own_data)
                   or (own_abstract and sentence.part == "abstract")
                   or any(p.search(sentence.text) for p in own_cues + hypothetical))
            numbers = [] if own else [m for p in quantities for m in p.finditer(sentence.text)]
            if not cues and not numbers:
                continue
            numbers.sort(key=lambda m: m.start())
            first = min([m.start() for m in cues + numbers])
            line = sentence.line_at(first)
            what = []
            if cues:
                what.append("an evidential claim (\"" + cues[0].group(0).strip() + "\")")
            if numbers:
                plural = "s " if len(numbers) > 1 else " "
                what.append("the figure" + plural + join_names(m.group(0) for m in numbers))
            message = (f"{sentence.file}:{line} states {' with '.join(what)} but cites no source "
                       f"in the sentence or the rest of its paragraph: \"{quote(sentence.text)}\"")
            findings.append(Finding("uncited-claim", message,
                                    [Location(sentence.file, line, sentence.section, sentence.as_written)],
                                    [m.group(0) for m in numbers]))
    return findings
