"""The evidence map: which works the review cites for each of its three pathways, read from the chapters.

A citation counts for a pathway when it stands in the pathway's own subsection (2-5-1, 2-5-2, 2-5-3)
or closes a passage elsewhere that names one of the pathway's terms (pathways.yml); a passage is the
citing sentence and the sentences of its paragraph since the previous citation, since an author-year
citation usually ends the run of sentences it supports. Nothing is typed by
hand: editing the chapters changes the map.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pysbd
import yaml

from galleyproof.manuscript.qmd import citations_in_line, read_project_document
from galleyproof.project import load_project

PATHWAYS_FILE = Path(__file__).with_name("pathways.yml")


@dataclass(frozen=True)
class Pathway:
    name: str
    section: str
    terms: tuple[str, ...]

    def named_in(self, sentence: str) -> bool:
        return any(re.search(r"(?<![\w-])" + re.escape(t), sentence, re.IGNORECASE) for t in self.terms)


@dataclass(frozen=True)
class Link:
    pathway: str
    key: str
    file: str
    line: int
    how: str  # "section" (in the pathway's subsection) or "mention" (a sentence naming it)


def load_pathways(path: Path = PATHWAYS_FILE) -> list[Pathway]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Pathway(p["pathway"], str(p["section"]), tuple(p["terms"])) for p in data]


def evidence_links(root: str | Path = ".", pathways: list[Pathway] | None = None) -> list[Link]:
    """Every (pathway, cited work) link the chapters make, with where it is made."""
    pathways = pathways or load_pathways()
    doc = read_project_document(load_project(root))
    segmenter = pysbd.Segmenter(language="en", clean=False)
    links = []
    for block in doc.blocks:
        own = [p for p in pathways if block.section.startswith(p.section + " ")]
        passage = ""
        for sentence in segmenter.segment(block.text):
            passage += " " + sentence
            cited = {c.key for c in citations_in_line(sentence, block.file, block.line, block.section)}
            if not cited:
                continue
            for pathway in pathways:
                how = "section" if pathway in own else "mention" if pathway.named_in(passage) else ""
                links += [Link(pathway.name, key, block.file, block.line, how) for key in sorted(cited) if how]
            passage = ""
    return links


def evidence_table(links: list[Link], pathways: list[Pathway] | None = None) -> pd.DataFrame:
    """One row per pathway: its section, the works cited for it, and how many citing passages."""
    pathways = pathways or load_pathways()
    rows = []
    for pathway in pathways:
        mine = [l for l in links if l.pathway == pathway.name]
        rows.append({"Pathway": pathway.name, "Section": pathway.section,
                     "Works cited": sorted({l.key for l in mine}),
                     "In its section": len({l.key for l in mine if l.how == "section"}),
                     "Elsewhere": len({l.key for l in mine if l.how == "mention"})})
    return pd.DataFrame(rows)


def evidence_matrix(links: list[Link], pathways: list[Pathway] | None = None) -> pd.DataFrame:
    """Works (rows) by pathways (columns): how many passages cite the work for the pathway."""
    pathways = pathways or load_pathways()
    frame = pd.DataFrame([(l.key, l.pathway, l.file, l.line) for l in links],
                         columns=["key", "pathway", "file", "line"]).drop_duplicates()
    matrix = frame.groupby(["key", "pathway"]).size().unstack(fill_value=0)
    return matrix.reindex(columns=[p.name for p in pathways], fill_value=0).sort_index()


def evidence_figure(matrix: pd.DataFrame):
    """The map as a grid: darker cells are works cited more often for that pathway."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 0.35 * len(matrix) + 1.4))
    top = max(1, int(matrix.values.max()))
    ax.imshow(matrix.values, cmap="Blues", aspect="auto", vmin=0, vmax=top)
    ax.set_xticks(range(len(matrix.columns)), matrix.columns)
    ax.set_yticks(range(len(matrix.index)), matrix.index)
    for (row, col), value in pd.DataFrame(matrix.values).stack().items():
        if value:
            ax.text(col, row, str(value), ha="center", va="center", fontsize=8,
                    color="white" if value > top / 2 else "black")
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    fig.tight_layout()
    return fig
