"""Every chapter's notebook graded end to end by the real nbgrader, on both sides: correct code
in every accepted form keeps full marks, each realistic mistake loses the points of its own part
and nothing else, and what the student reads says why."""
from __future__ import annotations

import csv

import nbformat
import pytest

from tdnn.chapters import load, part_of
from tests import course

from .conftest import ASSIGNMENTS, variant_students


def part_score(scores: dict, part: str) -> float:
    return sum(v for gid, v in scores.items() if part_of(gid) == part)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_grade_cell_is_recorded(graded, assignment):
    _, grades = graded(assignment)
    assert set(grades["solution"]) == set(course.grade_cells(assignment))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_scores_full_marks(graded, assignment):
    _, grades = graded(assignment)
    assert sum(grades["solution"].values()) == sum(course.grade_cells(assignment).values())


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_blank_notebook_scores_zero(graded, assignment):
    _, grades = graded(assignment)
    assert sum(grades["blank"].values()) == 0


@pytest.mark.parametrize("assignment, student", [v for v in variant_students() if "--correct_" in v[1]])
def test_correct_variant_keeps_full_marks(graded, assignment, student):
    _, grades = graded(assignment)
    assert grades[student] == grades["solution"], grades[student]


@pytest.mark.parametrize("assignment, student", [v for v in variant_students() if "--bug_" in v[1]])
def test_mistake_loses_its_own_part_only(graded, assignment, student):
    _, grades = graded(assignment)
    part = course.variants(assignment)[student][0]
    scores, points = grades[student], course.part_points(assignment)
    hidden = [gid for gid in scores if part_of(gid) == part and gid.endswith("_hidden")]
    assert hidden and all(scores[gid] == 0 for gid in hidden), f"hidden tests passed {student}"
    for other in points:
        if other != part:
            assert part_score(scores, other) == points[other], f"{student} lost points of {other}"


def _test_output(root, assignment, student, grade_id) -> str:
    nb = nbformat.read(root / "autograder" / "autograded" / student / assignment /
                       f"{assignment}.ipynb", as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    return "\n".join(o.get("evalue", "") + o.get("text", "") for o in cell.outputs)


@pytest.mark.parametrize("assignment, student", [v for v in variant_students() if "--bug_" in v[1]])
def test_failure_message_teaches(graded, assignment, student):
    """Expected vs got, where they first differ, and the likely mistake (or what went wrong)."""
    root, _ = graded(assignment)
    part, name, source = course.variants(assignment)[student]
    text = _test_output(root, assignment, student, f"test_{part}_hidden")
    assert text, f"no failure output for {student}"
    if "raised" in text or "new array" in text:
        assert "Likely mistake" in text or "Check each line" in text, text
        return  # a crash or an update that is not in place: the message names it instead
    assert "expected" in text and "got" in text, text
    if load(assignment).PARTS[part].judged == "values":
        assert "first difference at index" in text, text
    from tdnn.engine.references import hint
    assert f"Likely mistake: {hint(source)}" in text, f"the hint of {name} is not shown:\n{text}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_feedback_and_export(graded, assignment):
    """generate_feedback writes one HTML page per student; export writes every student's score."""
    root, grades = graded(assignment)
    for student in grades:
        page = root / "autograder" / "feedback" / student / assignment / f"{assignment}.html"
        assert page.is_file(), page
    with open(root / "grades.csv", newline="") as f:
        rows = {r["student_id"]: float(r["raw_score"]) for r in csv.DictReader(f)}
    assert rows == {s: sum(g.values()) for s, g in grades.items()}
