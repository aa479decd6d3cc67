"""A chapter's solution and variant cells as objects, defined in this process as the notebook
would define them (with NumPy as ``np``, as the set-up cell provides)."""
from __future__ import annotations

import numpy as np

from tdnn.chapters import load
from tdnn.engine import codec, references
from tdnn.engine.notebook import solution_sources, strip_markers


def define(source: str, name: str, **context):
    """What the cell ``source`` defines under ``name`` (with ``context``, e.g. ``keras=keras``,
    where the set-up cell imports more than NumPy)."""
    namespace = {"np": np, **context}
    exec(compile(source, f"<{name}>", "exec"), namespace)
    return namespace[name]


def solution(assignment: str, part: str):
    """The instructor's solution of ``part``."""
    notebook = references.notebooks(assignment)[0]
    return define(strip_markers(solution_sources(notebook)[part]), load(assignment).PARTS[part].name)


def variants(assignment: str, part: str, kind: str, **context) -> dict:
    """``{stem: (object, source)}`` of the ``correct`` or ``bug`` variants of ``part``."""
    name = load(assignment).PARTS[part].name
    return {stem: (define(src, name, **context), src)
            for stem, src in references.variant_sources(assignment, part, kind).items()}


def hidden_expected(assignment: str) -> dict:
    """``{part: [(label, accepted observations, mistakes)]}`` from the committed reference file,
    exactly what the grader compares with."""
    results = references.load(assignment)["notebooks"][assignment]
    return {part: [(r["label"], [a["observation"] for a in r["accepted"]], r["mistakes"])
                   for r in results[f"test_{part}_hidden"]["results"]]
            for part in load(assignment).PARTS}


def judge(assignment: str, part: str, observation, expected) -> tuple[bool, str | None]:
    """The grader's decision on one result, as ``tdnn.engine.judge`` makes it: ``(True, None)``
    when an accepted observation agrees, else ``(False, hint of the matching mistake or None)``."""
    compare = load(assignment).compare
    _, accepted, mistakes = expected
    observation = codec.decode(codec.encode(observation))  # as it reaches the grader
    if any(compare(part, observation, a) is None for a in accepted):
        return True, None
    return False, next((m["hint"] for m in mistakes
                        if compare(part, observation, m["observation"]) is None), None)
