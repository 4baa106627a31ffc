"""BibTeX and biblatex files: read into References entry by entry (with line numbers), write back.

Two libraries, each for what it does best:

- **bibtexparser 2** splits the file into blocks. It recovers per block: an entry it cannot parse
  becomes a failed block with its line while every other entry is still read, and it reports
  duplicate keys and duplicate fields as blocks of their own instead of rejecting the file. pybtex's
  parser stops at the first error unless its global strict switch is turned off, keeps no line
  numbers, and rejects a file over one duplicated field.
- **pybtex** reads what is inside the fields: names (`Last, First`, `First von Last`, braces,
  `and others`) and LaTeX to text (`{\\"u}` -> ü), which bibtexparser leaves to the caller.

We evaluate values ourselves (`#` concatenation, `@string` macros, month names) so that an
undefined macro is kept as its name and named in a warning rather than dropped; and we blank `%`
comments outside field values first, which biber accepts between fields and BibTeX users write
everywhere (bibtexparser would read a comment line as part of the next field's name).
biblatex's own fields and inheritance are in galleyproof.bib.biblatex. Reading stays linear in
the file: one pass to blank comments, one split, one pass over the entries.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from pybtex.backends.plaintext import Backend as TextBackend
from pybtex.bibtex.utils import split_name_list
from pybtex.database import BibliographyData, Entry
from pybtex.database import Person as BibPerson
from pybtex.richtext import Text

from galleyproof.bib.biblatex import eprint_of, resolve_inheritance, year_from
from galleyproof.bib.blocks import Block, chunk_blocks, chunks
from galleyproof.bib.blocks import blank_comments as blank_comments  # re-exported: tests count entries with it
from galleyproof.bib.doi import normalise_doi
from galleyproof.bib.model import BibIssue, Bibliography, Person, Reference
from galleyproof.errors import BibliographyError

# One backend instance: render_as("text") looks the plugin up through entry points on every
# call (about 16 ms), which made reading a 1,000-entry .bib take minutes.
_TEXT_BACKEND = TextBackend()
_ENTRY_START = re.compile(r"^\s*@(\w+)\s*[{(]\s*([^,\s]+)\s*,", re.MULTILINE)
_MONTHS = {m: str(i) for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
                                            "oct", "nov", "dec"), 1)}
_NOT_ENTRIES = {"comment", "preamble", "string"}
# A parent field's name and `=` (over lower-cased text; a `%` comment may stand between them).
_PARENT_FIELD = re.compile(r"\b(?:crossref|xdata)(?:\s|%[^\n]*)*=")
_ET_AL = {"others", "et al", "et al."}


@lru_cache(maxsize=65536)  # journals, publishers, volumes and years recur across a bibliography
def plain(latex: str) -> str:
    """'The {\\"O}sterreich {Story}' -> 'The Österreich Story' (braces and LaTeX accents removed)."""
    if not latex:
        return ""
    if "\\" not in latex and "$" not in latex:
        # Only grouping braces and ties: no need for the LaTeX decoder (1 ms a value), which kept
        # a 10,000-entry file from being read in seconds.
        return " ".join(latex.replace("{", "").replace("}", "").replace("~", " ").split())
    return _decode_latex(latex)


@lru_cache(maxsize=16384)  # journal names and publishers recur across a bibliography
def _decode_latex(latex: str) -> str:
    try:
        return " ".join(Text.from_latex(latex).render(_TEXT_BACKEND).split())
    except Exception:  # pybtex raises assorted errors on unbalanced input; fall back to stripping
        return " ".join(latex.replace("{", "").replace("}", "").split())


def entry_lines(text: str) -> dict[str, int]:
    """Key -> 1-based line of its `@type{key,` opening."""
    lines: dict[str, int] = {}
    line, counted_to = 1, 0
    for match in _ENTRY_START.finditer(text):
        # Count newlines only since the previous entry: linear in the file, not quadratic.
        line += text.count("\n", counted_to, match.start(2))
        counted_to = match.start(2)
        if match.group(1).lower() not in _NOT_ENTRIES:
            lines.setdefault(match.group(2), line)
    return lines


def _split_concatenation(raw: str) -> list[str]:
    """'{A} # jan # "B"' -> ['{A}', 'jan', '"B"'] (a `#` inside braces or quotes is text)."""
    parts, depth, quoted, start = [], 0, False, 0
    for index, char in enumerate(raw):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == '"' and depth == 0:
            quoted = not quoted
        elif char == "#" and depth == 0 and not quoted:
            parts.append(raw[start:index])
            start = index + 1
    parts.append(raw[start:])
    return [p.strip() for p in parts if p.strip()]


def _delimited(part: str) -> bool:
    """A `{...}` or `"..."` piece of a value: its text is its own, whatever @string defines."""
    return len(part) > 1 and part[0] in "{\"" and part[-1] == ("}" if part[0] == "{" else '"')


def evaluate(raw: str, strings: dict[str, str], undefined: list[str]) -> str:
    """A field's value: delimiters removed, macros expanded, pieces joined; unknown macros kept as
    written and appended to `undefined`."""
    raw = raw.strip()
    if raw.startswith("{") and raw.endswith("}") and "#" not in raw:
        return raw[1:-1]  # the common case, without the concatenation scan
    values = []
    for part in _split_concatenation(raw):
        if _delimited(part):
            values.append(part[1:-1])
        elif part.isdigit():
            values.append(part)
        elif part.casefold() in strings:
            values.append(strings[part.casefold()])
        elif part.casefold()[:3] in _MONTHS and len(part) == 3:
            values.append(_MONTHS[part.casefold()])
        else:
            undefined.append(part)
            values.append(part)
    return "".join(values)


def _person(p: BibPerson) -> Person:
    family = plain(" ".join(p.prelast_names + p.last_names))
    given = plain(" ".join(p.first_names + p.middle_names))
    return Person(family=family, given=given)


def _simple_person(name: str) -> Person | None:
    """BibTeX's name rules for names without braces, commands or a 'Jr' part, without pybtex's
    tokenizer (ten times faster; names are most of a large file's reading time). None: use pybtex."""
    if "{" in name or "\\" in name or name.count(",") > 1:
        return None
    name = name.replace("~", " ")
    if "," in name:
        family, given = name.split(",")
        return Person(" ".join(family.split()), " ".join(given.split())) if family.strip() else None
    words = name.split()
    if not words:
        return None
    # "First von Last": the von part runs from the first to the last lower-case word before the last word.
    lower = [i for i, word in enumerate(words[:-1]) if word[0].islower()]
    start = lower[0] if lower else len(words) - 1
    return Person(" ".join(words[start:]), " ".join(words[:start]))


@lru_cache(maxsize=65536)  # a group's author list recurs across its papers
def people(value: str) -> tuple[Person, ...]:
    """BibTeX name list -> Persons; 'and others' becomes the marker Person('others')."""
    return tuple(person(name) for name in split_name_list(value))


@lru_cache(maxsize=65536)  # and each author recurs more often still
def person(name: str) -> Person:
    """One BibTeX name -> Person."""
    if name.strip().casefold() in _ET_AL:
        return Person("others")
    fast = _simple_person(name)
    if fast is not None:
        return fast
    try:
        return _person(BibPerson(name))
    except Exception:  # pybtex rejects a few odd names (unbalanced braces): keep the text as a family name
        return Person(plain(name))


def reference_from_fields(key: str, entry_type: str, f: dict[str, str], source: str,
                          line: int | None) -> Reference:
    """One entry's fields (LaTeX values, biblatex inheritance applied) -> Reference."""
    title = plain(f.get("title", ""))
    subtitle = plain(f.get("subtitle", ""))
    if subtitle:
        title = f"{title}{'' if title.endswith(('?', '!', ':', '.')) else ':'} {subtitle}".strip()
    container = f.get("journaltitle") or f.get("journal") or f.get("booktitle") or f.get("maintitle") or ""
    persons = f.get("author") or (f.get("editor") if entry_type in ("book", "collection", "proceedings") else "")
    return Reference(
        key=key,
        entry_type=entry_type.lower(),
        authors=people(persons) if persons else (),
        year=plain(year_from(f)),
        title=title,
        container=plain(container),
        volume=plain(f.get("volume", "")),
        issue=plain(f.get("number") or f.get("issue") or ""),
        pages=f.get("pages", "").replace("{", "").replace("}", "").replace("--", "-").strip(),
        doi=normalise_doi(f.get("doi", "")),
        publisher=plain(f.get("publisher") or f.get("institution") or f.get("school") or ""),
        url=f.get("url", "").strip(),
        eprint=plain(eprint_of(f)),
        source=source,
        line=line,
    )


class _Reader:
    """One pass over the file's blocks (galleyproof.bib.blocks), collecting entries and issues."""

    def __init__(self, source: str):
        self.source = source
        self.issues: list[BibIssue] = []
        self.strings: dict[str, str] = {}
        self.entries: dict[str, tuple[str, dict[str, str]]] = {}
        self.order: list[tuple[str, str, int]] = []  # (key as stored, key as written, line)
        self.known: dict[str, Reference] = {}  # key as stored -> Reference an earlier read made of the same entry
        self.hashes: dict[str, str] = {}  # key as stored -> hash of a self-contained entry's text

    def issue(self, kind: str, message: str, line: int | None, key: str = "") -> None:
        self.issues.append(BibIssue(kind, message, self.source, line, key))

    def fields(self, entry: Block, line: int) -> tuple[dict[str, str], bool]:
        """The entry's values, and whether they depend on the entry's text alone (no macro, no field
        twice, no crossref or xdata): then its Reference can be remembered by that text."""
        values: dict[str, str] = {}
        undefined: list[str] = []
        alone = True
        for raw_name, raw_value in entry.fields:
            name = _field_name(raw_name)
            if not name or name.startswith("%"):
                continue
            if name in values:
                self.issue("duplicate_field", f"{entry.key}: field {name!r} given twice; the first is used",
                           line, entry.key)
                alone = False
                continue
            if raw_value[:1] == "{" and raw_value[-1:] == "}" and "#" not in raw_value:
                values[name] = raw_value[1:-1]  # evaluate()'s common case, inline (values arrive stripped)
            else:
                # Quoted, braced or numeric pieces (concatenated or not) are the entry's own text; a bare
                # word (a macro, or a month name, which @string may redefine) ties it to the rest of the file.
                alone = alone and all(_delimited(p) or p.isdigit() for p in _split_concatenation(raw_value))
                values[name] = evaluate(raw_value, self.strings, undefined)
        for macro in dict.fromkeys(undefined):
            self.issue("undefined_macro", f"{entry.key}: @string macro {macro!r} is not defined; kept as text",
                       line, entry.key)
        return values, alone and "crossref" not in values and "xdata" not in values

    def stored_key(self, key: str, line: int) -> str:
        if key not in self.entries:
            return key
        first = next(n for k, _, n in self.order if k == key)
        self.issue("duplicate_key", f"key {key!r} is defined again (first at line {first}); both are audited",
                   line, key)
        return f"{key}\x00{line}"  # kept apart from the first; the written key is restored below

    def add(self, entry: Block, line: int, chunk: str = "", entry_hash: str = "") -> None:
        """An entry read from its block; `chunk`: its text, when the entry is all its chunk holds."""
        stored = self.stored_key(entry.key, line)
        values, alone = self.fields(entry, line)
        self.entries[stored] = (entry.entry_type, values)
        self.order.append((stored, entry.key, line))
        if chunk and alone:
            self.hashes[stored] = entry_hash or _text_hash(chunk)

    def add_known(self, ref: Reference, line: int, entry_hash: str) -> None:
        """An entry whose text an earlier read already made `ref` of (it depends on nothing else)."""
        stored = self.stored_key(ref.key, line)
        self.entries[stored] = (ref.entry_type, {})  # its fields are not read again: no digest from this reader
        self.order.append((stored, ref.key, line))
        self.known[stored] = ref if ref.line == line and ref.source == self.source else \
            replace(ref, line=line, source=self.source)
        self.hashes[stored] = entry_hash

    def read(self, text: str, known: Mapping[str, Reference] | None = None) -> list[Reference]:
        """The file's References; `known` (entry hash -> Reference) answers for entries read before."""
        if known and _inherits(text):
            known = None  # a parent's fields must be at hand for its children: read everything
        pieces: list[tuple[str, str, Reference | None, list[Block]]] = []  # (text, hash, known Reference, blocks)
        for line, chunk, following in chunks(text):
            entry_hash = _text_hash(chunk) if known else ""
            if entry_hash and known and entry_hash in known:
                # The same text was one self-contained entry when it was read: its blocks need no reading.
                pieces.append((chunk, entry_hash, known[entry_hash], [Block("entry", line + 1)]))
                continue
            pieces.append((chunk, entry_hash, None, chunk_blocks(line, chunk, following)))
        # Macros first, whatever their place in the file; a key defined twice keeps its first
        # definition (bibtexparser's library does the same).
        macros: dict[str, str] = {}
        for _, _, _, blocks in pieces:
            for block in blocks:
                if block.kind == "string":
                    macros.setdefault(block.key, block.fields[0][1])
        for name, value in macros.items():
            undefined: list[str] = []
            self.strings[name.casefold()] = evaluate(value, self.strings, undefined)
        for chunk, entry_hash, ref, blocks in pieces:
            if ref is not None:
                self.add_known(ref, blocks[0].line, entry_hash)
                continue
            alone = chunk if len(blocks) == 1 else ""
            for block in blocks:
                if block.kind == "entry":
                    self.add(block, block.line, alone, entry_hash)
                elif block.kind == "failed":
                    self.issue("unreadable_entry", _failure(block.reason, block.raw), block.line,
                               _key_of(block.raw))
        resolved = resolve_inheritance(self.entries, self.missing)
        return [self.known[stored] if stored in self.known else
                reference_from_fields(key, self.entries[stored][0], resolved[stored], self.source, line)
                for stored, key, line in self.order]

    def digest(self) -> str:
        """What the file says, not how it is laid out: a run of whitespace in a value is one space to BibTeX."""
        entries = [[written, self.entries[stored][0],
                    [[name, " ".join(value.split())] for name, value in self.entries[stored][1].items()]]
                   for stored, written, _ in self.order]
        return hashlib.sha256(json.dumps([entries, self.strings], ensure_ascii=False).encode()).hexdigest()

    def missing(self, key: str, field: str, target: str) -> None:
        line = next((n for k, _, n in self.order if k == key), None)
        self.issue("missing_crossref", f"{key.split(chr(0))[0]}: {field} names {target!r}, which is not in "
                   "this file; read without it", line, key.split("\x00")[0])


@lru_cache(maxsize=4096)
def _field_name(raw: str) -> str:
    """A field's name as written (after any junk lines before it), lower-cased."""
    return raw.split("\n")[-1].strip().lower()


def _inherits(text: str) -> bool:
    """Whether any entry may name a parent (a `crossref =` or `xdata =` field; the word elsewhere, as in
    a Crossref URL or note, does not count). A plain substring test first: most files never say the
    word, and a case-insensitive regular expression over a 4 MB file took 0.1 s."""
    lowered = text.lower()
    if "crossref" not in lowered and "xdata" not in lowered:
        return False
    return _PARENT_FIELD.search(lowered) is not None


def _text_hash(chunk: str) -> str:
    return hashlib.blake2b(chunk.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _key_of(raw: str) -> str:
    match = _ENTRY_START.match(raw) or re.match(r"\s*@\w+\s*[{(]\s*([^,\s=]+)", raw)
    return match.group(match.lastindex or 1) if match else ""


def _failure(reason: str, raw: str) -> str:
    """One sentence on why a block could not be read, from bibtexparser's reason."""
    what = _key_of(raw) or raw.strip().split("\n")[0][:40]
    return f"entry {what!r} cannot be read and is not audited: {reason or 'not a well-formed entry'}"


def parse_bibtex(text: str, source: str = "<string>", known: Mapping[str, Reference] | None = None) -> Bibliography:
    """BibTeX/biblatex text -> every readable entry, plus issues (unreadable entries are errors).
    `known` maps entry hashes (Bibliography.entry_hashes of an earlier read) to their References:
    those entries are not read again, so an edit costs about one entry's reading."""
    reader = _Reader(source)
    try:
        refs = reader.read(text, known)
    except Exception as exc:  # bibtexparser raises on states it calls its own bugs; name the file
        raise BibliographyError(f"cannot read BibTeX: {exc}", source) from None
    digest = reader.digest if not reader.known else (lambda: parse_bibtex(text, source).digest)
    return Bibliography(refs, sorted(reader.issues, key=lambda i: i.line or 0), digest,
                        [reader.hashes.get(stored, "") for stored, _, _ in reader.order])


def parse_bibliography(text: str, source: str = "<string>") -> list[Reference]:
    """The readable entries of BibTeX text (see `parse_bibtex` for what was wrong with the rest)."""
    return parse_bibtex(text, source).references


def read_bibliography(path: Path | str) -> list[Reference]:
    """Read a bibliography file (BibTeX, biblatex, CSL-JSON, CSL-YAML) into References, in file order."""
    from galleyproof.bib.bibliography import load_bibliography

    return load_bibliography(path).references


def balanced(text: str) -> str:
    """`text` without braces that have no partner: BibTeX cannot write (or read back) an unmatched `{`,
    and one taken from a plain-text reference list is stray punctuation (found by tests/test_fuzz.py)."""
    depth, keep = 0, []
    for char in text:
        if char == "}" and depth == 0:
            continue
        depth += (char == "{") - (char == "}")
        keep.append(char)
    out = "".join(keep)
    while depth > 0:  # drop the last unclosed openers, right to left
        cut = out.rfind("{")
        out, depth = out[:cut] + out[cut + 1:], depth - 1
    return out


def _bib_person(person: Person) -> BibPerson:
    return BibPerson(first=balanced(person.given), last=balanced(person.family))


def to_entry(ref: Reference) -> Entry:
    pairs = [
        ("title", ref.title), ("journal" if ref.entry_type == "article" else "booktitle", ref.container),
        ("year", ref.year), ("volume", ref.volume), ("number", ref.issue),
        ("pages", ref.pages.replace("-", "--") if ref.pages else ""),
        ("publisher", ref.publisher), ("doi", ref.doi), ("url", ref.url),
    ]
    fields = [(name, balanced(value)) for name, value in pairs if value]
    persons = {"author": [_bib_person(p) for p in ref.authors]} if ref.authors else {}
    return Entry(ref.entry_type, fields=fields, persons=persons)


def format_bibliography(refs: list[Reference]) -> str:
    """BibTeX text for `refs`, in the order given, stable from run to run."""
    data = BibliographyData()
    for ref in refs:
        data.add_entry(ref.key, to_entry(ref))
    return data.to_string("bibtex")
