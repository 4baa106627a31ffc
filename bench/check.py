#!/usr/bin/env python3
"""Print how long the claim checker takes on the review and on a synthetic manuscript 10 times its size.

The synthetic manuscript repeats the review's chapters ten times with renumbered sections and each
copy's sentences lightly varied (words swapped deterministically), so the duplicate-passage rule does
real work rather than matching identical text. Figures are wall-clock seconds: the first run, and
the best of three in one process.
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


def main() -> int:
    first, best, findings, lines = best_of(REPO)
    print(f"claim check, review project ({lines} lines): first run {first:.2f} s (loads the lexicon), "
          f"best of {RUNS} {best:.2f} s, {findings} findings")
    with tempfile.TemporaryDirectory() as tmp:
        big = synthetic(REPO, 10, Path(tmp) / "synthetic.qmd")
        first, best, findings, lines = best_of(big)
        print(f"claim check, synthetic 10x manuscript ({lines} lines): first run {first:.2f} s, "
              f"best of {RUNS} {best:.2f} s, {findings} findings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
