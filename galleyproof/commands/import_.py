"""Turn a Markdown or plain-text manuscript into a Quarto book project.

Reads SOURCE (a .txt or .md draft: title, author, abstract, numbered sections, an APA reference
list) and writes into DIR: _quarto.yml (only when absent, unless --force), index.qmd with the
front matter and abstract, one chapters/NN-slug.qmd per top-level section, chapters/references.qmd,
references.bib and apa.csl. Author-year citations become pandoc citations ([@neff2003]); the
author's prose is otherwise carried over exactly as written.

What cannot be mapped (a citation with no reference, a reference never cited, mixed heading
numbering, heading levels out of order, duplicate references, dropped web boilerplate) is listed
with its SOURCE line. These are warnings: the import still completes and exits 0.

Importing an updated draft into the same DIR updates it: chapters the last import wrote and nobody
edited take the new text, _quarto.yml keeps your edits and gets the new chapter list, and the chapters
added, removed and renamed are listed. A file you edited since is never overwritten without --force.
A leading YAML front matter block (--- ... ---) is kept as the metadata of index.qmd.
"""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from galleyproof.manuscript.importer import import_manuscript
from galleyproof.report.output import add_output_arguments, emit_json, emit_text, stderr_console, stdout_console


def add_arguments(parser) -> None:
    parser.add_argument("source", type=Path, metavar="SOURCE", help="the manuscript text to import")
    parser.add_argument("--into", type=Path, required=True, metavar="DIR",
                        help="project directory to write (created if missing)")
    parser.add_argument("--force", action="store_true",
                        help="overwrite _quarto.yml and files changed since an earlier import")
    add_output_arguments(parser, formats=("table", "json"))


def run(args) -> int:
    result = import_manuscript(args.source, args.into, force=args.force)
    if args.format == "json":
        emit_json(result.as_dict(), args.output)
    else:
        _print_table(result, args.output)
    err = stderr_console()
    err.print(f"imported {args.source} into {args.into}: {len(result.chapters)} chapters, "
              f"{result.references} references, {result.citations} citations; "
              f"{len(result.written)} files written, {len(result.unchanged)} unchanged"
              + (f", kept existing {', '.join(result.kept)}" if result.kept else "")
              + f"; {len(result.issues)} issues")
    if result.changes:
        err.print(f"chapters in _quarto.yml: {result.changes.describe()}", soft_wrap=True)
    for name in result.deleted:
        err.print(f"deleted {name}: no longer a chapter, and unchanged since the last import", soft_wrap=True)
    for name in result.left:
        err.print(f"left {name} in place: no longer a chapter, but edited since the last import", soft_wrap=True)
    return 0


def _print_table(result, output: Path | None) -> None:
    table = Table(title="Import issues (warnings)", show_lines=False)
    table.add_column("line", justify="right")
    table.add_column("kind", no_wrap=True)
    table.add_column("message", ratio=3, overflow="fold")
    table.add_column("source text", ratio=2, overflow="fold")
    for issue in result.issues:
        text = issue.text if len(issue.text) <= 70 else issue.text[:69] + "…"
        table.add_row(str(issue.line or ""), issue.kind, issue.message, text)
    if output:
        console = stdout_console()
        with console.capture() as capture:
            console.print(table)
        emit_text(capture.get(), output)
    elif result.issues:
        stdout_console().print(table)
