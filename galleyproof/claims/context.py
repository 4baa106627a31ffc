"""What every rule reads: the document, its sentences and paragraphs, the lexicon and the rule data."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from galleyproof.claims.lexicon import Lexicon
from galleyproof.claims.sentences import Paragraph, Sentence, paragraphs, source_paragraphs
from galleyproof.manuscript.document import Document
from galleyproof.manuscript.prose import Prose, read_texts


@dataclass
class CheckContext:
    doc: Document
    lexicon: Lexicon
    config: dict[str, Any]  # rules.yaml, with project overrides
    root: Path | None = None  # where the document's files are, to find a sentence's exact line
    references: list[str] = field(default_factory=list)  # reference-list entries as text, when known
    # file -> lines holding a reference entry in the prose file itself (a claim followed by its reference)
    reference_lines: dict[str, set[int]] = field(default_factory=dict)
    # file -> its Markdown text, read as pandoc reads it (manuscript.prose); other files use doc.blocks
    sources: dict[str, str] = field(default_factory=dict)
    bib_keys: set[str] | None = None  # keys of the bibliography; None when the manuscript names none
    bib_entries: list[dict] = field(default_factory=list)
    bib_path: Path | None = None  # the bibliography file, to name an entry's line
    bib_name: str = ""  # as the findings name it (relative to the project root)
    # file -> pandoc's reading of its text, when the caller has it (a Book's cached readings); the
    # sources without one are read here
    prose: dict[str, Prose] = field(default_factory=dict)

    @cached_property
    def paragraphs(self) -> list[Paragraph]:
        parts = self.config.get("parts", {})
        if self.sources:
            missing = {f: self.sources[f] for f in self.doc.files if f in self.sources and f not in self.prose}
            prose = {**self.prose, **read_texts(missing)} if missing else self.prose
            return source_paragraphs(self.doc, parts, prose, self.sources, self.root)
        return paragraphs(self.doc, parts, self.root)

    @cached_property
    def sentences(self) -> list[Sentence]:
        return [s for p in self.paragraphs for s in p.sentences]

    @cached_property
    def claims(self):
        from galleyproof.claims.extract import extract_claims
        return [c for s in self.sentences for c in extract_claims(s, self.lexicon, self.config)]

    @cached_property
    def learned_claims(self):
        """Claims between entities the manuscript defines or repeats (claims.learned)."""
        from galleyproof.claims.learned import learn_entities, learned_claims
        from galleyproof.claims.rules.abbreviations import definitions
        defined = {d.short: d.long for d in definitions(self.sentences)}
        entities = learn_entities(self.sentences, defined)
        return [c for s in self.sentences for c in learned_claims(s, entities, self.config)]
