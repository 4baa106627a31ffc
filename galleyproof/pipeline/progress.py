"""Progress of a build: what the pipeline reports while it works, and two ways to show it.

The library reports through a `Reporter` passed in by the caller; it never prints. The CLI passes a
`RichReporter` (a rich progress display on stderr); tests and library callers pass nothing and get
`NullReporter`, or a `RecordingReporter` to see what happened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # rich loads only when a progress display is shown
    from rich.progress import TaskID


class Reporter(Protocol):
    def stage(self, name: str, total: int) -> None:
        """A stage with `total` items begins ("chapters", "formats")."""

    def item(self, stage: str, name: str, status: str) -> None:
        """One item of a stage finished with `status` ("executed", "cached", "written", ...)."""

    def advance(self, stage: str, name: str) -> None:
        """One small item of a stage is done (a reference audited): move the bar, print nothing."""

    def warn(self, message: str) -> None:
        """Something the user should see that does not stop the build."""

    def info(self, message: str) -> None:
        """A one-line summary (a step's result)."""

    def close(self) -> None:
        """The build is over; stop any live display."""


class NullReporter:
    def stage(self, name: str, total: int) -> None: ...
    def item(self, stage: str, name: str, status: str) -> None: ...
    def advance(self, stage: str, name: str) -> None: ...
    def warn(self, message: str) -> None: ...
    def info(self, message: str) -> None: ...
    def close(self) -> None: ...


@dataclass
class RecordingReporter(NullReporter):
    """Keeps every event: for tests and for callers that format events themselves."""

    events: list[tuple[str, ...]] = field(default_factory=list)

    def stage(self, name: str, total: int) -> None:
        self.events.append(("stage", name, str(total)))

    def item(self, stage: str, name: str, status: str) -> None:
        self.events.append(("item", stage, name, status))

    def warn(self, message: str) -> None:
        self.events.append(("warn", message))

    def info(self, message: str) -> None:
        self.events.append(("info", message))

    def items(self, stage: str) -> dict[str, str]:
        return {e[2]: e[3] for e in self.events if e[0] == "item" and e[1] == stage}


class RichReporter:
    """A rich progress bar per stage on stderr, one line per finished item."""

    def __init__(self, console=None):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from galleyproof.report.output import stderr_console

        self.console = console or stderr_console()
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=self.console, transient=True)
        self.tasks: dict[str, TaskID] = {}

    def stage(self, name: str, total: int) -> None:
        if not self.tasks:  # start with the first stage: a build that fails early shows no empty bar
            self.progress.start()
        self.tasks[name] = self.progress.add_task(name, total=total)

    def item(self, stage: str, name: str, status: str) -> None:
        self.progress.console.print(f"  {stage[:-1] if stage.endswith('s') else stage} {name}: {status}")
        if stage in self.tasks:
            self.progress.advance(self.tasks[stage])

    def advance(self, stage: str, name: str) -> None:
        if stage in self.tasks:
            self.progress.update(self.tasks[stage], advance=1, description=f"{stage}: {name}")

    def warn(self, message: str) -> None:
        self.progress.console.print(f"[yellow]warning:[/] {message}")

    def info(self, message: str) -> None:
        self.progress.console.print(message)

    def close(self) -> None:
        if self.tasks:
            self.progress.stop()


class AuditProgress:
    """The audit's progress calls (galleyproof.audit.run.Reporter: start/advance/warning) through a Reporter:
    the build and the audit command show one kind of progress."""

    def __init__(self, reporter: Reporter, stage: str):
        self.reporter, self.stage = reporter, stage

    def start(self, total: int) -> None:
        self.reporter.stage(self.stage, total)

    def advance(self, label: str) -> None:
        self.reporter.advance(self.stage, label)

    def warning(self, message: str) -> None:
        self.reporter.warn(message)

    def stop(self) -> None:
        self.reporter.close()
