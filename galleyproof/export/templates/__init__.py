"""Jinja2 templates of the submission's letters: cover letter, highlights and title page (Markdown).

The templates produce Pandoc Markdown that the renderer turns into DOCX. Every value from the
manuscript passes through `markdown_escape` (the environment's `finalize`), so a title with `*`,
`[` or `@` cannot turn into emphasis, a link or a citation: the Markdown analogue of autoescape.
"""

from __future__ import annotations

import re
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~^$@])")


def markdown_escape(value: Any) -> Any:
    """Backslash-escape Markdown punctuation in a string; `|safe` (Markup) values are Markdown already."""
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return _SPECIAL.sub(r"\\\1", value)


def environment() -> Environment:
    return Environment(
        loader=PackageLoader("galleyproof.export", "templates"),
        # HTML/XML templates (none yet) would be escaped as HTML; Markdown ones by `finalize`.
        autoescape=select_autoescape(enabled_extensions=("html", "xml")),
        finalize=markdown_escape,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        lstrip_blocks=True,
    )


def render(name: str, **context: Any) -> str:
    """Fill `templates/<name>.md.j2` with `context`."""
    return environment().get_template(f"{name}.md.j2").render(**context)
