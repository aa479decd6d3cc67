"""Does the parallel driver grade exactly as plain, sequential ``nbgrader autograde`` does?"""
from __future__ import annotations

import csv
import shutil

import pytest

from tdnn.engine.references import variant_sources

from . import classroom
from .classroom import ASSIGNMENT, PARTS
from .conftest import run_driver


@pytest.fixture(scope="module")
def twin_courses(tmp_path_factory):
    """Two identical copies of one class: the solution, a blank notebook, one correct variant and
    one bug per part, a mix of both."""
    plain = classroom.make_course(tmp_path_factory.mktemp("plain"))
    classroom.submit(plain, "solution")
    classroom.submit(plain, "blank", blank=True)
    for part in PARTS:
        (bug_name, bug), = list(variant_sources(ASSIGNMENT, part, "bug").items())[:1]
        (ok_name, ok), = list(variant_sources(ASSIGNMENT, part, "correct").items())[:1]
        classroom.submit(plain, f"{part}-{bug_name}", replace={part: bug})
        classroom.submit(plain, f"{part}-{ok_name}", replace={part: ok})
    driven = tmp_path_factory.mktemp("driven")
    shutil.copytree(plain, driven, dirs_exist_ok=True)
    classroom.run_nbgrader(plain, "autograde", ASSIGNMENT)
    run_driver(driven, "--no-reports")
    return plain, driven


def test_grades_are_identical_to_plain_nbgrader(twin_courses):
    """Does every student get the same score in every test cell from both?"""
    plain, driven = twin_courses
    expected = classroom.grades(plain, ASSIGNMENT)
    assert len(expected) == 2 + 2 * len(PARTS)  # solution, blank, a bug and a correct form per part
    assert classroom.grades(driven, ASSIGNMENT) == expected


def test_the_mix_is_graded_as_designed(twin_courses):
    """Is the class a real test: full marks, zero, and partial scores all occur?"""
    totals = {s: sum(g.values()) for s, g in classroom.grades(twin_courses[1], ASSIGNMENT).items()}
    assert totals["solution"] == classroom.FULL and totals["blank"] == 0
    full = int(classroom.FULL)
    assert {t for s, t in totals.items() if "bug" in s} <= set(range(full - 8, full - 1))


def test_nbgrader_export_reads_the_same_gradebook(twin_courses):
    """Does plain ``nbgrader export`` give the same CSV for both gradebooks?"""
    rows = []
    for root in twin_courses:
        classroom.run_nbgrader(root, "export", "--to", str(root / "grades.csv"))
        with open(root / "grades.csv", newline="") as f:
            rows.append(sorted(tuple((k, v) for k, v in r.items() if k != "timestamp")
                               for r in csv.DictReader(f)))
    assert len(rows[0]) == 2 + 2 * len(PARTS) and rows[0] == rows[1]


def test_plain_generate_feedback_works_on_driver_output(twin_courses):
    """Can ``nbgrader generate_feedback`` run on what the driver autograded?"""
    driven = twin_courses[1]
    classroom.run_nbgrader(driven, "generate_feedback", ASSIGNMENT, "--student", "solution")
    page = driven / "autograder" / "feedback" / "solution" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    assert f"{classroom.FULL:g}" in page.read_text()


def test_a_second_run_resumes_without_regrading(twin_courses):
    """Does a rerun skip finished work, and does --force grade again?"""
    driven = twin_courses[1]
    graded = driven / "autograder" / "autograded" / "solution" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    before = graded.stat().st_mtime_ns
    run_driver(driven, "--no-reports")
    assert graded.stat().st_mtime_ns == before
    done = run_driver(driven, "--no-reports", "--force", "--students", "solution", "--no-sandbox")
    assert graded.stat().st_mtime_ns != before
    assert "UNSANDBOXED" in done.stderr
    assert classroom.grades(driven, ASSIGNMENT)["solution"] == classroom.grades(twin_courses[0], ASSIGNMENT)["solution"]


def test_a_sandbox_per_kernel_grades_the_same(twin_courses):
    """Without pre-warmed kernels (one bubblewrap sandbox each), are the grades the same?"""
    plain, driven = twin_courses
    students = ["solution", "blank", "adam-bug_betas_swapped"]
    run_driver(driven, "--no-reports", "--force", "--no-prewarm", "--students", *students)
    expected = classroom.grades(plain, ASSIGNMENT)
    assert {s: classroom.grades(driven, ASSIGNMENT)[s] for s in students} == {s: expected[s] for s in students}
