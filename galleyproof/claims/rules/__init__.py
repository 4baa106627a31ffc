"""Claim rules, one module each, found through this registry.

A rule module has `check(ctx: CheckContext) -> list[Finding]` (severities come from rules.yaml).
Adding a rule means adding a module and a line here.
"""

from __future__ import annotations

import importlib

RULES = (
    "conflicts",
    "summary_entities",
    "abbreviations",
    "duplicates",
    "uncited",
    "quantities",
    "citation_variants",
    "citation_keys",
    "numbering",
)


def load(name: str):
    return importlib.import_module(f"galleyproof.claims.rules.{name}")
