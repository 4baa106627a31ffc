"""galleyproof.bib.blocks reads every file into the blocks bibtexparser's splitter gives for it.

The chunked reader (and its regular-expression fast path) must be a faster way to the same answer,
never a second opinion: each test compares it with bibtexparser 2 run on the whole file, on the real
bibliographies and on generated BibTeX soup that mixes entries with broken ones, comments, macros,
quotes, escapes and stray block starts.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import bibtexparser
import pytest
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, ParsingFailedBlock
from bibtexparser.model import Entry as ParsedEntry
from bibtexparser.model import String as ParsedString
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from galleyproof.bib import blocks
from galleyproof.bib.encoding import decode

ROOT = Path(__file__).resolve().parents[1]
REAL = sorted((ROOT.parent / "shared").glob("**/*.bib")) + sorted((ROOT / "tests" / "data").glob("**/*.bib"))


def whole_file(text: str) -> list[blocks.Block]:
    """What bibtexparser's splitter makes of the comment-blanked file in one go, as Blocks."""
    found = []
    for block in bibtexparser.parse_string(blocks.blank_comments(text), parse_stack=[]).blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, (DuplicateFieldKeyBlock, DuplicateBlockKeyBlock)):
            block = block.ignore_error_block
        if isinstance(block, ParsedEntry):
            found.append(blocks.Block("entry", line, block.entry_type.lower(), block.key,
                                      tuple((f.key, str(f.value)) for f in block.fields)))
        elif isinstance(block, ParsedString):
            found.append(blocks.Block("string", line, key=block.key, fields=((block.key, str(block.value)),)))
        elif isinstance(block, ParsingFailedBlock):
            reason = " ".join(str(getattr(block.error, "abort_reason", "") or "").split()).rstrip(".")
            found.append(blocks.Block("failed", line, reason=reason, raw=block.raw or ""))
    return found


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_real_bibliographies_split_as_bibtexparser_splits_them(path: Path):
    text = decode(path.read_bytes()).text
    assert blocks.split_blocks(text) == whole_file(text)


def test_the_fast_path_reads_plain_entries_and_declines_the_rest():
    text = decode((ROOT.parent / "shared/compat/bib/biblatex-examples.bib").read_bytes()).text
    pieces = blocks.chunks(text)
    fast = [chunk for _, chunk, _ in pieces if blocks._fast(blocks.blank_comments(chunk)) is not None]
    assert len(fast) > 0.8 * len(pieces)  # most entries never reach bibtexparser's splitter
    assert not any(chunk.lstrip().lower().startswith("@string") for chunk in fast)
    for _, chunk, following in pieces:  # and where it answers, it answers as the splitter does
        blanked = blocks.blank_comments(chunk)
        found = blocks._fast(blanked)
        if found is not None:
            assert [blocks.Block("entry", 1, *found)] == blocks._slow(blanked, following, 0)


TRICKY = [
    '@article{a, title = {One {Two {Three {Four}}}}, author = "Q {"} R", note = x # "y" # {z}}\n',
    '@article{a,\n title = {\\{ half}, b = "c\\"d", e = {f\\}g}}\n@book{b, title={ok}}\n',
    "@article{a, title = {unclosed\n@book{b, title = {fine}}\n",
    "@article{a title = {no comma}}\n@article{b, x = {1},}\n",
    "@article{a, x = {1}, dangling }\n@misc{c, y = {2}}\n",
    '@string{j = "Journal"}\n@string{J = {Other}}\n@article{a, journal = j # { X}}\n@string{j = {Late}}\n',
    "@comment{ @article{no, x = {1}} }\n@article(p, x = {1})\n@article{q, x = {a@b.c}, y = {@inbook{z}}}\n",
    "  @article{i, x = {1}} trailing @book{t, y={2}}\n% @article{commented, x={1}}\n@article{k, % c\n x = {1}}\n",
    "@article{d, x = {1}, x = {2}}\n@article{d, y = {3}}\n\t@Article {e, X = 1}\n@article{f, x = {a}}",
    "@article{g, x = {a, b}, y = {{{{{{{deep}}}}}}}}\n@article{h,\n}\n@article{}\n@{x, y = {1}}\n",
    "@article{a, abstract = {One.\\\\\nTwo.\\\nThree}}\n@article{b, x = {1}}\n@article{c, x = {\\\n",
    "@article{a@b(x, y = {1}}\n@article{c, y = {2}}\n",
    '@article{q, x = "a{"}b"}\n@article{r, x = "{"}"}\n@article{s, x = "unterminated}\n@article{t, x={1}}',
]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_inputs_split_as_bibtexparser_splits_them(text: str):
    assert blocks.split_blocks(text) == whole_file(text)


PIECES = ["@article{", "@book{", "@string{", "@comment{", "@preamble{", "@article(", "@{", "@Misc {", "k1", "k2",
          ",", ", ", "=", " = ", "{", "}", "{{", "}}", '"', '{"}', "\\", "\\{", "\\}", '\\"', "#", " # ", "%", "% c\n",
          "\n", "\n\n", "  ", "\t", "title", "author", "jan", "x", "a@b", "(", ")", "@", "\r\n", "é", "{\\'e}",
          "@string(", "@preamble(", "@COMMENT{", "@ARTICLE{", "\ufeff", "Ã©", "\r", ")\n", "jj # "]
SOUP = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=4)), max_size=80).map("".join)
# Well-formed-ish entries: `{...}` or `(...)` delimited, values braced, quoted, bare or concatenated,
# lines ended by LF or CRLF, so the fast path and its fall-backs both meet the kind of input.
VALUE = st.one_of(SOUP.map(lambda s: "{" + s + "}"), SOUP.map(lambda s: '"' + s + '"'),
                  st.sampled_from(["2020", "jan", "jj", 'jj # " x"', "{a} # jj"]))
ENTRY = st.builds(lambda kind, delims, key, fields, eol: f"@{kind}{delims[0]}{key},{eol}" + f",{eol}".join(fields)
                  + f"{eol}{delims[1]}{eol}",
                  st.sampled_from(["article", "Book", "INPROCEEDINGS", "string", "preamble"]),
                  st.sampled_from(["{}", "{}", "()"]), st.sampled_from(["a", "b", "a1", "jj"]),
                  st.lists(st.builds(lambda n, v: f"  {n} = {v}", st.sampled_from(["title", "author", "x"]), VALUE),
                           max_size=4),
                  st.sampled_from(["\n", "\r\n"]))
FILES = st.lists(st.one_of(ENTRY, SOUP), max_size=6).map("".join)
EXAMPLES = int(os.environ.get("GALLEYPROOF_FUZZ_EXAMPLES", "30")) * 10


@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(FILES)
@example('@article{a,\n  x = {"}\n}\n@article{b, x = {1}}\n')
@example("@article{a,\n  title = {\\\n@article{}\n}\n")  # an escaped newline is no line to bibtexparser
def test_generated_bibtex_splits_as_bibtexparser_splits_it(text: str):
    assert blocks.split_blocks(text) == whole_file(text)
    assert "".join(blocks.blank_comments(chunk) for _, chunk, _ in blocks.chunks(text)) == \
        blocks.blank_comments(text)


def _known(bib) -> dict:
    return {h: ref for h, ref in zip(bib.entry_hashes, bib.references) if h}


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_an_edit_rereads_only_the_edited_entry_and_reads_as_a_fresh_read(path: Path):
    from galleyproof.bib.bibtex import parse_bibtex

    text = decode(path.read_bytes()).text
    first = parse_bibtex(text, "refs.bib")
    pieces = blocks.chunks(text)
    middle = len(pieces) // 2
    edited_chunk = pieces[middle][1].replace("=", "= ", 1).replace("{", "{{", 1).replace("}", "}}", 1)
    edited = "% a line added on top\n" + "".join(chunk if i != middle else edited_chunk
                                                  for i, (_, chunk, _) in enumerate(pieces))
    again = parse_bibtex(edited, "refs.bib", _known(first))
    fresh = parse_bibtex(edited, "refs.bib")
    assert again.references == fresh.references
    assert [(r.line, r.source) for r in again.references] == [(r.line, r.source) for r in fresh.references]
    assert again.issues == fresh.issues
    assert again.entry_hashes == fresh.entry_hashes
    assert again.digest == fresh.digest
    reused = sum(any(ref is known for known in _known(first).values()) for ref in again.references)
    assert reused == 0  # every line moved by one: reused entries are re-placed, not re-read ...
    in_place = "".join(chunk if i != middle else edited_chunk for i, (_, chunk, _) in enumerate(pieces))
    same_lines = parse_bibtex(in_place, "refs.bib", _known(first))
    assert same_lines.references == parse_bibtex(in_place, "refs.bib").references
    reused = sum(any(ref is known for known in _known(first).values()) for ref in same_lines.references)
    if re.search(r"(?i)\b(crossref|xdata)\s*=", text):
        assert reused == 0  # a parent's fields must be at hand for its children: everything is read
    else:
        assert reused >= sum(1 for h in first.entry_hashes if h) - 1  # ... and in place, taken as they are


def test_entries_that_depend_on_others_are_always_read_again():
    from galleyproof.bib.bibtex import parse_bibtex

    text = ('@string{j = {Journal}}\n@article{a, journal = j, title = {A}}\n@article{b, title = {B}, year = 2020}\n'
            '@article{c, title = {C}, title = {C2}}\n@book{p, title = {Parent}}\n')
    first = parse_bibtex(text)
    assert [bool(h) for h in first.entry_hashes] == [False, True, False, True]
    edited = text.replace("{Journal}", "{Other Journal}") + "@inbook{k, crossref = {p}}\n"
    again = parse_bibtex(edited, known=_known(first))
    assert again.references == parse_bibtex(edited).references
    assert again.references[0].container == "Other Journal"
    assert again.references[-1].container == "Parent"


def test_quoted_and_concatenated_literals_are_the_entrys_own_text():
    # Quote-delimited files (this repository's references.bib) are remembered entry by entry as
    # brace-delimited ones are; only a bare word (macro or month) makes an entry depend on the file.
    from galleyproof.bib.bibtex import parse_bibtex

    text = ('@article{q, title = "Quoted", journal = "J" # {, 2nd} # "!", note = "C# {and} F#", year = 2020}\n'
            '@article{m, title = "T", month = jan}\n@article{s, title = "T" # jj}\n@string{jj = " x"}\n'
            '@article{e, title = "Empty {"} quote", pages = "1--2"}\n')
    first = parse_bibtex(text)
    assert [bool(h) for h in first.entry_hashes] == [True, False, False, True]
    assert first.references[0].container == "J, 2nd!"
    edited = text.replace(' x"', ' y"').replace("Quoted", "Quoted again")
    again = parse_bibtex(edited, known=_known(first))
    assert again.references == parse_bibtex(edited).references
    assert again.references[2].title == "T y"
    assert again.references[3] is _known(first)[first.entry_hashes[3]]  # taken as it was, not read again


@pytest.mark.parametrize("parent_field, reads_all", [
    pytest.param("", False, id="the-word-only-in-a-url-and-a-note"),
    pytest.param("crossref = {p},", True, id="crossref"),
    pytest.param("CrossRef={p},", True, id="crossref-capitalised-unspaced"),
    pytest.param("crossref % why\n  = {p},", True, id="comment-between-name-and-equals"),
    pytest.param("xdata = {p},", True, id="xdata"),
])
def test_only_a_parent_field_makes_every_entry_read_again(parent_field, reads_all):
    from galleyproof.bib.bibtex import parse_bibtex

    text = ("@book{p, title = {Parent}, publisher = {Pub}}\n"
            "@article{a, title = {A}, url = {https://api.crossref.org/works/x}, note = {Metadata from Crossref}}\n"
            f"@inbook{{k, {parent_field} title = {{Child}}}}\n")
    first = parse_bibtex(text)
    again = parse_bibtex(text.replace("{Parent}", "{Parent 2}"), known=_known(first))
    assert again.references == parse_bibtex(text.replace("{Parent}", "{Parent 2}")).references
    reused = [any(ref is known for known in _known(first).values()) for ref in again.references]
    assert reused == ([False, False, False] if reads_all else [False, True, True])
    if reads_all and "crossref" in parent_field.lower():
        assert again.references[2].publisher == "Pub"
