"""The cell cache: chained keys, input tracking, invalidation, atomic readable JSON."""

from __future__ import annotations

import json

import pytest

from galleyproof.render.cache import Awaited, CellCache, ChapterRecord, cell_keys

KERNEL = "python3/python-3.11.7"


def test_a_key_depends_on_the_cells_before_it():
    a = cell_keys(["x = 1", "print(x)"], KERNEL)
    b = cell_keys(["x = 2", "print(x)"], KERNEL)
    assert a[1] != b[1]  # same source, different past


@pytest.mark.parametrize("left, right, same_first", [
    pytest.param(["a", "b"], ["a", "c"], True, id="later-cell-changed"),
    pytest.param(["a", "b"], [None, "b"], False, id="eval-false"),
    pytest.param(["a", "b"], ["a ", "b"], False, id="whitespace-in-source"),
])
def test_keys_change_from_the_changed_cell_on(left, right, same_first):
    k1, k2 = cell_keys(left, KERNEL), cell_keys(right, KERNEL)
    assert (k1[0] == k2[0]) is same_first
    assert k1[1] != k2[1]


def test_the_kernel_enters_the_key():
    assert cell_keys(["a"], "python3/python-3.11.7") != cell_keys(["a"], "python3/python-3.12.0")


@pytest.fixture
def project(tmp_path):
    (tmp_path / "data.csv").write_text("a,b\n1,2\n")
    (tmp_path / "pkg" / "__pycache__").mkdir(parents=True)
    (tmp_path / "pkg" / "mod.py").write_text("X = 1\n")
    (tmp_path / "pkg" / "__pycache__" / "mod.cpython-311.pyc").write_bytes(b"bytecode")
    return tmp_path


def stored(cache: CellCache, project, reads) -> ChapterRecord:
    keys = cell_keys(["import pkg.mod"], KERNEL)
    record = ChapterRecord("chapters/a.qmd", KERNEL, keys, [[{"output_type": "stream", "text": "hi"}]],
                           cache.input_hashes(reads))
    cache.store(record)
    return record


def test_inputs_are_recorded_relative_with_bytecode_mapped_to_source(project):
    cache = CellCache(project)
    reads = [str(project / "data.csv"), str(project / "pkg" / "__pycache__" / "mod.cpython-311.pyc"),
             "/usr/lib/python3/os.py", str(project / "missing.txt")]
    assert sorted(cache.input_hashes(reads)) == ["data.csv", "pkg/mod.py"]


def test_hit_when_nothing_changed(project):
    cache = CellCache(project)
    record = stored(cache, project, [str(project / "data.csv")])
    assert cache.lookup("chapters/a.qmd", record.keys) == record


@pytest.mark.parametrize("change", [
    pytest.param(lambda p: (p / "data.csv").write_text("a,b\n1,3\n"), id="input-edited"),
    pytest.param(lambda p: (p / "data.csv").unlink(), id="input-deleted"),
    pytest.param(lambda p: (p / "pkg" / "mod.py").write_text("X = 2\n"), id="module-source-edited"),
])
def test_miss_when_an_input_changed(project, change):
    cache = CellCache(project)
    record = stored(cache, project, [str(project / "data.csv"), str(project / "pkg" / "mod.py")])
    change(project)
    assert cache.lookup("chapters/a.qmd", record.keys) is None


def test_miss_when_keys_differ_or_record_is_corrupt(project):
    cache = CellCache(project)
    record = stored(cache, project, [])
    assert cache.lookup("chapters/a.qmd", cell_keys(["import pkg"], KERNEL)) is None
    cache.path_for("chapters/a.qmd").write_text("{not json")
    assert cache.lookup("chapters/a.qmd", record.keys) is None


def test_an_awaited_input_is_digested_once_written_and_only_waited_for_when_the_keys_match(project):
    """The build's report is rewritten while cells are looked up: the lookup waits for it, then digests
    what was written (here: a new report, so a miss), and does not wait for a record it cannot use."""
    cache = CellCache(project)
    record = stored(cache, project, [str(project / "data.csv")])
    waited = []

    def rewrite():
        waited.append(True)
        (project / "data.csv").write_text("a,b\n1,3\n")

    awaited = Awaited(frozenset({"data.csv"}), rewrite)
    assert cache.lookup("chapters/a.qmd", cell_keys(["import pkg"], KERNEL), awaited) is None
    assert waited == []  # another cell source: the record is not used, nothing to wait for
    assert cache.lookup("chapters/a.qmd", record.keys, awaited) is None
    assert waited == [True]
    others = Awaited(frozenset({"elsewhere.json"}), rewrite)
    assert cache.lookup("chapters/a.qmd", stored(cache, project, [str(project / "data.csv")]).keys, others) \
        is not None
    assert waited == [True]  # a record that did not read the awaited file does not wait


def test_record_on_disk_is_readable_json_without_temporary_files(project):
    cache = CellCache(project)
    stored(cache, project, [str(project / "data.csv")])
    files = list(cache.directory.iterdir())
    assert [f.name for f in files] == ["chapters__a.qmd.json"]
    data = json.loads(files[0].read_text())
    assert data["chapter"] == "chapters/a.qmd" and data["kernel"] == KERNEL
    assert list(data["inputs"]) == ["data.csv"] and len(data["inputs"]["data.csv"]) == 64
    assert data["cells"][0]["outputs"][0]["text"] == "hi"
