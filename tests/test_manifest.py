"""The build manifest's file: each input's digest written once, each output naming what it does not depend on;
read back equal."""

from __future__ import annotations

import json

from galleyproof.pipeline import manifest as manifests
from galleyproof.pipeline.manifest import Manifest, Output

SOURCES = {"_quarto.yml": "a" * 64, "dist:pandas@.venv/lib/python3.11/site-packages": "pandas 2.2.3"}


def test_shared_inputs_are_written_once_and_read_back(tmp_path):
    record = Manifest(options={"engine": "embedded"}, outputs={
        "html": Output("_output/m.html", "1" * 64, {**SOURCES, "tool:pandoc": "p"}),
        "pdf": Output("_output/m.pdf", "2" * 64, {**SOURCES, "tool:pandoc": "p", "tool:typst": "0.15.0"})})
    manifests.save(tmp_path, record)
    data = json.loads((tmp_path / manifests.MANIFEST_NAME).read_text(encoding="utf-8"))
    assert data["inputs"] == {**SOURCES, "tool:pandoc": "p", "tool:typst": "0.15.0"}
    assert data["outputs"]["html"]["without"] == ["tool:typst"] and data["outputs"]["pdf"]["without"] == []
    assert manifests.load(tmp_path) == record


def test_an_output_whose_digest_of_an_input_differs_keeps_its_own(tmp_path):
    record = Manifest(outputs={"html": Output("_output/m.html", "1" * 64, {"_quarto.yml": "old"}),
                               "docx": Output("_output/m.docx", "3" * 64, {"_quarto.yml": "new"})})
    manifests.save(tmp_path, record)
    assert manifests.load(tmp_path) == record
