"""The class grader behaves like nbgrader where a user expects it to: it reads the config of the
folder it is run from, and a mistake on the command line is one line and a non-zero exit."""
from __future__ import annotations

import shutil

import pytest

from . import classroom
from .driving import grade, results


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = classroom.make_course(tmp_path_factory.mktemp("cli"))
    return root


def _one_error_line(done) -> str:
    lines = [l for l in done.stderr.splitlines() if l.strip()]
    errors = [l for l in lines if l.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in done.stderr, done.stderr
    return errors[0]


def test_no_submissions_is_one_line(course):
    """An assignment nobody submitted yet: one line, non-zero exit, no traceback."""
    done = grade(course)
    assert done.returncode == 2
    assert "no submissions of 'fast_optimizers'" in _one_error_line(done)


def test_unknown_assignment_is_one_line(course):
    """A misspelt assignment: one line naming the known ones, non-zero exit."""
    done = grade(course, patch="import sys; sys.argv[1] = 'fast_optimisers'")
    assert done.returncode == 2
    line = _one_error_line(done)
    assert "unknown assignment 'fast_optimisers'" in line and "fast_optimizers" in line


def test_a_folder_without_config_is_one_line(course, tmp_path):
    """Run from a folder without nbgrader_config.py and no --autograder: one line."""
    done = grade(course, autograder=False, cwd=tmp_path)
    assert done.returncode == 2
    assert "no nbgrader_config.py in" in _one_error_line(done)


def test_the_config_of_the_current_folder_is_used(course, tmp_path_factory):
    """Without --autograder, is the nbgrader_config.py of the current folder the one read (as
    `nbgrader autograde` does), and are results written next to it?"""
    root = tmp_path_factory.mktemp("here")
    shutil.copytree(course, root, dirs_exist_ok=True)
    classroom.submit(root, "alice")
    done = grade(root, "--no-reports", autograder=False, cwd=root / "autograder")
    assert done.returncode == 0, done.stderr
    assert set(results(root)) == {"alice"}
    assert sum(classroom.grades(root, classroom.ASSIGNMENT)["alice"].values()) == classroom.FULL
