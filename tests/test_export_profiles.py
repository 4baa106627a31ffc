"""Journal profiles: bundled ones load, a project overrides by id, bad profiles name file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from galleyproof.errors import ConfigError
from galleyproof.export.profiles import BUNDLED_DIR, list_profiles, load_profile
from galleyproof.project import load_project

FIXTURE = Path(__file__).parent / "data" / "export" / "project"


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(FIXTURE, target)
    (target / "profiles").mkdir(exist_ok=True)
    return target


def test_bundled_profiles_cover_the_three_kinds_of_venue():
    profiles = {p.id: p for p in list_profiles()}
    assert {"health-psychology", "psychosomatic-medicine", "preprint"} <= set(profiles)
    assert profiles["health-psychology"].double_blind and profiles["health-psychology"].csl.name == "apa.csl"
    assert profiles["psychosomatic-medicine"].csl.name == "nlm-citation-sequence.csl"
    assert profiles["psychosomatic-medicine"].meca and profiles["psychosomatic-medicine"].jats
    assert profiles["preprint"].review == "open" and not profiles["preprint"].double_blind
    for profile in profiles.values():
        assert profile.csl.is_file(), profile.id


def _write_profile(directory: Path, base: str, changes: dict, name: str | None = None) -> Path:
    data = yaml.safe_load((BUNDLED_DIR / f"{base}.yaml").read_text(encoding="utf-8"))
    for dotted, value in changes.items():
        node = data
        *parents, last = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        if value is ...:
            node.pop(last, None)
        else:
            node[last] = value
    path = directory / f"{name or data['id']}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_project_profile_overrides_bundled_one_with_same_id(project_dir: Path):
    _write_profile(project_dir / "profiles", "preprint", {"name": "Our preprint server", "limits.main_text_words": 50})
    project = load_project(project_dir)
    profile = load_profile("preprint", project)
    assert profile.name == "Our preprint server"
    assert profile.limits.main_text_words == 50
    assert profile.source.parent == project_dir / "profiles"
    assert load_profile("preprint").name != "Our preprint server"  # the bundled one is untouched


def test_project_profile_may_use_a_csl_file_inside_the_project(project_dir: Path):
    shutil.copy(BUNDLED_DIR.parent.parent / "styles" / "nature.csl", project_dir / "house.csl")
    _write_profile(project_dir / "profiles", "preprint", {"id": "house", "citation_style": "house.csl"}, "house")
    profile = load_profile("house", load_project(project_dir))
    assert profile.csl == (project_dir / "house.csl").resolve()


@pytest.mark.parametrize("changes, message, key", [
    pytest.param({"review": "triple-blind"}, "review: 'triple-blind' is not one of", "review", id="bad-enum"),
    pytest.param({"limits.abstract_words": "two hundred"}, "limits.abstract_words: 'two hundred' is not of type",
                 "abstract_words", id="nested-wrong-type"),
    pytest.param({"jats": ...}, "'jats' is a required property", None, id="missing-key"),
    pytest.param({"colour": "blue"}, "Additional properties are not allowed ('colour'", None, id="unknown-key"),
    pytest.param({"citation_style": "chicago"}, "no bundled citation style 'chicago'", "citation_style",
                 id="unknown-style"),
    pytest.param({"citation_style": "x/../../../outside.csl"}, "lies outside the project", "citation_style",
                 id="style-outside-project"),
    pytest.param({"id": "other-name"}, "must match its file name", "id", id="id-mismatch"),
])
def test_invalid_profile_names_file_and_line(project_dir: Path, changes, message, key):
    path = _write_profile(project_dir / "profiles", "preprint", changes, "preprint")
    with pytest.raises(ConfigError) as info:
        load_profile("preprint", load_project(project_dir))
    error = info.value
    assert message in error.message
    assert error.path == str(path)
    if key:
        lines = enumerate(path.read_text().splitlines(), 1)
        expected = next(n for n, line in lines if line.strip().startswith(f"{key}:"))
        assert error.line == expected
    assert str(error).startswith(f"{path}:")


def test_profiles_directory_outside_the_project_is_refused(project_dir: Path):
    (project_dir / "galleyproof.yml").write_text("export:\n  profiles: ../elsewhere\n", encoding="utf-8")
    (project_dir.parent / "elsewhere").mkdir()
    with pytest.raises(ConfigError, match="lies outside the project"):
        list_profiles(load_project(project_dir))


def test_unknown_journal_lists_known_ids():
    with pytest.raises(ConfigError, match=r"no journal profile 'nope' \(known: .*health-psychology"):
        load_profile("nope")
