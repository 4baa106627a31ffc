"""Where command output goes: results to stdout (or --output), progress and warnings to stderr.

Keeping results on stdout and everything else on stderr lets `--format json` pipe cleanly.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

from galleyproof.fileio import atomic_write_text

FORMATS = ("table", "json", "html")


def add_output_arguments(parser, formats: tuple[str, ...] = FORMATS, default: str = "table") -> None:
    parser.add_argument("--format", choices=formats, default=default,
                        help=f"output format (default: {default}); json is a stable contract, see README")
    parser.add_argument("--output", "-o", type=Path, metavar="FILE",
                        help="write the result to FILE instead of standard output")


def stderr_console() -> Console:
    """Progress bars and warnings: never mixed into piped results."""
    return Console(stderr=True, highlight=False)


def stdout_console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def count(n: int, noun: str, plural: str | None = None) -> str:
    """count(1, "error") -> "1 error"; count(2, "error") -> "2 errors"."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def emit_text(text: str, output: Path | None) -> None:
    if output:
        atomic_write_text(output, text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def emit_json(data: Any, output: Path | None) -> None:
    emit_text(to_json(data), output)
