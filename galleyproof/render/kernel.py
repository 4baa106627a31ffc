"""Execute one chapter's Python cells in a real Jupyter kernel (nbclient + ipykernel).

Like Quarto with `execute-dir: project` (https://quarto.org/docs/projects/code-execution.html),
the kernel's working directory is the project root, so cells import `analysis` and read data by
paths relative to it. A hidden set-up cell installs an audit hook (PEP 578, event "open") that records
every file the chapter's cells open for reading; a report cell after them adds the modules imported, and
the cache keys results on all of it as render.inputs names it (installed packages by version).
Failures follow nbclient's CellExecutionError (ename, evalue), re-raised as a CellError that points at
the cell's fence line in the .qmd.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import NoSuchKernel
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from galleyproof.errors import CellError, RenderError
from galleyproof.render.inputs import KernelReport, names

KERNEL_NAME = "python3"
SOURCE_DATE_EPOCH = "315532800"  # 1980-01-01: a fixed date for anything that stamps one

# Runs before the chapter's cells; its outputs are discarded.
SETUP = r'''
import os as _gp_os, sys as _gp_sys
_gp_reads = set()
def _gp_audit(event, args):
    if event == "open" and _gp_reads is not None:
        path, mode, flags = (tuple(args) + (None, None, None))[:3]
        if isinstance(path, int) or path is None:
            return
        writing = any(c in mode for c in "wax+") if isinstance(mode, str) else bool((flags or 0) & 3)
        if not writing:
            path = _gp_os.fsdecode(path)
            _gp_reads.add(path if _gp_os.path.isabs(path) else _gp_os.path.join(_gp_os.getcwd(), path))
_gp_sys.addaudithook(_gp_audit)
# No "Software" text chunk: PNG bytes then depend only on the figure, not the matplotlib version.
from matplotlib_inline.config import InlineBackend as _gp_inline
_gp_inline.instance().print_figure_kwargs = {"bbox_inches": "tight", "metadata": {"Software": None}}
'''

# Runs after the chapter's cells; prints as JSON the files read and the module files imported, with the
# interpreter and its standard library (both standard-library paths: in a venv `platstdlib` would name
# the venv), so that render.inputs names installed files by distribution and the stdlib by interpreter.
REPORT = r'''
import json as _gp_json, sysconfig as _gp_sysconfig
_gp_files = set(_gp_reads)
_gp_files.update(getattr(m, "__file__", None) or "" for m in list(_gp_sys.modules.values()))
_gp_reads = None
print(_gp_json.dumps({
    "files": sorted(f for f in _gp_files if isinstance(f, str) and f),
    "executable": _gp_sys.executable or "",
    "stdlib": sorted({_gp_sysconfig.get_path("stdlib"),
                      _gp_sysconfig.get_path("platstdlib", vars={"platbase": _gp_sys.base_exec_prefix})}),
}))
'''


@dataclass
class ChapterRun:
    """Outputs of each cell (nbformat output dicts), what the cells read (render.inputs names), and where the
    time went."""

    outputs: list[list[dict]]
    reads: list[str]
    kernel_seconds: float = 0.0
    execute_seconds: float = 0.0
    kernel_name: str = KERNEL_NAME


def kernel_identity(kernel_name: str = KERNEL_NAME) -> str:
    """What the cache keys on for the kernel: its name, the Python that runs it, and galleyproof's version
    (cells may import galleyproof, which lies outside the project's tracked files when installed)."""
    from galleyproof import __version__

    python = ".".join(str(part) for part in sys.version_info[:3])
    return f"{kernel_name}/galleyproof-{__version__}/python-{python}"


# What to install for a language the document's cells are written in, when no kernel runs it.
INSTALL_HINTS = {
    "r": "install R and its Jupyter kernel (R -e 'install.packages(\"IRkernel\"); IRkernel::installspec()'), "
         "or render with Quarto and knitr (--engine quarto)",
    "julia": "install Julia and IJulia (julia -e 'using Pkg; Pkg.add(\"IJulia\")')",
}


def installed_kernels() -> dict[str, str]:
    """Installed Jupyter kernels: name -> language (lower case)."""
    from jupyter_client.kernelspec import KernelSpecManager

    manager = KernelSpecManager()
    found = {}
    for name in manager.find_kernel_specs():
        try:
            found[name] = manager.get_kernel_spec(name).language.lower()
        except Exception:  # a broken kernelspec on the machine is not the document's problem
            continue
    return found


def choose_kernel(meta: dict, notebook, cells: list, name: str, knitr_line: int | None = None) -> tuple[str, str]:
    """(kernel name, language) for a document, as Quarto chooses its engine
    (https://quarto.org/docs/computations/execution-options.html#engine-binding): the `jupyter:` key
    (a kernel name or a `kernelspec`), a notebook's own kernelspec, else the language of its first cell.
    `engine: knitr` or R cells run only when an R Jupyter kernel is installed; otherwise one error says
    which file, which line and what to install."""
    kernels = installed_kernels()
    wanted = meta.get("jupyter")
    if isinstance(wanted, dict):
        wanted = (wanted.get("kernelspec") or {}).get("name") or wanted.get("kernel")
    wanted = str(wanted) if wanted else (notebook.kernel if notebook is not None and notebook.kernel else "")
    languages = [c.language.lower() for c in cells if c.language.lower() not in ("mermaid", "ojs", "dot", "graphviz")]
    knitr = meta.get("engine") == "knitr" or (not wanted and ("r" in languages or knitr_line is not None))
    if knitr:
        wanted = next((k for k, lang in kernels.items() if lang == "r"), "")
        if not wanted:
            line = next((c.line for c in cells if c.language.lower() == "r"), knitr_line or 1)
            raise RenderError(f"this document's R cells need an R kernel, and none is installed: "
                              f"{INSTALL_HINTS['r']}", name, line)
    if not wanted:
        language = languages[0] if languages else (notebook.language if notebook is not None else "python")
        wanted = KERNEL_NAME if language == "python" else next((k for k, lang in kernels.items()
                                                                if lang == language), "")
        if not wanted:
            line = next((c.line for c in cells if c.language.lower() == language), 1)
            raise RenderError(foreign_cells_message(language, ""), name, line)
    if wanted not in kernels:
        raise RenderError(f"no Jupyter kernel named {wanted!r} is installed (installed: "
                          f"{', '.join(sorted(kernels)) or 'none'})", name, 1)
    return wanted, kernels[wanted]


def foreign_cells_message(language: str, kernel_language: str, *, inline: bool = False) -> str:
    what = "inline code" if inline else "cells"
    hint = INSTALL_HINTS.get(language, f"install a Jupyter kernel for {language}")
    if kernel_language:
        return (f"{language} {what} in a {kernel_language} document: the embedded engine runs one Jupyter kernel "
                f"per document ({hint})")
    return f"no Jupyter kernel runs {language} {what}: {hint}"


def kernel_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(PYTHONHASHSEED="0", SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH, MPLBACKEND="module://matplotlib_inline.backend_inline")
    return env


def figure_setup(fig_dpi: int | None) -> str:
    """Kernel set-up for Quarto's `fig-dpi`: the resolution matplotlib figures are written at."""
    if not fig_dpi:
        return ""
    # Assign a new dict: the backend re-registers its formatter only when the trait itself is set.
    return ("_gp_inline.instance().print_figure_kwargs = "
            f'{{**_gp_inline.instance().print_figure_kwargs, "dpi": {int(fig_dpi)}}}\n')


OWN_CELL_TIMEOUT = 600  # seconds for galleyproof's own set-up and report cells


def execute_chapter(sources: list[str | None], *, cwd: Path, chapter: str, lines: list[int],
                    kernel_name: str = KERNEL_NAME, timeout: int = 600, fig_dpi: int | None = None,
                    code_lines: list[int] | None = None, ready: Callable[[], object] | None = None) -> ChapterRun:
    """Run `sources` in order in one fresh kernel; a None source (`eval: false`) is skipped. `ready`
    blocks until the files the cells may read are written (the build's reports): the kernel starts
    meanwhile.

    Raises CellError naming `chapter` and the line that failed: the cell's first source line
    (`code_lines`) plus the line IPython's traceback gives, else the cell's fence line (`lines`).
    """
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(SETUP + figure_setup(fig_dpi))]
    nb.cells += [nbformat.v4.new_code_cell(s or "") for s in sources]
    nb.cells.append(nbformat.v4.new_code_cell(REPORT))
    client = NotebookClient(nb, kernel_name=kernel_name, timeout=timeout, allow_errors=False,
                            resources={"metadata": {"path": str(cwd)}})
    started = time.perf_counter()
    run = ChapterRun(outputs=[], reads=[], kernel_name=kernel_name)
    try:
        # The kernel process's own stderr carries only start-up chatter (a TCP transport notice);
        # what the cells print reaches us through the messaging protocol.
        with client.setup_kernel(env=kernel_env(), cwd=str(cwd), stderr=subprocess.DEVNULL):
            run.kernel_seconds = time.perf_counter() - started
            executing = time.perf_counter()
            # The document's per-cell timeout is for its own cells: our set-up and report cells
            # (imports of matplotlib and friends) may take longer than a short timeout on a busy machine.
            _execute(client, nb, 0, chapter, None, timeout=max(timeout, OWN_CELL_TIMEOUT))
            if ready is not None:
                ready()
            for index, source in enumerate(sources, 1):
                if source is not None:
                    first_code = code_lines[index - 1] if code_lines else None
                    _execute(client, nb, index, chapter, lines[index - 1], first_code, timeout=timeout)
            _execute(client, nb, len(nb.cells) - 1, chapter, None, timeout=max(timeout, OWN_CELL_TIMEOUT))
            run.execute_seconds = time.perf_counter() - executing
            stopping = time.perf_counter()
        run.kernel_seconds += time.perf_counter() - stopping
    except DeadKernelError as exc:
        raise CellError(f"the Jupyter kernel died: {exc}", chapter) from None
    except NoSuchKernel:
        raise RenderError(f"no Jupyter kernel named {kernel_name!r} is installed (ipykernel provides "
                          "'python3')", chapter) from None
    run.outputs = [list(nb.cells[i].outputs) for i in range(1, len(sources) + 1)]
    run.reads = _reported_reads(nb.cells[-1].outputs)
    return run


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CELL_FRAME = re.compile(r"Cell In\[\d+\], line (\d+)")


def failing_line(traceback: str, first_code_line: int | None) -> int | None:
    """The manuscript line of the cell's own frame in an IPython traceback ("Cell In[3], line 2")."""
    match = _CELL_FRAME.search(_ANSI.sub("", traceback or ""))
    if not match or not first_code_line:
        return None
    return first_code_line + int(match.group(1)) - 1


def _execute(client: NotebookClient, nb, index: int, chapter: str, line: int | None,
             first_code_line: int | None = None, *, timeout: int) -> None:
    client.timeout = timeout
    try:
        client.execute_cell(nb.cells[index], index)
    except CellExecutionError as exc:
        at = failing_line(str(exc), first_code_line) or line
        raise CellError(f"cell failed: {exc.ename}: {exc.evalue}", chapter, at) from None
    except CellTimeoutError:
        raise CellError(f"cell timed out after {timeout} s", chapter, line) from None


def _reported_reads(outputs) -> list[str]:
    """The input names for what the REPORT cell printed (its last line of standard output)."""
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream").strip()
    try:
        data = json.loads(text.splitlines()[-1]) if text else {}
        report = KernelReport([str(f) for f in data.get("files", [])], str(data.get("executable") or ""),
                              tuple(str(s) for s in data.get("stdlib", []) if s))
    except (json.JSONDecodeError, AttributeError, TypeError):
        return []
    return names(report)
