"""One module per chapter's graded notebook, found by the assignment's name.

``tdnn.chapters.<assignment>`` declares everything about its exercise that the generic engine
(:mod:`tdnn.engine`) cannot know; adding a chapter adds one module here and touches nothing
shared. What a chapter module defines (``docs/exercise-contract.md`` has the full contract):

``PARTS``
    ``{part: Part(...)}``: each graded solution cell (its ``grade_id`` is the part's name) with
    the object the student defines there and the advice shown when no known mistake matches.
``cases(part)``
    the hidden cases: seeded inputs only, never expected outputs (the kernel reads them).
``observe(part, obj, case)``
    runs the student's object on one case in the kernel; returns what it produced (arrays,
    numbers, strings), recording a crash or a broken contract instead of raising.
``compare(part, got, expected)``
    ``None`` when ``got`` agrees with ``expected``, else the teaching message; runs in the grader.
``keras_observation(part, case)``
    what Keras computes for that case (``None`` where Keras has no such thing): the reference
    build checks that it agrees with an accepted answer. Where that Keras recipe is itself an
    answer (transfer learning's clone-and-freeze), it lives apart, in ``tdnn.crosscheck.<name>``
    (:func:`keras_side`), which no notebook imports, so the student edition never ships it.
``LIMITS``
    time and memory a submission of this chapter may use (a Keras notebook needs more).
"""
from __future__ import annotations

import dataclasses
import importlib
from types import ModuleType


@dataclasses.dataclass(frozen=True)
class Part:
    """One graded solution cell of a chapter."""

    name: str       # what the student defines in the cell (class or function name)
    advice: str     # shown when an answer is wrong and no known mistake matches it
    # "values": compared element by element with a reference, so a failure message locates the
    # first differing index. "properties": random output (initializers, dropout) judged by
    # properties and statistical bounds, so a failure message names the property, the bound and
    # the value obtained instead of an index.
    judged: str = "values"

    def __post_init__(self):
        if self.judged not in ("values", "properties"):
            raise ValueError(f"Part.judged must be 'values' or 'properties', not {self.judged!r}")


@dataclasses.dataclass(frozen=True)
class Limits:
    """What one submission of a chapter may use, in the grader's sandbox and in plain nbgrader."""

    cell_seconds: int = 60
    notebook_seconds: int = 300
    cpu_seconds: int = 240
    memory_bytes: int = 2 * 1024**3


def load(assignment: str) -> ModuleType:
    """The chapter module of ``assignment``; ``LookupError`` when the course has none."""
    if not assignment.isidentifier():
        raise LookupError(f"no chapter module for {assignment!r}")
    try:
        return importlib.import_module(f"{__name__}.{assignment}")
    except ModuleNotFoundError as err:
        if err.name != f"{__name__}.{assignment}":
            raise
        raise LookupError(f"no chapter module tdnn/chapters/{assignment}.py") from None


def keras_side(assignment: str) -> ModuleType:
    """Where ``keras_observation``, ``max_difference`` and ``KERAS_ATOL`` of ``assignment`` live:
    ``tdnn.crosscheck.<assignment>`` when the chapter keeps its Keras check apart, else the
    chapter module itself."""
    chapter = load(assignment)
    try:
        return importlib.import_module(f"tdnn.crosscheck.{assignment}")
    except ModuleNotFoundError as err:
        if err.name != f"tdnn.crosscheck.{assignment}":
            raise
        return chapter


def part_of(grade_id: str) -> str:
    """The part a cell belongs to: ``test_adam_hidden`` and ``adam_text`` -> ``adam``."""
    name = grade_id.removeprefix("test_")
    for suffix in ("_visible", "_hidden", "_text"):
        name = name.removesuffix(suffix)
    return name
