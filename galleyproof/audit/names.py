"""Is a cited author the registered one? Benign variation told apart from misspelling.

Benign (the same person): case, accents and LaTeX (`Keser{\\H{u}}` = `Keserű` = `Keseru`), German and
Scandinavian transliterations when one side has the letter (`Müller` = `Mueller`, `Ørsted` =
`Oersted`), particles (`van der Berg` = `Berg` = `Van Der Berg`), hyphens and spaces in compound
names (`Kiecolt-Glaser` = `Kiecolt Glaser`), one part of a compound name (`García` for `García
Márquez`), romanisations of one Cyrillic name (`Tchaikovsky` = `Chaikovskii`), a `Jr`/`III`
suffix, East Asian names registered with family and given swapped, and a cited name written whole
as family (`{Babak Alipanahi}`).

Anything else is a different name. A different name within a small edit distance of a registered one
(rapidfuzz's Damerau-Levenshtein: a transposition "Smtih", a dropped letter "Mueler", a wrong letter)
is a misspelling of it; a further one is another person.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz.distance import DamerauLevenshtein

from galleyproof.audit.fields import fold

PARTICLES = frozenset({"van", "von", "der", "den", "de", "del", "della", "dello", "di", "da", "du", "dos", "das",
                       "le", "la", "les", "ter", "ten", "zu", "zum", "zur", "af", "al", "el", "bin", "ibn", "st"})
SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_TRANSLITERATIONS = str.maketrans({"ü": "ue", "ö": "oe", "ä": "ae", "Ü": "Ue", "Ö": "Oe", "Ä": "Ae", "ß": "ss",
                                   "ø": "oe", "Ø": "Oe", "å": "aa", "Å": "Aa", "æ": "ae", "Æ": "Ae", "œ": "oe"})


@lru_cache(maxsize=65536)
def tokens(name: str) -> tuple[str, ...]:
    """'van der Berg Jr.' -> ('berg',): folded words without particles and suffixes."""
    words = fold(name).replace("-", " ").split()
    kept = tuple(w for w in words if w not in PARTICLES and w not in SUFFIXES)
    return kept or tuple(words)


# Romanisations of one Cyrillic (or Greek) name differ by system: Tchaikovsky, Chaikovskii,
# Tschaikowski; Khrushchev, Hrushchev; Yakovlev, Iakovlev. Each rule maps the variants to one form.
_ROMANISATIONS = [(re.compile(pattern), repl) for pattern, repl in (
    (r"tsch|tch", "ch"), (r"kh", "h"), (r"^[jy](?=[aeiou])", "i"), (r"w(?=sk|ich)", "v"),
    (r"sk(?:iy|ii|ij|y)$", "ski"),
)]
# Deliberately few: each rule also hides the misspellings it maps ('Houseman' without its 'o' would
# pass as a French-style 'ou'), so only the systematic Cyrillic ones are here.


# Any of the rules above: a name none of them touches (most) skips the five substitutions.
_ANY_ROMANISATION = re.compile("|".join(pattern.pattern for pattern, _ in _ROMANISATIONS))


def romanised(folded: str) -> str:
    if not _ANY_ROMANISATION.search(folded):
        return folded
    for pattern, replacement in _ROMANISATIONS:
        folded = pattern.sub(replacement, folded)
    return folded


@lru_cache(maxsize=65536)
def spellings(name: str) -> frozenset[str]:
    """The comparable spellings of a family name: accents dropped, transliterated when it has a
    letter that transliterates (Müller -> {'muller', 'mueller'}), and in one romanisation."""
    forms = {"".join(tokens(name))}
    translated = name if name.isascii() else name.translate(_TRANSLITERATIONS)  # only non-ASCII letters map
    if translated != name:
        forms.add("".join(tokens(translated)))
    forms |= {romanised(form) for form in forms}
    return frozenset(f for f in forms if f)


@lru_cache(maxsize=65536)
def same_family(cited: str, registered: str) -> bool:
    a, b = spellings(cited), spellings(registered)
    if not a or not b:
        return False
    if a & b:
        return True
    # One part of a compound name cited alone ('García' for 'García Márquez', 'Márquez' too). Not the
    # reverse: a cited word the registry lacks may be a misspelled particle ('vna der Pluijm').
    part, whole = tokens(cited), tokens(registered)
    return 0 < len(part) < len(whole) and (whole[:len(part)] == part or whole[-len(part):] == part) \
        and len("".join(part)) >= 3


def registered_name(author: dict) -> str:
    return author.get("family") or author.get("name") or ""


def same_person(cited_family: str, cited_given: str, author: dict) -> bool:
    """The cited name (family, given as written) is this registered author."""
    family = registered_name(author)
    if same_family(cited_family, family):
        return True
    given = author.get("given") or ""
    if given and same_family(cited_family, given) and _initial(cited_given) == _initial(family):
        return True  # family and given swapped in the registry (common for East Asian names)
    if not cited_given and given:
        whole = f"{given} {family}"
        return same_family(cited_family, whole) and len(tokens(cited_family)) > 1
    return False


def _initial(text: str) -> str:
    words = fold(text).split()
    return words[0][:1] if words else ""


def misspelling_distance(cited: str, registered: str) -> int | None:
    """Edits (insert, delete, substitute, transpose) between the closest spellings when the names are
    close enough to be one name misspelled; None when they are the same name or different names."""
    if same_family(cited, registered):
        return None
    best = min(DamerauLevenshtein.distance(a, b) for a in spellings(cited) for b in spellings(registered)) \
        if spellings(cited) and spellings(registered) else 99
    length = max((len(b) for b in spellings(registered)), default=0)
    # One edit in a name of 4+ letters, two in 7+, three in 11+: 'Smtih', 'Mueler', 'Jhonsonn'.
    allowed = 0 if length < 4 else 1 if length < 7 else 2 if length < 11 else 3
    return best if 0 < best <= allowed else None


@lru_cache(maxsize=65536)
def given_initials(given: str) -> str:
    """'Jean-Pierre' and 'J.-P.' both give 'jp'."""
    return "".join(w[0] for w in re.split(r"[\s.\-]+", fold(given.replace("-", " "))) if w)
