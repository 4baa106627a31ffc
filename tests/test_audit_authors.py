"""Author comparison across every record of ../shared/crossref-sample/works.jsonl: correct citations
(exact, or with benign variation) verify; a misspelled first-author surname is always a mismatch
naming the authors field, in unit comparisons and through a real audit against the local registry."""

from __future__ import annotations

import unicodedata

import pytest
from registry_server import bibtex_entry, registry, sample_works  # noqa: F401 - fixtures

from galleyproof.audit.compare import compare
from galleyproof.audit.fields import fold
from galleyproof.audit.names import misspelling_distance, same_family
from galleyproof.audit.run import audit_path
from galleyproof.bib.bibtex import parse_bibliography
from galleyproof.bib.model import Person, Reference
from galleyproof.registry.http import RetryPolicy

FAST = RetryPolicy(retries=1, backoff=0.05, timeout=2.0)


def citable(works: dict) -> list[dict]:
    return [w for w in works.values() if w.get("title") and w.get("issued") and w.get("author")]


def family(author: dict) -> str:
    return author.get("family") or author.get("name") or ""


def reference(work: dict, authors: list[Person]) -> Reference:
    return Reference("cited", authors=tuple(authors), year=str(work["issued"]["date-parts"][0][0]),
                     title=work["title"][0], container=(work.get("container-title") or [""])[0],
                     volume=work.get("volume", ""), issue=work.get("issue", ""),
                     pages=work.get("page", ""))


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def initials(given: str) -> str:
    return " ".join(part[0] + "." for part in given.replace("-", " ").split() if part[:1].isalpha())


BENIGN = {
    "exact": lambda a: Person(family(a), a.get("given", "")),
    "initials": lambda a: Person(family(a), initials(a.get("given", ""))),
    "no-accents": lambda a: Person(strip_accents(family(a)), strip_accents(a.get("given", ""))),
    "upper-case": lambda a: Person(family(a).upper(), a.get("given", "")),
    "hyphen-as-space": lambda a: Person(family(a).replace("-", " "), a.get("given", "")),
}


@pytest.mark.parametrize("variant", list(BENIGN))
def test_correct_citations_of_every_record_verify(sample_works, variant):
    flagged = {}
    for work in citable(sample_works):
        authors = [BENIGN[variant](a) for a in work["author"]]
        status, problems = compare(reference(work, authors), work)
        if status != "verified" and any(p.field == "authors" for p in problems):
            flagged[work["DOI"]] = [(p.cited, p.registered, p.note) for p in problems]
    assert flagged == {}


def _letters(name: str) -> list[int]:
    return [i for i, c in enumerate(name) if c.isalpha()]


def transpose(name: str) -> str:
    """'Smith' -> 'Smtih': two adjacent different letters after the first swapped."""
    for i in _letters(name)[1:]:
        if i + 1 < len(name) and name[i + 1].isalpha() and name[i].lower() != name[i + 1].lower():
            return name[:i] + name[i + 1] + name[i] + name[i + 2:]
    return name + "x"


def drop(name: str) -> str:
    """'Mueller' -> 'Mueler': a doubled letter halved, else the letter after the first dropped."""
    for i in _letters(name)[1:]:
        if i + 1 < len(name) and name[i] == name[i + 1]:
            return name[:i] + name[i + 1:]
    i = _letters(name)[1] if len(_letters(name)) > 2 else len(name) - 1
    return name[:i] + name[i + 1:]


def substitute(name: str) -> str:
    """One letter after the first replaced by another."""
    letters = _letters(name)
    i = letters[len(letters) // 2]
    replacement = "e" if name[i].lower() != "e" else "a"
    return name[:i] + replacement + name[i + 1:]


def insert(name: str) -> str:
    letters = _letters(name)
    i = letters[-1]
    return name[:i] + name[i] + name[i:]


MISSPELLINGS = {"transposed": transpose, "dropped": drop, "substituted": substitute, "inserted": insert}


@pytest.mark.parametrize("kind", list(MISSPELLINGS))
def test_a_misspelled_first_author_of_every_record_is_a_mismatch(sample_works, kind):
    missed = {}
    for work in citable(sample_works):
        authors = [BENIGN["exact"](a) for a in work["author"]]
        wrong = MISSPELLINGS[kind](authors[0].family)
        assert fold(wrong) != fold(authors[0].family)
        authors[0] = Person(wrong, authors[0].given)
        status, problems = compare(reference(work, authors), work)
        if status != "mismatch" or [p.field for p in problems] != ["authors"]:
            missed[work["DOI"]] = (wrong, status, [(p.field, p.note) for p in problems])
    assert missed == {}


@pytest.mark.parametrize("cited, registered, same", [
    pytest.param("Müller", "Mueller", True, id="umlaut-transliterated"),
    pytest.param("Muller", "Müller", True, id="umlaut-dropped"),
    pytest.param("Muller", "Mueller", False, id="ascii-letter-dropped"),
    pytest.param("van der Berg", "Berg", True, id="particles"),
    pytest.param("Van Der Berg", "van der Berg", True, id="particles-capitalised"),
    pytest.param("García", "García Márquez", True, id="first-part-of-compound"),
    pytest.param("Kiecolt Glaser", "Kiecolt-Glaser", True, id="hyphen"),
    pytest.param("Ørsted", "Oersted", True, id="scandinavian"),
    pytest.param("Tchaikovsky", "Chaikovskii", True, id="romanisation-ch-ii"),
    pytest.param("Khrushchev", "Hrushchev", True, id="romanisation-kh"),
    pytest.param("Yakovlev", "Iakovlev", True, id="romanisation-ya"),
    pytest.param("Tschaikowski", "Chaikovsky", True, id="romanisation-german"),
    pytest.param("Smtih", "Smith", False, id="transposed"),
    pytest.param("Mueler", "Mueller", False, id="dropped"),
])
def test_same_family(cited, registered, same):
    assert same_family(cited, registered) is same


@pytest.mark.parametrize("cited, registered, distance", [
    pytest.param("Smtih", "Smith", 1, id="transposition"),
    pytest.param("Mueler", "Mueller", 1, id="dropped-letter"),
    pytest.param("Jones", "Smith", None, id="another-person"),
    pytest.param("Smith", "Smith", None, id="same"),
])
def test_misspelling_distance(cited, registered, distance):
    assert misspelling_distance(cited, registered) == distance


def test_misspelled_dropped_and_swapped_authors_are_named(sample_works):
    work = sample_works["10.1007/s12080-013-0192-6"]  # Boettiger, Ross, Hastings
    people = [Person(a["family"], a["given"]) for a in work["author"]]
    cases = {
        "misspelled": ([Person("Boettigre", "Carl")] + people[1:], "first author misspelled: Boettigre"),
        "second-misspelled": ([people[0], Person("Rosss", "Noam"), people[2]], "author misspelled: Rosss"),
        "dropped": (people[:2], "1 registered author(s) not cited"),
        "swapped": ([people[0], people[2], people[1]], "author order differs"),
        "initials": ([Person("Boettiger", "K.")] + people[1:], "first author's initials differ"),
    }
    for name, (authors, note) in cases.items():
        status, problems = compare(reference(work, authors), work)
        assert status == "mismatch", name
        assert [p.field for p in problems] == ["authors"] and note in problems[0].note, name


def test_misspelled_first_authors_are_mismatches_through_the_local_registry(registry, sample_works, tmp_path):
    fake, url = registry
    works = citable(sample_works)[::10]  # every tenth record: 40 DOIs through real HTTP
    entries = []
    for index, work in enumerate(works):
        first = work["author"][0]
        wrong = transpose(family(first))
        author = " and ".join([f"{{{wrong}}}, {first.get('given', '')}"] +
                              [f"{{{family(a)}}}, {a.get('given', '')}" for a in work["author"][1:]])
        entries.append(bibtex_entry(work, key=f"w{index}", author=author))
    bib = tmp_path / "misspelled.bib"
    bib.write_text("\n".join(entries), encoding="utf-8")
    assert len(parse_bibliography(bib.read_text(encoding="utf-8"))) == len(works)
    audit = audit_path(bib, crossref_url=url, datacite_url=url, lock_path=tmp_path / "lock.json", policy=FAST,
                       mode="refresh", search=False)
    wrong = {r["key"]: (r["status"], [p["field"] for p in r["problems"]]) for r in audit["references"]
             if r["status"] != "mismatch" or "authors" not in [p["field"] for p in r["problems"]]}
    assert wrong == {}
