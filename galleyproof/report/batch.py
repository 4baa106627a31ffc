"""A batch audit's summary table: one row per manuscript audited in this run, then the totals."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from galleyproof.report.output import count


def shown(path: str) -> str:
    """A manuscript as the table shows it: relative to the working directory when inside it."""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


def batch_table(rows: list[dict]) -> Table:
    table = Table(title="Batch audit", show_lines=False, expand=False)
    table.add_column("manuscript", overflow="fold")
    table.add_column("references", justify="right")
    table.add_column("worst", no_wrap=True)
    table.add_column("statuses / error", overflow="fold")
    for row in rows:
        detail = row["error"] or ", ".join(f"{k} {v}" for k, v in row["statuses"].items())
        refs = "" if row["references"] is None else str(row["references"])
        table.add_row(shown(row["manuscript"]), refs, row["worst"], detail)
    return table


def print_batch(rows: list[dict], batch, console: Console) -> None:
    """The table, then one line: how many audited, failed and skipped, and the throughput."""
    console.print(batch_table(rows))
    rate = batch.references / batch.seconds if batch.seconds else 0.0
    console.print(f"{count(len(rows), 'manuscript')} audited ({len(batch.failed)} failed), "
                  f"{count(len(batch.skipped), 'manuscript')} already in {batch.results}; "
                  f"{count(batch.references, 'reference')} in {batch.seconds:.1f} s "
                  f"({rate:.0f}/s on {count(batch.workers, 'worker')})", highlight=False)
