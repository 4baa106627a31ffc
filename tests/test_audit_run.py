"""End-to-end audits: real files in tmp_path, the real client, a real loopback registry, the lock."""

from __future__ import annotations

import json
import socket

import pytest
from conftest import seed_path
from registry_server import bibtex_entry, load_example, registry, sample_works  # noqa: F401

from galleyproof.audit.model import STATUSES
from galleyproof.audit.run import audit_path, audit_project
from galleyproof.cli import main
from galleyproof.errors import RegistryError
from galleyproof.project import load_project
from galleyproof.registry.http import RetryPolicy
from galleyproof.registry.lock import CitationLock

FAST = RetryPolicy(retries=1, backoff=0.05, timeout=0.5)
EARLY = "10.1007/s12080-013-0192-6"
HIT = "10.1016/j.drudis.2006.06.016"
PONE = "10.1371/journal.pone.0033693"
CERMINE_TITLE = "CERMINE: automatic extraction of structured metadata from scientific literature"


@pytest.fixture(autouse=True)
def polite(monkeypatch):
    """A contact address puts the client in the polite pool (3 searches/s rather than 1)."""
    monkeypatch.setenv("GALLEYPROOF_MAILTO", "reviewer@example.org")


def cermine(key: str, authors: str, year: str, journal: str, volume: str, number: str, pages: str) -> str:
    return (f"@article{{{key},\n  author = {{{authors}}},\n  title = {{{CERMINE_TITLE}}},\n  journal = {{{journal}}},\n"
            f"  year = {{{year}}},\n  volume = {{{volume}}},\n  number = {{{number}}},\n  pages = {{{pages}}}\n}}\n")


def every_status_bib(works: dict) -> str:
    pone = load_example("work_journal-article_10.1371_journal.pone.0033693.json")["message"]
    entries = [
        bibtex_entry(works[EARLY], "verified", doi="https://doi.org/10.1007/S12080-013-0192-6"),
        bibtex_entry(works["10.1002/wcms.49"], "mismatch", volume="2"),
        bibtex_entry(works[EARLY], "elsewhere", doi=HIT),
        bibtex_entry(works[EARLY], "notfound", doi="10.1371/notarealdoi"),
        bibtex_entry(works["10.1093/nar/gkq747"], "slow"),
        bibtex_entry(pone, "corrected", journal="PLoS ONE"),
        "@article{retracted,\n  doi = {10.1021/am300292v}\n}\n",
        "@misc{zenodo,\n  author = {G{\\'o}mez, Francis},\n"
        "  title = {ALSETLab/sysml.powersystems.framework: Release Linked"
        " to Zenodo},\n  year = {2020},\n  doi = {10.5281/zenodo.3596961}\n}\n",
        cermine("nodoi", "Tkaczyk, D. and Szostek, P. and Fedoryszak, M. and Dendek, P. J. and Bolikowski, L.", "2015",
                "International Journal on Document Analysis and Recognition (IJDAR)", "18", "4", "317--335"),
        cermine("corrupt", "Szostek, P. and Fedoryszak, M. and Dendek, P. J. and Bolikowski, L.", "2016", "IJDAR",
                "14", "40", "310--335"),
        "@book{book, author = {Porges, Stephen W.}, title = {The polyvagal theory}, publisher = {Norton},\n"
        "  year = {2011}}\n",
    ]
    return "\n".join(entries)


EXPECTED = {"verified": "verified", "mismatch": "mismatch", "elsewhere": "points_elsewhere",
            "notfound": "not_found", "slow": "unverified", "corrected": "corrected", "retracted": "retracted",
            "zenodo": "verified", "nodoi": "missing_doi", "corrupt": "missing_doi", "book": "no_doi"}


@pytest.fixture
def scenario(registry, tmp_path, sample_works):
    fake, url = registry
    fake.search_returns("Tkaczyk", load_example("works_query-bibliographic_refstring_match_cermine_2018.json"))
    fake.search_returns("Szostek", load_example("works_query-bibliographic_refstring_nomatch_cermine_2018.json"))
    fake.withheld.add("10.1093/nar/gkq747")  # left out of the batch, so looked up alone ...
    fake.fail("/works/10.1093/nar/gkq747", ("sleep", 1.0), ("sleep", 1.0))  # ... and times out twice: unverified
    bib = tmp_path / "refs.bib"
    bib.write_text(every_status_bib(sample_works), encoding="utf-8")
    return fake, url, bib, tmp_path / "citations.lock.json"


def statuses(audit: dict) -> dict:
    return {r["key"]: r["status"] for r in audit["references"]}


def test_every_status_from_real_metadata_then_offline_from_the_lock(scenario):
    fake, url, bib, lock = scenario
    audit = audit_path(bib, crossref_url=url, datacite_url=url, lock_path=lock, policy=FAST, mode="auto")
    assert statuses(audit) == EXPECTED
    by_key = {r["key"]: r for r in audit["references"]}
    assert by_key["mismatch"]["problems"] == [
        {"kind": "mismatch", "field": "volume", "cited": "2", "registered": "1", "note": ""}]
    assert by_key["nodoi"]["suggested_doi"] == "10.1007/s10032-015-0249-8"
    assert by_key["corrupt"]["suggested_doi"] is None
    assert by_key["zenodo"]["registered"]["source"] == "datacite"
    assert by_key["verified"]["doi"] == EARLY and by_key["verified"]["line"] == 1
    assert by_key["slow"]["message"].startswith("could not be resolved")
    assert by_key["retracted"]["problems"][0]["kind"] == "retraction"
    assert set(STATUSES) <= set(audit["summary"]["statuses"])  # every status is produced above
    assert set(EXPECTED.values()) == set(STATUSES)

    records = CitationLock.load(lock).records
    assert "10.1093/nar/gkq747" not in records  # an outage is never locked in
    assert records["10.1371/notarealdoi"].source == "none"

    requests = len(fake.log)
    offline = audit_path(bib, lock_path=lock, mode="offline")
    assert len(fake.log) == requests  # nothing left the machine
    assert statuses(offline) == EXPECTED
    assert offline["references"] == audit["references"] or all(
        a["problems"] == b["problems"] for a, b in zip(offline["references"], audit["references"]))


def test_json_contract_keys(scenario):
    _, url, bib, lock = scenario
    audit = audit_path(bib, crossref_url=url, datacite_url=url, lock_path=lock, policy=FAST)
    assert set(audit) == {"references", "project", "summary"}
    for ref in audit["references"]:
        assert {"key", "status", "doi", "problems", "suggested_doi", "registered", "file", "line"} <= set(ref)
        for problem in ref["problems"]:
            assert {"kind", "field", "cited", "registered"} <= set(problem)
    assert {"total", "statuses", "project", "worst", "severity", "mode", "online", "warnings"} <= set(audit["summary"])
    json.dumps(audit)  # serialisable as is


def test_refresh_fetches_again_and_offline_never_does(scenario):
    fake, url, bib, lock = scenario
    audit_path(bib, crossref_url=url, datacite_url=url, lock_path=lock, policy=FAST)
    before = fake.asked(EARLY)
    audit_path(bib, crossref_url=url, datacite_url=url, lock_path=lock, policy=FAST)  # auto: from the lock
    assert fake.asked(EARLY) == before
    audit_path(bib, crossref_url=url, datacite_url=url, lock_path=lock, policy=FAST, mode="refresh")
    assert fake.asked(EARLY) == before + 1


def closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def test_auto_without_network_falls_back_to_the_lock_with_one_warning(tmp_path, sample_works):
    bib = tmp_path / "refs.bib"
    bib.write_text(bibtex_entry(sample_works[EARLY], "a") + bibtex_entry(sample_works[HIT], "b"))
    lock = CitationLock(tmp_path / "citations.lock.json")
    lock.put(EARLY, "crossref", sample_works[EARLY])
    lock.save()
    url = closed_port()
    audit = audit_path(bib, crossref_url=url, datacite_url=url, lock_path=lock.path)
    assert statuses(audit) == {"a": "verified", "b": "unverified"}
    assert audit["summary"]["online"] is False
    assert len(audit["summary"]["warnings"]) == 1 and "offline" in audit["summary"]["warnings"][0]
    with pytest.raises(RegistryError):
        audit_path(bib, crossref_url=url, datacite_url=url, lock_path=lock.path, mode="online")


class StopAfter:
    """A reporter that interrupts the audit like Ctrl-C after `n` lookups."""

    def __init__(self, n):
        self.n = n

    def start(self, total):
        pass

    def warning(self, message):
        pass

    def advance(self, label):
        self.n -= 1
        if self.n == 0:
            raise KeyboardInterrupt


def test_interrupt_loses_no_record_already_fetched(registry, tmp_path, sample_works):
    fake, url = registry
    dois = list(sample_works)[:12]
    bib = tmp_path / "refs.bib"
    bib.write_text("\n".join(bibtex_entry(sample_works[d], f"k{i}") for i, d in enumerate(dois)))
    lock_path = tmp_path / "citations.lock.json"
    with pytest.raises(KeyboardInterrupt):
        audit_path(bib, crossref_url=url, datacite_url=url, lock_path=lock_path, policy=FAST, reporter=StopAfter(4))
    fetched = fake.served()
    kept = set(CitationLock.load(lock_path).records)
    assert len(kept) >= 4 and kept == fetched  # every record that arrived is on disk


def test_seed_003_reference_list_end_to_end_and_offline(registry, tmp_path):
    """Seed 003's DOIs have no record in ../shared, so the loopback registry does not know them."""
    fake, url = registry
    seed = seed_path("003")
    lock = tmp_path / "citations.lock.json"
    online = audit_path(seed, crossref_url=url, datacite_url=url, lock_path=lock, policy=FAST)
    assert [(r["key"], r["status"], r["line"]) for r in online["references"]] == [
        ("longe2010", "not_found", 6), ("rockliff2011", "not_found", 8), ("marx2023", "not_found", 14),
        ("gilbert2006", "not_found", 16), ("neff2003", "missing_doi", 22), ("breines2012", "not_found", 25),
        ("neff2005", "not_found", 27)]
    assert {p for _, p, _, _ in fake.log if p.startswith("/dois/")} == {
        f"/dois/{r['doi']}" for r in online["references"] if r["doi"]}  # each tried at DataCite too
    offline = audit_path(seed, lock_path=lock, mode="offline")
    assert statuses(offline) == statuses(online)


def test_project_references_end_to_end_and_offline(registry, project_copy):
    fake, url = registry
    if not (project_copy / "references.bib").is_file():
        pytest.skip("the project has no references.bib yet")
    lock = project_copy / "citations.lock.json"
    lock.unlink(missing_ok=True)
    project = load_project(project_copy)
    online = audit_project(project, crossref_url=url, datacite_url=url, policy=FAST, mode="refresh", search=False)
    refs = online["references"]
    assert refs and all(r["file"] == "references.bib" and r["line"] for r in refs)
    # None of the manuscript's DOIs is in ../shared: the registry answers 404 at both, honestly.
    assert {r["status"] for r in refs if r["doi"]} == {"not_found"}
    # Works without a DOI: missing_doi for articles, no_doi for books and the like (issue 9).
    assert {r["status"] for r in refs if not r["doi"]} <= {"missing_doi", "no_doi"}
    offline = audit_project(load_project(project_copy), mode="offline")
    assert statuses(offline) == statuses(online)
    assert offline["project"] == online["project"]


def test_project_level_findings_point_at_file_and_line(tmp_path, sample_works):
    (tmp_path / "_quarto.yml").write_text("book:\n  chapters: [index.qmd]\nbibliography: references.bib\n")
    (tmp_path / "index.qmd").write_text("# Intro\n\nAs shown [@early; @ghost].\n\nAgain @early.\n")
    (tmp_path / "references.bib").write_text(
        bibtex_entry(sample_works[EARLY], "early") + "\n" + bibtex_entry(sample_works[HIT], "unused") + "\n"
        + bibtex_entry(sample_works[EARLY], "early2", doi="10.1007/S12080-013-0192-6") + "\n"
        + bibtex_entry(sample_works[HIT], "samework", doi=None))
    audit = audit_project(load_project(tmp_path), mode="offline")
    found = {(f["kind"], f["key"]): (f["file"], f["line"], f["related"]) for f in audit["project"]}
    assert found[("undefined_key", "ghost")] == ("index.qmd", 3, "")
    assert found[("uncited", "unused")][:2] == ("references.bib", 12)
    assert found[("duplicate", "early2")][2] == "early"
    assert found[("duplicate", "samework")][2] == "unused"


@pytest.mark.parametrize(("extra", "code"), [
    pytest.param([], 1, id="mismatch-fails-by-default"),
    pytest.param(["--fail-on", "retracted"], 1, id="fail-on-retracted"),
    pytest.param(["--fail-on", "retracted", "--offline"], 0, id="offline-empty-lock-is-unverified"),
])
def test_cli_exit_codes_and_json(scenario, capsys, extra, code):
    _, url, bib, lock = scenario
    argv = ["audit", str(bib), "--crossref-url", url, "--datacite-url", url, "--lock", str(lock), "--format", "json"]
    assert main(argv + extra) == code
    audit = json.loads(capsys.readouterr().out)
    assert len(audit["references"]) == len(EXPECTED)


def test_cli_bad_input_is_exit_2(tmp_path, capsys):
    assert main(["audit", str(tmp_path / "missing.bib"), "--offline"]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["audit", "--fail-on", "nonsense"]) == 2


def test_cli_writes_json_to_output(scenario, tmp_path):
    _, url, bib, lock = scenario
    out = tmp_path / "audit.json"
    main(["audit", str(bib), "--offline", "--lock", str(lock), "--format", "json", "-o", str(out)])
    assert json.loads(out.read_text())["summary"]["mode"] == "offline"


def test_summary_frame_counts_every_status(scenario):
    from galleyproof.audit.summary import references_frame, summary_frame

    _, url, bib, lock = scenario
    audit = audit_path(bib, crossref_url=url, datacite_url=url, lock_path=lock, policy=FAST)
    frame = summary_frame(audit)
    assert list(frame["status"]) == list(STATUSES)
    expected = {s: list(EXPECTED.values()).count(s) for s in STATUSES}
    assert dict(zip(frame["status"], frame["count"])) == expected
    assert abs(frame["share"].sum() - 1.0) < 1e-9
    refs = references_frame(audit)
    assert list(refs["key"]) == list(EXPECTED) and list(refs["status"]) == list(EXPECTED.values())
    with_keys = summary_frame(audit, keys=True)
    assert dict(zip(with_keys["status"], with_keys["keys"])) == {
        s: sorted(k for k, v in EXPECTED.items() if v == s) for s in STATUSES}


def test_a_qmd_is_audited_through_its_bibliography_front_matter(tmp_path, sample_works):
    (tmp_path / "refs.bib").write_text(bibtex_entry(sample_works[EARLY], "early"))
    qmd = tmp_path / "paper.qmd"
    qmd.write_text("---\ntitle: Paper\nbibliography: refs.bib\n---\n\nSee [@early] and [@missing].\n")
    audit = audit_path(qmd, mode="offline", lock_path=tmp_path / "lock.json")
    assert [(r["key"], r["status"], r["file"]) for r in audit["references"]] == [
        ("early", "unverified", str(tmp_path / "refs.bib"))]
    assert [(f["kind"], f["key"], f["line"]) for f in audit["project"]] == [("undefined_key", "missing", 6)]
    (tmp_path / "bare.qmd").write_text("# No front matter\n")
    assert main(["audit", str(tmp_path / "bare.qmd"), "--offline"]) == 2


def test_a_plain_text_manuscript_gets_undefined_and_uncited_findings(tmp_path):
    # A reviewer's case: someone else's draft as text, author-year citations and an APA list.
    manuscript = tmp_path / "draft.txt"
    manuscript.write_text(
        "## **1. Introduction**\n\nKindness matters (Neff, 2003). Stress harms immunity (Smith & Jones, 2020).\n\n"
        "**References:**\n\n"
        "- Neff, K. D. (2003). Self-compassion. *Self and Identity*, 2(2), 85-101. <https://doi.org/10.1080/15298860309032>\n"
        "- Tracey, K. J. (2002). The inflammatory reflex. *Nature*, 420(6917), 853-859.\n", encoding="utf-8")
    audit = audit_path(manuscript, mode="offline", lock_path=tmp_path / "lock.json")
    found = {(f["kind"], f["key"], f["line"]) for f in audit["project"]}
    assert found == {("undefined_key", "smith2020", 3), ("uncited", "tracey2002", 8)}
    undefined = next(f for f in audit["project"] if f["kind"] == "undefined_key")
    assert undefined["message"].startswith("(Smith & Jones, 2020) is cited 1 time")


def test_a_bare_reference_list_cites_nothing_so_nothing_is_uncited(tmp_path):
    listing = tmp_path / "refs.txt"
    listing.write_text("Tracey, K. J. (2002). The inflammatory reflex. Nature, 420(6917), 853-859.\n")
    audit = audit_path(listing, mode="offline", lock_path=tmp_path / "lock.json")
    assert [r["key"] for r in audit["references"]] == ["tracey2002"] and audit["project"] == []


def test_a_doi_held_by_another_agency_is_unverified_not_nonexistent(registry, sample_works, tmp_path):
    # mEDRA, JaLC, KISTI... DOIs 404 at Crossref and DataCite alike; Crossref's agency lookup knows them.
    fake, url = registry
    fake.agencies["10.1400/230487"] = ("medra", "mEDRA")
    bib = tmp_path / "refs.bib"
    bib.write_text(bibtex_entry(sample_works[EARLY], "medra", doi="10.1400/230487")
                   + bibtex_entry(sample_works[EARLY], "ghost", doi="10.1371/notarealdoi"), encoding="utf-8")
    lock = tmp_path / "lock.json"
    audit = audit_path(bib, crossref_url=url, datacite_url=url, lock_path=lock, policy=FAST, search=False)
    medra = next(r for r in audit["references"] if r["key"] == "medra")
    assert medra["status"] == "unverified" and "mEDRA" in medra["message"]
    assert statuses(audit)["ghost"] == "not_found"
    assert fake.requests_for("/works/10.1371/notarealdoi/agency")  # asked before calling it nonexistent
    locked = CitationLock.load(lock)
    assert locked.get("10.1400/230487") is None  # unverified is not locked: the next audit asks again
    assert locked.get("10.1371/notarealdoi").record is None
