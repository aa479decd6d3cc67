"""Each chapter's class, graded once by the real nbgrader, shared by every test in this folder."""
from __future__ import annotations

import pytest

from tdnn import release
from tests import course

ASSIGNMENTS = release.assignments()


def variant_students() -> list[tuple[str, str]]:
    """``(assignment, student id)`` of every variant of every part of every chapter."""
    return [(a, s) for a in ASSIGNMENTS for s in course.variants(a)]


def answer_questions(path, assignment: str) -> None:
    """Fill the manually graded answer cells (markdown) of a submission with the model answers
    of the source notebook, as the instructor's own solution answers them."""
    import nbformat

    from tdnn import paths
    from tdnn.engine.notebook import strip_markers

    source = nbformat.read(paths.SOLUTIONS / assignment / f"{assignment}.ipynb", as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: strip_markers(c.source) for c in source.cells
               if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("solution")}
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
    nbformat.write(nb, path)


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    """``graded(assignment)``: a course copy in which the solution, a blank notebook and every
    variant were submitted, then autograded, given feedback and exported with the plain
    nbgrader commands; returns ``(root, {student: {grade_id: score}})`` for the autograded cells
    (the solution also answers the manually graded questions with the model answers)."""
    done = {}

    def grade(assignment):
        if assignment not in done:
            root = course.copy_course(tmp_path_factory.mktemp(assignment))
            course.release(root, assignment)
            answer_questions(course.make_submission(root, "solution", assignment), assignment)
            course.make_submission(root, "blank", assignment, blank=True)
            for student, (part, _, source) in course.variants(assignment).items():
                course.make_submission(root, student, assignment, replace={part: source})
            course.run_nbgrader(root, "autograde", assignment)
            course.run_nbgrader(root, "generate_feedback", assignment)
            course.run_nbgrader(root, "export", "--to", str(root / "grades.csv"))
            done[assignment] = root, course.grades(root, assignment)
        return done[assignment]

    return grade
