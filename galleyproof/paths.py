"""One path policy for every file a manuscript can make galleyproof read or write.

A manuscript is untrusted input: a `_quarto.yml`, a front matter or a Markdown image names paths, and a
project can ship symbolic links. The policy:

- every path a manuscript names is resolved (symbolic links followed) and must lie inside the project;
- outputs go only under the output folder, itself inside the project; `book.output-file` is a plain
  file name; a file about to be written must not be a symbolic link (it is replaced, never followed);
- images and other resources the Markdown embeds (`![](...)`, `<img src>`, `{{< include >}}`) are
  refused with file and line when they lie outside the project, before pandoc runs (pandoc's
  `--embed-resources` and its DOCX writer copy whatever local file an image names).

Every refusal is a `PathError` (an InputError) naming the file and line that asked for the path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from galleyproof.errors import InputError, PathError

# A scheme that names a network or inline resource, not a local file (`file:` is a local file).
# The project's build cache (cells, prose readings, templates, the import record); never an output.
BUILD_CACHE = ".galleyproof-cache"

_URL = re.compile(r"^[a-z][a-z0-9+.\-]*:", re.IGNORECASE)
_HTML_TAG = re.compile(r"<(img|video|audio|source|embed|script|iframe|track|object|link|input)\b([^<>]{0,4000})>",
                       re.IGNORECASE)
_HTML_ATTR = re.compile(r"""\b(src|href|data|poster)\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+)""", re.IGNORECASE)
_INCLUDE = re.compile(r"\{\{<\s*include\s+([^\s>]+)\s*>\}\}")
_REF_DEFINITION = re.compile(r"^ {0,3}\[([^\]]{1,999})\]:[ \t]*(<[^>\n]*>|\S+)")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


def is_inside(path: Path | str, root: Path | str) -> bool:
    """Whether `path`, symbolic links followed, is `root` or lies under it."""
    real, base = Path(path).resolve(), Path(root).resolve()
    return real == base or base in real.parents


def inside_project(value: str | Path, root: Path, *, base: Path | None = None, what: str = "path",
                   source: Path | str | None = None, line: int | None = None,
                   error: type[InputError] = PathError) -> Path:
    """`value` resolved against `base` (default: `root`); `error` (PathError) unless it lies inside `root`."""
    path = (Path(base or root) / Path(value)).resolve()
    if not is_inside(path, root):
        raise error(f"{what} {str(value)!r} lies outside the project", source, line)
    return path


def output_dir(root: Path, value: str, *, source: Path | str | None = None, line: int | None = None) -> Path:
    """The output folder: inside the project (a symbolic link to elsewhere is refused), not the project."""
    path = inside_project(value, root, what="output directory", source=source, line=line)
    if path == Path(root).resolve():
        raise PathError(f"output directory {value!r} is the project itself", source, line)
    return path


def output_name(value: str, *, what: str = "output-file", source: Path | str | None = None,
                line: int | None = None) -> str:
    """A plain file name for an output (no folder, no `..`): Quarto's `output-file` names a file."""
    name = str(value)
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\x00" in name:
        raise PathError(f"{what} {name!r} must be a plain file name, without folders", source, line)
    return name


def unlinked(path: Path) -> Path:
    """`path` ready to be written: a symbolic link in its place (a project can ship one) is removed first,
    so the writer creates a new file there instead of writing through the link to wherever it points."""
    path = Path(path)
    if path.is_symlink():
        path.unlink()
    return path


@dataclass(frozen=True)
class Resource:
    target: str  # as written
    line: int  # 1-based, within the text scanned
    kind: str  # "image" | "html" | "include"


def resources(text: str) -> list[Resource]:
    """Every local file the Markdown asks to embed: images (inline and by reference), HTML media tags,
    Quarto includes. Fenced code and inline code are not read. Linear in the length of `text`."""
    found: list[Resource] = []
    image_labels: dict[str, int] = {}
    definitions: dict[str, tuple[str, int]] = {}
    fence = ""
    for number, line in enumerate(text.splitlines(), 1):
        fence_match = _FENCE.match(line)
        if fence_match and (not fence or fence_match.group(1).startswith(fence)):
            fence = "" if fence else fence_match.group(1)
            continue
        if fence:
            continue
        definition = _REF_DEFINITION.match(line)
        if definition:
            definitions.setdefault(_label(definition.group(1)), (definition.group(2).strip("<>"), number))
        prose = _without_code_spans(line)
        for target, label in _images(prose):
            if target is not None:
                found.append(Resource(target, number, "image"))
            else:
                image_labels.setdefault(_label(label), number)
        for tag in _HTML_TAG.finditer(prose):
            found += [Resource(m.group(2).strip("\"'"), number, "html") for m in _HTML_ATTR.finditer(tag.group(2))]
        found += [Resource(m.group(1).strip("\"'"), number, "include") for m in _INCLUDE.finditer(prose)]
    for label in image_labels:
        if label in definitions:
            target, number = definitions[label]
            found.append(Resource(target, number, "image"))
    return found


def _label(text: str) -> str:
    return " ".join(text.split()).casefold()


def _without_code_spans(line: str) -> str:
    """The line with `inline code` blanked (same length, so positions hold)."""
    out, index = [], 0
    while index < len(line):
        if line[index] == "`":
            run = len(line) - len(line[index:].lstrip("`"))
            close = line.find("`" * run, index + run)
            if close != -1:
                out.append(" " * (close + run - index))
                index = close + run
                continue
            out.append(line[index:index + run])
            index += run
            continue
        out.append(line[index])
        index += 1
    return "".join(out)


def _images(line: str) -> Iterator[tuple[str | None, str]]:
    """(target, alt) of each `![alt](target)`, or (None, label) of `![alt][label]` / `![label]`.
    One pass with a stack of open brackets, so nested brackets in the alt text cost nothing extra."""
    stack: list[tuple[int, bool]] = []  # (index of '[', opened by '![')
    index, bang = 0, -2  # bang: index of the last unescaped '!'
    while index < len(line):
        char = line[index]
        if char == "\\":
            index += 2
            continue
        if char == "!":
            bang = index
        elif char == "[":
            stack.append((index, bang == index - 1))
        elif char == "]" and stack:
            start, is_image = stack.pop()
            if is_image:
                alt = line[start + 1:index]
                rest = line[index + 1:]
                if rest.startswith("("):
                    yield _target(rest[1:]), alt
                elif rest.startswith("["):
                    close = rest.find("]")
                    yield None, (rest[1:close] if close > 1 else alt)
                else:
                    yield None, alt
        index += 1


def _target(rest: str) -> str:
    """The destination at the start of `rest` (after `(`): `<...>` or up to whitespace or unbalanced `)`."""
    rest = rest.lstrip()
    if rest.startswith("<"):
        close = rest.find(">")
        return rest[1:close] if close != -1 else rest[1:]
    depth, end = 0, 0
    while end < len(rest) and not rest[end].isspace():
        if rest[end] == "(":
            depth += 1
        elif rest[end] == ")":
            if depth == 0:
                break
            depth -= 1
        end += 1
    return rest[:end]


def local_path(target: str) -> str | None:
    """The local file a resource target names (`file:` URLs and percent-escapes decoded), or None for a
    network or inline resource (`https:`, `data:`) or an in-document anchor."""
    if not target or target.startswith("#"):
        return None
    if _URL.match(target):
        parts = urlsplit(target)
        if parts.scheme.lower() != "file":
            return None
        return unquote(parts.path) or "/"
    return unquote(target.split("#", 1)[0].split("?", 1)[0]) or None


def check_resources(text: str, root: Path, *, source: Path | str, bases: tuple[Path, ...] = (),
                    first_line: int = 1) -> None:
    """A PathError (file and line) for the first embedded resource outside `root`, resolved against the
    project root and each of `bases` (pandoc's --resource-path), as pandoc would look for it."""
    for resource in resources(text):
        path = local_path(resource.target)
        if path is None:
            continue
        for base in (root, *bases):
            if not is_inside(Path(base) / PurePosixPath(path), root):
                kind = {"image": "image", "html": "embedded file", "include": "included file"}[resource.kind]
                raise PathError(f"{kind} {resource.target!r} lies outside the project", source,
                                first_line + resource.line - 1)
