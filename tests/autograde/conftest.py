"""Each chapter's class, graded once by the real nbgrader, shared by every test in this folder."""
from __future__ import annotations

import pytest

from tdnn import release
from tests import course

ASSIGNMENTS = release.assignments()


def variant_students() -> list[tuple[str, str]]:
    """``(assignment, student id)`` of every variant of every part of every chapter."""
    return [(a, s) for a in ASSIGNMENTS for s in course.variants(a)]


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    """``graded(assignment)``: a course copy in which the solution, a blank notebook and every
    variant were submitted, then autograded, given feedback and exported with the plain
    nbgrader commands; returns ``(root, {student: {grade_id: score}})``."""
    done = {}

    def grade(assignment):
        if assignment not in done:
            root = course.copy_course(tmp_path_factory.mktemp(assignment))
            course.release(root, assignment)
            course.make_submission(root, "solution", assignment)
            course.make_submission(root, "blank", assignment, blank=True)
            for student, (part, _, source) in course.variants(assignment).items():
                course.make_submission(root, student, assignment, replace={part: source})
            course.run_nbgrader(root, "autograde", assignment)
            course.run_nbgrader(root, "generate_feedback", assignment)
            course.run_nbgrader(root, "export", "--to", str(root / "grades.csv"))
            done[assignment] = root, course.grades(root, assignment)
        return done[assignment]

    return grade
