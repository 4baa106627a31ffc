"""Every YAML galleyproof reads from a manuscript goes through `load()`: PyYAML's safe loader with limits.

PyYAML composes nodes recursively, so a few thousand nested `[` or `- ` levels end in a RecursionError
(a traceback, not a message); aliases let a short file stand for an exponentially large tree ("billion
laughs") that later walks of the data would expand. `load()` caps the text's size, the nesting depth
and the number of aliases, and turns any violation, like any syntax error, into a `YAMLLimitError`
carrying the 0-based line of the offending node, which the callers turn into their own typed error
with file and line.
"""

from __future__ import annotations

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
