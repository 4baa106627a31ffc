"""The checker on manuscripts it was not written against.

A planted-defect manuscript (hedgerows and wild bees: not the review's field) holds at least two of
every defect kind, each expected at its exact line (tests/data/claims/planted/planted.expected.tsv);
a second one (cardiology, front-matter bibliography, author-year and pandoc citations mixed) one of
most kinds (cardiology.expected.tsv). The first one's
control has legitimately different counties, years, quantities, parallel lists and legends, hedged
and negated claims, and must raise nothing. The three real Manubot manuscripts of ../shared/compat
carry judged findings from an earlier checker: those judged true must still be raised, those judged
false alarms must be gone.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from galleyproof.claims.run import check_path

DATA = Path(__file__).parent / "data" / "claims" / "planted"
COMPAT = Path(__file__).parent.parent.parent / "shared" / "compat" / "texts"


def _expected(name: str) -> set[tuple[str, str, tuple[int, ...]]]:
    with (DATA / f"{name}.expected.tsv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.reader(handle, delimiter="\t") if r and not r[0].startswith("#")]
    return {(kind, file, tuple(int(n) for n in lines.split(","))) for kind, file, lines, _ in rows}


@pytest.mark.parametrize("name, kinds, least", [
    pytest.param("planted", 10, 20, id="ecology-two-of-each-kind"),
    pytest.param("cardiology", 9, 11, id="cardiology"),
])
def test_every_planted_defect_is_found_at_its_line_and_nothing_else(name, kinds, least):
    found = {(f["kind"], f["locations"][0]["file"], tuple(loc["line"] for loc in f["locations"]))
             for f in check_path(DATA / f"{name}.md")["findings"]}
    expected = _expected(name)
    assert len({kind for kind, _, _ in expected}) == kinds and len(expected) >= least
    assert found - expected == set(), "findings nobody planted"
    assert expected - found == set(), "planted defects not found"


def test_the_control_raises_nothing():
    assert [f["message"] for f in check_path(DATA / "control.md")["findings"]] == []


def _signature(kind: str, message: str) -> str:
    """What identifies a judged finding across checker versions (its line numbers may have moved)."""
    if kind.startswith("abbreviation"):
        return message.split()[0]
    if kind == "uncited-claim":
        return re.search(r"the figures? (.*?) but", message).group(1)
    if kind == "duplicate-passage":
        return ",".join(re.findall(r"\.md:(\d+)", message)[:2])
    return message


def _judged() -> list[tuple[str, str, str, str]]:
    with (COMPAT / "judgments.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))[1:]
    return [(r[0], r[3], r[5], _signature(r[3], r[6])) for r in rows]


@pytest.mark.skipif(not COMPAT.is_dir(), reason="needs ../shared/compat")
@pytest.mark.parametrize("text", ["meta-review", "deep-rules", "pkg-manager-review"])
def test_judged_findings_on_real_manuscripts(text):
    raised = {(f["kind"], _signature(f["kind"], f["message"]))
              for f in check_path(COMPAT / f"{text}.md")["findings"]}
    for name, kind, judgement, signature in _judged():
        if name == text and judgement in "TF":
            assert ((kind, signature) in raised) == (judgement == "T"), (kind, signature, judgement)
