#!/usr/bin/env python3
"""Print how long the claim checker takes: the review, a manuscript 10 times its size, the three real
Manubot manuscripts of ../shared/compat/texts, and adversarial inputs of up to 100 KB.

The synthetic manuscript repeats the review's chapters ten times with renumbered sections and each
copy's sentences lightly varied (words swapped deterministically), so the duplicate-passage rule does
real work rather than matching identical text. Figures are wall-clock seconds: the first run, and
the best of three in one process. Floors (issue 10): the 10x text within 12x the review's time, and
no input of 100 KB or less over 2 s. Adversarial inputs are the shapes that made backtracking
regular expressions explode: a 617-byte heading, 20 KB runs of capitals, digits, digits with commas
and a DNA sequence, nested brackets and parentheses, runs of citation keys, of author names, of years
in an open parenthesis, of abbreviations, and prose of dense sentence ends; each as pandoc Markdown
(front matter) and as plain text.
"""

from __future__ import annotations

import random
import re
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from galleyproof.claims.run import check_path  # noqa: E402
from galleyproof.project import load_project  # noqa: E402

RUNS = 3


def best_of(path: Path) -> tuple[float, float, int, int]:
    times, result = [], None
    for _ in range(RUNS):
        start = time.perf_counter()
        result = check_path(path)
        times.append(time.perf_counter() - start)
    lines = sum(len((path / f if path.is_dir() else path.parent / f).read_text(encoding="utf-8").splitlines())
                for f in result["summary"]["files"]) if path.is_dir() else len(path.read_text().splitlines())
    return times[0], min(times), result["summary"]["total"], lines


def vary(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    for _ in range(max(1, len(words) // 12)):
        i, j = rng.randrange(len(words)), rng.randrange(len(words))
        words[i], words[j] = words[j], words[i]
    return " ".join(words)


def synthetic(project_root: Path, copies: int, target: Path) -> Path:
    project = load_project(project_root)
    rng = random.Random(4)
    parts = []
    for copy in range(copies):
        for chapter in project.chapters:
            for line in chapter.read_text(encoding="utf-8").splitlines():
                heading = re.match(r"^(#+)\s+(\d+)(.*)$", line)
                if heading:
                    parts.append(f"{heading.group(1)} {int(heading.group(2)) + 10 * copy}{heading.group(3)}")
                elif line and not line.startswith(("#", "```", "#|", ":::")) and copy:
                    parts.append(vary(line, rng))
                else:
                    parts.append(line)
    target.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return target


COMPAT = REPO.parent / "shared" / "compat" / "texts"
LIMIT_S = 2.0  # no input of 100 KB or less over this
GROWTH = 12.0  # 10x the text within this many times the time
SIZE = 100_000


def adversarial() -> dict[str, str]:
    rng = random.Random(7)
    sentence = "A. B. C. Dr. Smith et al. e.g. 12.5% of 40 trials. "
    bodies = {
        "heading-617-bytes": "# " + ("Alpha Beta, Gamma & Delta (" * 30)[:615] + "\n\nText.\n",
        "capitals-20kb": "Body " + "A" * 20_000,
        "digits-20kb": "Body " + "1" * 20_000,
        "digits-commas": "Body " + "1," * (SIZE // 2 - 40),
        "dna-sequence": "".join(rng.choice("ACGT") for _ in range(SIZE - 40)),
        "nested-brackets": "Body " + "[" * 40_000 + "@a" + "]" * 10,
        "nested-parens": "Body " + "(" * 40_000 + "x" + ")" * 10,
        "citation-keys": "Body [" + "@a " * (SIZE // 3 - 20),
        "open-paren-years": "Body (" + "2019 " * (SIZE // 5 - 10),
        "author-names": "Body " + "Smith, Jones & Brown " * (SIZE // 21 - 2),
        "abbreviations": "".join(f"Long Form Thing (LFT{i % 50}) and LFT{i % 50} used. " for i in range(2000)),
        "dense-sentences": sentence * (SIZE // len(sentence) - 1),
        "claim-words": " ".join(rng.choice(["the", "studies", "show", "that", "research", "found", "12", "trials",
                                            "increase", "reduces", "IL-6", "(CBT)"]) for _ in range(15_000)),
    }
    cases = {}
    for name, body in bodies.items():
        cases[f"{name}.md"] = ("---\ntitle: t\n---\n\n" + body + "\n")[:SIZE]
        cases[f"{name}.txt"] = (body + "\n")[:SIZE]
    return cases


def report(label: str, path: Path) -> float:
    first, best, findings, lines = best_of(path)
    print(f"claim check, {label} ({lines} lines, {_size(path) // 1000} KB): first run {first:.2f} s, "
          f"best of {RUNS} {best:.2f} s, {findings} findings")
    return best


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in load_project(path).chapters)


def main() -> int:
    review = report("review project", REPO)
    with tempfile.TemporaryDirectory() as tmp:
        big = synthetic(REPO, 10, Path(tmp) / "synthetic.qmd")
        tenfold = report("synthetic 10x manuscript", big)
        print(f"growth: 10x the text took {tenfold / review:.1f}x the time (floor: at most {GROWTH:.0f}x) "
              f"{'ok' if tenfold / review <= GROWTH else 'OVER'}")
        worst = 0.0
        for name in ("meta-review", "deep-rules", "pkg-manager-review"):
            if (COMPAT / f"{name}.md").is_file():
                worst = max(worst, report(f"compat {name}", COMPAT / f"{name}.md"))
        for name, text in adversarial().items():
            path = Path(tmp) / name
            path.write_text(text, encoding="utf-8")
            start = time.perf_counter()
            check_path(path)
            took = time.perf_counter() - start
            worst = max(worst, took)
            print(f"claim check, adversarial {name} ({len(text.encode()) // 1000} KB): {took:.2f} s")
        print(f"slowest input of 100 KB or less: {worst:.2f} s (floor: at most {LIMIT_S:.0f} s) "
              f"{'ok' if worst <= LIMIT_S else 'OVER'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
