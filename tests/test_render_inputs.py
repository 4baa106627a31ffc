"""What cells depended on, as the cell cache and the build manifest name it (render/inputs.py): installed
files by their distribution's version, the standard library by the interpreter, everything else by hash.

The distribution is real: a wheel written here and installed by pip into a temporary `site-packages`;
the build tests run a real kernel with that directory on its path, then upgrade the distribution.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from galleyproof.pipeline import manifest as manifests
from galleyproof.pipeline.run import build
from galleyproof.project import load_project
from galleyproof.render import inputs
from galleyproof.render.cache import CellCache
from galleyproof.render.inputs import KernelReport


def wheel(folder: Path, version: str, body: str = "VALUE = 1\n", name: str = "tinydist") -> Path:
    """A pure-Python wheel (https://packaging.python.org/en/latest/specifications/binary-distribution-format/)."""
    info = f"{name}-{version}.dist-info"
    files = {f"{name}/__init__.py": body,
             f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\nA test distribution.\n",
             f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    record = []
    for path, text in files.items():
        data = text.encode("utf-8")
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
        record.append(f"{path},sha256={digest},{len(data)}")
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(out, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
        archive.writestr(f"{info}/RECORD", "\n".join([*record, f"{info}/RECORD,,"]) + "\n")
    return out


def install(site: Path, version: str, body: str = "VALUE = 1\n") -> None:
    """pip's own install into `site` (--upgrade replaces the package and, as pip does with --target, leaves the
    old .dist-info beside the new one)."""
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-index", "--no-deps",
                    "--disable-pip-version-check", "--upgrade", "--target", str(site),
                    str(wheel(site.parent / "wheels", version, body))], check=True, capture_output=True)


@pytest.fixture
def site(tmp_path) -> Path:
    site = tmp_path / "env" / "lib" / "site-packages"
    install(site, "1.0")
    return site


def stdlib_report(*files: str) -> KernelReport:
    return KernelReport(list(files), sys.executable, (sysconfig.get_path("stdlib"),))


def test_an_installed_file_is_named_by_its_distribution(site):
    compiled = site / "tinydist" / "__pycache__" / "__init__.cpython-311.pyc"
    named = inputs.names(stdlib_report(str(site / "tinydist" / "__init__.py"), str(compiled)))
    assert named == [f"dist:tinydist@{site.resolve()}"]
    assert inputs.digest(Path("/"), named[0]) == "tinydist 1.0"


def test_the_standard_library_is_named_by_the_interpreter_and_other_files_by_path(site, tmp_path):
    stray = site / "stray_module.py"  # in site-packages, but no distribution lists it
    stray.write_text("X = 1\n")
    project_file = tmp_path / "analysis" / "tables.py"
    project_file.parent.mkdir()
    project_file.write_text("Y = 2\n")
    named = inputs.names(stdlib_report(os.__file__, json.__file__, str(stray), str(project_file)))
    python = f"python:{os.path.realpath(sys.executable)}"
    assert named == sorted([python, str(stray.resolve()), str(project_file.resolve())])
    assert inputs.digest(Path("/"), python)  # the executable's size and modification time


def test_a_new_version_changes_the_digest_and_a_removed_distribution_empties_it(site):
    name = inputs.names(stdlib_report(str(site / "tinydist" / "__init__.py")))[0]
    install(site, "2.0")  # same module source, new version
    assert inputs.digest(Path("/"), name) == "tinydist 1.0, tinydist 2.0"  # pip left 1.0's metadata behind
    for entry in site.glob("tinydist-*.dist-info"):
        for file in entry.iterdir():
            file.unlink()
        entry.rmdir()
    assert inputs.digest(Path("/"), name) == ""


def test_the_index_of_a_site_directory_follows_its_changes_within_one_process(site):
    module = str(site / "tinydist" / "__init__.py")
    assert inputs.names(stdlib_report(module)) == [f"dist:tinydist@{site.resolve()}"]
    shutil.rmtree(site / "tinydist-1.0.dist-info")  # the package left behind with no distribution listing it
    assert inputs.names(stdlib_report(module)) == [str(Path(module).resolve())]


def test_the_cache_records_project_paths_relative_and_keeps_only_modules_from_elsewhere(tmp_path):
    root, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    venv_site = root / ".venv" / "lib" / "python3.11" / "site-packages"
    install(venv_site, "1.0")
    (root / "data.csv").write_text("a\n1\n")
    elsewhere.mkdir()
    (elsewhere / "helper.py").write_text("Z = 3\n")  # an editable install's source, say
    (elsewhere / "fontlist.json").write_text("{}")  # a cache a library read: not an input
    names = inputs.names(stdlib_report(str(root / "data.csv"), str(venv_site / "tinydist" / "__init__.py"),
                                       str(elsewhere / "helper.py"), str(elsewhere / "fontlist.json"), os.__file__,
                                       str(root / "missing.txt")))
    hashes = CellCache(root).input_hashes(names)
    python = f"python:{os.path.realpath(sys.executable)}"
    assert sorted(hashes) == sorted(["data.csv", "dist:tinydist@.venv/lib/python3.11/site-packages",
                                     str((elsewhere / "helper.py").resolve()), python])
    assert hashes["dist:tinydist@.venv/lib/python3.11/site-packages"] == "tinydist 1.0"
    assert len(hashes["data.csv"]) == 64


# A real build: the kernel imports the distribution from a site-packages on its path -------------------

PAPER = """---
title: Tiny
format: html
---

```{python}
import tinydist, helper
print(tinydist.VALUE, helper.WORD)
```
"""


@pytest.fixture
def paper(tmp_path, monkeypatch):
    site = tmp_path / "env" / "site-packages"
    install(site, "1.0")
    elsewhere = tmp_path / "checkout"  # outside the project and any site directory, like an editable install
    elsewhere.mkdir()
    (elsewhere / "helper.py").write_text("WORD = 'kindness'\n")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(site), str(elsewhere), os.environ.get("PYTHONPATH", "")]))
    root = tmp_path / "paper"
    root.mkdir()
    (root / "paper.qmd").write_text(PAPER, encoding="utf-8")
    return root / "paper.qmd", site, elsewhere


def run(path: Path):
    result = build(load_project(path), engine="embedded", offline=True)
    return result, [c.status for c in result.chapters]


@pytest.mark.slow
def test_an_upgraded_distribution_rebuilds_and_an_edited_checkout_too(paper):
    path, site, elsewhere = paper
    result, statuses = run(path)
    assert result.status == "built" and statuses == ["executed"]
    recorded = manifests.load(path.parent / "_output").outputs["html"].inputs
    assert recorded[f"dist:tinydist@{site.resolve()}"] == "tinydist 1.0"
    assert str((elsewhere / "helper.py").resolve()) in recorded
    # Nothing installed or in the standard library is listed file by file.
    stdlib = os.path.realpath(sysconfig.get_path("stdlib"))
    assert not [name for name in recorded if "site-packages" in name and not name.startswith("dist:")]
    assert not [name for name in recorded if name.startswith(stdlib)]
    assert sum(name.startswith("python:") for name in recorded) == 1

    assert run(path)[0].status == "unchanged"
    install(site, "2.0")  # the same module source under a new version
    result, statuses = run(path)
    assert result.status == "built" and statuses == ["executed"]
    assert run(path)[0].status == "unchanged"

    (elsewhere / "helper.py").write_text("WORD = 'compassion'\n")
    result, statuses = run(path)
    assert statuses == ["executed"] and "compassion" in result.outputs["html"].read_text(encoding="utf-8")
