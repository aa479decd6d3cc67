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


MANUAL = [a for a in ASSIGNMENTS if course.manual_cells(a)]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_grade_cell_is_recorded(graded, assignment):
    root, grades = graded(assignment)
    assert set(grades["solution"]) == set(course.grade_cells(assignment))
    assert set(course.manual_grades(root, assignment)["solution"]) == set(course.manual_cells(assignment))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_scores_full_marks(graded, assignment):
    """Full marks on every autograded cell (manually graded answers have no automatic score)."""
    _, grades = graded(assignment)
    assert grades["solution"] == course.grade_cells(assignment)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_blank_notebook_scores_zero(graded, assignment):
    _, grades = graded(assignment)
    assert sum(grades["blank"].values()) == 0


@pytest.mark.parametrize("assignment", MANUAL)
def test_answers_in_words_wait_for_the_instructor(graded, assignment):
    """Does the formgrader list a written answer as needing manual grading, with no automatic
    score, while an answer left as released scores 0 without the instructor (nbgrader's rule)?"""
    from nbgrader.api import Gradebook

    root, _ = graded(assignment)
    manual = course.manual_grades(root, assignment)
    assert manual["solution"] == {gid: (None, True) for gid in course.manual_cells(assignment)}
    assert manual["blank"] == {gid: (0.0, False) for gid in course.manual_cells(assignment)}
    with Gradebook(f"sqlite:///{root / 'autograder' / 'gradebook.db'}") as gb:
        listed = {d["student"]: d["needs_manual_grade"] for d in gb.submission_dicts(assignment)}
    # what the formgrader's "Manage submissions" page flags: the answered questions, and for a
    # variant student only if its questions were answered (they are left blank here)
    assert listed["solution"] is True and listed["blank"] is False, listed


def _answer_cell(root, assignment, student, grade_id):
    nb = nbformat.read(root / "autograder" / "autograded" / student / assignment /
                       f"{assignment}.ipynb", as_version=4)
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


@pytest.mark.parametrize("assignment", MANUAL)
def test_instructor_edition_has_the_rubric_and_students_do_not(graded, assignment):
    """The released notebook asks; the solution notebook (the instructor's edition) holds each
    question's model answer and rubric."""
    root, _ = graded(assignment)
    released = nbformat.read(root / "exercises" / assignment / f"{assignment}.ipynb", as_version=4)
    source = nbformat.read(root / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    for gid in course.manual_cells(assignment):
        student = next(c for c in released.cells if c.metadata["nbgrader"]["grade_id"] == gid)
        instructor = next(c for c in source.cells if c.metadata["nbgrader"]["grade_id"] == gid)
        assert student.source.strip() == "YOUR ANSWER HERE", student.source
        assert "Rubric" in instructor.source and "### BEGIN SOLUTION" in instructor.source
        assert "Rubric" in _answer_cell(root, assignment, "solution", gid).source


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
