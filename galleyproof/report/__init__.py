"""Findings to terminal, JSON and the self-contained HTML reviewer report."""
