"""Read a Markdown-ish or plain-text manuscript (a draft, a web page copied as text) as data.

What it recognises, as the seeds write it:
- headings: Markdown `#` lines with or without bold (`## **2. Theoretical Framework:**`), numbered
  bold run-in headings at the start of a paragraph (`**2.1.1 Concept of Self-Compassion:** text`),
  and, in plain text with no `#` at all, short title-like lines standing alone;
- the front matter of an article: a leading YAML block (`---` ... `---`, as Quarto and pandoc write
  it: kept whole as metadata), or title, author, affiliation, email, submission dates, the abstract
  and the keywords line written as text;
- lists (`-`, `*`, `+`, `•`, `1.`), also where one opens straight after a line ending in a colon,
  which Markdown would otherwise read as part of that paragraph;
- an APA reference list (after `**References:**` or a References heading) and reference lines
  interleaved with prose (galleyproof.bib.apa);
- author-year citations (galleyproof.manuscript.authoryear), resolved against that list.
Web-page furniture listed in boilerplate.yml is dropped and reported. Numbering is kept exactly as
written; defects (mixed numbering, levels out of order, unresolved citations) become ImportIssues.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import yaml

from galleyproof.bib.apa import assign_keys, find_references
from galleyproof.bib.encoding import split_lines
from galleyproof.bib.model import Reference
from galleyproof.bib.reflist import read_reference_list
from galleyproof.errors import ManuscriptError
from galleyproof.manuscript import numbering
from galleyproof.manuscript.authoryear import AuthorYearCitation, find_citations, resolve_citations
from galleyproof.manuscript.document import Block, Citation, Document, Heading, read_text
from galleyproof.manuscript.numbering import Number
from galleyproof.manuscript.qmd import front_matter, split_heading, strip_emphasis
from galleyproof.project import Author


class _Collapsed:
    """A pattern matched against the line with each whitespace run collapsed to one space: its adjacent
    whitespace quantifiers would otherwise split a long blank stretch in quadratically many ways (issue 13, item 3)."""

    def __init__(self, pattern: str, flags: int = 0):
        self.pattern = re.compile(pattern, flags)

    def match(self, text: str) -> re.Match | None:
        return self.pattern.match(_WHITESPACE.sub(" ", text))


_WHITESPACE = re.compile(r"\s+")
_MD_HEADING = _Collapsed(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_BOLD_LINE = re.compile(r"^\*\*([^*]+)\*\*\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
# A list item that may open inside a run of lines: bullets, or numbers of one or two digits (a wrapped
# line beginning "2003. The" is prose).
_OPENING_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,2}[.)])\s+\S")
_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
_TAG_LINE = re.compile(r"^\s*</?(?:aside|div|section|span|p)\b[^>]*>\s*$", re.IGNORECASE)
_KEYWORDS = _Collapsed(r"^\s*\**\s*(?:Key\s*words|Keywords)\s*:?\s*\**\s*:?\s*(?P<list>.*)$", re.IGNORECASE)
_REFERENCES = _Collapsed(r"^\s*(?:#{1,6}\s*)?\**\s*(?:References|Bibliography|Works Cited)\s*:?\s*\**\s*:?\s*$",
                         re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_DATE_FIELD = re.compile(r"(Submission|Submitted|Received|Revised|Accepted|Published)\s*:\s*([^;]+)", re.IGNORECASE)
_DATE_KEYS = {"submission": "submitted", "submitted": "submitted", "received": "received",
              "revised": "revised", "accepted": "accepted", "published": "published"}
# "Journal of Research in Personality, 41": a container and volume left over from a reference.
_FRAGMENT = re.compile(r"^[A-Z][^.!?:]*,\s*\d+(?:\(\d+\))?(?:,\s*[\d\-–]+)?\.?$")
_SENTENCE_END = re.compile(r"[.!;]([”\"’')\]]*)(\s|$)")


@dataclass(frozen=True)
class ImportIssue:
    """Something in the source the reader or importer could not map cleanly; a warning, not an error."""

    kind: str  # citation-unresolved, reference-uncited, heading-numbering-mixed, heading-level, ...
    message: str
    file: str
    line: int | None
    text: str = ""  # the source line (or the part of it) concerned

    def as_dict(self) -> dict:
        return {"kind": self.kind, "message": self.message, "file": self.file, "line": self.line,
                "text": self.text}


@dataclass(frozen=True)
class Element:
    """A piece of the body, in source order: a heading, a paragraph or a list, with its lines as written.

    For a run-in heading, the heading is one element and the rest of its line opens the paragraph
    that follows (same line number)."""

    kind: str  # "heading" | "paragraph" | "list"
    line: int
    lines: tuple[str, ...] = ()  # verbatim source lines (heading: the heading text as written)
    heading: Heading | None = None
    citations: tuple[AuthorYearCitation, ...] = ()  # .line is the source line; spans index into it
    first_line_offset: int = 0  # where lines[0] begins in its source line (run-in headings)

    @property
    def end_line(self) -> int:
        return self.line + max(len(self.lines), 1) - 1


@dataclass
class FrontMatter:
    title: str = ""
    title_line: int | None = None
    authors: list[Author] = field(default_factory=list)
    dates: dict[str, str] = field(default_factory=dict)  # as written: {"submitted": "06/11/2025", ...}
    abstract: list[Element] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    keywords_line: str = ""  # verbatim
    keywords_line_number: int | None = None
    metadata: dict = field(default_factory=dict)  # a leading YAML block, as written (empty when none)


@dataclass
class SourceManuscript:
    file: str
    front: FrontMatter
    elements: list[Element]  # the body after the front matter, up to the reference list
    references: list[Reference]
    document: Document
    issues: list[ImportIssue]
    has_reference_section: bool = False

    @property
    def headings(self) -> list[Heading]:
        return [e.heading for e in self.elements if e.heading]


# --------------------------------------------------------------------------------------------------
# boilerplate


@lru_cache(maxsize=1)
def boilerplate_rules() -> dict:
    """The furniture lexicon in boilerplate.yml, next to this module."""
    return yaml.safe_load((Path(__file__).with_name("boilerplate.yml")).read_text(encoding="utf-8"))


def _is_nav_item(line: str, rules: dict) -> bool:
    stripped = line.strip()
    if not stripped.startswith(rules["bullet"]):
        return False
    words = stripped[len(rules["bullet"]):].split()
    return len(words) <= rules["max_words"] and not _SENTENCE_END.search(stripped)


def find_boilerplate(lines: list[str]) -> list[tuple[int, int, str]]:
    """Ranges of 1-based line numbers (first, last, why) that are web furniture, not the author's text."""
    rules = boilerplate_rules()
    trailers = {t.casefold() for t in rules["trailers"]}
    patterns = [re.compile(p, re.IGNORECASE) for p in rules["lines"]]
    nav = rules["navigation"]
    dropped: list[tuple[int, int, str]] = []
    index = 0
    while index < len(lines):
        stripped = lines[index].strip()
        if stripped.casefold() in trailers:
            dropped.append((index + 1, len(lines), f"page footer from {stripped!r}"))
            break
        if any(p.search(stripped) for p in patterns):
            dropped.append((index + 1, index + 1, "site boilerplate"))
        elif _is_nav_item(lines[index], nav):
            end = index
            while end + 1 < len(lines) and _is_nav_item(lines[end + 1], nav):
                end += 1
            if end - index + 1 >= nav["min_items"]:
                dropped.append((index + 1, end + 1, "navigation menu"))
                index = end
        index += 1
    return dropped


# --------------------------------------------------------------------------------------------------
# blocks of lines


@dataclass
class _Raw:
    line: int
    lines: list[str]


def _blocks(lines: list[str], skip: set[int], rules: frozenset[int] = frozenset()) -> list[_Raw]:
    """Runs of non-blank lines; Markdown headings, HTML tag lines and skipped lines separate runs."""
    blocks: list[_Raw] = []
    current: _Raw | None = None
    for number, text in enumerate(lines, 1):
        if number in skip or not text.strip() or _TAG_LINE.match(text):
            current = None
            continue
        if _MD_HEADING.match(text) or number in rules or (current is None and _RULE.match(text)):
            # A rule opening a run stands alone: followed by text on the next line, pandoc would
            # take it for the start of a YAML metadata block.
            blocks.append(_Raw(number, [text]))
            current = None
            continue
        if current is not None and _opens_list(current.lines, lines, number):
            current = None
        if current is None:
            current = _Raw(number, [])
            blocks.append(current)
        current.lines.append(text)
    return blocks


def _opens_list(run: list[str], lines: list[str], number: int) -> bool:
    """Line `number` starts a list inside a run of prose lines: it is an item, no line of the run is
    one, and either the run ends in a colon or the next line is an item too. Markdown needs a blank line
    before such a list (pandoc manual, "Lists"); without one the items would print as one paragraph."""
    if not _OPENING_ITEM.match(lines[number - 1]) or any(_LIST_ITEM.match(text) for text in run):
        return False
    following = lines[number] if number < len(lines) else ""
    return run[-1].rstrip().endswith(":") or bool(_OPENING_ITEM.match(following))


def _is_title_like(text: str) -> bool:
    """A plain-text heading: short, capitalised, no sentence punctuation, not a list item."""
    stripped = text.strip()
    return (0 < len(stripped) <= 100 and len(stripped.split()) <= 14 and stripped[0].isupper()
            and not _LIST_ITEM.match(text) and not _SENTENCE_END.search(stripped)
            and not stripped.endswith((",", ":")))


def slugify(text: str) -> str:
    """'Critical Discussion and Methodological Challenges' -> 'critical-discussion-and-methodological-challenges'."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "").replace("'", "").replace("ß", "ss"))
    letters = "".join(c if c.isascii() else "-" for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", letters.lower()).strip("-") or "section"


# --------------------------------------------------------------------------------------------------
# reading


class _Reader:
    def __init__(self, text: str, file: str):
        self.file = file
        self.lines = split_lines(text.rstrip("\n"))  # as editors count lines: a form feed is not a line break
        self.issues: list[ImportIssue] = []
        self.front = FrontMatter()
        self.elements: list[Element] = []
        self.references: list[Reference] = []
        self.ids: set[str] = set()
        self.has_reference_section = False
        self.in_abstract = False
        self.rules: set[int] = set()  # line numbers of rules that must stand alone

    def issue(self, kind: str, message: str, line: int | None, text: str = "") -> None:
        self.issues.append(ImportIssue(kind, message, self.file, line, text))

    def unique_id(self, title: str) -> str:
        base = "sec-" + slugify(title)
        ident, n = base, 2
        while ident in self.ids:
            ident, n = f"{base}-{n}", n + 1
        self.ids.add(ident)
        return ident

    # -- the pieces -------------------------------------------------------------------------------

    def drop_boilerplate(self) -> set[int]:
        skip: set[int] = set()
        for first, last, why in find_boilerplate(self.lines):
            skip.update(range(first, last + 1))
            shown = self.lines[first - 1].strip()
            span = f"lines {first}-{last}" if last > first else f"line {first}"
            self.issue("boilerplate", f"dropped {why} ({span})", first, shown)
        return skip

    def take_references(self, skip: set[int]) -> set[int]:
        """Reference list lines (and interleaved reference lines) leave the prose."""
        start = next((n for n, t in enumerate(self.lines, 1) if n not in skip and _REFERENCES.match(t)), None)
        # Dropped lines and the "References" heading read as blank, so no reference runs across them.
        visible = ["" if n in skip or n == start else t for n, t in enumerate(self.lines, 1)]
        spans = find_references(visible, self.file)
        if start is not None:
            # A reference section in another style (Harvard, Vancouver, numbered...): the
            # reference-list reader's references, when it finds more there than the APA reader.
            section = "\n".join("" if n <= start else t for n, t in enumerate(visible, 1))
            listed = read_reference_list(section, self.file).references
            if len(listed) > sum(1 for found in spans if found.first > start):
                spans = [found for found in spans if found.first < start] + listed
        taken = {n for found in spans for n in range(found.first, found.last + 1)}
        for number, text in enumerate(visible, 1):
            if not text.strip() or number in taken:
                continue
            if start is not None and number > start:
                self.issue("reference-unparsed", "a line in the reference list is not an APA reference",
                           number, text.strip())
                taken.add(number)
            elif _FRAGMENT.match(text.strip()):
                self.issue("reference-fragment", "looks like part of a reference (journal and volume) "
                           "but is not a reference; left out of the prose", number, text.strip())
                taken.add(number)
        if start is not None:
            taken.add(start)
        self.has_reference_section = start is not None
        self.references = assign_keys([found.reference for found in spans])
        self.report_duplicates()
        return taken

    def report_duplicates(self) -> None:
        seen: dict[tuple, Reference] = {}
        for ref in self.references:
            identity = ("doi", ref.doi) if ref.doi else ("title", slugify(ref.title), ref.year, ref.first_author)
            if identity in seen:
                first = seen[identity]
                self.issue("duplicate-reference", f"the same work as the reference at line {first.line} "
                           f"({first.key})", ref.line, ref.raw)
            else:
                seen[identity] = ref

    def heading_of(self, raw: _Raw, plain_text: bool) -> tuple[str, str, str, int] | None:
        """(kind, heading text, rest of line, markdown level) when the block opens with a heading."""
        first = raw.lines[0]
        md = _MD_HEADING.match(first)
        if md:
            return "markdown", md.group(2), "", len(md.group(1))
        # "**2.1.1 Concept of Self-Compassion:** Self-compassion is ..." (number required: an unnumbered
        # bold lead-in such as "**Compassion toward others:**" is the author's emphasis, not a heading).
        inline = numbering.run_in(first)
        if inline:
            head = first.strip()[2:first.strip().index("**", 2)]
            return "inline", head, inline[2], 0
        bold = _BOLD_LINE.match(first)
        if bold and len(raw.lines) == 1:
            return "bold", bold.group(1), "", 0
        if plain_text and len(raw.lines) == 1 and _is_title_like(first):
            return "plain", first.strip(), "", 0
        return None

    # -- the whole --------------------------------------------------------------------------------

    def take_front_matter(self) -> set[int]:
        """A leading YAML block: kept whole as metadata; title, authors, keywords and date read from it.
        YAML that does not parse is reported and read as text, so an import never stops on it."""
        try:
            meta, start = front_matter(self.lines, self.file)
        except ManuscriptError as exc:
            self.issue("front-matter-unread", f"the leading '---' block is not YAML front matter ({exc.message}); "
                       "read as text", exc.line or 1, self.lines[0].strip())
            return set()
        if not start:
            return set()
        if any(not isinstance(key, str) or re.search(r"\s", key) for key in meta):
            # "A line of text: more text" between two rules parses as YAML, but no metadata key has a space.
            self.rules = {1, start}  # both rules stand alone (the closing one would underline a heading)
            self.issue("front-matter-unread", "the leading '---' block reads as text, not as YAML front matter "
                       "(a key with spaces)", 1, self.lines[1].strip() if len(self.lines) > 1 else "")
            return set()
        front = self.front
        front.metadata = meta
        front.title = _plain(meta.get("title"))
        front.title_line = 1 if front.title else None
        front.authors = _authors_of(meta.get("author") or meta.get("authors"))
        keywords = meta.get("keywords")
        front.keywords = [_plain(k) for k in (keywords.split(",") if isinstance(keywords, str) else keywords or [])]
        if meta.get("date"):
            front.dates["date"] = _plain(meta["date"])
        return set(range(1, start + 1))

    def read(self) -> None:
        skip = self.take_front_matter()
        skip |= self.drop_boilerplate()
        skip |= self.take_references(skip)
        blocks = _blocks(self.lines, skip, frozenset(self.rules))
        plain_text = not any(_MD_HEADING.match(t) for n, t in enumerate(self.lines, 1) if n not in skip)
        has_abstract = any(self._is_abstract(b) for b in blocks)
        body_started = not blocks
        heads: list[tuple[Heading, int]] = []  # (heading, markdown level) for the structure checks
        for raw in blocks:
            found = self.heading_of(raw, plain_text)
            if not self.front.title and found:
                self.front.title = strip_emphasis(found[1]).rstrip(":").strip()
                self.front.title_line = raw.line
                continue
            if not body_started:
                if has_abstract and self.front_matter(raw, found):
                    continue
                body_started = True
            if found:
                kind, head_text, rest, md_level = found
                heading = self.make_heading(head_text, raw.line, kind == "markdown")
                heads.append((heading, md_level))
                self.elements.append(Element("heading", raw.line, (head_text,), heading))
                body = ([rest] if rest.strip() else []) + raw.lines[1:]
                if body:
                    offset = len(raw.lines[0]) - len(rest) if rest.strip() else 0
                    start = raw.line if rest.strip() else raw.line + 1
                    self.elements.append(self.prose(start, body, offset))
                continue
            self.elements.append(self.prose(raw.line, raw.lines, 0))
        if any(h.number for h, _ in heads):
            self.check_structure(heads)
        self.place_unnumbered()
        self.check_broken_paragraphs()

    def check_broken_paragraphs(self) -> None:
        """A paragraph that opens in lower case after one ending mid-sentence: a stray blank line.
        Carried over as written (the author decides), but reported."""
        for before, after in zip(self.elements, self.elements[1:]):
            if before.kind == after.kind == "paragraph" and after.lines[0][:1].islower() \
                    and not re.search(r"[.!?:;”\"’')\]]\s*$", before.lines[-1]):
                self.issue("paragraph-split", f"starts in lower case after the paragraph at line {before.line} "
                           "ended mid-sentence; a blank line may split one paragraph", after.line,
                           after.lines[0][:80])

    def place_unnumbered(self) -> None:
        """An unnumbered heading sits one level below the numbered heading before it (level 1 at top)."""
        level = 0
        for index, element in enumerate(self.elements):
            if not element.heading:
                continue
            if element.heading.number:
                level = element.heading.level
            else:
                heading = replace(element.heading, level=min(level + 1, 6))
                self.elements[index] = replace(element, heading=heading)

    def _is_abstract(self, raw: _Raw) -> bool:
        md = _MD_HEADING.match(raw.lines[0]) or _BOLD_LINE.match(raw.lines[0])
        text = md.group(md.lastindex or 0) if md else ""
        return strip_emphasis(text).rstrip(":").strip().lower() == "abstract"

    def front_matter(self, raw: _Raw, found) -> bool:
        """Consume one block of the article's front matter; False when the body begins."""
        first = raw.lines[0].strip()
        if self._is_abstract(raw):
            self.front.abstract = []
            self.in_abstract = True
            return True
        keywords = _KEYWORDS.match(first)
        if keywords and first.lower().lstrip("*").startswith("key"):
            self.front.keywords = [k.strip() for k in keywords.group("list").rstrip(". ").split(",") if k.strip()]
            self.front.keywords_line = raw.lines[0]
            self.front.keywords_line_number = raw.line
            self.in_abstract = False
            return True
        if found and found[0] != "plain" and (self.in_abstract or self.front.keywords_line):
            return False  # the first heading after the abstract opens the body, numbered or not
        if self.in_abstract:
            self.front.abstract.append(self.prose(raw.line, raw.lines, 0))
            return True
        if found and split_heading(found[1], found[0] == "markdown")[0]:
            return False  # a numbered heading: the body has begun
        self.front_line(raw)
        return True

    def front_line(self, raw: _Raw) -> None:
        text = " ".join(raw.lines).strip()
        bold = _BOLD_LINE.match(raw.lines[0])
        email = _EMAIL.search(text)
        dates = _DATE_FIELD.findall(text)
        if bold:
            self.front.authors.append(Author(strip_emphasis(bold.group(1))))
        elif dates:
            for name, value in dates:
                self.front.dates[_DATE_KEYS[name.lower()]] = value.strip()
        elif email and self.front.authors:
            last = self.front.authors[-1]
            self.front.authors[-1] = Author(last.name, last.affiliation, email.group(0))
        elif self.front.authors and not self.front.authors[-1].affiliation:
            last = self.front.authors[-1]
            self.front.authors[-1] = Author(last.name, text, last.email)
        else:
            self.issue("front-matter-unplaced", "a line before the abstract that is not a title, author, "
                       "affiliation, email or date", raw.line, text)

    def make_heading(self, text: str, line: int, markdown: bool) -> Heading:
        """A heading at the depth of its number (0 unnumbered: place_unnumbered sets it); a lone letter or
        numeral ('A.', 'IV.') is a number only in a Markdown heading (elsewhere 'X. Wang' is a name)."""
        number, title = split_heading(text, markdown)
        written = numbering.parse(number)
        level = written.depth if written else 0
        return Heading(level, title, number, self.unique_id(title), self.file, line)

    def prose(self, line: int, lines: list[str], offset: int) -> Element:
        kind = "list" if _LIST_ITEM.match(lines[0]) else "paragraph"
        found: list[AuthorYearCitation] = []
        for index, text in enumerate(lines):
            found += find_citations(text, line + index)
        return Element(kind, line, tuple(lines), None, tuple(found), offset)

    def check_structure(self, heads: list[tuple[Heading, int]]) -> None:
        """Mixed numbering schemes, Markdown levels that contradict the numbering, unplaceable headings;
        what is a defect is galleyproof.manuscript.numbering's decision, reported where it starts."""
        parents: dict[int, Heading] = {}  # depth -> latest heading at that depth
        numbered: list[tuple[Heading, Number, int]] = []  # (heading, number as written, markdown level)
        for heading, md_level in heads:
            source = self.lines[heading.line - 1].strip()
            written = self.written(heading)
            if written is None:
                under = parents.get(max(parents)) if parents else None
                where = f"under {under.label!r}" if under else "before the first numbered section"
                self.issue("heading-unplaced", f"heading {heading.title!r} has no number; placed {where}",
                           heading.line, source)
                continue
            parent = parents.get(written.depth - 1)
            parent_number = numbering.parse(parent.number) if parent else None
            if written.depth > 1 and (parent_number is None or parent_number.parts != written.parts[:-1]):
                self.issue("heading-unplaced", f"{heading.number} has no section "
                           f"{written.separator.join(written.text.split(written.separator)[:-1])} to belong to",
                           heading.line, source)
            numbered.append((heading, written, md_level))
            parents[written.depth] = heading
            for deeper in [d for d in parents if d > written.depth]:
                del parents[deeper]
        self.check_numbering(numbered)
        self.check_levels(numbered)

    def written(self, heading: Heading) -> Number | None:
        """The heading's number with its closing mark as written ('3-'), which Heading.number drops."""
        written = numbering.leading(self.lines[heading.line - 1])
        if written is not None and written.text == heading.number:
            return written
        return numbering.parse(heading.number) if heading.number else None

    def check_numbering(self, numbered: list[tuple[Heading, Number, int]]) -> None:
        for before, after in numbering.mixed([number for _, number, _ in numbered]):
            (other, was, _), (heading, now, _) = numbered[before], numbered[after]
            self.issue("heading-numbering-mixed", f"{now.written} at line {heading.line} is numbered with "
                       f"{now.separator or now.mark!r} after {was.written} at line {other.line} with "
                       f"{was.separator or was.mark!r}", heading.line, self.lines[heading.line - 1].strip())

    def check_levels(self, numbered: list[tuple[Heading, Number, int]]) -> None:
        # a run-in heading (level 0) has no Markdown level to contradict
        for conflict in numbering.level_conflicts([(number, level) for _, number, level in numbered]):
            heading, number, level = numbered[conflict.index]
            other, other_number, other_level = numbered[conflict.example]
            if conflict.kind == "odd":
                message = (f"{number.written} is a level-{level} Markdown heading but {other_number.written} at "
                           f"line {other.line}, numbered to the same depth, is level {other_level}")
            else:
                message = (f"{number.written} is numbered below {other_number.written} (line {other.line}) but "
                           f"its Markdown level {level} is not below {other_level}")
            self.issue("heading-level", message, heading.line, self.lines[heading.line - 1].strip())


def _plain(value) -> str:
    return "" if value is None else str(value).strip()


def _authors_of(value) -> list[Author]:
    """Authors from front matter in Quarto's author schema (https://quarto.org/docs/journals/authors.html):
    a name or a list of names or maps with `name` (text or given/family), `affiliation(s)`, `email`."""
    authors = []
    for item in value if isinstance(value, list) else [value] if value else []:
        if not isinstance(item, dict):
            authors.append(Author(_plain(item)))
            continue
        name = item.get("name")
        if isinstance(name, dict):
            name = name.get("literal") or " ".join(_plain(name.get(k)) for k in ("given", "family") if name.get(k))
        places = item.get("affiliations", item.get("affiliation")) or []
        places = places if isinstance(places, list) else [places]
        affiliation = "; ".join(filter(None, (_plain(p.get("name") if isinstance(p, dict) else p) for p in places)))
        authors.append(Author(_plain(name), affiliation, _plain(item.get("email"))))
    return [a for a in authors if a.name]


# --------------------------------------------------------------------------------------------------
# the document and the citations


def _resolve(reader: _Reader) -> None:
    """Resolve every citation against the reference list; report the ones that name no reference."""
    refs = reader.references
    cited: set[str] = set()

    def resolved(element: Element) -> Element:
        citations = tuple(resolve_citations(list(element.citations), refs))
        for citation in citations:
            for work in citation.works:
                if work.resolved:
                    cited.add(work.key)
                elif work.candidates:
                    cited.update(work.candidates)
                    reader.issue("citation-ambiguous", f"{work.text!r} matches {', '.join(work.candidates)} in "
                                 f"the reference list; cited as @{work.key}", citation.line, citation.text)
                else:
                    reader.issue("citation-unresolved", f"{work.text!r} matches no entry of the reference list"
                                 f"; cited as @{work.key}", citation.line, citation.text)
        return Element(element.kind, element.line, element.lines, element.heading, citations,
                       element.first_line_offset)

    reader.front.abstract = [resolved(e) for e in reader.front.abstract]
    reader.elements = [resolved(e) if e.kind != "heading" else e for e in reader.elements]
    if reader.has_reference_section:
        for ref in refs:
            if ref.key not in cited:
                reader.issue("reference-uncited", f"{ref.key} is in the reference list but never cited",
                             ref.line, ref.raw)


def _document(reader: _Reader) -> Document:
    doc = Document(files=[reader.file], metadata={"title": reader.front.title})
    section, section_id = "", ""

    def add(element: Element, section: str, section_id: str) -> None:
        if element.kind == "list":
            items: list[list[tuple[int, str]]] = []
            for index, text in enumerate(element.lines):
                if _LIST_ITEM.match(text) or not items:
                    items.append([])
                items[-1].append((element.line + index, text))
            for item in items:
                doc.blocks.append(Block("list_item", " ".join(t.strip() for _, t in item), reader.file,
                                        item[0][0], item[-1][0], section, section_id))
        else:
            doc.blocks.append(Block("paragraph", " ".join(t.strip() for t in element.lines), reader.file,
                                    element.line, element.end_line, section, section_id))
        for citation in element.citations:
            for work in citation.works:
                doc.citations.append(Citation(work.key, reader.file, citation.line, section, citation.text,
                                              citation.narrative))

    if reader.front.abstract:
        doc.headings.append(Heading(1, "Abstract", "", "sec-abstract", reader.file,
                                    reader.front.abstract[0].line - 1))
    for element in reader.front.abstract:
        add(element, "Abstract", "sec-abstract")
    for element in reader.elements:
        if element.heading:
            doc.headings.append(element.heading)
            section, section_id = element.heading.label, element.heading.id
        else:
            add(element, section, section_id)
    return doc


def parse_source(text: str, file: str = "<string>") -> SourceManuscript:
    """Read manuscript text; never raises for odd content, which becomes ImportIssues instead."""
    reader = _Reader(text, file)
    reader.read()
    _resolve(reader)
    issues = sorted(reader.issues, key=lambda issue: issue.line or 0)
    return SourceManuscript(file, reader.front, reader.elements, reader.references, _document(reader),
                            issues, reader.has_reference_section)


def load_source(path: Path | str, display_name: str | None = None) -> SourceManuscript:
    """Read a .txt/.md manuscript file. ManuscriptError when it is missing or not UTF-8 text."""
    return parse_source(read_text(path), display_name or str(path))
