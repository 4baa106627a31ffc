"""Every YAML galleyproof reads from a manuscript goes through `load()`: PyYAML's safe loader with limits.
Where in the YAML a value was written (file:line for error messages) is `line_of()` / `line_in_file()`,
which walk the same bounded loader's node tree by key path.

PyYAML composes nodes recursively, so a few thousand nested `[` or `- ` levels end in a RecursionError
(a traceback, not a message); aliases let a short file stand for an exponentially large tree ("billion
laughs") that later walks of the data would expand. `load()` caps the text's size, the nesting depth
and the number of aliases, and turns any violation, like any syntax error, into a `YAMLLimitError`
carrying the 0-based line of the offending node, which the callers turn into their own typed error
with file and line.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError

MAX_BYTES = 4 * 1024 * 1024  # a _quarto.yml, front matter or profile is a few kilobytes
MAX_DEPTH = 64  # Quarto's deepest option paths are under ten levels
MAX_ALIASES = 256


class YAMLLimitError(Exception):
    """Invalid or oversized YAML: `problem` says what, `line` where (0-based in the text; None: unknown)."""

    def __init__(self, problem: str, line: int | None):
        super().__init__(problem)
        self.problem = problem
        self.line = line


class _BoundedLoader(yaml.SafeLoader):
    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        mark: Any = event.start_mark
        if isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise ComposerError(None, None, f"more than {MAX_ALIASES} aliases", mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise ComposerError(None, None, f"nested deeper than {MAX_DEPTH} levels", mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load(text: str) -> Any:
    """Parse one YAML document within the limits above; raises YAMLLimitError."""
    if len(text) > MAX_BYTES:
        raise YAMLLimitError(f"larger than {MAX_BYTES // (1024 * 1024)} MB", 0)
    loader = None
    try:
        loader = _BoundedLoader(text)  # the reader checks the characters already here
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise YAMLLimitError(str(problem), mark.line if mark else None) from None
    except RecursionError:  # a limit above should always come first; never let it out as a traceback
        raise YAMLLimitError(f"nested deeper than {MAX_DEPTH} levels", None) from None
    finally:
        if loader is not None:
            loader.dispose()


# --------------------------------------------------------------------------------------------------
# where a value was written

FRONT_MATTER_SUFFIXES = (".qmd", ".md", ".markdown", ".rmd")


def _compose(text: str) -> yaml.Node | None:
    """The node tree of `text` within the limits of `load()`; None when it is not (bounded) YAML."""
    if len(text) > MAX_BYTES:
        return None
    loader = None
    try:
        loader = _BoundedLoader(text)
        return loader.get_single_node()
    except (yaml.YAMLError, RecursionError):
        return None
    finally:
        if loader is not None:
            loader.dispose()


def line_of(text: str, path: Sequence[str | int], *, offset: int = 0, exact: bool = False) -> int | None:
    """1-based line (plus `offset`) of the value at `path` in `text`: mapping keys and list indexes,
    ("book", "chapters", 3) or ("project", "output-dir"). A key's line is the line of the key; when
    the path leaves the tree, the line of the nearest existing parent (None with `exact`), so a list
    index into a single value gives the value's line. None when `text` is empty or not YAML; never
    raises. A key repeated in one mapping counts at its last occurrence, the one the loader keeps."""
    node = _compose(text)
    if node is None:
        return None
    line = node.start_mark.line
    for part in path:
        child = None
        if isinstance(node, yaml.MappingNode):
            pairs = [(key, value) for key, value in node.value
                     if isinstance(key, yaml.ScalarNode) and key.value == str(part)]
            if pairs:
                key, child = pairs[-1]
                line = key.start_mark.line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            child = node.value[part]
            line = child.start_mark.line
        if child is None:
            if exact:
                return None
            break
        node = child
    return line + 1 + offset


def front_matter_block(text: str) -> tuple[str, int] | None:
    """(YAML text, line offset) of a Markdown document's leading `---` block, as pandoc and Quarto read
    it (closed by `---` or `...`); None when there is none."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "\n".join(lines[1:index]), 1
    return None


def line_in_file(file: Path | str, path: Sequence[str | int], *, exact: bool = False) -> int | None:
    """`line_of()` in a YAML file, or in the front matter of a Markdown/.qmd file (lines counted in the
    file). None when the file cannot be read or holds no YAML there; never raises."""
    file = Path(file)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if file.suffix.lower() in FRONT_MATTER_SUFFIXES:
        block = front_matter_block(text)
        return line_of(block[0], path, offset=block[1], exact=exact) if block else None
    return line_of(text, path, exact=exact)
