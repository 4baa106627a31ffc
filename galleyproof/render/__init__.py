"""Rendering: the embedded engine (nbclient + pandoc + typst), the Quarto backend, the cell cache."""
