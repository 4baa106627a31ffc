"""Cited metadata vs the registered record -> a status and the problems behind it. Pure: no I/O.

`compare(reference, work)` takes a `galleyproof.bib.model.Reference` and a Crossref-shaped work
(the `message` of `GET /works/{doi}`, or a DataCite record converted to that shape). Updates are
read from `updated-by` in full, since a work can carry entries from the publisher and from
Retraction Watch (API-NOTES.md, "Retractions, corrections, new versions"); a `RETRACTED:` title
prefix is a second signal; `relation.is-preprint-of` names a published version.
"""

from __future__ import annotations

import re

from galleyproof.audit.fields import (
    fold,
    page_range,
    plain_number,
    same_container,
    title_similarity,
    year_of,
)
from galleyproof.audit.model import Problem, worst
from galleyproof.audit.names import given_initials, misspelling_distance, registered_name, same_family, same_person
from galleyproof.bib.model import Person, Reference

SAME_TITLE = 90.0  # at or above: the same title, spelled differently
OTHER_TITLE = 60.0  # below: a different title (a different work unless author and year agree)
UNRELATED_TITLE = 45.0  # below: a different work whatever the authors and year
# (rapidfuzz's ratio of two unrelated English titles of similar length is typically 30-45)
RETRACTED_TYPES = {"retraction", "partial_retraction", "withdrawal", "removal"}
_RETRACTED_TITLE = re.compile(r"^\s*(?:<[^>]+>\s*)*(retracted|withdrawn)\b", re.IGNORECASE)
_ET_AL = {"others", "et al", "et al."}


def registered_titles(work: dict) -> list[str]:
    titles = [t for t in work.get("title") or [] if t][:1]
    subtitle = [s for s in work.get("subtitle") or [] if s][:1]
    if titles and subtitle:
        titles.append(f"{titles[0]}: {subtitle[0]}")
    return titles


def registered_years(work: dict) -> list[str]:
    """Issued (the earlier of print and online), print and online years, in that order."""
    years = []
    for key in ("issued", "published-print", "published-online", "published"):
        parts = (work.get(key) or {}).get("date-parts") or [[None]]
        year = parts[0][0] if parts and parts[0] else None
        if year and str(year) not in years:
            years.append(str(year))
    return years


def person_name(author: dict) -> str:
    return registered_name(author)


def format_authors(names: list[str]) -> str:
    return "; ".join(names)


def _cited_authors(ref: Reference) -> tuple[list, bool]:
    people = [p for p in ref.authors if p.family.strip().casefold() not in _ET_AL]
    return people, len(people) < len(ref.authors)


def _pair_authors(cited: list[Person], registered: list[dict]) -> tuple[list[int], dict[int, int]]:
    """Each cited author's registered position (-1: none) by name, and for the unmatched ones the
    registered author they misspell {cited index: registered index}. Same names pair in order."""
    used: set[int] = set()
    free = list(range(len(registered)))  # registered positions not yet paired, in order
    positions = []
    for person in cited:
        index = -1
        for i in free:  # a plain loop over the unpaired: a generator over all cost a third of compare()
            if same_person(person.family, person.given, registered[i]):
                index = i
                free.remove(i)
                break
        used.add(index)
        positions.append(index)
    misspelt: dict[int, int] = {}
    for c, position in enumerate(positions):
        if position >= 0:
            continue
        near = [(d, i) for i, a in enumerate(registered) if i not in used
                and (d := misspelling_distance(cited[c].family, registered_name(a))) is not None]
        if near:
            _, index = min(near, key=lambda pair: (pair[0], abs(pair[1] - c)))
            misspelt[c] = index
            used.add(index)
    return positions, misspelt


def compare_authors(ref: Reference, work: dict) -> list[Problem]:
    """Misspelled, unknown, left-out and reordered authors, and the first author's initials."""
    cited, truncated = _cited_authors(ref)
    registered = [a for a in work.get("author") or [] if registered_name(a)]
    if not cited or not registered:
        return []
    cited_names = [p.family for p in cited]
    reg_names = [registered_name(a) for a in registered]
    shown = (format_authors(cited_names), format_authors(reg_names))
    positions, misspelt = _pair_authors(cited, registered)
    if misspelt:
        spelled = ", ".join(f"{cited_names[c]} (registered {reg_names[r]})" for c, r in misspelt.items())
        which = "first author" if 0 in misspelt and misspelt[0] == 0 else "author"
        return [Problem("mismatch", "authors", *shown, f"{which} misspelled: {spelled}")]
    if positions[0] != 0:
        note = "author order differs" if positions[0] > 0 else "first author differs"
        return [Problem("mismatch", "authors", *shown, note)]
    unknown = [name for name, position in zip(cited_names, positions) if position < 0]
    if unknown:
        return [Problem("mismatch", "authors", *shown, f"not registered as authors: {', '.join(unknown)}")]
    # APA 7 lists up to 20 authors and elides the rest, so a long list cited short is fine.
    if not truncated and len(cited_names) < min(len(reg_names), 20):
        return [Problem("mismatch", "authors", *shown,
                        f"{len(reg_names) - len(cited_names)} registered author(s) not cited")]
    if positions != sorted(positions):
        return [Problem("mismatch", "authors", *shown, "author order differs")]
    first_cited, first_reg = given_initials(cited[0].given), given_initials(registered[0].get("given", ""))
    if first_cited and first_reg and first_cited[0] != first_reg[0] and not _swapped(cited[0], registered[0]):
        return [Problem("mismatch", "authors", f"{cited[0].given} {cited[0].family}",
                        f"{registered[0].get('given', '')} {registered_name(registered[0])}",
                        "first author's initials differ")]
    return []


def _swapped(person: Person, author: dict) -> bool:
    """Family and given registered the other way round: the initials compare crosswise."""
    return same_family(person.family, author.get("given") or "")


def compare_year(ref: Reference, work: dict) -> list[Problem]:
    cited, years = year_of(ref.year), registered_years(work)
    if not cited or not years or cited in years:
        return []
    return [Problem("mismatch", "year", ref.year, years[0] if len(years) == 1
                    else f"{years[0]} (also dated {', '.join(years[1:])})")]


def compare_container(ref: Reference, work: dict) -> list[Problem]:
    names = [n for key in ("container-title", "short-container-title") for n in work.get(key) or [] if n]
    if not ref.container or not names or same_container(ref.container, names):
        return []
    return [Problem("mismatch", "container", ref.container, (work.get("container-title") or names)[0])]


def compare_numbers(ref: Reference, work: dict) -> list[Problem]:
    problems = []
    pairs = (("volume", ref.volume, work.get("volume")), ("issue", ref.issue, work.get("issue")))
    for name, cited, registered in pairs:
        # A missing value on either side is not a difference (APA omits issues, registries too).
        if cited and registered and plain_number(cited) != plain_number(registered):
            problems.append(Problem("mismatch", name, cited, str(registered)))
    return problems + compare_pages(ref, work)


def compare_pages(ref: Reference, work: dict) -> list[Problem]:
    if not ref.pages:
        return []
    first, last = page_range(ref.pages)
    number = str(work.get("article-number") or "").casefold()
    if number and first in (number, number.lstrip("e"), "e" + number):
        return []
    if not work.get("page"):
        return []
    reg_first, reg_last = page_range(work["page"])
    if first == reg_first and (not last or not reg_last or last == reg_last):
        return []
    return [Problem("mismatch", "pages", ref.pages, str(work["page"]) + (f" (article {number})" if number else ""))]


def _is_different_work(ref: Reference, work: dict, field_problems: list[Problem]) -> bool:
    """A DOI that identifies another work, told apart from a citation with a few wrong fields.

    The title decides when it is clearly unrelated; a merely dissimilar title needs other identity
    fields to disagree as well: authors or year, or any two of authors, year, journal,
    volume, issue and pages (companion papers by one group share authors and year).
    """
    # A misspelled name still names the cited authors: it is no sign of another work.
    others = {p.field for p in field_problems if p.field != "title" and "misspelled" not in p.note}
    if not ref.title:
        return {"authors", "year"} <= others
    similarity = title_similarity(ref.title, registered_titles(work))
    if similarity < UNRELATED_TITLE:
        return True
    if similarity < OTHER_TITLE and others & {"authors", "year"}:
        return True
    return similarity < SAME_TITLE and len(others) >= 2


def describe(ref_or_work) -> str:
    """'Neff (2003) Self-compassion: ...' for a Reference or a work, for side-by-side display."""
    if isinstance(ref_or_work, Reference):
        return f"{ref_or_work.first_author} ({ref_or_work.year}) {ref_or_work.title}".strip()
    names = [person_name(a) for a in ref_or_work.get("author") or []]
    years = registered_years(ref_or_work)
    titles = registered_titles(ref_or_work)
    return f"{names[0] if names else ''} ({years[0] if years else ''}) {titles[-1] if titles else ''}".strip()


def update_problems(work: dict) -> list[Problem]:
    """Every `updated-by` entry (publisher and Retraction Watch alike), plus a 'RETRACTED:' title."""
    problems, own = [], str(work.get("DOI", "")).lower()
    for update in work.get("updated-by") or []:
        notice = str(update.get("DOI", "")).lower()
        if not isinstance(update, dict) or (notice and notice == own):
            continue
        kind = str(update.get("type") or "update").replace("-", "_")
        record = f", record {update['record-id']}" if update.get("record-id") else ""
        label = update.get("label") or kind.replace("_", " ").capitalize()
        source = update.get("source", "publisher")
        problems.append(Problem(kind, "updated-by", "", f"{label}: {notice} ({source}{record})"))
    titles = work.get("title") or []
    if titles and _RETRACTED_TITLE.match(titles[0]) and not any(p.kind in RETRACTED_TYPES for p in problems):
        problems.append(Problem("retraction", "title", "", titles[0], "title marks the work as retracted"))
    for relation in (work.get("relation") or {}).get("is-preprint-of") or []:
        problems.append(Problem("published_version", "doi", own, str(relation.get("id", "")).lower(),
                                "the cited preprint has a published version"))
    return problems


def status_of(problem: Problem) -> str:
    if problem.kind == "different_work":
        return "points_elsewhere"
    if problem.kind == "mismatch":
        return "mismatch"
    return "retracted" if problem.kind in RETRACTED_TYPES else "corrected"


def field_problems(ref: Reference, work: dict) -> list[Problem]:
    problems: list[Problem] = []
    titles = registered_titles(work) if ref.title else []
    if titles:
        similarity = title_similarity(ref.title, titles)
        if similarity < SAME_TITLE:
            problems.append(Problem("mismatch", "title", ref.title, titles[-1], f"similarity {similarity:.0f}/100"))
    return problems + compare_authors(ref, work) + compare_year(ref, work) + compare_container(ref, work) \
        + compare_numbers(ref, work)


def compare(ref: Reference, work: dict) -> tuple[str, list[Problem]]:
    """(status, problems) of a cited reference against the record its DOI resolves to."""
    problems = field_problems(ref, work)
    if _is_different_work(ref, work, problems):
        return "points_elsewhere", [Problem("different_work", "doi", describe(ref), describe(work),
                                            "the DOI identifies a different work")]
    problems += update_problems(work)
    return worst(status_of(p) for p in problems) if problems else "verified", problems


def matches_candidate(ref: Reference, work: dict) -> bool:
    """Whether a search candidate really is the cited work: title, first author and year must all
    agree, and no registered volume or first page may contradict the citation (Crossref's score
    is relevance, not confidence: API-NOTES.md)."""
    titles = registered_titles(work)
    if not ref.title or not titles or title_similarity(ref.title, titles) < SAME_TITLE:
        return False
    cited = _cited_authors(ref)[0]
    reg = [a for a in work.get("author") or [] if registered_name(a)]
    if not cited or not reg:
        return False
    first = cited[0]
    if not same_person(first.family, first.given, reg[0]) \
            and misspelling_distance(first.family, registered_name(reg[0])) is None:
        return False  # a misspelled first author is still this work: the audit of the suggestion says so
    if compare_year(ref, work) or not year_of(ref.year):
        return False
    return not any(p.field in ("volume", "pages") for p in compare_numbers(ref, work))


def fold_key(ref: Reference) -> tuple[str, str, str]:
    """Identity of a work for duplicate detection when DOIs are absent or disagree."""
    return fold(ref.title), fold(ref.first_author), year_of(ref.year)


def supported_by_string(raw: str, work: dict) -> bool:
    """Whether a reference string that could not be parsed into fields supports a search candidate:
    most of the registered title's content words, the first author's family name and a registered
    year all appear in it (a relevance score alone never does: API-NOTES.md)."""
    words = set(fold(raw).split())
    title_words = [w for t in registered_titles(work)[:1] for w in fold(t).split() if len(w) > 2]
    if len(title_words) < 2 or sum(w in words for w in title_words) < 0.8 * len(title_words):
        return False
    authors = [a for a in work.get("author") or [] if registered_name(a)]
    if not authors or not all(part in words for part in fold(registered_name(authors[0])).split()):
        return False
    cited_years = set(re.findall(r"(?<!\d)(?:1[5-9]|20)\d\d(?!\d)", raw))
    return bool(cited_years & set(registered_years(work)))
