"""The kernel side of grading: test cells report what the student's code produced, nothing more.

A graded test cell calls :func:`emit` (directly, or through a chapter's visible check, or through
:func:`run_hidden`) once per result. Under ``nbgrader autograde`` (which sets
``NBGRADER_EXECUTION=autograde`` for the kernel) each result becomes a display output of type
:data:`MIME` in that cell; the grader's :class:`tdnn.engine.judge.JudgeResults` reads it there and
decides. Nothing here knows the expected outputs, and no decision made in the kernel can raise a
grade: a student who patches this module only loses the results the grader needs.

When a student runs the notebook, :func:`emit` shows nothing (visible checks still assert for
them). :func:`collecting` lets :mod:`tdnn.engine.references` run the same cells in-process.
"""
from __future__ import annotations

import contextlib
import os

from tdnn import chapters

from . import codec

#: The MIME type of a result in a cell's outputs.
MIME = "application/vnd.tdnn.result+json"

_collector: list | None = None


@contextlib.contextmanager
def collecting():
    """Within this block, :func:`emit` appends ``(label, observation)`` to the list it yields."""
    global _collector
    outer, _collector = _collector, []
    try:
        yield _collector
    finally:
        _collector = outer


def emit(label: str, observation) -> None:
    """Report one result of the cell that is running, under ``label``."""
    payload = {"label": str(label), "observation": codec.encode(observation)}
    if _collector is not None:
        _collector.append((payload["label"], codec.decode(payload["observation"])))
        return
    if os.environ.get("NBGRADER_EXECUTION") != "autograde":
        return
    from IPython.display import publish_display_data

    publish_display_data({MIME: payload, "text/plain": f"[result for the grader: {label}]"})


def run_hidden(chapter: str, part: str, obj) -> None:
    """A hidden test cell: run ``obj`` on every case the chapter declares for ``part`` and report
    each result. The cases hold inputs only; the grader holds what they should give."""
    module = chapters.load(chapter)
    for case in module.cases(part):
        emit(case["name"], module.observe(part, obj, case))
