"""`galleyproof check` end to end: formats, --output, --fail-on and exit codes."""

import json
from pathlib import Path

import pytest
from conftest import seed_path

from galleyproof.cli import main

CONTROL = Path(__file__).parent / "data" / "claims" / "control.qmd"


def test_json_follows_the_contract(capsys):
    assert main(["check", str(seed_path("000")), "--format", "json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"findings", "summary"}
    for finding in result["findings"]:
        assert {"id", "kind", "severity", "message", "locations", "entities"} <= set(finding)
        assert finding["severity"] in ("error", "warning", "info")
        for location in finding["locations"]:
            assert set(location) == {"file", "line", "section", "text"} and location["line"] > 0
    assert len({f["id"] for f in result["findings"]}) == len(result["findings"])
    assert sum(result["summary"]["open"].values()) == result["summary"]["total"]


@pytest.mark.parametrize("fail_on, code", [("error", 0), ("warning", 1), ("info", 1)])
def test_fail_on_threshold(fail_on, code, capsys):
    # seed 002 has warnings and info findings but no errors
    assert main(["check", str(seed_path("002")), "--fail-on", fail_on]) == code


def test_the_control_passes_even_at_info(capsys):
    assert main(["check", str(CONTROL), "--fail-on", "info"]) == 0
    assert "0 findings" in capsys.readouterr().out


def test_table_output_to_a_file(tmp_path: Path, capsys):
    out = tmp_path / "findings.txt"
    assert main(["check", str(seed_path("000")), "--output", str(out)]) == 1
    text = out.read_text(encoding="utf-8")
    assert "conflicting-claim" in text and "orbitofrontal cortex" in text
    assert capsys.readouterr().out == ""


def test_html_uses_the_shared_report(tmp_path: Path):
    pytest.importorskip("galleyproof.report.html")
    out = tmp_path / "report.html"
    assert main(["check", str(seed_path("000")), "--format", "html", "--output", str(out)]) == 1
    assert "orbitofrontal cortex" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("args", [
    pytest.param(["check", "no/such/file.qmd"], id="missing-file"),
    pytest.param(["check", str(Path(__file__))], id="not-a-manuscript"),
    pytest.param(["check", "--fail-on", "fatal"], id="bad-threshold"),
])
def test_bad_input_exits_2(args, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.strip()


def test_help_explains_the_command(capsys):
    assert main(["check", "--help"]) == 0
    out = capsys.readouterr().out
    assert "accepted-findings.yml" in out and "--fail-on" in out


def test_docs_list_every_finding_kind(repo_root):
    from galleyproof.claims.run import load_config
    doc = (repo_root / "docs" / "check.md").read_text(encoding="utf-8")
    for kind, severity in load_config()["severity"].items():
        assert f"| `{kind}` | {severity} |" in doc, kind


def test_escape_sequences_in_a_manuscript_never_reach_the_terminal(tmp_path: Path, capsys):
    path = tmp_path / "ms.md"
    path.write_text("---\ntitle: t\n---\n\nStudies show \x1b]0;owned\x07 that \x1b[2J it works, \x1b[31mred\x1b[0m.\n",
                    encoding="utf-8")
    main(["check", str(path)])
    out = capsys.readouterr().out
    assert "uncited-claim" in out and "Studies show" in out
    assert not any(c in out for c in "\x1b\x07\x9b")
