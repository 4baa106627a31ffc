"""Registry answers and lock records checked against a JSON Schema before anything reads them.

The schemas (schemas/*.schema.json) state the types of the fields the audit reads: a Crossref
work trimmed to those fields (title a list of strings, author a list of objects of strings,
date-parts lists of integers ...) and the DataCite attributes we convert. Anything else in an
answer is ignored, never trusted: once a record passed here, compare/fields/run can index it
without type checks, so type-confused or nested JSON is rejected at this one edge instead of
crashing 17 places downstream.

Validator: fastjsonschema, which compiles the schema to Python. The reference implementation,
jsonschema, checks one record in about 2.5 ms here (25 s for a 10,000-record lock, measured);
the compiled validator is about 20 times faster, and both are already pinned (fastjsonschema
comes with nbformat), so the choice adds no dependency. pydantic would add one, and its models
coerce ("7" to 7) where we want to reject.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema

SCHEMAS = Path(__file__).parent / "schemas"


class Invalid(ValueError):
    """A record that does not match its schema; the message names the first offending field."""


@cache
def _validator(name: str) -> Callable[[Any], Any]:
    return fastjsonschema.compile(json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8")))


def check(name: str, data: Any) -> None:
    """Raise Invalid unless `data` matches schemas/`name`.schema.json."""
    try:
        _validator(name)(data)
    except fastjsonschema.JsonSchemaValueException as exc:
        raise Invalid(str(exc)[:200]) from None
    except RecursionError:
        raise Invalid("nested too deeply") from None


def is_work(data: Any) -> bool:
    """Whether `data` is a work the audit can read (a Crossref-shaped record)."""
    try:
        check("work", data)
    except Invalid:
        return False
    return True
