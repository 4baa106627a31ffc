"""DataFrames shown in the document: HTML tables whose citation cells the build formats.

Both engines read Markdown from a `data-qmd` attribute in an HTML table cell (Quarto's convention,
https://quarto.org/docs/authoring/tables.html, "HTML Tables"), so `[@key]` there becomes a real
citation, formatted by citeproc and linked to the reference list in HTML, PDF and DOCX alike.
"""

from __future__ import annotations

from html import escape

import pandas as pd
from IPython.display import HTML


def cite(keys) -> str:
    """`["a", "b"]` -> a span whose Markdown is `[@a; @b]` (the keys show as text where nothing parses it)."""
    keys = list(keys)
    if not keys:
        return ""
    markdown = "[" + "; ".join(f"@{k}" for k in keys) + "]"
    return f'<span data-qmd="{escape(markdown)}">{escape("; ".join(keys))}</span>'


def show(frame: pd.DataFrame, cite_columns: tuple[str, ...] = ()) -> HTML:
    """`frame` as an HTML table without its index; lists of keys in `cite_columns` become citations."""
    shown = frame.copy()
    for column in shown.columns:
        if column in cite_columns:
            shown[column] = shown[column].map(cite)
        else:
            shown[column] = shown[column].map(
                lambda v: escape(str(v)) if not isinstance(v, bool) else ("yes" if v else "no"))
    return HTML(shown.to_html(index=False, escape=False, border=0))
