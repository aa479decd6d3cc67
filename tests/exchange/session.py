"""One student's sitting: several ``nbgrader`` command lines, and the work between them, run in
one process (started in the student's home, with HOME set to it).

Each command line goes through ``NbGraderApp`` exactly as the ``nbgrader`` script does (the way
nbgrader's own test suite runs it in-process), so it reads the student's ``nbgrader_config.py``
and parses the same arguments; only the 3-4 s of importing nbgrader is paid once per sitting
instead of once per command.

Reads a JSON list of steps on stdin: ``{"nbgrader": [args...]}`` or
``{"fill": notebook, "solutions": notebook, "replace": {part: source}}``; writes a JSON list
with, for each ``nbgrader`` step, its exit code and what it printed.
"""
from __future__ import annotations

import contextlib
import io
import json
import sys

import nbformat
from jupyter_core.application import NoStart
from nbgrader.apps import NbGraderApp
from nbgrader.validator import Validator

from tdnn.engine.notebook import solution_sources, strip_markers


def nbgrader(args: list[str]) -> dict:
    out = io.StringIO()
    app = NbGraderApp.instance()
    code = 0
    Validator.stream = out  # a class attribute, bound to sys.stdout at import
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            app.initialize(args)
            app.start()
    except NoStart:  # how a jupyter application says its subcommand has run
        pass
    except SystemExit as exit_:
        code = exit_.code or 0
    finally:
        app.reset()
        NbGraderApp.clear_instance()
    return {"args": args, "code": code, "output": out.getvalue()}


def fill(notebook: str, solutions: str, replace: dict[str, str]) -> None:
    """The student's work: every solution cell gets the solution, or its source in ``replace``."""
    answers = solution_sources(solutions)
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in replace:
            cell.source = replace[gid]
        elif gid in answers:
            cell.source = strip_markers(answers[gid])
    nbformat.write(nb, notebook)


def main() -> None:
    results = []
    for step in json.load(sys.stdin):
        if "nbgrader" in step:
            results.append(nbgrader(step["nbgrader"]))
            if results[-1]["code"]:
                break
        else:
            fill(step["fill"], step["solutions"], step.get("replace", {}))
    json.dump(results, sys.__stdout__)


if __name__ == "__main__":
    main()
