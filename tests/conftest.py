"""Shared fixtures: paths to ../shared and the seeds, and a copy of the repository's manuscript."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"
# What makes up the manuscript project (the tool itself is installed, not copied).
PROJECT_FILES = ("_quarto.yml", "galleyproof.yml", "index.qmd", "references.bib", "citations.lock.json",
                 "accepted-findings.yml", "apa.csl")
PROJECT_DIRS = ("chapters", "analysis")


def seed_path(prefix: str) -> Path:
    """seed_path('000') -> ../shared/seeds/000_....txt"""
    matches = sorted(SEEDS.glob(f"{prefix}_*"))
    if not matches:
        pytest.skip(f"seed {prefix} is not in {SEEDS}")
    return matches[0]


@pytest.fixture
def repo_root() -> Path:
    return REPO


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the repository")
    return SHARED


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A copy of the repository's manuscript project in a temp dir, safe to build and modify."""
    target = tmp_path / "project"
    target.mkdir()
    for name in PROJECT_FILES:
        if (REPO / name).exists():
            shutil.copy2(REPO / name, target / name)
    for name in PROJECT_DIRS:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    return target
