"""Shared fixtures: paths to ../shared and the seeds, and a copy of the repository's manuscript."""

from __future__ import annotations

from pathlib import Path

import pytest

from galleyproof.project import copy_manuscript

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"


def seed_path(prefix: str) -> Path:
    """seed_path('000') -> ../shared/seeds/000_....txt"""
    matches = sorted(SEEDS.glob(f"{prefix}_*"))
    if not matches:
        pytest.skip(f"seed {prefix} is not in {SEEDS}")
    return matches[0]


@pytest.fixture(autouse=True)
def audit_memo_dir(tmp_path_factory, monkeypatch) -> Path:
    """The audit's memo (galleyproof.audit.memo) in a folder of this test, not ~/.cache: one test's
    audits never answer another's (test_audit_memo counts the memo's files)."""
    folder = tmp_path_factory.mktemp("audit-memo")
    monkeypatch.setenv("GALLEYPROOF_CACHE_DIR", str(folder))
    return folder


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
    return copy_manuscript(REPO, tmp_path / "project")
