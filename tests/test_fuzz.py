"""Fuzz every reader of untrusted input with Hypothesis (issue 13, item 3).

Each entry point may refuse its input only with its own typed error (a GalleyproofError, or the
registry's Malformed/Invalid, which the audit turns into `unverified`); any other exception, a
RecursionError above all, is a bug. The import round trip must always read back: whatever `import`
writes, `load_project`, the Quarto Markdown reader and the bibliography reader accept.

Each generated example is tried whole and cut at nine points (INPUTS_PER_EXAMPLE inputs in all: an
unclosed fence, bracket or front matter is where readers break), or, for JSON, with nine of its
sub-values, so Hypothesis's generation cost is shared by ten inputs. The suite runs a small budget
(GALLEYPROOF_FUZZ_EXAMPLES, default 30 examples per entry point); `make fuzz` runs 10,000 examples,
100,000 inputs, per entry point and prints Hypothesis's statistics.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from galleyproof import paths, safe_yaml
from galleyproof.bib.apa import parse_reference_list
from galleyproof.bib.bibtex import parse_bibtex, read_bibliography
from galleyproof.errors import GalleyproofError
from galleyproof.export import anonymise, leaks, scrub
from galleyproof.export.identity import identity_of
from galleyproof.manuscript.authoryear import find_citations
from galleyproof.manuscript.importer import plan_import, write_import
from galleyproof.manuscript.qmd import parse_qmd, read_project_document
from galleyproof.manuscript.source import parse_source
from galleyproof.project import Author, load_project
from galleyproof.registry import crossref, lock
from galleyproof.registry.datacite import to_work
from galleyproof.registry.http import Answer, Malformed
from galleyproof.registry.schema import Invalid, check

EXAMPLES = int(os.environ.get("GALLEYPROOF_FUZZ_EXAMPLES", "30"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))

# Pieces of the syntaxes our readers care about, mixed with arbitrary text.
TOKENS = [
    "\n", "\n\n", " ", "  ", "\t", "---\n", "...\n", "# ", "## ", "###### ", "#", "{", "}", "{#sec-a}", "{.python}",
    "```", "```{python}\n", "~~~", "#| ", "#| label: fig-a\n", "#| echo: false\n", "[", "]", "(", ")", "[@", "@",
    "@key2020", "-@", "![", "](", "<", ">", "<img src='", "{{< include ", " >}}", "*", "**", "_", "`", "\\", ":",
    "- ", "1. ", "a: ", "b: [", "&a ", "*a", "!!python/object ", "'", '"', ",", ";", ".", "et al.", "&", "and",
    "Smith, J.", "Smith", "(2020)", "(Smith, 2020)", "2020", "2020a", "doi:", "https://doi.org/10.1000/x", "10.",
    "References\n", "Keywords: a, b\n", "Abstract\n", "@article{k,\n", "title = {", "author = {A and B}", "},\n",
    "@string{s = ", "#", "%", "é", "ü", "\u00a0", "\u200b", "\u00ad", "–", "’", "\x00", "\r\n", "\u2028", "0",
    "Smith, J. (2020). Title. Journal, 1(2), 3-4. https://doi.org/10.1000/x\n", "In ", "(Ed.), ", "pp. 1-2",
]
TEXT = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=8)), max_size=60).map("".join)
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                    lambda children: st.lists(children, max_size=5)
                    | st.dictionaries(st.sampled_from(["DOI", "title", "author", "given", "family", "issued",
                                                       "date-parts", "type", "container-title", "volume", "page",
                                                       "message", "message-type", "items", "record", "source",
                                                       "sha256", "retrieved", "candidates", "doi", "titles",
                                                       "creators", "publicationYear", "relatedIdentifiers"])
                                      | st.text(max_size=6), children, max_size=6), max_leaves=30)
DOIS = st.sampled_from(["10.1000/x", "10.1000/X", "", "10.1/y"]) | st.text(max_size=8)
WORKISH = st.fixed_dictionaries({"DOI": DOIS},
                                optional={"title": JSON, "author": JSON, "issued": JSON, "type": JSON,
                                          "container-title": JSON, "page": JSON, "volume": JSON})
INPUTS_PER_EXAMPLE = 10


def cuts(text: str) -> list[str]:
    """`text` and nine prefixes of it, cut at evenly spaced points."""
    return [text] + [text[: len(text) * i // INPUTS_PER_EXAMPLE] for i in range(1, INPUTS_PER_EXAMPLE)]


def parts(value) -> list:
    """`value` and up to nine of its nested values (breadth first): records inside answers."""
    found, queue = [value], [value]
    while queue and len(found) < INPUTS_PER_EXAMPLE:
        node = queue.pop(0)
        children = list(node.values()) if isinstance(node, dict) else node if isinstance(node, list) else []
        for child in children[: INPUTS_PER_EXAMPLE - len(found)]:
            found.append(child)
            queue.append(child)
    return found


IDENTITY = identity_of((Author("Ada Lovelace", "Analytical Engine University", "ada@example.org"),))


def _refused(call, *allowed: type[BaseException]) -> None:
    try:
        call()
    except (GalleyproofError, *allowed):
        pass


@FUZZ
@given(TEXT)
def test_fuzz_qmd_reader(text):
    for piece in cuts(text):
        _refused(lambda piece=piece: parse_qmd(piece, "fuzz.qmd"))


@FUZZ
@given(TEXT)
def test_fuzz_bounded_yaml(text):
    for piece in cuts(text):
        _refused(lambda piece=piece: safe_yaml.load(piece), safe_yaml.YAMLLimitError)


@FUZZ
@given(TEXT)
def test_fuzz_bibtex_reader(text):
    for piece in cuts(text):
        _refused(lambda piece=piece: parse_bibtex(piece, "fuzz.bib"))


@FUZZ
@given(TEXT)
def test_fuzz_reference_list_reader(text):
    for piece in cuts(text):
        _refused(lambda piece=piece: parse_reference_list(piece, "fuzz.txt"))


@FUZZ
@given(TEXT)
def test_fuzz_plain_text_manuscript_reader(text):
    for piece in cuts(text):
        _refused(lambda piece=piece: parse_source(piece, "fuzz.md"))


@FUZZ
@given(TEXT)
def test_fuzz_author_year_citations(text):
    for piece in cuts(text):
        _refused(lambda piece=piece: find_citations(piece))


@FUZZ
@given(TEXT)
def test_fuzz_markdown_resources_and_anonymiser(text):
    for piece in cuts(text):
        paths.resources(piece)
        _refused(lambda piece=piece: anonymise.anonymise_markdown(piece, IDENTITY))


@FUZZ
@given(st.binary(max_size=400), st.sampled_from(["a.png", "a.pdf", "a.docx", "a.xml", "a.bin"]))
def test_fuzz_leak_scan(data, name):
    for prefix in (b"", scrub.PNG_SIGNATURE, b"%PDF-1.7\n", b"PK\x03\x04", b"\xff\xd8"):
        leaks.scan_bytes(name, prefix + data, scrub.term_pattern(IDENTITY))
        scrub.strip_image(prefix + data)


@FUZZ
@given(st.one_of(JSON, st.fixed_dictionaries({"message-type": st.just("work"), "message": WORKISH})),
       st.binary(max_size=40))
def test_fuzz_crossref_answers(data, junk):
    bodies = [json.dumps(part).encode() for part in parts(data)][:8] + [junk, json.dumps(data).encode()[: len(junk)]]
    for body in bodies:
        answer = Answer(200, None, body)  # type: ignore[arg-type]

        def parse(answer=answer):
            parsed = crossref.parse_json(answer, "Crossref")
            message = parsed.get("message") if isinstance(parsed, dict) else parsed
            crossref.valid_work(message, "10.1000/x")
        _refused(parse, Malformed)


@FUZZ
@given(JSON)
def test_fuzz_datacite_answers(data):
    for attributes in parts(data):
        def parse(attributes=attributes):
            if not isinstance(attributes, dict):
                raise Invalid("not an object")
            check("datacite", attributes)
            check("work", to_work(attributes))
        _refused(parse, Invalid)


@FUZZ
@given(st.one_of(JSON, st.fixed_dictionaries({"source": st.sampled_from(["crossref", "datacite", "none", "x"]),
                                               "record": WORKISH | JSON, "sha256": st.text(max_size=64),
                                               "retrieved": JSON})))
def test_fuzz_lock_entries(data):
    for entry in parts(data)[:5]:  # two readers each: ten inputs
        _refused(lambda entry=entry: lock.checked_entry("10.1000/x", entry), Invalid)
        _refused(lambda entry=entry: lock.checked_search("query", entry), Invalid)


@FUZZ
@given(TEXT)
# Found by make fuzz: an unmatched brace in a reference's author part made the written .bib unwritable.
@example("title = {Smith, J. (2020). Title. Journal, 1(2), 3-4. https://doi.org/10.1000/x\n")
def test_fuzz_import_round_trip(text):
    """Whatever `import` writes reads back: project, chapters and bibliography."""
    for number, piece in enumerate(cuts(text)):
        try:
            plan = plan_import(parse_source(piece, "fuzz.md"))
        except GalleyproofError:
            continue  # refusing to import is allowed; writing what cannot be read back is not
        with tempfile.TemporaryDirectory() as tmp:
            write_import(plan, Path(tmp) / f"project{number}")
            project = load_project(Path(tmp) / f"project{number}")
            read_project_document(project)
            if project.bibliography is not None:
                read_bibliography(project.bibliography)


@pytest.mark.parametrize("text", [
    pytest.param("[" * 5000, id="deep-flow"),
    pytest.param("- " * 3000 + "x", id="deep-block"),
])
def test_deep_yaml_is_refused_not_a_traceback(text):
    with pytest.raises(safe_yaml.YAMLLimitError):
        safe_yaml.load(text)
