"""accepted-findings.yml and galleyproof.yml settings, through check_project and the real CLI."""

import json
from pathlib import Path

import pytest
import yaml

from galleyproof.claims.accept import read_accepted
from galleyproof.claims.run import check_project
from galleyproof.cli import main
from galleyproof.errors import ConfigError
from galleyproof.project import load_project


def conflict(result):
    return next(f for f in result["findings"] if f["kind"] == "conflicting-claim")


def test_an_accepted_finding_is_recorded_and_stops_failing(project_copy, capsys):
    finding = conflict(check_project(load_project(project_copy)))
    assert main(["check", str(project_copy)]) == 1
    (project_copy / "accepted-findings.yml").write_text(yaml.safe_dump({"accepted": [
        {"id": finding["id"], "reason": "The conclusion deliberately names the OFC; see reply to reviewer 2.",
         "accepted_by": "D. Charif", "date": "2026-05-01"}]}), encoding="utf-8")
    result = check_project(load_project(project_copy))
    accepted = conflict(result)
    assert accepted["accepted"] is True and "reviewer 2" in accepted["reason"]
    assert result["summary"]["open"]["error"] == 0 and result["summary"]["accepted"] == 1
    capsys.readouterr()
    assert main(["check", str(project_copy)]) == 0
    assert "accepted" in capsys.readouterr().out


def test_the_id_survives_moving_the_text(project_copy):
    before = conflict(check_project(load_project(project_copy)))["id"]
    chapter = next((project_copy / "chapters").glob("04-*.qmd"))
    lines = chapter.read_text(encoding="utf-8").splitlines()
    lines.insert(2, "\nA new paragraph the author added above the claim.\n")
    chapter.write_text("\n".join(lines) + "\n", encoding="utf-8")
    after = conflict(check_project(load_project(project_copy)))
    assert after["id"] == before and after["locations"][0]["line"] > 5


def test_an_acceptance_that_matches_nothing_is_reported_as_stale(project_copy):
    (project_copy / "accepted-findings.yml").write_text(
        "- id: conflicting-claim-0000000000\n  reason: fixed long ago\n", encoding="utf-8")
    assert check_project(load_project(project_copy))["summary"]["stale_acceptances"] == ["conflicting-claim-0000000000"]


@pytest.mark.parametrize("body, line", [
    pytest.param("accepted:\n  - id: x-1\n    reason: fine\n  - id: x-2\n", 4, id="missing-reason"),
    pytest.param("accepted:\n  - reason: no id\n", 2, id="missing-id"),
    pytest.param("accepted: {id: x}\n", 1, id="not-a-list"),
])
def test_invalid_acceptances_name_file_and_line(tmp_path: Path, body, line):
    path = tmp_path / "accepted-findings.yml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        read_accepted(path)
    assert (info.value.path, info.value.line) == (str(path), line)


def test_an_invalid_acceptance_file_exits_2(project_copy, capsys):
    (project_copy / "accepted-findings.yml").write_text("accepted:\n  - id: x\n", encoding="utf-8")
    assert main(["check", str(project_copy)]) == 2
    assert "accepted-findings.yml:2" in capsys.readouterr().err


def test_project_settings_override_severity_and_extend_the_lexicon(project_copy, capsys):
    (project_copy / "terms.yml").write_text(
        "categories:\n  brain_region:\n    entries:\n      - name: soothing circuit\n", encoding="utf-8")
    (project_copy / "galleyproof.yml").write_text(
        "claims:\n  lexicon: terms.yml\n  severity:\n    conflicting-claim: warning\n", encoding="utf-8")
    assert main(["check", str(project_copy), "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert conflict(result)["severity"] == "warning"
    capsys.readouterr()


@pytest.mark.parametrize("settings", [
    pytest.param("claims:\n  severity:\n    conflicting-claim: fatal\n", id="unknown-severity"),
    pytest.param("claims:\n  severity:\n    conflicting-claims: error\n", id="unknown-kind"),
    pytest.param("claims: strict\n", id="not-a-mapping"),
    pytest.param("claims:\n  lexicon: missing.yml\n", id="missing-lexicon"),
])
def test_bad_claims_settings_exit_2_naming_the_file(project_copy, capsys, settings):
    (project_copy / "galleyproof.yml").write_text(settings, encoding="utf-8")
    assert main(["check", str(project_copy)]) == 2
    err = capsys.readouterr().err
    assert "galleyproof.yml" in err or "missing.yml" in err


def test_summary_counts_only_unaccepted_errors(project_copy):
    finding = conflict(check_project(load_project(project_copy)))
    assert check_project(load_project(project_copy))["summary"]["errors"] == 1
    (project_copy / "accepted-findings.yml").write_text(
        f"accepted:\n  - id: {finding['id']}\n    reason: reviewed\n", encoding="utf-8")
    summary = check_project(load_project(project_copy))["summary"]
    assert (summary["errors"], summary["open"]["error"], summary["accepted"]) == (0, 0, 1)


def test_a_single_chapter_uses_its_projects_acceptances(project_copy):
    from galleyproof.claims.run import check_path
    duplicate = next(f for f in check_project(load_project(project_copy))["findings"]
                     if f["kind"] == "duplicate-passage")
    (project_copy / "accepted-findings.yml").write_text(
        f"accepted:\n  - id: {duplicate['id']}\n    reason: the author keeps both on purpose\n", encoding="utf-8")
    chapter = next((project_copy / "chapters").glob("02-*.qmd"))
    [alone] = [f for f in check_path(chapter)["findings"] if f["kind"] == "duplicate-passage"]
    assert alone["id"] == duplicate["id"] and alone["accepted"] is True
