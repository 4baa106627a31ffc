#!/usr/bin/env python3
"""Print how long `galleyproof export` takes for each bundled journal profile on the review.

Works on a copy of the repository's manuscript in a temp directory. The first export pays for
executing the cells (a kernel start); the others find the cells in the cache, so their time is the
checks (audit offline from the lock, claim checker) plus pandoc and Typst for every file of the package.
Figures are wall-clock seconds of one run each, with the time pandoc and Typst report.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from galleyproof.export.profiles import list_profiles  # noqa: E402
from galleyproof.pipeline.export import export_submission  # noqa: E402
from galleyproof.project import copy_manuscript, load_project  # noqa: E402


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        project = load_project(copy_manuscript(REPO, Path(tmp) / "project"))
        print(f"{'profile':<26} {'seconds':>8} {'files':>6} {'failed checks':>14}")
        for profile in list_profiles(project):
            started = time.perf_counter()
            result = export_submission(project, profile.id, draft=True)
            elapsed = time.perf_counter() - started
            print(f"{profile.id:<26} {elapsed:>8.2f} {len(result.files):>6} {len(result.failed):>14}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
