"""--strict and --fail-on: which audit statuses and checker errors fail a build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from galleyproof.cli import main
from galleyproof.errors import UsageError
from galleyproof.pipeline.policy import build_failures as policy_failures

SEVERITY = ["verified", "unverified", "corrected", "missing_doi", "mismatch", "points_elsewhere", "not_found",
            "retracted"]


def audit(project=(), **statuses):
    """An audit result in the JSON contract's shape: one reference entry per counted status."""
    references = [{"key": f"{status}{i}", "status": status} for status, n in statuses.items() for i in range(n)]
    return {"references": references, "project": [{"kind": kind, "key": "k", "file": "c.qmd", "line": 1}
                                                  for kind in project],
            "summary": {"severity": SEVERITY, "statuses": statuses}}


@pytest.mark.parametrize("audit_data, check, fail_on, expected", [
    pytest.param(audit(verified=5), None, "mismatch", [], id="all-verified"),
    pytest.param(audit(verified=3, missing_doi=2), None, "mismatch", [], id="below-threshold"),
    pytest.param(audit(mismatch=1), None, "mismatch", ["audit: 1 reference mismatch"], id="at-threshold"),
    pytest.param(audit(missing_doi=2, not_found=1), None, "missing_doi",
                 ["audit: 2 references missing_doi", "audit: 1 reference not_found"], id="lower-threshold"),
    pytest.param(audit(project=["undefined_key"], verified=1), None, "mismatch",
                 ["audit: 1 undefined key finding"], id="undefined-key-fails"),
    pytest.param(audit(project=["uncited"], verified=1), None, "mismatch", [], id="uncited-below-threshold"),
    pytest.param(None, {"findings": [{"severity": "error"}, {"severity": "warning"}], "summary": {}}, "mismatch",
                 ["check: 1 error"], id="checker-errors-counted"),
    pytest.param(None, {"findings": [], "summary": {"errors": 3}}, "mismatch", ["check: 3 errors"],
                 id="checker-summary-errors"),
    pytest.param(None, None, "mismatch", [], id="steps-skipped"),
])
def test_policy(audit_data, check, fail_on, expected):
    assert policy_failures(audit_data, check, fail_on) == expected


def test_unknown_status_is_a_usage_error():
    with pytest.raises(UsageError, match="mismatched"):
        policy_failures(audit(verified=1), None, "mismatched")


MINI = Path(__file__).parent / "data" / "render" / "mini"


@pytest.mark.slow
@pytest.mark.parametrize("args, exit_code", [
    pytest.param([], 0, id="not-strict"),
    pytest.param(["--strict"], 0, id="strict-default-threshold"),  # offline without a lock: all unverified
    pytest.param(["--strict", "--fail-on", "unverified"], 1, id="strict-unverified-fails"),
])
def test_strict_build_exit_code(tmp_path, capsys, args, exit_code):
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    assert main(["build", "--project", str(root), "--to", "html", "--offline", *args]) == exit_code
    out = capsys.readouterr().out
    assert ("strict: audit: 3 references unverified" in out) is (exit_code == 1)
    assert (root / "_output" / "manuscript.html").is_file()  # outputs are written either way
    assert (root / "_output" / "reports" / "audit.json").is_file()
