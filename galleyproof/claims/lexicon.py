"""The domain lexicon: named entities by category, with abbreviations, synonyms and a part-of hierarchy.

The data live in `lexicon.yaml` beside this module; a project adds its own file in the same format
(`galleyproof.yml`: `claims: {lexicon: path}`). Matching is plain regular expressions, so every
mention the checker reports is a span of the author's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from galleyproof.errors import ConfigError
from galleyproof.project import read_yaml

DEFAULT_PATH = Path(__file__).with_name("lexicon.yaml")

# Typographic variants mapped one character to one, so offsets in the normalised text stay valid.
_FOLD = str.maketrans({"–": "-", "—": "-", "‑": "-", "‐": "-", "−": "-", "’": "'", "‘": "'",
                       "“": '"', "”": '"', "\u00a0": " "})


def ascii_punctuation(text: str) -> str:
    """Dashes, quotes and no-break spaces as ASCII, same length as the input."""
    return text.translate(_FOLD)


@dataclass(frozen=True)
class Entity:
    name: str
    category: str
    abbreviations: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mention:
    entity: str
    category: str
    start: int
    end: int
    surface: str


@dataclass
class Lexicon:
    entities: dict[str, Entity]
    labels: dict[str, str]  # category -> human label
    _forms: list[tuple[str, str, str, str]] = field(default_factory=list, repr=False)  # regex, entity, kind, 1st word
    _index: dict[str, dict[str, list]] = field(default_factory=dict, repr=False)  # kind -> first word -> forms
    _patterns: re.Pattern | None = field(default=None, repr=False)
    _groups: dict[str, str] = field(default_factory=dict, repr=False)
    _cache: dict[str, list[Mention]] = field(default_factory=dict, repr=False)  # every rule scans the same text

    def ancestors(self, name: str) -> set[str]:
        seen: set[str] = set()
        stack = list(self.entities[name].parents) if name in self.entities else []
        while stack:
            parent = stack.pop()
            if parent not in seen and parent in self.entities:
                seen.add(parent)
                stack.extend(self.entities[parent].parents)
        return seen

    def related(self, a: str, b: str) -> bool:
        """Same entity, or one is part of the other (a general term covers its specific ones)."""
        return a == b or a in self.ancestors(b) or b in self.ancestors(a)

    def covers(self, general: str, specific: str) -> bool:
        return general == specific or general in self.ancestors(specific)

    def mentions(self, text: str, categories: set[str] | None = None) -> list[Mention]:
        """Entity mentions in `text`, longest match first, no overlaps, in text order."""
        every = self._cache.get(text)
        if every is None:
            every = self._cache[text] = self._scan(text)
        return [m for m in every if not categories or m.category in categories]

    def _scan(self, text: str) -> list[Mention]:
        """Try only the forms whose first word starts at each word of the text, longest form first.

        One regex alternation of every form is ten times slower: Python's re tries each alternative at
        every position. Names are matched in lower-cased text; abbreviations are case-sensitive.
        """
        self._compile()
        text = ascii_punctuation(text)
        lowered = text.lower()
        if len(lowered) != len(text):  # "İ" lower-cases to two characters: keep offsets aligned
            lowered = "".join(c.lower()[:1] for c in text)
        found: list[Mention] = []
        for word in _WORD.finditer(text):
            start, key = word.start(), word.group(0)
            for haystack, forms, word_key in ((lowered, self._index["name"], key.lower()),
                                              (text, self._index["abbr"], key)):
                for regex, entity in _candidates(forms, word_key):
                    match = regex.match(haystack, start)
                    if match:
                        found.append(self._mention(entity, text, start, match.end()))
                        break
        for match in self._patterns.finditer(text) if self._patterns else ():
            group = match.lastgroup or ""  # every alternative is a named group
            found.append(self._mention(self._groups[group], text, match.start(), match.end()))
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        result: list[Mention] = []
        for mention in found:
            if result and mention.start < result[-1].end:
                continue
            result.append(mention)
        return result

    def _mention(self, name: str, text: str, start: int, end: int) -> Mention:
        return Mention(name, self.entities[name].category, start, end, text[start:end])

    def _compile(self) -> None:
        if self._index:
            return
        self._index = {"name": {}, "abbr": {}}
        patterns = []
        for number, (regex, entity, kind, first) in enumerate(sorted(self._forms, key=lambda f: -len(f[0]))):
            if kind == "pattern":
                self._groups[f"e{number}"] = entity
                patterns.append(f"(?P<e{number}>{regex})")
                continue
            compiled = _compile_form(f"(?:{regex})(?![\\w-])")
            self._index[kind].setdefault(first, []).append((compiled, entity))
        self._patterns = re.compile(r"(?<![\w-])(?:" + ("|".join(patterns) or "(?!)") + r")(?![\w-])",
                                    re.IGNORECASE)

    def add(self, category: str, raw: dict, source: Path) -> None:
        if not isinstance(raw, dict) or not raw.get("name"):
            raise ConfigError(f"lexicon entry in category {category!r} needs a name", source)
        name = str(raw["name"])
        abbrs = tuple(str(a) for a in raw.get("abbr") or ())
        parents = raw.get("parent") or ()
        parents = (parents,) if isinstance(parents, str) else tuple(parents)
        old = self.entities.get(name)
        if old:
            abbrs = old.abbreviations + abbrs
            parents = old.parents + parents
            category = old.category
        self.entities[name] = Entity(name, category, abbrs, parents)
        for term in [name, *(raw.get("synonyms") or ())]:
            term = ascii_punctuation(str(term)).lower()
            self._forms.append((_term_regex(term), name, "name", _first_word(term)))
        for abbr in abbrs:
            self._forms.append((re.escape(abbr) + "s?", name, "abbr", _first_word(abbr)))
        for pattern in raw.get("patterns") or ():
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ConfigError(f"lexicon pattern {pattern!r} for {name!r} is invalid: {exc}", source) from None
            self._forms.append((f"(?:{pattern})", name, "pattern", ""))
        self._index = {}
        self._cache.clear()


_WORD = re.compile(r"(?<![\w-])\w+")


@lru_cache(maxsize=8192)
def _compile_form(pattern: str) -> re.Pattern:
    """Compiled once per process: a lexicon has more forms than `re`'s own cache of 512 holds."""
    return re.compile(pattern)


def _candidates(forms: dict[str, list], word: str) -> list:
    """Forms starting with this word, or with its singular ("RCTs", "cytokines"), longest first."""
    keys = [word] + [word[:-n] for n in (1, 2) if word.endswith("es"[-n:]) and len(word) > n + 1]
    found = [form for key in dict.fromkeys(keys) for form in forms.get(key, ())]
    return sorted(found, key=lambda form: -len(form[0].pattern)) if len(keys) > 1 else found


def _first_word(term: str) -> str:
    match = re.match(r"\w+", term)
    return match.group(0) if match else term[:1]


def _term_regex(term: str) -> str:
    """A term where a hyphen and a space are interchangeable and a plural "s" is allowed."""
    words = re.split(r"[-\s]+", ascii_punctuation(term).strip())
    return r"[-\s]?".join(re.escape(w) for w in words) + "(?:s|es)?"


def _extend(lexicon: Lexicon, data: object, source: Path) -> None:
    if not isinstance(data, dict) or not isinstance(data.get("categories"), dict):
        raise ConfigError("a lexicon file needs a `categories:` mapping", source, 1)
    for category, body in data["categories"].items():
        body = body or {}
        lexicon.labels.setdefault(category, body.get("label") or category.replace("_", " "))
        for raw in body.get("entries") or ():
            lexicon.add(category, raw, source)


def load_lexicon(*extra: Path) -> Lexicon:
    """The packaged lexicon, extended by each file in `extra` (a project's own terms)."""
    lexicon = Lexicon({}, {})
    for path in (DEFAULT_PATH, *extra):
        _extend(lexicon, read_yaml(Path(path)), Path(path))
    for entity in lexicon.entities.values():
        for parent in entity.parents:
            if parent not in lexicon.entities:
                raise ConfigError(f"lexicon entry {entity.name!r} names unknown parent {parent!r}", extra[-1]
                                  if extra else DEFAULT_PATH)
    return lexicon
