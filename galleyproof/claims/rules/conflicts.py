"""Conflicting claims: one subject and relation, stated with different entities or opposite directions.

Two patterns, both explained by the two sentences quoted:
- an abstract or conclusion claim whose entities differ from what the body says for the same subject,
  relation direction and entity category ("activates the OFC and ACC" vs "the mPFC and ACC"): the claims
  share an entity, and the summary names one the body never ties to that subject (a general term
  covers its parts, so "prefrontal cortex" never conflicts with "mPFC");
- any two claims about related subjects giving one entity opposite directions (increase vs decrease).
"""

from __future__ import annotations

from galleyproof.claims.context import CheckContext
from galleyproof.claims.extract import Claim
from galleyproof.claims.findings import Finding, Location, join_names

SUMMARY = ("abstract", "conclusion")


def _subjects_meet(ctx: CheckContext, a: Claim, b: Claim) -> bool:
    return any(ctx.lexicon.related(x, y) for x in a.subjects for y in b.subjects)


def _where(claim: Claim) -> str:
    section = claim.sentence.section or claim.sentence.part
    return f"section {section} ({claim.sentence.file}:{claim.sentence.line})"


def _location(claim: Claim) -> Location:
    s = claim.sentence
    return Location(s.file, s.line, s.section, s.as_written)


def _subject(claim: Claim) -> str:
    return join_names(sorted(claim.subjects))


def _set_conflicts(ctx: CheckContext, claims: list[Claim]) -> list[Finding]:
    findings = []
    body = [c for c in claims if c.sentence.part == "body" and c.direction]
    for summary in (c for c in claims if c.sentence.part in SUMMARY and c.direction):
        for category, entities in summary.by_category().items():
            peers = [b for b in body if b.direction == summary.direction and _subjects_meet(ctx, summary, b)
                     and category in b.by_category()]
            said = {e for b in peers for e in b.by_category()[category]}
            new = sorted(e for e in entities if not any(ctx.lexicon.related(s, e) for s in said))
            sharing = [b for b in peers if any(ctx.lexicon.related(e, s) for e in entities
                                               for s in b.by_category()[category])]
            if not new or not sharing:
                continue
            other = max(sharing, key=lambda b: len(b.by_category()[category] & entities))
            theirs = sorted(other.by_category()[category])
            message = (f"The {summary.sentence.part} ties {_subject(summary)} (\"{summary.cue}\") to "
                       f"{join_names(sorted(entities))} ({summary.sentence.file}:{summary.sentence.line}), but "
                       f"{_where(other)} ties it to {join_names(theirs)} (\"{other.cue}\"), without "
                       f"{join_names(new)}.")
            findings.append(Finding("conflicting-claim", message, [_location(summary), _location(other)],
                                    sorted(set(entities) | set(theirs))))
    return findings


def _direction_conflicts(ctx: CheckContext, claims: list[Claim]) -> list[Finding]:
    """Each claim against the first claim of the opposite direction that shares its subject and object.

    Claims are bucketed by object and subject (each with its broader terms), so only claims that can
    conflict are compared, and a claim repeated a hundred times gives a hundred findings, not 5,000.
    """
    signed = [c for c in claims if c.direction]
    buckets: dict[tuple[str, str], list[int]] = {}
    for number, claim in enumerate(signed):
        objects = {k for m in claim.objects for k in {m.entity} | ctx.lexicon.ancestors(m.entity)}
        subjects = {k for e in claim.subjects for k in {e} | ctx.lexicon.ancestors(e)}
        for key in {(o, s) for o in objects for s in subjects}:
            buckets.setdefault(key, []).append(number)
    pairs: set[tuple[int, int]] = set()
    for members in buckets.values():
        by_direction = {d: [n for n in members if signed[n].direction == d][:8] for d in (1, -1)}
        for number in members:
            claim = signed[number]
            partner = next((other for other in by_direction[-claim.direction]
                            if signed[other].sentence != claim.sentence
                            and _subjects_meet(ctx, signed[other], claim)), None)
            if partner is not None:
                pairs.add((min(number, partner), max(number, partner)))
    findings, seen = [], set()
    for i, j in sorted(pairs):
        a, b = signed[i], signed[j]
        shared = sorted({x.entity for x in a.objects for y in b.objects
                         if ctx.lexicon.related(x.entity, y.entity)})
        if not shared or (a.sentence, b.sentence) in seen:
            continue
        seen.add((a.sentence, b.sentence))
        up, down = (a, b) if a.direction > 0 else (b, a)
        message = (f"{_where(up).capitalize()} says {_subject(up)} raises {join_names(shared)} "
                   f"(\"{up.cue}\"), but {_where(down)} says {_subject(down)} lowers it (\"{down.cue}\").")
        findings.append(Finding("conflicting-claim", message, [_location(a), _location(b)], shared))
    return findings


def _learned_conflicts(ctx: CheckContext, reported: set[tuple]) -> list[Finding]:
    """Opposite directions for one subject and object the manuscript itself names (claims.learned)."""
    by_pair: dict[tuple[str, str], list] = {}
    for claim in ctx.learned_claims:
        by_pair.setdefault((claim.subject, claim.object), []).append(claim)
    findings = []
    for (subject, obj), claims in by_pair.items():
        up = next((c for c in claims if c.direction > 0), None)
        down = next((c for c in claims if c.direction < 0), None)
        if not up or not down or up.sentence == down.sentence:
            continue
        if (up.sentence, down.sentence) in reported or (down.sentence, up.sentence) in reported:
            continue
        a, b = sorted((up, down), key=lambda c: (c.sentence.block, c.sentence.index))
        where_a = f"{a.sentence.file}:{a.sentence.line_at(a.offset)}"
        where_b = f"{b.sentence.file}:{b.sentence.line_at(b.offset)}"
        says = {1: "raises", -1: "lowers"}
        message = (f"{where_a} says {subject} {says[a.direction]} {obj} (\"{a.cue}\"), but {where_b} says it "
                   f"{says[b.direction]} it (\"{b.cue}\").")
        findings.append(Finding("conflicting-claim", message,
                                [Location(c.sentence.file, c.sentence.line_at(c.offset), c.sentence.section,
                                          c.sentence.as_written) for c in (a, b)], [subject, obj]))
    return findings


def check(ctx: CheckContext) -> list[Finding]:
    claims = ctx.claims
    found = _set_conflicts(ctx, claims) + _direction_conflicts(ctx, claims)
    reported = {(loc_a, loc_b) for loc_a, loc_b in ((f.locations[0].text, f.locations[-1].text) for f in found)}
    learned = [f for f in _learned_conflicts(ctx, set())
               if (f.locations[0].text, f.locations[-1].text) not in reported
               and (f.locations[-1].text, f.locations[0].text) not in reported]
    return found + learned
