"""The reference corpus as a table (pandas, from references.bib via galleyproof.bib) and its years."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from galleyproof.bib.bibtex import read_bibliography

TYPE_NAMES = {"article": "Journal article", "book": "Book", "incollection": "Book chapter",
              "inproceedings": "Conference paper", "misc": "Other", "phdthesis": "Thesis", "techreport": "Report"}


def reference_table(bib_path: str | Path = "references.bib") -> pd.DataFrame:
    """One row per entry: key, type, year, journal (or publisher), whether a DOI is given."""
    rows = [{"key": ref.key, "type": TYPE_NAMES.get(ref.entry_type, ref.entry_type), "year": ref.year,
             "journal": ref.container or ref.publisher, "doi": bool(ref.doi)}
            for ref in read_bibliography(bib_path)]
    frame = pd.DataFrame(rows, columns=["key", "type", "year", "journal", "doi"])
    frame["year"] = pd.to_numeric(frame["year"], errors="coerce").astype("Int64")
    return frame.sort_values(["year", "key"], kind="stable").reset_index(drop=True)


def corpus_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Per entry type: how many works, their year range, and how many give a DOI."""
    grouped = frame.groupby("type", sort=True)
    summary = pd.DataFrame({
        "Works": grouped.size(),
        "Years": grouped["year"].agg(lambda y: f"{y.min()}–{y.max()}" if y.min() != y.max() else f"{y.min()}"),
        "Journals or publishers": grouped["journal"].nunique(),
        "With DOI": grouped["doi"].sum().astype(int),
    }).reset_index().rename(columns={"type": "Type"})
    total = pd.DataFrame([{"Type": "All", "Works": len(frame),
                           "Years": f"{frame['year'].min()}–{frame['year'].max()}",
                           "Journals or publishers": frame["journal"].nunique(),
                           "With DOI": int(frame["doi"].sum())}])
    return pd.concat([summary, total], ignore_index=True)


def years_figure(frame: pd.DataFrame):
    """Bar chart of works per publication year, DOI and no DOI stacked."""
    import matplotlib.pyplot as plt

    counts = frame.groupby(["year", "doi"]).size().unstack(fill_value=0)
    counts = counts.reindex(columns=[True, False], fill_value=0)
    years = range(int(frame["year"].min()), int(frame["year"].max()) + 1)
    counts = counts.reindex(years, fill_value=0)
    fig, ax = plt.subplots(figsize=(6.5, 2.8))
    ax.bar(counts.index, counts[True], color="#33658a", label="with DOI")
    ax.bar(counts.index, counts[False], bottom=counts[True], color="#c8c8c8", label="without DOI")
    ax.set_xlabel("Publication year")
    ax.set_ylabel("Works cited")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig
