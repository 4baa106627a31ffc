"""The exceptions galleyproof raises, and what each means to the user.

    GalleyproofError            root; carries an optional path and line
    ├── InputError              bad input or usage: exit code 2
    │   ├── ConfigError         _quarto.yml, galleyproof.yml, a journal profile or lexicon is unreadable
    │   ├── BibliographyError   references.bib (or another bibliography) is missing or malformed
    │   ├── CitationKeyError    a manuscript cites a key the bibliography does not define
    │   ├── ManuscriptError     a manuscript file cannot be read or parsed
    │   ├── UsageError          the command line asks for something impossible
    │   └── PathError           a path leads outside the project (or an output outside its folder)
    └── BuildError              the build ran and failed: exit code 1
        ├── CellError           a code cell raised while executing
        ├── RenderError         pandoc, typst or quarto failed
        ├── RegistryError       Crossref/DataCite could not be reached or answered nonsense
        └── ExportError         a submission package could not be written

Library code raises these; only the CLI turns them into one sentence and an exit code.
"""

from __future__ import annotations

from pathlib import Path

EXIT_OK = 0
EXIT_FINDINGS = 1  # a policy (--fail-on, --strict) turned findings into failure
EXIT_BUILD_FAILED = 1
EXIT_BAD_INPUT = 2


class GalleyproofError(Exception):
    """Root of every error galleyproof raises on purpose."""

    exit_code = EXIT_BUILD_FAILED

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line

    def location(self) -> str:
        if self.path and self.line:
            return f"{self.path}:{self.line}"
        return self.path or ""

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message


class InputError(GalleyproofError):
    """The input is wrong; the user must change a file or the command line."""

    exit_code = EXIT_BAD_INPUT


class ConfigError(InputError):
    """A configuration file (_quarto.yml, galleyproof.yml, a profile, a lexicon) is invalid."""


class BibliographyError(InputError):
    """A bibliography file is missing or cannot be parsed."""


class CitationKeyError(InputError):
    """A citation key used in the manuscript is not defined in the bibliography."""


class ManuscriptError(InputError):
    """A manuscript file is missing or cannot be parsed."""


class UsageError(InputError):
    """The command line asks for something that cannot be done."""


class BuildError(GalleyproofError):
    """The build ran and failed."""


class CellError(BuildError):
    """A code cell raised an exception while executing."""


class RenderError(BuildError):
    """An external renderer (pandoc, typst, quarto) failed."""


class RegistryError(BuildError):
    """A metadata registry could not be reached or returned an unusable answer."""


class ExportError(BuildError):
    """A submission package could not be produced."""


class PathError(InputError):
    """A path the manuscript names lies outside the project, or an output would land outside its folder."""
