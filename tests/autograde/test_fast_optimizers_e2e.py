"""The fast-optimizers notebook graded end to end by the real nbgrader, on both sides: correct
code in every accepted form keeps full marks, each realistic mistake loses the points of its own
part and nothing else, and what the student reads says why."""
from __future__ import annotations

import csv

import nbformat
import pytest

from tdnn.references import PARTS

from .conftest import ASSIGNMENT, variant_students

POINTS = {"visible": 1, "hidden": 2}
FULL = len(PARTS) * sum(POINTS.values())


def part_score(scores: dict, part: str) -> float:
    return scores[f"test_{part}_visible"] + scores[f"test_{part}_hidden"]


def test_every_grade_cell_is_recorded(graded_class):
    _, grades = graded_class
    expected_cells = {f"test_{p}_{kind}" for p in PARTS for kind in POINTS}
    assert set(grades["solution"]) == expected_cells


def test_solution_scores_full_marks(graded_class):
    _, grades = graded_class
    assert sum(grades["solution"].values()) == FULL == 18


def test_blank_notebook_scores_zero(graded_class):
    _, grades = graded_class
    assert sum(grades["blank"].values()) == 0


@pytest.mark.parametrize("student", [s for s in variant_students() if "--correct_" in s])
def test_correct_variant_keeps_full_marks(graded_class, student):
    _, grades = graded_class
    assert sum(grades[student].values()) == FULL, grades[student]


@pytest.mark.parametrize("student", [s for s in variant_students() if "--bug_" in s])
def test_mistake_loses_its_own_part_only(graded_class, student):
    _, grades = graded_class
    part = variant_students()[student][0]
    scores = grades[student]
    assert scores[f"test_{part}_hidden"] == 0, f"the hidden tests of {part} passed {student}"
    for other in PARTS:
        if other != part:
            assert part_score(scores, other) == 3, f"{student} lost points of {other}: {scores}"


def _hidden_test_output(root, student, part) -> str:
    nb = nbformat.read(root / "autograder" / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
                       as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == f"test_{part}_hidden")
    return "\n".join(o.get("evalue", "") + "".join(o.get("traceback", [])) + o.get("text", "")
                     for o in cell.outputs)


@pytest.mark.parametrize("student", [s for s in variant_students() if "--bug_" in s])
def test_failure_message_teaches(graded_class, student):
    """Expected vs got, where they first differ, and the likely mistake (or the exception)."""
    root, _ = graded_class
    part, name, source = variant_students()[student]
    text = _hidden_test_output(root, student, part)
    assert text, f"no failure output for {student}"
    if "raised" in text or "new array" in text:
        return  # a crash or an update that is not in place: the message names it instead
    assert "expected" in text and "got" in text and "first difference at index" in text, text
    hint = source.split('"""')[1]
    assert hint.split(":")[0][:40] in text, f"the hint of {name} is not shown:\n{text}"


def test_feedback_and_export(graded_class):
    """generate_feedback writes one HTML page per student; export writes every student's score."""
    root, grades = graded_class
    for student in grades:
        page = root / "autograder" / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
        assert page.is_file(), page
    with open(root / "grades.csv", newline="") as f:
        rows = {r["student_id"]: float(r["raw_score"]) for r in csv.DictReader(f)}
    assert rows == {s: sum(g.values()) for s, g in grades.items()}


def test_rebinding_the_checkers_gains_nothing(graded_class):
    """A solution cell that rebinds check_steps/check_reference to no-ops still loses the points
    of its wrong SGD."""
    _, grades = graded_class
    scores = grades["rebinds-checkers"]
    assert part_score(scores, "sgd") == 0, scores
    assert sum(scores.values()) == FULL - 3
