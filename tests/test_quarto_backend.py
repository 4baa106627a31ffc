"""The Quarto backend: engine choice everywhere, `quarto render` itself only where quarto is installed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from galleyproof.errors import RenderError, UsageError
from galleyproof.pipeline.run import build, choose_engine
from galleyproof.project import load_project
from galleyproof.render import quarto

MINI = Path(__file__).parent / "data" / "render" / "mini"


def test_auto_uses_quarto_from_quarto_path(tmp_path, monkeypatch):
    fake = tmp_path / "quarto"
    fake.write_text("#!/bin/sh\n")
    monkeypatch.setenv("QUARTO_PATH", str(fake))
    assert choose_engine("auto") == "quarto"


def test_auto_falls_back_to_embedded_without_quarto(tmp_path, monkeypatch):
    monkeypatch.setenv("QUARTO_PATH", str(tmp_path / "absent"))
    assert choose_engine("auto") == "embedded"
    monkeypatch.delenv("QUARTO_PATH")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert choose_engine("auto") == "embedded"


@pytest.mark.parametrize(("quarto_path", "message"), [
    pytest.param("absent", "QUARTO_PATH names .*absent, which is not a file", id="quarto-path-names-nothing"),
    pytest.param(None, "quarto CLI on PATH", id="no-quarto-anywhere"),
])
def test_engine_quarto_without_quarto_fails_before_any_work(tmp_path, monkeypatch, quarto_path, message):
    if quarto_path:
        monkeypatch.setenv("QUARTO_PATH", str(tmp_path / quarto_path))
    else:
        monkeypatch.delenv("QUARTO_PATH", raising=False)
        monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    with pytest.raises(UsageError, match=message):
        build(load_project(root), engine="quarto", formats=["html"], offline=True)
    assert not (root / "_output").exists()  # neither the audit nor the checks ran first


@pytest.mark.quarto
@pytest.mark.slow
@pytest.mark.skipif(quarto.find_quarto() is None, reason="quarto is not installed")
def test_quarto_renders_the_fixture(tmp_path):
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    result = build(load_project(root), engine="quarto", formats=["html"], offline=True)
    assert result.engine == "quarto"
    html = "\n".join(p.read_text(encoding="utf-8") for p in (root / "_output").rglob("*.html"))
    assert "Neff" in html and "Figure" in html and "Table" in html


def stand_in_quarto(tmp_path, exit_code: int) -> Path:
    """An executable in quarto's place that records its arguments and working directory."""
    script = tmp_path / "bin" / "quarto"
    script.parent.mkdir()
    script.write_text(f'#!/bin/sh\necho "$PWD $*" >> "{tmp_path}/calls.txt"\n'
                      f'echo "ERROR: something quarto says" >&2\nexit {exit_code}\n')
    script.chmod(0o755)
    return script


def test_quarto_render_is_called_per_format_in_the_project_root(tmp_path, monkeypatch):
    monkeypatch.setenv("QUARTO_PATH", str(stand_in_quarto(tmp_path, 0)))
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    result = build(load_project(root), formats=["html", "pdf"], offline=True)
    assert result.engine == "quarto"
    calls = (tmp_path / "calls.txt").read_text().splitlines()
    assert calls == [f"{root} render --to html", f"{root} render --to pdf"]
    assert result.reports["audit"].is_file()  # the audit and checks run whichever engine renders


def test_quarto_failure_is_a_render_error_with_its_message(tmp_path, monkeypatch):
    monkeypatch.setenv("QUARTO_PATH", str(stand_in_quarto(tmp_path, 1)))
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    with pytest.raises(RenderError, match="something quarto says"):
        build(load_project(root), engine="quarto", formats=["html"], offline=True)
