"""The domain lexicon: named entities by category, with abbreviations, synonyms and a part-of hierarchy.

The data live in `lexicon.yaml` beside this module; a project adds its own file in the same format
(`galleyproof.yml`: `claims: {lexicon: path}`). Matching is plain regular expressions, so every
mention the checker reports is a span of the author's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from galleyproof.errors import ConfigError
from galleyproof.project import read_yaml

DEFAULT_PATH = Path(__file__).with_name("lexicon.yaml")

# Typographic variants mapped one character to one, so offsets in the normalised text stay valid.
_FOLD = str.maketrans({"–": "-", "—": "-", "‑": "-", "‐": "-", "−": "-", "’": "'", "‘": "'",
                       "“": '"', "”": '"', "\u00a0": " "})


def fold(text: str) -> str:
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
    _forms: list[tuple[str, str, bool]] = field(default_factory=list, repr=False)  # (regex, entity, case)
    _names: re.Pattern | None = field(default=None, repr=False)
    _abbrs: re.Pattern | None = field(default=None, repr=False)
    _groups: dict[str, str] = field(default_factory=dict, repr=False)

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
        self._compile()
        text = fold(text)
        found: list[Mention] = []
        for pattern in (self._names, self._abbrs):
            for match in pattern.finditer(text):
                name = self._groups[match.lastgroup]
                entity = self.entities[name]
                if categories and entity.category not in categories:
                    continue
                found.append(Mention(name, entity.category, match.start(), match.end(), match.group(0)))
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        result: list[Mention] = []
        for mention in found:
            if result and mention.start < result[-1].end:
                continue
            result.append(mention)
        return result

    def _compile(self) -> None:
        if self._names is not None:
            return
        names, abbrs = [], []
        for index, (regex, entity, case_sensitive) in enumerate(
                sorted(self._forms, key=lambda f: -len(f[0]))):
            group = f"e{index}"
            self._groups[group] = entity
            (abbrs if case_sensitive else names).append(f"(?P<{group}>{regex})")
        self._names = re.compile(r"(?<![\w-])(?:" + "|".join(names) + r")(?![\w-])", re.IGNORECASE)
        self._abbrs = re.compile(r"(?<![\w-])(?:" + "|".join(abbrs) + r")(?![\w-])")

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
            self._forms.append((_term_regex(str(term)), name, False))
        for abbr in abbrs:
            self._forms.append((re.escape(abbr) + "s?", name, True))
        for pattern in raw.get("patterns") or ():
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ConfigError(f"lexicon pattern {pattern!r} for {name!r} is invalid: {exc}", source) from None
            self._forms.append((f"(?:{pattern})", name, False))
        self._names = self._abbrs = None


def _term_regex(term: str) -> str:
    """A term where a hyphen and a space are interchangeable and a plural "s" is allowed."""
    words = re.split(r"[-\s]+", fold(term).strip())
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
