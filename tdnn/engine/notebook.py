"""A chapter's source notebook, read and run in-process the way a student's kernel runs it.

:func:`run` executes the code cells of a solution notebook in order in one namespace, with some
parts' solution cells replaced by other source (a variant), and collects what each graded cell
reports (:func:`tdnn.engine.report.emit`). The reference build uses it to learn what every test
cell should report, for the solution and for each variant, without starting a kernel; a graded
notebook is plain NumPy, so this takes milliseconds per run.
"""
from __future__ import annotations

import contextlib
import dataclasses
import io
import re
import warnings
from pathlib import Path

import nbformat

from tdnn import chapters

from . import report

_MARKERS = re.compile(r"^\s*### (BEGIN|END) (SOLUTION|HIDDEN TESTS)\s*$", re.M)


@dataclasses.dataclass
class Cell:
    grade_id: str
    source: str
    solution: bool   # a cell the student writes
    graded: bool     # a test cell with points

    @property
    def part(self) -> str:
        return chapters.part_of(self.grade_id)


def cells(path: Path) -> list[Cell]:
    """The code cells of an nbgrader source notebook."""
    nb = nbformat.read(path, as_version=4)
    out = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code":
            out.append(Cell(meta.get("grade_id", ""), cell.source, bool(meta.get("solution")),
                            bool(meta.get("grade"))))
    return out


def strip_markers(source: str) -> str:
    """A solution cell as the student would have written it (nbgrader's markers removed)."""
    return _MARKERS.sub("", source)


def solution_sources(path: Path) -> dict[str, str]:
    """``{part: source}`` of every solution cell (markers kept)."""
    return {c.grade_id: c.source for c in cells(path) if c.solution}


@contextlib.contextmanager
def _quiet():
    """What the cells print ("visible tests passed", a variant's RuntimeWarning) is not wanted."""
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@dataclasses.dataclass
class Run:
    """What one in-process run of a notebook reported and raised, per graded cell."""

    reports: dict[str, list[tuple[str, object]]]
    errors: dict[str, str]


def run(path: Path, replace: dict[str, str] | None = None,
        only_parts: set[str] | None = None) -> Run:
    """Run the notebook at ``path`` in-process; ``replace`` swaps solution cells by part.

    With ``only_parts``, test cells of other parts are skipped (their solution cells still run,
    so later parts may use earlier ones)."""
    replace = replace or {}
    namespace: dict = {}
    reports, errors = {}, {}
    for cell in cells(path):
        source = replace.get(cell.grade_id, cell.source) if cell.solution else cell.source
        if cell.graded and only_parts is not None and cell.part not in only_parts:
            continue
        with report.collecting() as collected, _quiet():
            try:
                exec(compile(source, f"<{cell.grade_id or 'cell'}>", "exec"), namespace)
            except Exception as err:  # a variant that fails a visible check, or crashes
                errors[cell.grade_id] = f"{type(err).__name__}: {err}"
        if cell.graded:
            reports[cell.grade_id] = list(collected)
    return Run(reports, errors)
