"""A chapter's solution and variant cells as objects, defined in this process as the notebook
would define them (with NumPy as ``np``, as the set-up cell provides)."""
from __future__ import annotations

import numpy as np

from tdnn.chapters import load
from tdnn.engine import references
from tdnn.engine.notebook import solution_sources, strip_markers


def define(source: str, name: str):
    """What the cell ``source`` defines under ``name``."""
    namespace = {"np": np}
    exec(compile(source, f"<{name}>", "exec"), namespace)
    return namespace[name]


def solution(assignment: str, part: str):
    """The instructor's solution of ``part``."""
    notebook = references.notebooks(assignment)[0]
    return define(strip_markers(solution_sources(notebook)[part]), load(assignment).PARTS[part].name)


def variants(assignment: str, part: str, kind: str) -> dict:
    """``{stem: (object, source)}`` of the ``correct`` or ``bug`` variants of ``part``."""
    name = load(assignment).PARTS[part].name
    return {stem: (define(src, name), src)
            for stem, src in references.variant_sources(assignment, part, kind).items()}
