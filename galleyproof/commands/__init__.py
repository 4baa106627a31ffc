"""One module per CLI subcommand: `add_arguments(parser)` and `run(args) -> int`.

Each calls one or two library functions and formats the result; none holds logic of its own.
"""
