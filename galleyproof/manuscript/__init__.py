"""Manuscripts as data: Quarto Markdown and plain-text readers, the importer."""
