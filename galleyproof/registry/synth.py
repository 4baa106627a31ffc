"""Synthetic public-data-file records of any size, grown from real ones, for benches and tests.

    synthesize(sample, n, seed) -> iterator of n works    the sample first, unchanged, then variants
    write_jsonl(path, works)                              JSON lines, gzip when the name ends in .gz

A variant keeps its model's prefix, type and shape (so the snapshot's prefixes and record sizes stay
realistic) and gets a new DOI, a title with some words swapped for words of other sample titles,
other authors' family names, a nearby year, and other volume, issue and pages. The same seed gives
the same records, so a bench run can be repeated.
"""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Iterable, Iterator
from pathlib import Path

from galleyproof.errors import InputError
from galleyproof.registry.crossref import trim_work


def read_jsonl(path: Path | str) -> list[dict]:
    """The works of a JSON-lines file (such as ../shared/crossref-sample/works.jsonl)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file of works", path)
    text = path.read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _vocabulary(sample: list[dict]) -> tuple[list[str], list[str]]:
    words = sorted({w for work in sample for t in work.get("title", []) for w in t.split() if w.isalpha()})
    families = sorted({a["family"] for work in sample for a in work.get("author", []) if a.get("family")})
    return words, families


def variant(model: dict, number: int, rng: random.Random, words: list[str], families: list[str]) -> dict:
    """The `number`-th synthetic work modelled on `model`."""
    work = json.loads(json.dumps(trim_work(model)))  # a deep copy, faster than copy.deepcopy
    prefix = work["DOI"].split("/", 1)[0]
    work["DOI"] = f"{prefix}/gp-synth.{number:09d}"
    for key in ("title", "subtitle"):
        if work.get(key):
            tokens = work[key][0].split()
            for _ in range(max(1, len(tokens) // 3)):
                tokens[rng.randrange(len(tokens))] = rng.choice(words)
            work[key] = [" ".join(tokens)]
    for author in work.get("author", []):
        if author.get("family"):
            author["family"] = rng.choice(families)
    year = ((work.get("issued") or {}).get("date-parts") or [[2000]])[0][0] or 2000
    work["issued"] = {"date-parts": [[int(year) + rng.randint(-3, 3)]]}
    if work.get("volume"):
        work["volume"] = str(rng.randint(1, 400))
    if work.get("issue"):
        work["issue"] = str(rng.randint(1, 12))
    if work.get("page"):
        first = rng.randint(1, 3000)
        work["page"] = f"{first}-{first + rng.randint(1, 30)}"
    work.pop("updated-by", None)
    work.pop("update-to", None)
    return work


def synthesize(sample: list[dict], n: int, seed: int = 0) -> Iterator[dict]:
    """`n` works: the sample's own records first (so real DOIs resolve), then variants of them."""
    rng = random.Random(seed)
    words, families = _vocabulary(sample)
    for number in range(n):
        if number < len(sample):
            yield sample[number]
        else:
            yield variant(sample[number % len(sample)], number, rng, words, families)


def write_jsonl(path: Path | str, works: Iterable[dict]) -> int:
    """Write works as JSON lines (gzip when the name ends in .gz); returns how many."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with (gzip.open(path, "wt", encoding="utf-8", compresslevel=5) if path.suffix == ".gz"
          else open(path, "w", encoding="utf-8")) as handle:
        for work in works:
            handle.write(json.dumps(work, ensure_ascii=False) + "\n")
            count += 1
    return count
