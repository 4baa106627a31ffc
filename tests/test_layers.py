"""Which part of galleyproof may import which: read from the source (ast), every import counted, at module
level, inside functions and under `if TYPE_CHECKING:` alike.

The rule, bottom to top:

- shared: what every part builds on. The project and its sources (project, manuscript, bib, paths,
  safe_yaml, parses), the network (registry), findings for people (report), and errors, fileio, tools,
  the package's own version and data (styles). These import no feature and nothing of the pipeline
  except its interfaces. report presents audit and claim records, so it may read their vocabularies:
  audit.model and claims.findings (data only), nothing else of either.
- features: render, audit, claims, export. Each does one job over what the pipeline hands it; none
  imports another. Any of them may use the shared parts and the pipeline's interfaces:
  pipeline.progress (how work reports progress) and pipeline.policy (what passes and what fails).
- pipeline: run.py and its steps (manifest, export, ...) compose the features; nothing below imports
  them.
- cli, commands, __main__: the shell over everything.

A new top-level module or package fails `test_every_part_has_a_layer` until it is given one here.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "galleyproof"

SHARED = {"__init__", "errors", "fileio", "paths", "tools", "safe_yaml", "parses", "project", "manuscript", "bib",
          "registry", "report", "styles"}
FEATURES = {"render", "audit", "claims", "export"}
PIPELINE = {"pipeline"}
SHELL = {"cli", "commands", "__main__"}
# `from galleyproof.pipeline import policy` names the package too; its __init__ imports nothing.
INTERFACES = {"galleyproof.pipeline.progress", "galleyproof.pipeline.policy", "galleyproof.pipeline"}
# What report may read of a feature: the records it presents.
VOCABULARIES = {"report": {"galleyproof.audit.model", "galleyproof.claims.findings"}}


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, package: Path = PACKAGE) -> list[tuple[int, str]]:
    """(line, module) for every import in the file; `from a import b` names a.b too (b may be a module)."""
    name = module_name(path, package)
    here = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = here.split(".")[:len(here.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names if alias.name != "*"]
    return [(line, module) for line, module in found if module.split(".")[0] == "galleyproof"]


def part_of(module: str) -> str:
    """`galleyproof.render.kernel` -> "render"; `galleyproof` -> "__init__"."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def layer_of(part: str) -> str:
    for layer, parts in (("shared", SHARED), ("feature", FEATURES), ("pipeline", PIPELINE), ("shell", SHELL)):
        if part in parts:
            return layer
    return ""


def real_module(module: str, package: Path = PACKAGE) -> str:
    """The longest prefix of `module` that is a module or package of galleyproof (`from a import name`
    also names a.name, which is a function, not a module)."""
    parts = module.split(".")
    while len(parts) > 1:
        candidate = package.parent.joinpath(*parts)
        if candidate.with_suffix(".py").is_file() or (candidate / "__init__.py").is_file():
            return ".".join(parts)
        parts.pop()
    return "galleyproof"


def violations(package: Path = PACKAGE) -> list[str]:
    found = []
    for path in sorted(package.rglob("*.py")):
        part = part_of(module_name(path, package))
        layer = layer_of(part)
        for line, raw in imported(path, package):
            target = real_module(raw, package)
            other = part_of(target)
            if other == part or layer == "shell":
                continue
            where = f"{path.relative_to(package.parent).as_posix()}:{line} imports {target}"
            if layer_of(other) == "pipeline" and layer != "pipeline" and target not in INTERFACES:
                found.append(f"{where}: below the pipeline, only its interfaces (progress, policy)")
            elif layer_of(other) == "feature" and layer == "feature":
                found.append(f"{where}: features do not import one another")
            elif layer_of(other) == "feature" and layer == "shared" \
                    and target not in VOCABULARIES.get(part, set()):
                found.append(f"{where}: a shared part imports no feature")
            elif layer_of(other) == "shell":
                found.append(f"{where}: nothing imports the command line")
    return found


def test_every_part_has_a_layer():
    parts = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()
             if (p.suffix == ".py" or (p.is_dir() and not p.name.startswith(("_", ".")))) and p.name != "py.typed"}
    unplaced = sorted(p for p in parts if not layer_of(p))
    assert not unplaced, f"give these a layer in tests/test_layers.py: {unplaced}"


def test_the_layers_import_only_downward_and_features_not_one_another():
    assert violations() == []


@pytest.mark.parametrize("source, target, allowed", [
    pytest.param("galleyproof/export/package.py", "galleyproof.render.embedded", False, id="feature-to-feature"),
    pytest.param("galleyproof/render/embedded.py", "galleyproof.pipeline.run", False, id="feature-to-pipeline-run"),
    pytest.param("galleyproof/render/embedded.py", "galleyproof.pipeline.progress", True, id="feature-to-interface"),
    pytest.param("galleyproof/bib/bibtex.py", "galleyproof.claims.run", False, id="shared-to-feature"),
    pytest.param("galleyproof/report/html.py", "galleyproof.audit.model", True, id="report-to-vocabulary"),
    pytest.param("galleyproof/report/html.py", "galleyproof.claims.run", False, id="report-to-feature-internals"),
    pytest.param("galleyproof/pipeline/run.py", "galleyproof.render.embedded", True, id="pipeline-to-feature"),
])
def test_the_rule_itself(tmp_path, source, target, allowed):
    # The checker run on a copy of the package with one import added: a rule that cannot fail fails here.
    copy = tmp_path / "galleyproof"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.csl", "*.yaml", "*.j2"))
    path = tmp_path / source
    text = path.read_text(encoding="utf-8")
    path.write_text(f"{text}\nimport {target}\n", encoding="utf-8")
    added = [v for v in violations(copy) if v.startswith(f"{source}:{text.count(chr(10)) + 2} imports {target}:")]
    assert (not added) is allowed, added
