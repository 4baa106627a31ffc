"""Who wrote the manuscript: the identity set an anonymised copy must not carry, gathered from every
place a project states it.

    authors        names (whole, and each part of three letters or more), e-mails, affiliations (and
                   their institution alone), ORCID iDs, personal URLs: `author:` of _quarto.yml's `book:`
                   or top level and of the first chapter's front matter (Quarto's author schema:
                   https://quarto.org/docs/journals/authors.html), plus `galleyproof.project.Author`
    funding        grant and award numbers (`funding:` with `awards:`/`id:`, Quarto's funding schema)
    acknowledged   people thanked in acknowledgement sections and run-in paragraphs ("We thank ...")
    repositories   code and data URLs of the front matter (`repo-url`, `code-repository`, ...) and the
                   project's git remotes; git's `user.name` / `user.email` (local and global config)

The set is data (`Identity`); `anonymise` redacts it from text, `scrub` from containers and `leaks`
looks for it in every byte of what ships.
"""

from __future__ import annotations

import configparser
import re
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from galleyproof.project import Author

ORCID = re.compile(r"\b\d{4}-\d{4}-\d{4}-\d{3}[\dX]\b")
REPOSITORY_KEYS = ("repo-url", "repository", "code-repository", "code-url", "repo", "data-repository",
                   "source-code", "github", "gitlab")
_PERSON_KEYS = ("name", "email", "orcid", "url", "affiliation", "affiliations", "attributes", "roles")
# Two to four capitalised words (initials allowed), the shape of a person's name in prose.
_NAME = re.compile(r"\b(?:[A-Z][a-z\u00c0-\u024f'’-]+|[A-Z]\.)(?:[ \t]+(?:[A-Z][a-z\u00c0-\u024f'’-]+|[A-Z]\.)){1,3}")
_THANKS = re.compile(r"\b(?:thank|thanks|grateful|gratitude|acknowledge|indebted)\b", re.IGNORECASE)
_NOT_NAMES = {"we", "the", "our", "this", "they", "all", "and", "for", "thanks", "thank", "acknowledgements",
              "acknowledgments", "funding", "university", "department", "institute", "grant", "foundation"}


@dataclass(frozen=True)
class Identity:
    """The strings that identify the authors; matched case-insensitively on word boundaries."""

    names: tuple[str, ...]
    emails: tuple[str, ...]
    affiliations: tuple[str, ...]
    orcids: tuple[str, ...] = ()
    grants: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()

    def terms(self) -> list[str]:
        every = (*self.names, *self.emails, *self.affiliations, *self.orcids, *self.grants, *self.urls)
        return sorted({t for t in every if len(t) >= 3}, key=len, reverse=True)

    def __bool__(self) -> bool:
        return bool(self.terms())


def identity_of(authors: Iterable[Author], metadata: Iterable[dict[str, Any]] = (), *, root: Path | None = None,
                acknowledgements: str = "", prose: str = "") -> Identity:
    """The identity set of `authors`, the metadata mappings (_quarto.yml, front matter), the git config of
    `root`, the people thanked and grants named in `acknowledgements` and grant numbers in `prose`."""
    names: set[str] = set()
    emails: set[str] = set()
    affiliations: set[str] = set()
    orcids: set[str] = set()
    grants: set[str] = set()
    urls: set[str] = set()
    for author in authors:
        _add_name(names, author.name)
        if author.email:
            emails.add(author.email)
        for affiliation in filter(None, (a.strip() for a in author.affiliation.split(";"))):
            _add_affiliation(affiliations, affiliation)
    for meta in metadata:
        for person in _people(meta):
            _add_person(person, names, emails, affiliations, orcids, urls)
        grants |= set(_grants(meta.get("funding")))
        urls |= {str(meta[k]) for k in REPOSITORY_KEYS if isinstance(meta.get(k), str)}
        for key in ("thanks", "acknowledgements", "acknowledgments"):
            if isinstance(meta.get(key), str):
                names |= set(thanked_names(meta[key]))
    if root is not None:
        git_names, git_emails, git_urls = _git_identity(root)
        names |= git_names  # whole: a machine's git name ("Lab maintainers") is not a person's parts
        emails |= git_emails
        urls |= git_urls
    names |= set(thanked_names(acknowledgements))
    grants |= set(grant_numbers(acknowledgements)) | set(grant_numbers(prose))
    urls = {variant for url in urls for variant in _url_variants(url)}
    return Identity(*(tuple(sorted(s)) for s in (names, emails, affiliations, orcids, grants, urls)))


def _add_name(names: set[str], name: str) -> None:
    name = " ".join(str(name).split())
    if not name:
        return
    names.add(name)
    # "CHARIF" and "Charif" alike (matching is case-folded); initials and particles are too short.
    names |= {p.strip(".,") for p in name.split() if len(p.strip(".,")) >= 3}


def _add_affiliation(affiliations: set[str], affiliation: str) -> None:
    affiliation = " ".join(affiliation.split())
    affiliations.add(affiliation)
    # "Abu Al-Qasim Saadallah University – Algiers 2": the institution alone also identifies.
    head = re.split(r"\s+[–—-]\s+|,", affiliation)[0].strip()
    if len(head.split()) >= 2:
        affiliations.add(head)


def _people(meta: dict[str, Any]) -> Iterator[Any]:
    for key in ("author", "authors", "corresponding"):
        value = meta.get(key)
        yield from value if isinstance(value, list) else ([value] if value else [])
    book = meta.get("book")
    if isinstance(book, dict):
        yield from _people(book)


def _add_person(person: Any, names: set[str], emails: set[str], affiliations: set[str], orcids: set[str],
                urls: set[str]) -> None:
    if isinstance(person, str):
        _add_name(names, person)
        return
    if not isinstance(person, dict):
        return
    name = person.get("name")
    if isinstance(name, dict):
        name = name.get("literal") or " ".join(str(name.get(k, "")) for k in ("given", "family"))
    if name:
        _add_name(names, str(name))
    if person.get("email"):
        emails.add(str(person["email"]))
    if person.get("orcid"):
        orcids.add(str(person["orcid"]).rsplit("/", 1)[-1])
    if isinstance(person.get("url"), str):
        urls.add(person["url"])
    raw = person.get("affiliation", person.get("affiliations"))
    for item in raw if isinstance(raw, list) else [raw]:
        if isinstance(item, str):
            _add_affiliation(affiliations, item)
        elif isinstance(item, dict):
            for key in ("name", "department", "address"):
                if isinstance(item.get(key), str) and len(item[key]) >= 3:
                    _add_affiliation(affiliations, item[key])
            if isinstance(item.get("url"), str):
                urls.add(item["url"])


def _grants(funding: Any) -> Iterator[str]:
    """Award numbers in Quarto's `funding:` (a statement string, or entries with `awards:`/`id:`)."""
    if isinstance(funding, str):
        yield from grant_numbers(funding)
    elif isinstance(funding, list):
        for item in funding:
            yield from _grants(item)
    elif isinstance(funding, dict):
        for key in ("id", "award", "number"):
            if isinstance(funding.get(key), (str, int)):
                yield str(funding[key])
        for key in ("statement", "awards", "award-ids"):
            yield from _grants(funding.get(key))


_GRANT = re.compile(r"\b(?:grants?|awards?|contract|project)\s+(?:(?:no|nos|number|numbers|n°|#)\.?\s*)?"
                    r"([A-Z0-9][A-Z0-9/_.-]{2,40}[A-Z0-9])", re.IGNORECASE)


def grant_numbers(text: str) -> list[str]:
    """Identifiers that follow "grant", "award", "contract" or "project (no.)" and hold a digit."""
    return [m.group(1) for m in _GRANT.finditer(text) if any(c.isdigit() for c in m.group(1))]


def thanked_names(markdown: str) -> list[str]:
    """Capitalised name-shaped phrases in sentences that thank someone."""
    found = []
    for sentence in re.split(r"(?<=[.!?])\s+", markdown):
        if not _THANKS.search(sentence):
            continue
        for match in _NAME.finditer(sentence):
            words = [w for w in match.group(0).split() if w.lower().strip(".") not in _NOT_NAMES]
            if len(words) >= 2 and any(len(w.strip(".")) >= 3 for w in words):
                found.append(" ".join(words))
    return found


def _url_variants(url: str) -> set[str]:
    """A repository URL as prose writes it: with and without scheme, `.git` or a trailing slash; an
    `git@host:owner/repo` remote as its https form."""
    url = url.strip()
    ssh = re.match(r"^(?:ssh://)?git@([^:/]+)[:/](.+)$", url)
    if ssh:
        url = f"https://{ssh.group(1)}/{ssh.group(2)}"
    bare = re.sub(r"^[a-z]+://", "", url).removesuffix("/").removesuffix(".git")
    return {bare} if len(bare) >= 8 else set()


def _git_identity(root: Path) -> tuple[set[str], set[str], set[str]]:
    """user.name, user.email and remote URLs of the project's git config, and the user's global git
    identity (the name that would sign a commit in this project)."""
    names, emails, urls = set(), set(), set()
    config = configparser.ConfigParser(strict=False, interpolation=None)
    try:
        config.read(root / ".git" / "config", encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError, OSError):
        config = configparser.ConfigParser()
    for section in config.sections():
        if section.startswith("remote") and config.has_option(section, "url"):
            urls.add(config.get(section, "url"))
        if section == "user":
            names.add(config.get(section, "name", fallback=""))
            emails.add(config.get(section, "email", fallback=""))
    for key, into in (("user.name", names), ("user.email", emails)):
        try:
            proc = subprocess.run(["git", "config", "--get", key], cwd=root, capture_output=True, text=True,
                                  timeout=10)
        except (OSError, subprocess.SubprocessError):
            continue
        into.add(proc.stdout.strip())
    return {n for n in names if n}, {e for e in emails if e}, {u for u in urls if u}


def term_pattern(identity: Identity) -> re.Pattern | None:
    """One pattern for every identifying term, matched whole (not inside a longer word or address);
    the anonymiser, the container scrubber and the leak scan all use it, so they agree on a hit."""
    terms = identity.terms()
    if not terms:
        return None
    alternatives = "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in terms)
    return re.compile(rf"(?<![\w@.])(?:{alternatives})(?![\w@])", re.IGNORECASE)
