"""The class grader on the course's first Keras notebook (``transfer_learning``): TensorFlow
must import and train inside the sandbox, under the chapter's own ``LIMITS`` (address space,
CPU, time), with the offline data and Keras' cache folder it is given, and grade a tiny class
exactly as plain ``nbgrader autograde`` does."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tdnn import chapters, nbgrader_cli
from tdnn.engine.references import variant_sources
from tests import course

ASSIGNMENT = "transfer_learning"


def _driver(root, *args):
    done = subprocess.run(
        [sys.executable, "-m", "tdnn.grade", ASSIGNMENT, "--autograder", str(root / "autograder"),
         "--jobs", "2", "--no-reports", *args],
        env=nbgrader_cli.env(TDNN_ROOT=str(root)), capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"the driver failed:\n{done.stdout}\n{done.stderr[-4000:]}"
    return done


@pytest.fixture(scope="module")
def twin_classes(tmp_path_factory):
    """The solution, a blank notebook and one bug per part, graded by plain nbgrader and by the
    class grader (sandboxed), from identical copies."""
    plain = course.copy_course(tmp_path_factory.mktemp("plain"))
    course.release(plain, ASSIGNMENT)
    course.make_submission(plain, "solution", ASSIGNMENT)
    course.make_submission(plain, "blank", ASSIGNMENT, blank=True)
    bugs = {"reuse_model": "bug_shared_layers", "unfreeze": "bug_bottom_layers"}
    for part, name in bugs.items():
        course.make_submission(plain, f"{part}-{name}", ASSIGNMENT,
                               replace={part: variant_sources(ASSIGNMENT, part, "bug")[name]})
    driven = tmp_path_factory.mktemp("driven")
    shutil.copytree(plain, driven, dirs_exist_ok=True)
    course.run_nbgrader(plain, "autograde", ASSIGNMENT)
    done = _driver(driven)
    return plain, driven, done


def test_keras_limits_are_the_chapters_own():
    limits = chapters.load(ASSIGNMENT).LIMITS
    assert limits.memory_bytes > chapters.Limits.memory_bytes  # TensorFlow needs more than NumPy
    assert limits.cell_seconds >= 60


def test_class_grader_grades_the_keras_notebook(twin_classes):
    _, driven, done = twin_classes
    totals = {s: sum(g.values()) for s, g in course.grades(driven, ASSIGNMENT).items()}
    full = sum(course.grade_cells(ASSIGNMENT).values())
    assert totals["solution"] == full, done.stdout
    assert totals["blank"] == 0
    points = course.part_points(ASSIGNMENT)
    assert totals["reuse_model-bug_shared_layers"] == full - points["reuse_model"]
    assert totals["unfreeze-bug_bottom_layers"] == full - points["unfreeze"]


def test_class_grader_agrees_with_plain_nbgrader(twin_classes):
    plain, driven, _ = twin_classes
    assert course.grades(driven, ASSIGNMENT) == course.grades(plain, ASSIGNMENT)
