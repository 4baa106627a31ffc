"""Abstract or conclusion naming an entity the body never discusses.

An abstract and a conclusion summarise the body; an entity (brain region, hormone, marker, pathway)
that appears only there is a claim the review never argues. The body covers an entity when it names
it, or one of its parts (a summary's "autonomic nervous system" is covered by the body's "vagus nerve").
"""

from __future__ import annotations

from galleyproof.claims.context import CheckContext
from galleyproof.claims.findings import Finding, Location
from galleyproof.claims.sentences import part_of


def check(ctx: CheckContext) -> list[Finding]:
    categories = set(ctx.config.get("object_categories") or ())
    body_texts = [s.text for s in ctx.sentences if s.part == "body"]
    body_texts += [h.title for h in ctx.doc.headings if part_of(h.label, ctx.config.get("parts", {})) == "body"]
    if not body_texts:
        return []
    discussed = {m.entity for text in body_texts for m in ctx.lexicon.mentions(text, categories)}
    introduced: dict[str, list] = {}
    for sentence in ctx.sentences:
        if sentence.part == "body":
            continue
        for mention in ctx.lexicon.mentions(sentence.text, categories):
            if not any(ctx.lexicon.covers(mention.entity, d) for d in discussed):
                introduced.setdefault(mention.entity, [])
                if sentence not in introduced[mention.entity]:
                    introduced[mention.entity].append(sentence)
    findings = []
    for entity, sentences in introduced.items():
        first = sentences[0]
        places = ", ".join(f"{s.file}:{s.line}" for s in sentences)
        message = (f"The {first.part} names {entity} ({places}), which the body of the manuscript never "
                   f"discusses.")
        findings.append(Finding("summary-entity-not-in-body", message,
                                [Location(s.file, s.line, s.section, s.as_written) for s in sentences], [entity]))
    return findings
