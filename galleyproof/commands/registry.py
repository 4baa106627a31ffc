"""Keep a local copy of Crossref's registry, so audits need no network and no rate limit.

    galleyproof registry import PATH...   add public-data-file JSON lines (gzip or plain) to the snapshot;
                                          an interrupted import resumes where it stopped
    galleyproof registry update PATH      apply a JSON-lines delta: newer records replace older by DOI
    galleyproof registry synth N OUT      write N synthetic works grown from a sample (benches, tests)
    galleyproof registry info             how many works the snapshot holds

Audit from it with `galleyproof audit --registry snapshot:FILE`. The snapshot is one SQLite file
(default: crossref-snapshot.sqlite here, or --snapshot FILE).
"""

from __future__ import annotations

from pathlib import Path

from galleyproof.errors import EXIT_OK
from galleyproof.report.output import stderr_console, stdout_console

DEFAULT_SNAPSHOT = Path("crossref-snapshot.sqlite")
SAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "crossref-sample" / "works.jsonl"


def add_arguments(parser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, helptext in (("import", "add public-data-file JSON lines to the snapshot (resumable)"),
                           ("update", "apply a JSON-lines delta: newer records replace older by DOI"),
                           ("info", "how many works and prefixes the snapshot holds")):
        sub = actions.add_parser(name, help=helptext, description=helptext)
        sub.add_argument("--snapshot", type=Path, default=DEFAULT_SNAPSHOT, metavar="FILE",
                         help=f"the snapshot file (default: {DEFAULT_SNAPSHOT})")
        if name == "import":
            sub.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="JSON-lines files, gzip or plain")
        elif name == "update":
            sub.add_argument("paths", nargs=1, type=Path, metavar="PATH", help="the delta, JSON lines")
    synth = actions.add_parser("synth", help="write N synthetic works grown from a sample of real ones",
                               description="write N synthetic works grown from a sample of real ones")
    synth.add_argument("count", type=int, metavar="N", help="how many works (the sample's own come first)")
    synth.add_argument("output", type=Path, metavar="OUT", help="JSON-lines file to write (.gz compresses)")
    synth.add_argument("--sample", type=Path, default=SAMPLE, metavar="FILE",
                       help="real works to grow from (default: ../shared/crossref-sample/works.jsonl)")
    synth.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")


def _load(args) -> int:
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    from galleyproof.registry.snapshot import Snapshot
    from galleyproof.registry.snapshot_load import apply_delta, import_files, total_bytes

    err = stderr_console()
    bar = Progress(TextColumn(args.action + "ing"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                   console=err, transient=True)
    with Snapshot.create(args.snapshot) as snapshot, bar:
        task = bar.add_task("", total=total_bytes(args.paths))
        advance = lambda n: bar.update(task, advance=n)  # noqa: E731
        result = (import_files(snapshot, args.paths, advance) if args.action == "import"
                  else apply_delta(snapshot, args.paths[0], advance))
        total = snapshot.count()
    for path in result.resumed:
        err.print(f"resumed {path} where an earlier run stopped")
    for path in result.skipped:
        err.print(f"skipped {path}: already imported")
    err.print(f"{args.action}: {result.lines} lines from {result.files} file(s), {result.stored} works stored; "
              f"{args.snapshot} holds {total} works")
    return EXIT_OK


def _info(args) -> int:
    from galleyproof.registry.snapshot import Snapshot

    with Snapshot.open(args.snapshot) as snapshot:
        stdout_console().print(f"{args.snapshot}: {snapshot.count()} works, {snapshot.prefix_count()} prefixes, "
                               f"{snapshot.notice_count()} update notices")
    return EXIT_OK


def _synth(args) -> int:
    from galleyproof.registry.synth import read_jsonl, synthesize, write_jsonl

    written = write_jsonl(args.output, synthesize(read_jsonl(args.sample), args.count, args.seed))
    stderr_console().print(f"wrote {written} works to {args.output}")
    return EXIT_OK


def run(args) -> int:
    return {"import": _load, "update": _load, "info": _info, "synth": _synth}[args.action](args)
