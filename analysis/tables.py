"""DataFrames shown in the document: HTML with citations the build turns into real ones.

The embedded engine converts a cell's text/html table to Pandoc Markdown, and reads
`<span class="citation" data-cites="key">` (what pandoc itself writes for a citation) as a citation,
so citeproc formats it and it links to the reference list in HTML, PDF and DOCX alike.
"""

from __future__ import annotations

from html import escape

import pandas as pd
from IPython.display import HTML


def cite(keys) -> str:
    keys = list(keys)
    return f'<span class="citation" data-cites="{escape(" ".join(keys))}">{escape("; ".join(keys))}</span>' if keys else ""


def show(frame: pd.DataFrame, cite_columns: tuple[str, ...] = ()) -> HTML:
    """`frame` as an HTML table without its index; lists of keys in `cite_columns` become citations."""
    shown = frame.copy()
    for column in shown.columns:
        if column in cite_columns:
            shown[column] = shown[column].map(cite)
        else:
            shown[column] = shown[column].map(lambda v: escape(str(v)) if not isinstance(v, bool) else ("yes" if v else "no"))
    return HTML(shown.to_html(index=False, escape=False, border=0))
