"""Package what the build produced for one journal: check, render, verify, then swap into place.

    package_submission(project, "health-psychology", produced) -> ExportResult

export/ packages; it neither reads, audits, checks nor executes anything itself. `Produced` is what the
pipeline made (galleyproof.pipeline.export builds it): the sources as read, the audit and claim-check
reports, and a `prepare` step that returns the assembled manuscript (`Rendered`: cells executed or taken
from the cache) with the render engine's converter.

1. read the profile; run the checks that need only the sources and reports;
2. prepare the manuscript (only when those passed, or `draft`) and run the checks on it; a failing check
   stops here unless `draft` (nothing is written);
3. render into a temporary directory beside `_output/submission/<ID>/`: the manuscript in the journal's
   citation style (PDF/DOCX as the journal accepts), for double-blind review an anonymised copy and a
   separate title page, the cover letter and highlights from templates, figures, JATS and a MECA archive
   when the journal takes them, and the checklist;
4. verify what was rendered (anonymity of the reviewer copy in text and metadata, JATS well-formed with
   structured references), which adds rows to the checklist;
5. swap the directory into place and write `_output/submission/<ID>.zip`, both atomically.
"""

from __future__ import annotations

import datetime as _dt
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from galleyproof.bib.model import Reference
from galleyproof.errors import ExportError
from galleyproof.export import anonymise, checks, jats, meca, scrub
from galleyproof.export import leaks as leaks_module
from galleyproof.export.checklist import checklist_markdown
from galleyproof.export.checks import Check, ExportContext, Figure
from galleyproof.export.identity import identity_of
from galleyproof.export.profiles import Profile, load_profile
from galleyproof.export.safety import build_dir_beside, inside, require_inside, safe_name, swap_into_place
from galleyproof.export.templates import render as render_template
from galleyproof.manuscript.document import Document
from galleyproof.pipeline.progress import NullReporter, Reporter
from galleyproof.project import Project


class Converter(Protocol):
    def __call__(self, fmt: str, out: Path, *, markdown: Path | None = None, metadata: dict | None = None,
                 csl: Path | None = None, bare: bool = False) -> Path:
        """Write `markdown` (default: the manuscript's) as `fmt` to `out`; `metadata` over the document's;
        `bare`: without the document's metadata and bibliography (letters)."""
        ...


@dataclass
class Rendered:
    """The assembled manuscript the render engine prepared, and its converter."""

    markdown: str  # the assembled Pandoc Markdown
    resource_dir: Path  # where its figures are; pandoc runs there
    figures: list[Figure]
    metadata: dict[str, Any]  # the document's metadata, as the converter merges it
    convert: Converter


@dataclass
class Produced:
    """What the pipeline produced for a package. `prepare` runs only after the checks that need no cells."""

    document: Document
    references: list[Reference]
    audit: dict  # the build's audit result (JSON contract)
    check: dict  # the build's claim-check result
    prepare: Callable[[], Rendered]


SUBMISSION_DIR = "submission"
# Files whose purpose is to say who the authors are; a blind package's leak scan covers everything else.
IDENTIFYING_ITEMS = ("title-page", "cover-letter")


@dataclass(frozen=True)
class PackageFile:
    name: str  # relative to the package directory
    item_type: str  # MECA item type
    description: str


@dataclass
class ExportResult:
    profile: Profile
    checks: list[Check]
    draft: bool
    written: bool = False
    package_dir: Path | None = None
    zip_path: Path | None = None
    files: list[PackageFile] = field(default_factory=list)

    @property
    def failed(self) -> list[Check]:
        return checks.failed(self.checks)

    @property
    def ok(self) -> bool:
        return not self.failed


def submission_root(project: Project) -> Path:
    root = project.output_dir / SUBMISSION_DIR
    if not inside(root, project.root):
        raise ExportError(f"the output directory {project.output_dir} lies outside the project")
    return root


def package_submission(project: Project, journal_id: str, produced: Produced, *, draft: bool = False,
                       reporter: Reporter | None = None) -> ExportResult:
    reporter = reporter or NullReporter()
    profile = load_profile(journal_id, project)
    target = submission_root(project) / profile.id
    ctx = ExportContext(project, profile, produced.document, produced.references, audit=produced.audit,
                        check=produced.check)
    # Everything that can be judged from the sources is judged before any cell runs.
    early = checks.run_checks(ctx, checks.BEFORE_CELLS)
    if checks.failed(early) and not draft:
        return ExportResult(profile, checks.in_order(early + checks.not_run(checks.AFTER_CELLS)), draft)
    rendered = produced.prepare()
    ctx.figures = list(rendered.figures)
    ctx.resource_dir = rendered.resource_dir
    ctx.markdown = rendered.markdown
    result = ExportResult(profile, checks.in_order(early + checks.run_checks(ctx, checks.AFTER_CELLS)), draft)
    if result.failed and not draft:
        return result
    build = build_dir_beside(target)
    try:
        with tempfile.TemporaryDirectory(dir=rendered.resource_dir, prefix=".export-") as scratch:
            builder = _Builder(ctx, rendered, build, Path(scratch), result, reporter)
            builder.run()
        if result.failed and not draft:
            shutil.rmtree(build, ignore_errors=True)
            return result
        checklist = checklist_markdown(result)
        if profile.double_blind:  # it ships with the reviewer files; figure labels and leak details name people
            checklist = anonymise.redact(checklist, builder.identity)
        (build / "checklist.md").write_text(checklist, encoding="utf-8")
        result.files.append(PackageFile("checklist.md", "supplementary-material", "pre-submission checklist"))
        swap_into_place(build, target)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    result.written, result.package_dir = True, target
    result.zip_path = _zip(target, target.parent / f"{profile.id}.zip", result.files)
    return result


def _zip(directory: Path, archive: Path, files: list[PackageFile]) -> Path:
    """The package as one zip: entries sorted, fixed timestamps and permissions, so rebuilding the same
    package gives the same bytes (and hash)."""
    tmp = archive.with_name(f".{archive.name}.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted({safe_name(item.name) for item in files}):
            zf.writestr(scrub.deterministic_info(name), (directory / name).read_bytes())
    tmp.replace(archive)
    return archive


class _Builder:
    """Renders every file of one package into `out`; `scratch` holds intermediate Markdown."""

    def __init__(self, ctx: ExportContext, rendered: Rendered, out: Path, scratch: Path, result: ExportResult,
                 reporter: Reporter):
        self.ctx, self.rendered, self.out, self.scratch = ctx, rendered, out, scratch
        self.result, self.reporter, self.profile = result, reporter, ctx.profile
        self.markdown = rendered.markdown
        self.stage_images()
        project = ctx.project
        self.identity = identity_of(
            project.authors, [project.quarto, ctx.document.metadata], root=project.root,
            acknowledgements=anonymise.identifying_sections(self.markdown), prose=self.markdown)
        self.blind = self.profile.double_blind

    def stage_images(self) -> None:
        """Copy the images the Markdown names from the project into the work directory under the same
        relative path: Typst resolves image paths from the .typ file there, not from the project root."""
        from galleyproof import paths

        for resource in paths.resources(self.markdown):
            local = paths.local_path(resource.target) if resource.kind == "image" else None
            if not local or ".." in Path(local).parts or Path(local).is_absolute():
                continue
            source, staged = self.ctx.project.root / local, self.rendered.resource_dir / local
            if source.is_file() and not staged.exists() and inside(source, self.ctx.project.root):
                staged.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, staged)

    def add(self, name: str, item_type: str, description: str) -> None:
        self.result.files.append(PackageFile(safe_name(name), item_type, description))
        self.reporter.item("export", name, "written")

    def run(self) -> None:
        steps = [self.manuscript, self.figures]
        if self.profile.double_blind:
            steps.append(self.anonymised)
        if self.profile.double_blind or self.profile.title_page == "separate":
            steps.append(self.title_page)
        if self.profile.cover_letter != "none":
            steps.append(self.cover_letter)
        if self.profile.highlights.required:
            steps.append(self.highlights)
        if self.profile.jats or self.profile.meca:
            steps.append(self.jats)
        if self.profile.meca:
            steps.append(self.meca)
        if self.blind:
            steps.append(self.leak_scan)
        self.reporter.stage("export", len(steps))
        for step in steps:
            step()

    # -- rendering helpers ------------------------------------------------------------------------

    def convert(self, fmt: str, name: str, *, markdown: str | None = None, metadata: dict | None = None,
                bare: bool = False) -> Path:
        source = None
        if markdown is not None:
            source = self.scratch / f"{Path(name).stem}.md"
            source.write_text(markdown, encoding="utf-8")
        return self.rendered.convert(fmt, self.out / name, markdown=source, metadata=metadata, csl=self.profile.csl,
                                     bare=bare)

    def facts(self) -> dict:
        text = checks.abstract_text(self.ctx.document)
        return {
            "title": self.ctx.project.title,
            "journal": self.profile.name,
            "authors": self.ctx.project.authors,
            "corresponding": next((a for a in self.ctx.project.authors if a.email), None),
            "keywords": checks.keywords(self.ctx.document),
            "main_words": sum(checks.count_words(b.text) for b in checks.main_text_blocks(self.ctx)),
            "abstract_words": checks.count_words(text),
            "references": sum(1 for k in checks.cited_keys(self.ctx) if k in {r.key for r in self.ctx.references}),
            "figures": len(self.ctx.figures),
            "double_blind": self.profile.double_blind,
            "summary": _first_sentences(text, 2),
            "date": f"{_dt.date.today().day} {_dt.date.today():%B %Y}",
        }

    # -- the steps ----------------------------------------------------------------------------------

    def manuscript(self) -> None:
        for fmt in self.profile.formats:
            self.convert(fmt, f"manuscript.{fmt}")
            self.add(f"manuscript.{fmt}", "manuscript", f"manuscript ({self.profile.citation_style} references)")

    def figures(self) -> None:
        for figure in self.ctx.figures:
            if figure.path is None or not figure.path.is_file():
                continue
            source = require_inside(figure.path, self.rendered.resource_dir, self.ctx.project.root, what="figure")
            name = f"figures/{safe_name(source.name)}"
            description = figure.caption or figure.label or source.name
            if self.blind:  # reviewers get the figures: no metadata, no name or caption naming the authors
                if anonymise.find_identity(source.name.replace("-", " ").replace("_", " "), self.identity):
                    name = f"figures/figure-{len(self.result.files) + 1}{source.suffix.lower()}"
                description = anonymise.redact(description, self.identity)
            (self.out / "figures").mkdir(exist_ok=True)
            shutil.copyfile(source, self.out / name)
            if self.blind:
                scrub.strip_image_file(self.out / name)
            self.add(name, "figure", description)

    def anonymous_metadata(self) -> dict:
        metadata = {k: anonymise.redact(v, self.identity) if isinstance(v, str) else v
                    for k, v in self.rendered.metadata.items()}
        return {**metadata, **anonymise.metadata_override()}

    def blind_markdown(self, markdown: str) -> str:
        """The anonymised Markdown, its images replaced by metadata-free copies with neutral names."""
        from galleyproof import paths

        markdown = anonymise.anonymise_markdown(markdown, self.identity)
        blind_dir = self.rendered.resource_dir / "blind"
        blind_dir.mkdir(exist_ok=True)
        for number, target in enumerate(dict.fromkeys(r.target for r in paths.resources(markdown)
                                                      if r.kind == "image"), 1):
            local = paths.local_path(target)
            source = next((base / local for base in (self.rendered.resource_dir, self.ctx.project.root)
                           if local and (base / local).is_file()), None)
            if source is None or not inside(source, self.ctx.project.root):
                continue
            name = f"blind/figure-{number}{source.suffix.lower()}"
            (self.rendered.resource_dir / name).write_bytes(scrub.strip_image(source.read_bytes()))
            markdown = markdown.replace(f"]({target}", f"]({name}").replace(f"](<{target}>", f"]({name}")
        return markdown

    def anonymised(self) -> None:
        markdown = self.blind_markdown(self.markdown)
        metadata = self.anonymous_metadata()
        for fmt in self.profile.formats:
            name = f"manuscript-anonymised.{fmt}"
            path = self.convert(fmt, name, markdown=markdown, metadata=metadata)
            if fmt == "docx":
                scrub.scrub_docx(path, self.identity)
            elif fmt == "pdf":
                scrub.scrub_pdf(path, self.identity)
            self.add(name, "manuscript", "anonymised manuscript for double-blind review")

    def leak_scan(self) -> None:
        """Every byte of every file the reviewers get, searched for the identity set."""
        identifying = frozenset(f.name for f in self.result.files if f.item_type in IDENTIFYING_ITEMS
                                or f.name.startswith("manuscript."))
        shipped = [self.out / f.name for f in self.result.files if f.name not in identifying]
        leaks = leaks_module.scan_files(shipped, self.identity, base=self.out, skip=identifying)
        self.result.checks.append(Check(
            "anonymised", "Anonymised manuscript: no author name, e-mail or affiliation (text and metadata)",
            checks.FAIL if leaks else checks.PASS, f"{len(leaks)} found", "0 found",
            "; ".join(leaks[:20]) + (f" and {len(leaks) - 20} more" if len(leaks) > 20 else "")
            + (" (a self-citation in the reference list? cite your own work in the third "
               "person or as 'Author, year')" if leaks else "")))

    def title_page(self) -> None:
        acknowledgements = anonymise.identifying_sections(self.markdown)
        from markupsafe import Markup

        text = render_template("title_page", **self.facts(), acknowledgements=Markup(acknowledgements.strip()))
        self.convert("docx", "title-page.docx", markdown=text, bare=True)
        self.add("title-page.docx", "title-page", "title page with authors, affiliations and acknowledgements")

    def cover_letter(self) -> None:
        self.convert("docx", "cover-letter.docx", markdown=render_template("cover_letter", **self.facts()), bare=True)
        self.add("cover-letter.docx", "cover-letter", "cover letter (read and sign before sending)")

    def highlights(self) -> None:
        items = checks.highlights(self.ctx.document)
        self.convert("docx", "highlights.docx", markdown=render_template("highlights", highlights=items), bare=True)
        self.add("highlights.docx", "highlights", "highlights")

    def jats(self) -> None:
        document = self.ctx.document
        front = jats.front_matter(self.ctx.project.authors, checks.abstract_text(document), checks.keywords(document))
        front["journal"] = {"title": self.profile.name, "publisher-id": self.profile.id,
                            "publisher-name": self.profile.publisher}
        # JATS @article-type ("review-article", "research-article", ...) as the author states it in index.qmd.
        front["article"] = {"type": str(document.metadata.get("article-type", "other"))}
        if self.profile.double_blind:
            markdown = self.blind_markdown(self.markdown)
            front = {**front, **self.anonymous_metadata(), "abstract": anonymise.redact(front.get("abstract", ""),
                                                                                     self.identity)}
        else:
            markdown = self.markdown
        path = self.convert("jats", "article.xml", markdown=jats.without_abstract(markdown), metadata=front)
        jats.wrap_abstract(path)
        if self.blind:
            scrub.scrub_xml(path, self.identity)
        summary = jats.inspect_jats(path)
        packaged = {f.name for f in self.result.files}
        missing = [g for g in summary.graphics if g not in packaged]
        for href in missing:  # an image the Markdown names directly, not a cell's figure
            source = self.rendered.resource_dir / href
            if not source.is_file():
                source = self.ctx.project.root / href
            if source.is_file() and inside(source, self.rendered.resource_dir, self.ctx.project.root):
                (self.out / href).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, self.out / safe_name(href))
                self.add(href, "figure", Path(href).name)
        missing = [g for g in summary.graphics if g not in {f.name for f in self.result.files}]
        self.add("article.xml", "article-metadata", "JATS XML of the article (jats_archiving, element citations)")
        problems = []
        if summary.structured < summary.references:
            problems.append(f"{summary.references - summary.structured} references are not structured")
        if missing:
            problems.append(f"graphics not in the package: {', '.join(missing)}")
        self.result.checks.append(Check(
            "jats", "JATS XML: well-formed, structured <ref> elements", checks.FAIL if problems else checks.PASS,
            f"{summary.references} refs, {summary.structured} structured, {summary.with_doi} with DOI",
            "all refs structured", "; ".join(problems)))

    def meca(self) -> None:
        name = f"{self.profile.id}-meca.zip"
        # The reviewer copy goes to the journal; the full manuscript too unless review is double-blind.
        items = [meca.MecaItem(f.name, f.item_type, f.description) for f in self.result.files
                 if not (self.profile.double_blind and f.name.startswith("manuscript."))]
        meca.write_meca(self.out / name, self.out, items)
        self.add(name, "meca", "MECA archive (manifest.xml lists every item)")


def _first_sentences(text: str, count: int) -> str:
    import pysbd

    sentences = pysbd.Segmenter(language="en", clean=False).segment(text.replace("\n", " ")) if text else []
    return " ".join(s.strip() for s in sentences[:count])
