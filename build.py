#!/usr/bin/env python3
"""Build the manuscript: `python build.py [options]`, or `python build.py export --journal ID`.

A thin entry point over the galleyproof CLI: `python build.py ARGS` is `galleyproof build ARGS`,
and `python build.py COMMAND ARGS` (export, audit, check, report, import) is `galleyproof COMMAND ARGS`.
"""

import sys

from galleyproof.cli import COMMANDS, main

if __name__ == "__main__":
    args = sys.argv[1:]
    if not args or args[0] not in COMMANDS:
        args = ["build", *args]
    sys.exit(main(args))
