"""The `galleyproof` command: parse arguments, call the library, map errors to exit codes.

Subcommands live in `galleyproof.commands.<name>` and are imported only when they run, so
`galleyproof --help` stays instant. Exit codes are stable: 0 success, 1 findings at or above the
failure threshold or a failed build, 2 bad input or usage.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from galleyproof import __version__
from galleyproof.errors import EXIT_BAD_INPUT, GalleyproofError

# name -> one-line summary; the module galleyproof.commands.<module> does the work.
COMMANDS: dict[str, tuple[str, str]] = {
    "import": ("import_", "turn a Markdown or plain-text manuscript into a Quarto project"),
    "build": ("build", "render the manuscript to HTML, PDF and DOCX (runs the audit and checks too)"),
    "audit": ("audit", "validate every citation against its DOI at Crossref and DataCite"),
    "check": ("check", "find where the manuscript disagrees with itself"),
    "report": ("report", "write the HTML reviewer report (citation audit and claim checks)"),
    "export": ("export", "make a checked submission package for a journal"),
    "registry": ("registry", "keep a local Crossref snapshot for audits without network"),
}

EPILOG = """exit codes:
  0  success
  1  findings at or above the failure threshold, or the build failed
  2  bad input or usage (the message names the file and line)

Run `galleyproof COMMAND --help` for a command's options."""


def _top_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="galleyproof",
        description="Reproducible manuscript builds, citation audits, claim checks and journal "
                    "submission packages.",
        epilog="commands:\n" + "\n".join(f"  {n:<8} {h}" for n, (_, h) in COMMANDS.items()) + "\n\n" + EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"galleyproof {__version__}")
    parser.add_argument("command", nargs="?", choices=list(COMMANDS), metavar="COMMAND")
    return parser


def command_parser(name: str):
    """The argparse parser of one subcommand, and its module."""
    module_name, summary = COMMANDS[name]
    module = importlib.import_module(f"galleyproof.commands.{module_name}")
    parser = argparse.ArgumentParser(
        prog=f"galleyproof {name}",
        description=(module.__doc__ or summary).strip(),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    module.add_arguments(parser)
    return parser, module


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") or argv[0] not in COMMANDS:
        parser = _top_parser()
        if not argv:
            parser.print_help()
            return EXIT_BAD_INPUT
        try:
            parser.parse_args(argv[:1])
        except SystemExit as exc:
            return int(exc.code or 0) if exc.code in (0, None) else EXIT_BAD_INPUT
        return EXIT_BAD_INPUT
    parser, module = command_parser(argv[0])
    try:
        args = parser.parse_args(argv[1:])
    except SystemExit as exc:
        return 0 if exc.code in (0, None) else EXIT_BAD_INPUT
    try:
        return int(module.run(args) or 0)
    except GalleyproofError as exc:
        print(f"galleyproof {argv[0]}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"galleyproof {argv[0]}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
