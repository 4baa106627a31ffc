"""Pre-submission checks: each compares one measured fact of the manuscript with a journal profile.

A check returns a `Check` (pass / fail / warn / skip, the measured value, the limit, and a detail
naming file and line where there is one); `run_checks` runs the registry `CHECKS` in order.
Nothing here prints, renders or writes: the caller prepares the manuscript (executed figures) and
decides what a failing check means (`--draft`).

The citation-audit and claim rows read the build's own results (ExportContext.audit/.check, from
galleyproof.pipeline.run.stage: nothing is audited or checked twice) under galleyproof.pipeline.policy:
- citation audit: fails on any reference whose status is at or
  above `mismatch` (mismatch, points_elsewhere, not_found, retracted). `missing_doi` and `unverified`
  are not failures but turn the row into a warning and are counted, so the checklist shows how much
  of the list was never compared with a registry (offline, and not in citations.lock.json).
- claim checker: fails on findings of severity `error` that
  the project has not accepted in accepted-findings.yml; warnings are counted only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from galleyproof import paths
from galleyproof.bib.model import Reference
from galleyproof.export.profiles import Profile
from galleyproof.manuscript import numbering
from galleyproof.manuscript.document import Block, Document
from galleyproof.pipeline import policy
from galleyproof.project import Project
from galleyproof.report.output import count

PASS, FAIL, WARN, SKIP = "pass", "fail", "warn", "skip"
VECTOR_FORMATS = ("pdf", "svg", "eps")
EXCLUDED_SECTIONS = re.compile(r"^(abstract|keywords?|references|bibliography|acknowledge?ments?|funding|"
                               r"declarations?|conflicts? of interest|author contributions?)\b", re.IGNORECASE)
# Linear-time shapes: no class overlaps the delimiter that follows it, so a failed match never
# backtracks (a run of `](` or `[@` cannot cost quadratic time; issue 13, item 3).
_CITATION = re.compile(r"\[[^\[\]@]*@[^\[\]]*+\]|(?<![\w.])-?@[\w:.#$%&+?<>~/-]+")
_LINK_TARGET = re.compile(r"\]\([^()]*+\)|\{[^{}]*+\}")
_WORD = re.compile(r"[^\W_][\w'’-]*")
_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)")


@dataclass(frozen=True)
class Check:
    id: str
    label: str
    status: str
    measured: str
    limit: str = ""
    detail: str = ""

    @property
    def failed(self) -> bool:
        return self.status == FAIL


@dataclass(frozen=True)
class Figure:
    """A figure of the prepared manuscript: its image file, caption and label (`fig-...`)."""

    path: Path | None
    caption: str
    label: str = ""


@dataclass
class ExportContext:
    project: Project
    profile: Profile
    document: Document
    references: list[Reference]
    figures: list[Figure] = field(default_factory=list)
    resource_dir: Path | None = None  # where the prepared manuscript keeps executed figures
    markdown: str = ""  # the assembled Pandoc Markdown the renderer reads
    audit: dict = field(default_factory=dict)  # the build's audit result (JSON contract), not re-run here
    check: dict = field(default_factory=dict)  # the build's claim-check result


def count_words(text: str) -> int:
    """Words of prose as a reader sees them: citation keys, link targets and attributes are not words."""
    text = _LINK_TARGET.sub("]", _CITATION.sub(" ", text))
    return len(_WORD.findall(text.replace("*", " ").replace("`", " ")))


def appendix_files(project: Project) -> set[str]:
    book = project.quarto.get("book") or {}
    files: set[str] = set()
    for entry in book.get("appendices") or []:
        if isinstance(entry, str):
            files.add(project.relative(project.root / entry))
        elif isinstance(entry, dict):
            files |= {project.relative(project.root / c) for c in entry.get("chapters") or [] if isinstance(c, str)}
    return files


def _section_title(block: Block) -> str:
    # Block.section is "2-1 Title"; the numbering is not part of the name.
    return numbering.title(block.section)


def is_abstract(block: Block) -> bool:
    return block.section_id == "sec-abstract" or _section_title(block).lower().startswith("abstract")


def main_text_blocks(ctx: ExportContext) -> list[Block]:
    """Prose of the chapters, without abstract, keywords, references, acknowledgements or appendices."""
    appendices = appendix_files(ctx.project)
    return [b for b in ctx.document.blocks
            if b.file not in appendices and not EXCLUDED_SECTIONS.match(_section_title(b))
            and not b.section_id.startswith(("sec-abstract", "sec-references", "sec-ack"))
            and not b.text.lstrip("*_ ").lower().startswith("keywords")]


def abstract_text(document: Document) -> str:
    blocks = [b.text for b in document.blocks
              if is_abstract(b) and not b.text.lstrip("*_ ").lower().startswith("keywords")]
    if blocks:
        return "\n\n".join(blocks)
    value = document.metadata.get("abstract")
    return str(value) if value else ""


def keywords(document: Document) -> list[str]:
    value = document.metadata.get("keywords") or []
    if isinstance(value, str):
        value = re.split(r"[;,]", value)
    return [str(k).strip().rstrip(".") for k in value if str(k).strip()]


def highlights(document: Document) -> list[str]:
    value = document.metadata.get("highlights") or []
    if isinstance(value, str):
        value = [line.lstrip("-• ").strip() for line in value.splitlines()]
    return [str(h).strip() for h in value if str(h).strip()]


def cited_keys(ctx: ExportContext) -> list[str]:
    """Keys in order of first citation; `nocite: '@*'` in the front matter cites the whole bibliography."""
    keys = list(dict.fromkeys(c.key for c in ctx.document.citations))
    if "@*" in str(ctx.document.metadata.get("nocite", "")):
        keys += [r.key for r in ctx.references if r.key not in keys]
    return keys


def _at_most(measured: int, limit: int | None) -> str:
    return PASS if limit is None or measured <= limit else FAIL


def _over(measured: int, limit: int | None, unit: str) -> str:
    if limit is None or measured <= limit:
        return ""
    return f"{measured - limit} {unit} over the journal's limit of {limit}"


def _limit(limit: int | None) -> str:
    return f"≤ {limit}" if limit is not None else "no limit"


# -- the checks ---------------------------------------------------------------------------------------

def check_main_text(ctx: ExportContext) -> Check:
    blocks = main_text_blocks(ctx)
    words = sum(count_words(b.text) for b in blocks)
    limit = ctx.profile.limits.main_text_words
    status = _at_most(words, limit)
    detail = _over(words, limit, "words")
    return Check("main-text-words", "Main text words (no abstract, references, appendices)", status,
                 str(words), _limit(limit), detail)


def check_abstract(ctx: ExportContext) -> Check:
    text = abstract_text(ctx.document)
    limit = ctx.profile.limits.abstract_words
    if not text:
        return Check("abstract-words", "Abstract words", FAIL, "no abstract", _limit(limit),
                     "no `# Abstract {#sec-abstract}` section in index.qmd and no `abstract:` in its front matter")
    words = count_words(text)
    status = _at_most(words, limit)
    detail = _over(words, limit, "words")
    return Check("abstract-words", "Abstract words", status, str(words), _limit(limit), detail)


def check_keywords(ctx: ExportContext) -> Check:
    found = keywords(ctx.document)
    low, high = ctx.profile.limits.keywords_min, ctx.profile.limits.keywords_max
    limit = f"{low}–{high}" if high is not None else f"≥ {low}"
    if len(found) < low:
        detail = f"{len(found)} keywords; the journal asks for at least {low} (`keywords:` in index.qmd)"
        return Check("keywords", "Keywords", FAIL, str(len(found)), limit, detail)
    if high is not None and len(found) > high:
        detail = f"{len(found)} keywords; the journal accepts at most {high}: {', '.join(found)}"
        return Check("keywords", "Keywords", FAIL, str(len(found)), limit, detail)
    return Check("keywords", "Keywords", PASS, str(len(found)), limit, ", ".join(found))


def check_references(ctx: ExportContext) -> Check:
    defined = {r.key for r in ctx.references}
    count = sum(1 for k in cited_keys(ctx) if k in defined)
    limit = ctx.profile.limits.references
    status = _at_most(count, limit)
    detail = _over(count, limit, "references")
    return Check("references", "References in the list", status, str(count), _limit(limit), detail)


def check_citations_resolved(ctx: ExportContext) -> Check:
    defined = {r.key for r in ctx.references}
    missing = [c for c in ctx.document.citations if c.key not in defined]
    total = len(ctx.document.citations)
    if missing:
        where = "; ".join(f"@{c.key} at {c.file}:{c.line}" for c in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        return Check("citations-resolved", "Every citation resolved", FAIL, f"{len(missing)} of {total} unresolved",
                     "0 unresolved", f"not in the bibliography: {where}{more}")
    return Check("citations-resolved", "Every citation resolved", PASS, f"{total} citations, 0 unresolved",
                 "0 unresolved")


def effective_dpi(path: Path, print_width_mm: float | None) -> tuple[float | None, str]:
    """Resolution at print size: pixels over the printed width, read with Pillow.

    A figure is printed at its natural width (pixels / embedded dpi, as matplotlib writes it) or
    shrunk to the journal's column width, whichever is smaller; so the effective resolution is the
    larger of the embedded dpi and pixels per inch at the stated print width.
    """
    with Image.open(path) as image:
        width, height = image.size
        embedded = image.info.get("dpi")
    candidates = []
    if embedded and embedded[0]:
        candidates.append(float(min(embedded)))
    if print_width_mm:
        candidates.append(width / (print_width_mm / 25.4))
    if not candidates:
        return None, f"{width}×{height} px, no dpi recorded"
    dpi = max(candidates)
    at = f" at {print_width_mm:g} mm" if print_width_mm else ""
    return dpi, f"{width}×{height} px, {dpi:.0f} dpi{at}"


def _figure_problems(figure: Figure, profile: Profile, root: Path, resources: Path | None) -> list[str]:
    name = figure.label or (figure.path.name if figure.path else "figure")
    if figure.path is None or not figure.path.is_file():
        return [f"{name}: image file missing"]
    allowed = [Path(root).resolve(), *([Path(resources).resolve()] if resources else [])]
    real = figure.path.resolve()
    if not any(real == a or a in real.parents for a in allowed):
        return [f"{name}: image lies outside the project"]
    problems = []
    if not figure.caption.strip():
        problems.append(f"{name}: no caption (add `#| fig-cap:` to its cell)")
    suffix = figure.path.suffix.lower().lstrip(".")
    if suffix not in profile.figures.formats:
        problems.append(f"{name}: {suffix} is not accepted ({', '.join(profile.figures.formats)})")
    if suffix not in VECTOR_FORMATS:
        dpi, described = effective_dpi(figure.path, profile.figures.print_width_mm)
        if dpi is None:
            problems.append(f"{name}: {described}; resolution unknown")
        elif round(dpi) < profile.figures.min_dpi:  # matplotlib stores 300 dpi as 299.9994
            problems.append(f"{name}: {described}, below {profile.figures.min_dpi} dpi")
    return problems


def check_figures(ctx: ExportContext) -> Check:
    limit = f"captioned, ≥ {ctx.profile.figures.min_dpi} dpi"
    if not ctx.figures:
        return Check("figures", "Figures present, captioned, adequate resolution", PASS, "no figures", limit)
    problems = [p for f in ctx.figures for p in _figure_problems(f, ctx.profile, ctx.project.root, ctx.resource_dir)]
    described = []
    for figure in ctx.figures:
        if figure.path and figure.path.is_file() and figure.path.suffix.lower().lstrip(".") not in VECTOR_FORMATS:
            dpi = effective_dpi(figure.path, ctx.profile.figures.print_width_mm)[1]
            described.append(f"{figure.label or figure.path.name}: {dpi}")
    measured = count(len(ctx.figures), "figure")
    return Check("figures", "Figures present, captioned, adequate resolution", FAIL if problems else PASS,
                 measured, limit, "; ".join(problems or described))


def check_image_paths(ctx: ExportContext) -> Check:
    """Images the chapters name must be files inside the project: pandoc and Typst would otherwise read
    (or fetch) them from elsewhere and carry them into the package (galleyproof.paths)."""
    bad, found = [], 0
    root = ctx.project.root
    for chapter in ctx.project.chapters:
        where = ctx.project.relative(chapter)
        for resource in paths.resources(chapter.read_text(encoding="utf-8")):
            if resource.kind != "image":
                continue
            found += 1
            local = paths.local_path(resource.target)
            if local is None:
                if not resource.target.startswith(("#", "data:")):
                    bad.append(f"{resource.target}: remote or absolute URL ({where}:{resource.line})")
            elif not paths.is_inside(root / local, root):
                bad.append(f"{resource.target}: outside the project ({where}:{resource.line})")
            elif not (root / local).is_file():
                bad.append(f"{resource.target}: no such file ({where}:{resource.line})")
    return Check("image-paths", "Images are files inside the project", FAIL if bad else PASS,
                 count(found, "image"), "all inside", "; ".join(bad))


def check_highlights(ctx: ExportContext) -> Check | None:
    rule = ctx.profile.highlights
    if not rule.required:
        return None
    found = highlights(ctx.document)
    limit = f"{rule.min_items}–{rule.max_items} items, ≤ {rule.max_chars} characters each"
    problems = []
    if not rule.min_items <= len(found) <= rule.max_items:
        problems.append(f"{len(found)} highlights (`highlights:` in index.qmd front matter)")
    problems += [f"highlight {i} has {len(h)} characters" for i, h in enumerate(found, 1) if len(h) > rule.max_chars]
    return Check("highlights", "Highlights", FAIL if problems else PASS, str(len(found)), limit, "; ".join(problems))


def check_audit(ctx: ExportContext) -> Check:
    label = "Citation audit: nothing at or above mismatch"
    result = ctx.audit
    refs = result.get("references", [])
    # The audit's own policy, so undefined keys fail here as they fail `galleyproof audit`.
    bad = policy.audit_failures(result)
    soft = [r for r in refs if r.get("status") not in ("verified", "no_doi") and r not in bad]  # no_doi: information
    counts: dict[str, int] = {}
    for ref in refs:
        counts[ref.get("status", "?")] = counts.get(ref.get("status", "?"), 0) + 1
    measured = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "no references"
    if bad:
        detail = "; ".join(f"{r['key']}: {r.get('status') or r['kind'].replace('_', ' ')}" for r in bad[:8])
        return Check("citation-audit", label, FAIL, measured, "0 at or above mismatch", detail)
    if soft:
        unverified = sum(1 for r in soft if r.get("status") == "unverified")
        detail = (f"{unverified} not compared with a registry (offline and not in citations.lock.json; "
                  "run `galleyproof audit` online)" if unverified else "")
        missing = sum(1 for r in soft if r.get("status") == "missing_doi")
        corrected = len(soft) - unverified - missing
        extra = [f"{missing} without a DOI" if missing else "",
                 f"{corrected} with a registered correction or update" if corrected else ""]
        detail = "; ".join(filter(None, [detail, *extra]))
        return Check("citation-audit", label, WARN, measured, "0 at or above mismatch", detail)
    return Check("citation-audit", label, PASS, measured, "0 at or above mismatch")


def _accepted(finding: dict[str, Any]) -> bool:
    return bool(finding.get("accepted"))


def check_claims(ctx: ExportContext) -> Check:
    label = "Claim checker: no unaccepted error"
    findings = ctx.check.get("findings", [])
    errors = [f for f in findings if f.get("severity") == "error" and not _accepted(f)]
    accepted = sum(1 for f in findings if _accepted(f))
    warnings = sum(1 for f in findings if f.get("severity") == "warning" and not _accepted(f))
    measured = f"{count(len(errors), 'error')}, {count(warnings, 'warning')}, {accepted} accepted"
    if errors:
        def where(f):
            loc = (f.get("locations") or [{}])[0]
            return f"{loc.get('file', '?')}:{loc.get('line', '?')}"
        detail = "; ".join(f"{where(f)} {f.get('message', f.get('kind', ''))}" for f in errors[:5])
        more = f" and {len(errors) - 5} more" if len(errors) > 5 else ""
        return Check("claims", label, FAIL, measured, "0 errors", detail + more)
    return Check("claims", label, WARN if warnings else PASS, measured, "0 errors")


CHECKS: tuple[Callable[[ExportContext], Check | None], ...] = (
    check_main_text, check_abstract, check_keywords, check_references, check_citations_resolved,
    check_figures, check_image_paths, check_highlights, check_audit, check_claims,
)


# Figures are judged on what the cells drew; everything else from the sources, before any cell runs.
AFTER_CELLS: tuple[Callable[[ExportContext], Check | None], ...] = (check_figures,)
BEFORE_CELLS = tuple(c for c in CHECKS if c not in AFTER_CELLS)
# Check id -> position in CHECKS, the checklist's order.
_ORDER = {"main-text-words": 0, "abstract-words": 1, "keywords": 2, "references": 3, "citations-resolved": 4,
          "figures": 5, "image-paths": 6, "highlights": 7, "citation-audit": 8, "claims": 9}


def not_run(checks) -> list[Check]:
    """Rows for checks that need the cells' outputs, when an earlier check stopped the export first."""
    rows = []
    for check in checks:
        name = check.__name__.removeprefix("check_")
        rows.append(Check(name.replace("_", "-"), name.replace("_", " ").capitalize(), SKIP, "not run", "",
                          "needs the cells' outputs; an earlier check failed, so no cell ran"))
    return rows


def in_order(results: list[Check]) -> list[Check]:
    """`results` in the checklist's order, whichever ran first."""
    return sorted(results, key=lambda check: _ORDER.get(check.id, len(_ORDER)))


def run_checks(ctx: ExportContext, checks=CHECKS) -> list[Check]:
    return [result for check in checks if (result := check(ctx)) is not None]


def failed(checks: list[Check]) -> list[Check]:
    return policy.export_failures(checks)
