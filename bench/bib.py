#!/usr/bin/env python3
"""Reading and auditing a real-looking bibliography offline: references per second.

    python bench/bib.py [--entries 3000] [--repeat 3]

Builds a 3,000-entry .bib from the real records of ../shared/crossref-sample/works.jsonl, written
the ways people write them: biblatex `journaltitle`/`date` for every third entry, LaTeX accents and
braces, `%` comment lines, `@string` journal macros, every tenth a book without a DOI, every
twentieth an arXiv preprint. Prints, best of `--repeat` runs:

- galleyproof's reader (galleyproof.bib.bibliography.load_bibliography) in entries per second,
- the whole offline audit (read, compare with no lock, statuses) in references per second, with an
  empty audit memo each time (a repeat would otherwise be answered from galleyproof.audit.memo),

beside the raw parse of the same file by the two libraries underneath: bibtexparser 2's
`parse_string` with its default middlewares, and pybtex's `parse_string` (which reads names and
does nothing else; it rejects the file at its first `%` line inside an entry, so it is timed on the
text with those lines removed). The floor is the raw parse: the reader adds per-entry recovery, biblatex fields,
inheritance and LaTeX folding on top of it.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import bibtexparser  # noqa: E402
from pybtex.database import parse_string as pybtex_parse  # noqa: E402
from registry_server import load_sample  # noqa: E402

from galleyproof.audit.run import audit_path  # noqa: E402
from galleyproof.bib.bibliography import load_bibliography  # noqa: E402
from galleyproof.bib.bibtex import blank_comments  # noqa: E402

ACCENTS = {"ü": r"{\"u}", "ö": r"{\"o}", "é": r"{\'e}", "á": r"{\'a}", "ñ": r"{\~n}", "ç": r"{\c c}"}


def latex(text: str) -> str:
    for char, command in ACCENTS.items():
        text = text.replace(char, command)
    return text.replace("&", r"\&")


def entry(work: dict, index: int) -> str:
    """One entry citing `work`, in one of the ways real files do."""
    key = f"{(work['author'][0].get('family') or 'anon').split()[0].lower()}{index}"
    names = " and ".join(latex(f"{a['family']}, {a.get('given', '')}") if a.get("family") else "{" + a["name"] + "}"
                         for a in work["author"])
    year = str(work["issued"]["date-parts"][0][0])
    title = "{" + latex(work["title"][0]) + "}"
    journal = latex((work.get("container-title") or [""])[0])
    if index % 10 == 0:
        return (f"@book{{{key},\n  author = {{{names}}},\n  title = {title},\n  publisher = {{{journal or 'Press'}}},\n"
                f"  year = {{{year}}}\n}}\n")
    if index % 20 == 5:
        return (f"@online{{{key},\n  author = {{{names}}},\n  title = {title},\n  eprint = {{2101.{index:05d}}},\n"
                f"  eprinttype = {{arxiv}},\n  date = {{{year}-01}}\n}}\n")
    fields = [f"  author = {{{names}}}", f"  title = {title}"]
    if index % 3 == 0:
        fields += [f"  journaltitle = {{{journal}}}", f"  date = {{{year}}}"]
    elif index % 3 == 1:
        fields += ["  % the journal is a macro", "  journal = jrnl" + str(index % 7), f"  year = {year}"]
    else:
        fields += [f"  journal = {{{journal}}}", f"  year = {{{year}}}"]
    fields += [f"  {name} = {{{work[field]}}}" for name, field in (("volume", "volume"), ("number", "issue"),
                                                                    ("pages", "page")) if work.get(field)]
    fields.append(f"  doi = {{{work['DOI']}}}")
    return f"@article{{{key},\n" + ",\n".join(fields) + "\n}\n"


def build(n: int) -> str:
    works = [w for w in load_sample().values() if w.get("title") and w.get("author") and w.get("issued")]
    strings = "".join(f"@string{{jrnl{i} = {{Journal of Things {i}}}}}\n" for i in range(7))
    return "% Generated for bench/bib.py\n" + strings + "\n".join(entry(works[i % len(works)], i) for i in range(n))


def cold_audit(path: Path, tmp: Path) -> None:
    """One audit with an empty memo (galleyproof.audit.memo would otherwise answer a repeat run)."""
    memo = Path(tempfile.mkdtemp(dir=tmp))
    os.environ["GALLEYPROOF_CACHE_DIR"] = str(memo)
    audit_path(path, mode="offline", lock_path=tmp / "lock.json", search=False)


def best(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    logging.getLogger("bibtexparser").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "refs.bib"
        text = build(args.entries)
        path.write_text(text, encoding="utf-8")
        n = len(load_bibliography(path).references)
        assert n == args.entries, n
        read = best(lambda: load_bibliography(path), args.repeat)
        audit = best(lambda: cold_audit(path, Path(tmp)), args.repeat)
        raw_bibtexparser = best(lambda: bibtexparser.parse_string(text), args.repeat)
        # pybtex rejects the whole file at the first `%` line inside an entry: time it on the same
        # text with those lines blanked, which is what it would need to read the file at all.
        without_comments = blank_comments(text)
        raw_pybtex = best(lambda: pybtex_parse(without_comments, "bibtex"), args.repeat)
    print(f"{n:,} entries, {len(text) / 1e6:.1f} MB")
    print(f"galleyproof read      {read:6.2f} s  {n / read:8,.0f} entries/s")
    print(f"offline audit (cold)  {audit:6.2f} s  {n / audit:8,.0f} references/s")
    print(f"raw bibtexparser 2    {raw_bibtexparser:6.2f} s  {n / raw_bibtexparser:8,.0f} entries/s  (floor)")
    print(f"raw pybtex            {raw_pybtex:6.2f} s  {n / raw_pybtex:8,.0f} entries/s  (floor; % lines removed,"
          " or it rejects the file)")


if __name__ == "__main__":
    main()
