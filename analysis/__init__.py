"""The manuscript's own analysis code, imported by the cells of chapters/appendix-evidence.qmd.

Plain modules run from the project root (Quarto's `execute-dir: project`); not part of galleyproof.
Every table and figure is computed from the project's files: references.bib, the chapters, and the
citation audit report the build writes to _output/reports/audit.json.
"""
