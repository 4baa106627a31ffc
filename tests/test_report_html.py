"""The reviewer report: escaping, self-containment, and behaviour in a real headless chromium."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from registry_server import bibtex_entry, registry, sample_works  # noqa: F401

from galleyproof.audit.run import audit_path
from galleyproof.cli import main
from galleyproof.registry.http import RetryPolicy
from galleyproof.report.html import render_report

CHROMIUM = Path("/usr/bin/chromium")
EVIL = '</script><script>window.__pwned = 1</script><img src=x onerror="window.__pwned=2">'
CHECK = {"findings": [
    {"kind": "numeric_conflict", "severity": "error", "message": "Section 2 says 56 trials, section 3 says 65",
     "locations": [{"file": "chapters/02.qmd", "line": 12, "section": "2 Methods", "text": "56 randomized trials"},
                   {"file": "chapters/03.qmd", "line": 4, "section": "3 Discussion", "text": "65 trials"}],
     "entities": ["trials"]},
    {"kind": "uncited_claim", "severity": "warning", "message": EVIL,
     "locations": [{"file": "chapters/01.qmd", "line": 3, "section": "", "text": EVIL}], "entities": []},
    {"kind": "abbreviation", "severity": "info", "message": "HPA is never spelled out",
     "locations": [{"file": "chapters/01.qmd", "line": 9, "section": "1", "text": "HPA axis"}], "entities": ["HPA"]},
], "summary": {"total": 3}}


@pytest.fixture
def audit(registry, sample_works, tmp_path, monkeypatch):
    """A real audit on loopback: verified, mismatch (volume), not_found, and a hostile title (points_elsewhere)."""
    monkeypatch.setenv("GALLEYPROOF_MAILTO", "reviewer@example.org")
    fake, url = registry
    works = list(sample_works.values())
    bib = tmp_path / "refs.bib"
    bib.write_text(bibtex_entry(works[0], "good") + bibtex_entry(works[1], "wrongvolume", volume="999")
                   + bibtex_entry(works[2], "evil", title=EVIL.replace("{", "").replace("}", ""))
                   + bibtex_entry(works[3], "ghost", doi="10.1371/notarealdoi"), encoding="utf-8")
    return audit_path(bib, crossref_url=url, datacite_url=url, lock_path=tmp_path / "lock.json",
                      policy=RetryPolicy(retries=0, timeout=2), search=False)


def test_every_value_is_escaped_and_nothing_is_fetched(audit):
    html = render_report(audit, CHECK, title="Review of <b>bold</b> claims")
    assert "<script>window.__pwned" not in html and "<img src=x" not in html
    assert "&lt;/script&gt;&lt;script&gt;window.__pwned" in html
    assert "<title>Review of &lt;b&gt;bold&lt;/b&gt; claims</title>" in html
    assert len(re.findall(r"<script\b", html)) == 2  # the data block and the inline script, nothing else
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # no external requests


def test_embedded_json_cannot_close_its_script_element(audit):
    html = render_report(audit, None)
    data = re.search(r'<script id="report-data" type="application/json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in data
    assert json.loads(data)["statuses"][0] == "verified"


def test_report_without_audit_or_check_still_renders():
    html = render_report(None, None)
    assert "No citation audit in this report." in html and "No consistency check in this report." in html


def test_cli_writes_the_report(audit, tmp_path, capsys):
    bib = Path(audit["summary"]["source"])
    out = tmp_path / "report.html"
    assert main(["report", str(bib), "--offline", "--lock", str(tmp_path / "lock.json"), "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "wrongvolume" in html and 'data-status="mismatch"' in html


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture
def page(tmp_path):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.errors = []
        page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.requests = []
        page.on("request", lambda r: page.requests.append(r.url))
        yield page
        browser.close()


def visible_keys(page) -> list[str]:
    return page.eval_on_selector_all("#citation-table > tbody > tr:not([hidden]) > td:first-child",
                                     "cells => cells.map(c => c.textContent.trim())")


@pytest.mark.browser
def test_report_in_chromium(page, audit, tmp_path):
    path = tmp_path / "report.html"
    path.write_text(render_report(audit, CHECK, title="Reviewer report"), encoding="utf-8")
    page.goto(path.as_uri())
    assert page.errors == []
    assert page.requests == [path.as_uri()]  # self-contained
    assert visible_keys(page) == ["good", "wrongvolume", "evil", "ghost"]

    page.select_option("#status-filter", "mismatch")
    assert visible_keys(page) == ["wrongvolume"]
    assert page.inner_text("#citation-count") == "1 of 4 shown"
    page.select_option("#status-filter", "points_elsewhere")
    assert visible_keys(page) == ["evil"]
    page.select_option("#status-filter", "not_found")
    assert visible_keys(page) == ["ghost"]
    page.select_option("#status-filter", "")

    page.click("#citation-table th:nth-child(2)")  # sort by status, least severe first
    assert visible_keys(page)[0] == "good" and visible_keys(page)[-1] == "ghost"
    page.click("#citation-table th:nth-child(2)")
    assert visible_keys(page)[0] == "ghost"

    # The hostile title is text on the page, and none of it ran.
    assert EVIL in page.inner_text("#citation-table")
    assert page.evaluate("window.__pwned") is None

    page.click("#tab-consistency")
    assert page.is_visible("#finding-table") and not page.is_visible("#citation-table")
    page.select_option("#severity-filter", "error")
    rows = page.eval_on_selector_all("#finding-table > tbody > tr:not([hidden])", "rows => rows.length")
    assert rows == 1
    page.select_option("#severity-filter", "")
    page.select_option("#kind-filter", "uncited_claim")
    assert EVIL in page.inner_text("#finding-table")
    assert page.evaluate("window.__pwned") is None
    assert page.errors == []


def test_consistency_tab_shows_the_id_to_accept_and_the_reason(tmp_path):
    # Through the real checker: a duplicated paragraph, then the same finding accepted by id.
    from galleyproof.claims.run import check_path

    paragraph = ("Kindness toward oneself is a stable resource that supports recovery after failure and loss. "
                 "It differs from self-esteem, which rises and falls with comparison to other people.")
    manuscript = tmp_path / "m.md"
    manuscript.write_text(f"# 1 Intro\n\n{paragraph}\n\n# 2 Body\n\n{paragraph}\n")
    finding = next(f for f in check_path(manuscript)["findings"] if "repeat" in f["message"])
    html = render_report(None, check_path(manuscript))
    assert f"<code>{finding['id']}</code>" in html and "Accepted:" not in html

    (tmp_path / "accepted-findings.yml").write_text(
        f"- id: {finding['id']}\n  reason: the repetition is a <deliberate> summary\n")
    accepted = check_path(manuscript)  # reads the accepted-findings.yml beside the manuscript
    html = render_report(None, accepted)
    assert "Accepted: the repetition is a &lt;deliberate&gt; summary" in html


def test_generation_time_follows_source_date_epoch_or_is_left_out(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "315532800")
    assert "generated 1980-01-01 00:00 UTC" in render_report(None, None)
    assert "generated" not in render_report(None, None, timestamped=False)
