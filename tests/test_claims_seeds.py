"""Acceptance for issue 4: the seed review's known defects are found at their lines; the control is clean.

Expected lines are looked up in the files by phrase, so the tests follow the text, not the checker.
"""

import re
from pathlib import Path

import pytest
from conftest import seed_path

from galleyproof.claims.run import check_path, check_project
from galleyproof.project import load_project

CONTROLS = Path(__file__).parent / "data" / "claims"


def line_of(path: Path, phrase: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if phrase in line:
            return number
    raise AssertionError(f"{phrase!r} not in {path}")


def where(finding) -> list[tuple[str, int]]:
    return [(Path(loc["file"]).name, loc["line"]) for loc in finding["locations"]]


def kinds(result, kind):
    return [f for f in result["findings"] if f["kind"] == kind]


@pytest.fixture(scope="module")
def seed000():
    path = seed_path("000")
    return path, check_path(path)


def test_seed_review_conflict_points_at_section_2_2_and_the_conclusion(seed000):
    path, result = seed000
    [conflict] = kinds(result, "conflicting-claim")
    assert where(conflict) == [(path.name, line_of(path, "particularly within the orbitofrontal cortex")),
                               (path.name, line_of(path, "increased activity in the medial prefrontal cortex"))]
    assert conflict["locations"][1]["section"].startswith("2-2")
    assert {"orbitofrontal cortex", "medial prefrontal cortex"} <= set(conflict["entities"])


def test_seed_review_duplicated_passage(seed000):
    path, result = seed000
    [duplicate] = kinds(result, "duplicate-passage")
    copies = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
              if line.startswith("Self-compassion can be understood as caring")]
    assert [line for _, line in where(duplicate)] == copies


def test_seed_review_mixed_numbering(seed000):
    path, result = seed000
    [mixed] = kinds(result, "mixed-numbering")
    assert [line for _, line in where(mixed)] == [line_of(path, "2.1.2 Concepts Related"),
                                                  line_of(path, "2-1-3 Theoretical Dimensions")]


def test_seed_review_uncited_claims(seed000):
    path, result = seed000
    lines = {loc["line"] for f in kinds(result, "uncited-claim") for loc in f["locations"]}
    assert line_of(path, "Recent studies conducted in the local context") in lines
    assert line_of(path, "studies conducted on the psychosomatic health") in lines
    # cited at the end of its paragraph, so not flagged
    assert line_of(path, "Studies indicate a positive association") not in lines


def test_seed_review_conclusion_introduces_the_orbitofrontal_cortex(seed000):
    _, result = seed000
    assert [f["entities"] for f in kinds(result, "summary-entity-not-in-body")] == [["orbitofrontal cortex"]]


def test_imported_project_chapters(project_copy):
    result = check_project(load_project(project_copy))
    chapters = project_copy / "chapters"
    conclusion = next(chapters.glob("04-*.qmd"))
    framework = next(chapters.glob("02-*.qmd"))
    [conflict] = kinds(result, "conflicting-claim")
    assert where(conflict) == [(conclusion.name, line_of(conclusion, "orbitofrontal cortex and the anterior")),
                               (framework.name, line_of(framework, "increased activity in the medial prefrontal"))]
    [duplicate] = kinds(result, "duplicate-passage")
    assert {name for name, _ in where(duplicate)} == {framework.name}
    [mixed] = kinds(result, "mixed-numbering")
    assert where(mixed)[1] == (framework.name, line_of(framework, "2-1-3 Theoretical"))
    uncited = {(Path(loc["file"]).name, loc["line"]) for f in kinds(result, "uncited-claim")
               for loc in f["locations"]}
    assert (framework.name, line_of(framework, "Recent studies conducted in the local context")) in uncited
    assert (framework.name, line_of(framework, "studies conducted on the psychosomatic health")) in uncited


def test_seed_002_uncited_percentages_and_study_counts():
    result = check_path(seed_path("002"))
    uncited = kinds(result, "uncited-claim")
    figures = [e for f in uncited for e in f["entities"]]
    assert {"58%", "45%", "43%"} <= set(figures)
    assert any("dozens of clinical studies" in e for e in figures)
    assert all(f["locations"][0]["line"] > 0 for f in uncited)


@pytest.mark.parametrize("name", ["control.qmd", "control-authoryear.md"])
def test_the_control_manuscripts_have_no_finding_at_all(name):
    # control.qmd: pandoc citations; control-authoryear.md: the seeds' plain-text form with a reference list
    result = check_path(CONTROLS / name)
    assert result["findings"] == [], [f["message"] for f in result["findings"]]
    assert result["summary"]["total"] == 0


def test_seed_003_claims_followed_by_their_reference_count_as_cited():
    path = seed_path("003")
    result = check_path(path)
    assert kinds(result, "uncited-claim") == []
    # the same claim without the reference under it is flagged
    lines = path.read_text(encoding="utf-8").splitlines()
    claim = line_of(path, "A meta-analysis of 56 randomized controlled trials")
    assert lines[claim].startswith("Marx, R.")


def test_seed_003_without_its_references_is_flagged(tmp_path):
    path = seed_path("003")
    # every reference line ("Marx, R., Strauss, C., ... (2023). ...") dropped, the claims stand alone
    kept = [line for line in path.read_text(encoding="utf-8").splitlines()
            if not re.match(r"^[A-Z][\w'-]+, [A-Z]\.", line)]
    stripped = tmp_path / "claims.txt"
    stripped.write_text("\n".join(kept) + "\n", encoding="utf-8")
    flagged = {loc["text"][:30] for f in kinds(check_path(stripped), "uncited-claim") for loc in f["locations"]}
    assert any(t.startswith("A meta-analysis of 56") for t in flagged)
    assert any(t.startswith("A series of experiments") for t in flagged)
