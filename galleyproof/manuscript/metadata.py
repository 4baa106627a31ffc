"""Document metadata merged as Quarto merges it, and Quarto's author schema normalised.

Order (https://quarto.org/docs/projects/quarto-projects.html, "Shared Metadata"): the project's
`_quarto.yml`, then `_metadata.yml` files from the project root down to the document's folder, then
the document's front matter; later wins, mappings merge key by key, and the list-valued options
that Quarto accumulates (`bibliography`, `css`, `filters`) are concatenated. Paths are resolved against
the file that names them, as Quarto does.

Authors follow Quarto's author schema (https://quarto.org/docs/journals/authors.html): `author` or
`authors`, each a string or a mapping with `name` (string or given/family/literal), `orcid`, `email`,
`corresponding`, `url`, `roles`, and `affiliation(s)` as names, mappings, or `ref:` to an `id` of the
top-level `affiliations` list. Dates accept `today`, `now` and `last-modified`
(https://quarto.org/docs/reference/dates.html).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

ACCUMULATED = ("bibliography", "css", "filters")
PATH_KEYS = ("bibliography", "csl")
PROJECT_ONLY = ("project", "book", "manuscript", "website")


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """`over` on top of `base`: nested mappings merged, accumulated lists concatenated without repeats."""
    out = dict(base)
    for key, value in over.items():
        old = out.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            out[key] = merge(old, value)
        elif key in ACCUMULATED and old is not None and value is not None:
            items = _as_list(old) + [v for v in _as_list(value) if v not in _as_list(old)]
            out[key] = items
        else:
            out[key] = value
    return out


def _as_list(value: Any) -> list:
    return list(value) if isinstance(value, list) else [value]


def absolute_paths(meta: dict[str, Any], folder: Path) -> dict[str, Any]:
    """`bibliography` and `csl` resolved against the folder of the file that names them."""
    out = dict(meta)
    for key in PATH_KEYS:
        value = out.get(key)
        if isinstance(value, str) and value:
            out[key] = str((folder / value).resolve())
        elif isinstance(value, list):
            out[key] = [str((folder / str(v)).resolve()) for v in value if v]
    return out


def resolve_date(value: Any, source: Path | None) -> Any:
    """`today`/`now` -> today's date, `last-modified` -> the document's modification date (ISO)."""
    if not isinstance(value, str):
        return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value
    keyword = value.strip().lower()
    if keyword in ("today", "now"):
        return dt.date.today().isoformat()
    if keyword == "last-modified" and source is not None and source.exists():
        return dt.date.fromtimestamp(source.stat().st_mtime).isoformat()
    return value


def authors(meta: dict[str, Any]) -> list[dict[str, Any]]:
    """Quarto's normalised authors: name (text), orcid, email, url, corresponding, affiliations (mappings
    with `id` and `name`), in order, with `affiliations: - ref: id` resolved against `meta["affiliations"]`."""
    raw = meta.get("author", meta.get("authors"))
    if raw is None:
        return []
    known = {str(a.get("id")): a for a in _as_list(meta.get("affiliations") or []) if isinstance(a, dict)}
    out = []
    for item in _as_list(raw):
        if isinstance(item, str):
            out.append({"name": item, "affiliations": []})
        elif isinstance(item, dict):
            out.append(_author(item, known))
    return out


def _author(item: dict, known: dict[str, dict]) -> dict[str, Any]:
    name = item.get("name", "")
    if isinstance(name, dict):
        name = name.get("literal") or " ".join(filter(None, [name.get("given"), name.get("family")]))
    author: dict[str, Any] = {"name": str(name)}
    for key in ("orcid", "email", "url", "corresponding", "equal-contributor", "note", "roles"):
        if item.get(key) not in (None, "", []):
            author[key] = item[key]
    raw = item.get("affiliations", item.get("affiliation"))
    author["affiliations"] = [_affiliation(a, known) for a in _as_list(raw)] if raw else []
    author["affiliations"] = [a for a in author["affiliations"] if a.get("name")]
    author["structured"] = not isinstance(raw, str)  # `affiliation: Name` is a plain string
    return author


def _affiliation(value: Any, known: dict[str, dict]) -> dict[str, Any]:
    if isinstance(value, dict):
        if "ref" in value:
            found = known.get(str(value["ref"]), {})
            return {k: str(v) for k, v in found.items() if v is not None}
        return {k: str(v) for k, v in value.items() if v is not None}
    text = str(value)
    return dict(known.get(text, {"name": text}))


def affiliation_text(affiliation: dict[str, Any]) -> str:
    """'Department of X, University of Y' from an affiliation mapping."""
    return ", ".join(str(affiliation[k]) for k in ("department", "name") if affiliation.get(k))


def flat_author(author: dict[str, Any]) -> dict[str, Any]:
    """An author for pandoc's templates and our writers: name, affiliation (text), email, orcid..., with
    the structured affiliations kept when the source gave them."""
    flat: dict[str, Any] = {"name": author["name"]}
    text = "; ".join(affiliation_text(a) for a in author["affiliations"])
    if text:
        flat["affiliation"] = text
    for key in ("email", "orcid", "url", "corresponding", "equal-contributor", "note"):
        if author.get(key) not in (None, "", False):
            flat[key] = author[key]
    if author.get("structured") and author["affiliations"]:
        flat["affiliations"] = author["affiliations"]
    return flat


def affiliations(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Quarto's `by-affiliation`: each distinct affiliation once, numbered from 1 when it has no `id`."""
    seen: dict[str, dict[str, Any]] = {}
    for person in people:
        for affiliation in person["affiliations"]:
            key = affiliation_text(affiliation)
            if key not in seen:
                seen[key] = {**affiliation, "id": affiliation.get("id") or str(len(seen) + 1)}
            affiliation["id"] = seen[key]["id"]
    return list(seen.values())
