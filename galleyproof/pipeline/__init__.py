"""The build as a sequence of steps over one parsed project.

    read (project and sources, each parsed once) -> validate -> audit -> check -> reports
    -> cells (executed or from the cell cache) -> formats (HTML, PDF, DOCX; in parallel) -> manifest

`run.build()` drives the steps and returns a typed `BuildResult` to the CLI edge; `export` hands what
the steps produced to export/ for a journal package; `policy` is the one pass/fail policy; `progress`
the one progress interface every step reports through (the two modules render/, audit/, claims/ and
export/ may import: tests/test_layers.py).
"""
