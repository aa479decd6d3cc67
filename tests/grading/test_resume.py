"""A batch killed with SIGKILL midway, then run again, loses and duplicates nothing: the same
grades as a batch that was never interrupted, every student once in results.json and in the
export."""
from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from tdnn import nbgrader_cli

from . import classroom
from .classroom import ASSIGNMENT
from .driving import grade, results

STUDENTS = 14


def _class(root):
    from tdnn.engine.references import variant_sources
    classroom.make_course(root)
    bugs = [(p, s) for p in classroom.PARTS for s in variant_sources(ASSIGNMENT, p, "bug").values()]
    for i in range(STUDENTS):
        if i % 3 == 0:
            classroom.submit(root, f"s{i:02d}")
        elif i % 3 == 1:
            part, source = bugs[i % len(bugs)]
            classroom.submit(root, f"s{i:02d}", replace={part: source})
        else:
            classroom.submit(root, f"s{i:02d}", blank=True)
    return root


def _export(root) -> list[str]:
    with open(root / "autograder" / "reports" / ASSIGNMENT / "grades.csv", newline="") as f:
        return sorted(row["student_id"] for row in csv.DictReader(f))


@pytest.fixture(scope="module")
def twins(tmp_path_factory):
    whole = _class(tmp_path_factory.mktemp("whole"))
    killed = tmp_path_factory.mktemp("killed")
    shutil.copytree(whole, killed, dirs_exist_ok=True)
    done = grade(whole)
    assert done.returncode == 0, done.stderr

    cmd = [sys.executable, "-m", "tdnn.grade", ASSIGNMENT, "--jobs", "2",
           "--autograder", str(killed / "autograder")]
    batch = subprocess.Popen(cmd, env=nbgrader_cli.env(TDNN_ROOT=str(killed)), cwd=killed,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    deadline = time.monotonic() + 300
    try:
        while len(results(killed)) < 3 and batch.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        os.killpg(batch.pid, signal.SIGKILL)  # the driver and every worker of its group
        batch.wait()
    before = len(results(killed))
    rerun = grade(killed)
    return whole, killed, before, rerun


def test_the_kill_landed_midway(twins):
    """Was the batch really cut short (some students graded, some not)?"""
    _, _, before, _ = twins
    assert 3 <= before < STUDENTS


def test_the_rerun_loses_and_duplicates_nothing(twins):
    """Same grades as the uninterrupted batch; every student once in results and export."""
    whole, killed, _, rerun = twins
    assert rerun.returncode == 0, rerun.stderr
    students = sorted(f"s{i:02d}" for i in range(STUDENTS))
    assert classroom.grades(killed, ASSIGNMENT) == classroom.grades(whole, ASSIGNMENT)
    assert sorted(results(killed)) == students
    assert {o["status"] for o in results(killed).values()} == {"graded"}
    assert _export(killed) == students == _export(whole)
    for student in students:
        feedback = killed / "autograder" / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
        assert feedback.exists(), student
