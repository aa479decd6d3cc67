"""A grader failure is never a student's zero: the solution notebook is graded first, as a
canary, in the same sandbox and configuration, and the batch stops unless it earns full marks;
a locked set-up cell that fails in a student's notebook, with no code of the student's run before
it, is the grader's error, not a score."""
from __future__ import annotations

import csv
import shutil

import nbformat
import pytest

from tdnn.grade import canary

from . import classroom
from .classroom import ASSIGNMENT
from .driving import grade, results

#: The sandbox without the tdnn package: the real failure where every cell of every student
#: failed with ModuleNotFoundError and the summary said "25 graded, 0 could not be graded".
HIDE_TDNN = """
    from pathlib import Path
    from tdnn.grade import sandbox
    _roots = sandbox._readonly_roots
    _tdnn = Path(sandbox.__file__).resolve().parents[1]
    sandbox._readonly_roots = lambda root: [r for r in _roots(root) if r != _tdnn]
"""


#: The grader blind to student code that ran before the set-up cell.
NO_STUDENT_CODE_SEEN = """
    from tdnn.grade import driver
    driver.student_ran_first = lambda api, assignment, student: False
"""


def _breaks_setup(nb):
    """A cell added above the locked set-up cell that makes its `import numpy` fail."""
    nb.cells.insert(0, nbformat.v4.new_code_cell("import sys\nsys.modules['numpy'] = None"))


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = classroom.make_course(tmp_path_factory.mktemp("klass"))
    classroom.submit(root, "alice")
    classroom.submit(root, "bob", blank=True)
    classroom.submit(root, "setup_broken", edit=_breaks_setup)
    return root


@pytest.fixture(scope="module")
def broken_grader(course, tmp_path_factory):
    root = tmp_path_factory.mktemp("broken")
    shutil.copytree(course, root, dirs_exist_ok=True)
    return root, grade(root, patch=HIDE_TDNN)


@pytest.fixture(scope="module")
def working_grader(course):
    # A set-up cell broken by the student's own code is scored (test_hostile.py,
    # breaks_setup_first); here the grader is made to see no such code, which is what a set-up
    # cell failing for a reason of the grader's looks like.
    return course, grade(course, patch=NO_STUDENT_CODE_SEEN)


def test_a_grader_that_cannot_import_tdnn_grades_nobody(broken_grader):
    """Does the batch stop before any student, with one clear reason and a non-zero exit?"""
    root, done = broken_grader
    assert done.returncode == 3, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, done.stderr
    assert "no student was graded" in errors[0] and "ModuleNotFoundError" in errors[0]
    assert f"scores 0 of {classroom.FULL:g}" in errors[0]
    assert classroom.grades(root, ASSIGNMENT) == {}
    assert results(root) == {}
    assert not (root / "autograder" / "autograded").exists()
    assert not (root / "autograder" / "feedback").exists()
    kept = root / "autograder" / "reports" / ASSIGNMENT / "canary" / f"{ASSIGNMENT}.ipynb"
    assert "ModuleNotFoundError" in kept.read_text()


def test_the_canary_leaves_no_trace_in_the_course(working_grader):
    """Is the canary absent from the gradebook, results, export and the student folders?"""
    root, done = working_grader
    assert canary.STUDENT not in done.stdout
    assert canary.STUDENT not in classroom.grades(root, ASSIGNMENT)
    assert set(results(root)) == {"alice", "bob", "setup_broken"}
    with open(root / "autograder" / "reports" / ASSIGNMENT / "grades.csv", newline="") as f:
        assert canary.STUDENT not in {row["student_id"] for row in csv.DictReader(f)}
    for kind in ("submitted", "autograded", "feedback"):
        assert not (root / "autograder" / kind / canary.STUDENT).exists()
    assert not (root / "autograder" / "reports" / ASSIGNMENT / "canary").exists()


def test_a_failed_setup_cell_is_the_graders_error_not_a_zero(working_grader):
    """Is a submission whose locked set-up cell failed reported as not scored, the instructor
    told, and is the rest of the class graded as usual?"""
    root, done = working_grader
    outcome = results(root)["setup_broken"]
    assert outcome["status"] == "error"
    assert "set-up cell 'setup'" in outcome["reason"] and "not scored" in outcome["reason"]
    assert done.returncode == 1
    assert "setup_broken" in done.stderr.splitlines()[-1]
    assert "NOT SCORED" in done.stdout
    assert not (root / "autograder" / "feedback" / "setup_broken").exists()
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{root / 'autograder' / 'gradebook.db'}") as gb:
        nb = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "setup_broken")
        assert all(g.auto_score is None and g.needs_manual_grade for g in nb.grades)
    totals = {s: sum(g.values()) for s, g in classroom.grades(root, ASSIGNMENT).items()
              if s != "setup_broken"}
    assert totals == {"alice": classroom.FULL, "bob": 0}


def test_library_warnings_go_to_the_log_not_through_the_bar(working_grader):
    """Are SQLAlchemy's warnings kept out of the progress bar's stream?"""
    root, done = working_grader
    assert "SAWarning: Object of type" not in done.stderr
    log = root / "autograder" / "reports" / ASSIGNMENT / "grader.log"
    if "SAWarning" in done.stderr:  # said once, as a count, with where they are
        assert str(log) in done.stderr and "SAWarning" in log.read_text()
