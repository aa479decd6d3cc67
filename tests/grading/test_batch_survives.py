"""Whatever happens to one submission in the grader's own code, the batch finishes and writes
its results, feedback and reports (finding 4 of the sandbox review).

The grader is broken on purpose for one student ("victim"), through ``$TDNN_TEST_PATCH``: its
grading raises, or its worker process dies. The other students must be graded as usual."""
from __future__ import annotations

import pytest

from . import classroom
from .classroom import ASSIGNMENT, POINTS
from .driving import grade, results

STUDENTS = ("alice", "victim", "zoe")

RAISES = """
    from tdnn.grade import driver
    _grade = driver._grade
    def _broken(student, digest):
        if student == "victim":
            raise RecursionError("maximum recursion depth exceeded (simulated)")
        return _grade(student, digest)
    driver._grade = _broken
"""

WORKER_DIES = """
    import os
    from tdnn.grade import driver
    _grade = driver._grade
    def _dies(student, digest):
        if student == "victim":
            os._exit(1)
        return _grade(student, digest)
    driver._grade = _dies
"""


@pytest.fixture(scope="module", params=["raises", "worker_dies"])
def batch(request, tmp_path_factory):
    root = classroom.make_course(tmp_path_factory.mktemp(request.param))
    for student in STUDENTS:
        classroom.submit(root, student)
    done = grade(root, patch=RAISES if request.param == "raises" else WORKER_DIES)
    return request.param, root, done


def _feedback(root, student):
    return root / "autograder" / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"


def test_others_are_graded_with_feedback_and_reports(batch):
    kind, root, done = batch
    outcome = results(root)
    assert set(outcome) == set(STUDENTS), done.stderr
    for student in ("alice", "zoe"):
        assert outcome[student]["status"] == "graded", outcome[student]
        assert classroom.grades(root, ASSIGNMENT)[student] == POINTS
        assert _feedback(root, student).is_file()
    reports = root / "autograder" / "reports" / ASSIGNMENT
    assert len((reports / "grades.csv").read_text().splitlines()) == 1 + len(STUDENTS)


def test_the_victim_gets_a_true_reason(batch):
    kind, root, done = batch
    victim = results(root)["victim"]
    if kind == "raises":
        # The grader's own error is the submission's failure: 0 with the reason, and feedback.
        assert victim["status"] == "failed" and "RecursionError" in victim["reason"]
        assert "RecursionError" in _feedback(root, "victim").read_text()
        assert done.returncode == 0, done.stderr
    else:
        # Its worker died, and died again when it was graded alone: it is the cause.
        assert victim["status"] == "failed" and "killed the grader's worker" in victim["reason"]
        assert "killed the grader" in _feedback(root, "victim").read_text()
        assert done.returncode == 0, done.stderr
