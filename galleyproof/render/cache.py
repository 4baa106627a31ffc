"""The cell cache: executed outputs of each chapter, keyed only by what affects them.

After jupyter-cache: an explicit object with one implementation, readable JSON on disk
(`.galleyproof-cache/cells/<chapter>.json`), written atomically. A chapter's record holds, per cell,
a key hashed from the kernel identity, the cell's source and the sources of the cells before it in
the chapter (outputs and display options such as captions never enter a key), the outputs, and what
the cells read with its digest (render.inputs: files by SHA-256, installed distributions by version, the
standard library by interpreter). A record is a hit only when every cell key matches and every input
still has the recorded digest; then no kernel starts. A file the build has parsed already
(the bibliography) is keyed on its parsed content instead (`digests`, from manuscript.book): a
whitespace edit to references.bib leaves the cells that read it cached.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import machinery
from pathlib import Path

from galleyproof.fileio import atomic_write_text, sha256_file, sha256_text
from galleyproof.manuscript.book import PARSED  # an input keyed on its parsed content, not its bytes
from galleyproof.paths import BUILD_CACHE
from galleyproof.render import inputs

CACHE_DIR = BUILD_CACHE
# A file outside the project that is a module (its source, or a compiled extension) is an input.
MODULE_SUFFIXES = frozenset(machinery.SOURCE_SUFFIXES + machinery.EXTENSION_SUFFIXES)
FORMAT_VERSION = 2  # 2: installed packages recorded by version (render.inputs), not file by file


def cell_keys(sources: list[str | None], kernel: str) -> list[str]:
    """One key per cell, each chained to the keys before it (a cell's result depends on its past).

    A None source is a cell with `eval: false`; it still enters the chain so that turning
    evaluation on or off re-executes what follows.
    """
    keys, previous = [], sha256_text(f"galleyproof-cells/{FORMAT_VERSION}\0{kernel}")
    for source in sources:
        body = "\0noeval" if source is None else "\0" + source
        previous = sha256_text(previous + body)
        keys.append(previous)
    return keys


@dataclass
class ChapterStatus:
    """How a chapter's cells were answered in one build."""

    chapter: str  # relative to the project root
    cells: int
    # "executed" | "cached" | "stored" (a notebook's outputs) | "frozen" (Quarto's _freeze/) | "not executed"
    # | "no cells" | "unchanged"
    status: str
    seconds: float = 0.0


@dataclass
class ChapterRecord:
    chapter: str  # path relative to the project root
    kernel: str
    keys: list[str]
    outputs: list[list[dict]]
    inputs: dict[str, str] = field(default_factory=dict)  # input name (render.inputs) -> digest ("" when absent)

    def to_json(self) -> dict:
        return {"version": FORMAT_VERSION, "chapter": self.chapter, "kernel": self.kernel,
                "inputs": self.inputs,
                "cells": [{"key": k, "outputs": o} for k, o in zip(self.keys, self.outputs)]}

    @classmethod
    def from_json(cls, data: dict) -> ChapterRecord:
        cells = data.get("cells", [])
        return cls(data["chapter"], data["kernel"], [c["key"] for c in cells], [c["outputs"] for c in cells],
                   dict(data.get("inputs", {})))


class CellCache:
    """Chapter records under `<root>/.galleyproof-cache/cells/`."""

    def __init__(self, root: Path, directory: Path | None = None, digests: dict[str, str] | None = None):
        self.root = Path(root)
        self.directory = directory or self.root / CACHE_DIR / "cells"
        self.digests = dict(digests or {})  # relative path -> digest of its parsed content

    def digest(self, name: str) -> str:
        return self.digests.get(name) or inputs.digest(self.root, name)

    def path_for(self, chapter: str) -> Path:
        return self.directory / (chapter.replace("/", "__") + ".json")

    def load(self, chapter: str) -> ChapterRecord | None:
        try:
            data = json.loads(self.path_for(chapter).read_text(encoding="utf-8"))
            if data.get("version") != FORMAT_VERSION:
                return None
            return ChapterRecord.from_json(data)
        except (OSError, ValueError, KeyError, TypeError):
            return None  # an unreadable record is a miss, never an error

    def lookup(self, chapter: str, keys: list[str], awaited: Awaited | None = None) -> ChapterRecord | None:
        """The record for `chapter` if its keys are `keys` and none of its inputs changed. An input among
        the `awaited` files is digested once the build has written it."""
        record = self.load(chapter)
        if record is None or record.keys != keys:
            return None
        if awaited is not None:
            awaited.before_lookup(record)
        for relative, digest in record.inputs.items():
            current = self.digest(relative)
            if current != digest and not (digest.startswith(PARSED) and self._parsed(relative) == digest):
                return None
        return record

    def _parsed(self, relative: str) -> str:
        """The parsed-content digest of a bibliography the caller did not pass in `digests` (a prepare()
        outside a build): parsed here, once, rather than re-executing the cells that read it."""
        from galleyproof.bib.bibliography import load_bibliography
        from galleyproof.errors import GalleyproofError

        if relative not in self.digests:
            try:
                found = load_bibliography(self.root / relative, relative).digest
            except (GalleyproofError, OSError):
                found = ""
            self.digests[relative] = f"{PARSED}{found}" if found else (sha256_file(self.root / relative) or "")
        return self.digests[relative]

    def store(self, record: ChapterRecord) -> None:
        atomic_write_text(self.path_for(record.chapter), json.dumps(record.to_json(), indent=1, sort_keys=True) + "\n")

    def input_hashes(self, names: list[str], exclude: tuple[Path, ...] = ()) -> dict[str, str]:
        """Input name -> digest for what the kernel reported (render.inputs.names; bytecode is mapped to
        its source): paths inside the project root become relative. Outside it, a file counts only when it
        is a module (an editable install's source); what else a cell opens there (/etc, a font cache) is
        not an input. Files under `exclude` and files that do not exist are left out."""
        root = self.root.resolve()
        hashes = {}
        for raw in names:
            kind, where = inputs.split(raw)
            path = inputs.source_of(Path(where)) if not kind else Path(where)
            try:
                resolved = path.resolve()
            except OSError:
                continue
            inside = resolved == root or root in resolved.parents
            if not kind:
                if not resolved.is_file() or any(resolved == e or e in resolved.parents for e in exclude):
                    continue
                if not inside and resolved.suffix not in MODULE_SUFFIXES:
                    continue
            name = kind + (resolved.relative_to(root).as_posix() if inside else str(resolved))
            hashes[name] = self.digest(name)
        return dict(sorted(hashes.items()))


@dataclass(frozen=True)
class Awaited:
    """Files the build is still writing while cells run (the claim check's report, which the pipeline
    computes beside the kernels): cells must not read them, nor a cached record be trusted that read
    them, before `wait()` returns."""

    files: frozenset[str]  # relative to the project root, as records name their inputs
    wait: Callable[[], object]  # blocks until they are written; raises the step's error if it failed

    def before_lookup(self, record: ChapterRecord | None) -> None:
        if record is not None and self.files & record.inputs.keys():
            self.wait()
