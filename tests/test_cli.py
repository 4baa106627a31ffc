"""The CLI shell: every command explains itself, and exit codes are stable."""

import subprocess
import sys

import pytest

from galleyproof.cli import COMMANDS, main


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help(name, capsys):
    assert main([name, "--help"]) == 0
    out = capsys.readouterr().out
    assert f"galleyproof {name}" in out
    description = out.split("\n\n")[1]
    assert len(description.split()) >= 5, f"{name} --help has no real description"


def test_top_level_help_lists_commands(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in COMMANDS:
        assert name in out


def test_unknown_command_is_usage_error(capsys):
    assert main(["frobnicate"]) == 2


def test_bad_option_is_usage_error(capsys):
    assert main(["build", "--no-such-option"]) == 2


def test_bad_project_is_one_sentence_exit_2(tmp_path, monkeypatch, capsys):
    (tmp_path / "_quarto.yml").write_text("book: [unclosed\n")
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 2
    err = capsys.readouterr().err.strip()
    assert "_quarto.yml:" in err and "Traceback" not in err and len(err.splitlines()) == 1


def test_build_py_forwards_to_the_cli(repo_root):
    result = subprocess.run([sys.executable, str(repo_root / "build.py"), "--help"], capture_output=True,
                            text=True, cwd=repo_root)
    assert result.returncode == 0 and "galleyproof build" in result.stdout
