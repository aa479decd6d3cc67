"""The exchange between separate OS users, as on a shared JupyterHub machine: the instructor
(this test's user, root) releases, collects, grades and releases feedback; two students, each an
OS user of its own, fetch, submit and fetch their feedback (their nbgrader runs with one
capability, to read the course's Python wherever it lives: see ``Student.command``; every write
is checked against their uid, and the checks of what they may see run with no capability).

Can each do their part through the permissions nbgrader gives the exchange's folders, and can
neither read the other's submission or feedback? The students' uids need no passwd entry: their
nbgrader ids are configured (``CourseDirectory.student_id``), and HOME is set for them.
"""
from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests import course

from .classroom import COURSE_ID, Student, instructor

ASSIGNMENT = "lr_scheduling"
#: Outside the class grader's sandbox range (61000+), whose processes it kills.
UIDS = {"ada": 59001, "ben": 59002}

#: What a student's plain checks run with (see attempt_as).
SYSTEM_PYTHON = f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}"

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="acting as other users needs root"),
    pytest.mark.skipif(not (shutil.which("setpriv") and Path(SYSTEM_PYTHON).exists()),
                       reason="needs util-linux's setpriv and the system's Python"),
]


@pytest.fixture(scope="module")
def cls():
    # Not pytest's tmp_path: it is private to its owner (0700), so no student could enter it.
    top = Path(tempfile.mkdtemp(prefix="tdnn-exchange-users-"))
    top.chmod(0o755)
    try:
        exchange = top / "exchange"
        exchange.mkdir()
        exchange.chmod(0o1777)  # what a JupyterHub set-up gives /srv/nbgrader/exchange
        root = course.copy_course(top / "course")
        students = {sid: Student(sid, top / "home" / sid, exchange, ASSIGNMENT, uid=uid)
                    for sid, uid in UIDS.items()}
        course.release(root, ASSIGNMENT)
        instructor(root, exchange, "release_assignment", ASSIGNMENT)
        for student in students.values():
            answers = student.home / "answers.ipynb"
            shutil.copy(root / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", answers)
            os.chown(answers, student.uid, student.uid)
            student.attempt(answers)
        inbound = exchange / COURSE_ID / "inbound"
        submissions = {sid: next(inbound.glob(f"{sid}+{ASSIGNMENT}+*")) for sid in students}
        instructor(root, exchange, "collect", ASSIGNMENT)
        instructor(root, exchange, "autograde", ASSIGNMENT)
        instructor(root, exchange, "generate_feedback", ASSIGNMENT)
        instructor(root, exchange, "release_feedback", ASSIGNMENT)
        for student in students.values():
            student.fetch_feedback()
        yield {"root": root, "exchange": exchange, "students": students,
               "submissions": submissions}
    finally:
        shutil.rmtree(top, ignore_errors=True)


def attempt_as(student: Student, code: str) -> subprocess.CompletedProcess:
    """Python ``code`` run as the student's OS user with no capability at all: the system's
    interpreter (its standard library is readable by everyone), nothing of the course's."""
    return subprocess.run([SYSTEM_PYTHON, "-c", code], capture_output=True, text=True, timeout=60,
                          env={"HOME": str(student.home), "PATH": "/usr/bin:/bin"},
                          user=student.uid, group=student.uid, extra_groups=[])


def test_each_submission_is_the_students_own_file(cls):
    """Did ``nbgrader submit`` really run as each student (their uid owns what they handed in)?"""
    for sid, folder in cls["submissions"].items():
        owners = {p.stat().st_uid for p in [folder, *folder.rglob("*")]}
        assert owners == {UIDS[sid]}, f"{sid}'s submission is owned by uids {owners}"


def test_a_student_cannot_find_another_students_submission(cls):
    """nbgrader 0.9.6's exchange leaves a submission readable by all (0644 in a 0755 folder),
    and protects it by its name: the inbound folder can be written and entered but not listed
    (0733), and each submission's folder name ends in 72 random bits. So: ben cannot list the
    inbound folder, and ada's folder is not where her id, the assignment and the time alone
    would put it."""
    ben = cls["students"]["ben"]
    inbound = cls["exchange"] / COURSE_ID / "inbound"
    listed = attempt_as(ben, f"import os; print(os.listdir({str(inbound)!r}))")
    assert listed.returncode != 0 and "PermissionError" in listed.stderr, (
        f"ben could list the inbound folder: {listed.stdout}")
    ada = cls["submissions"]["ada"]
    sid, assignment, stamp, secret = ada.name.split("+")
    assert (sid, assignment) == ("ada", ASSIGNMENT)
    assert len(base64.urlsafe_b64decode(secret)) * 8 >= 72, (
        f"ada's submission folder {ada.name!r} has no random part a classmate must guess")
    guessed = inbound / f"{sid}+{assignment}+{stamp}" / f"{ASSIGNMENT}.ipynb"
    read = attempt_as(ben, f"open({str(guessed)!r}).read()")
    assert read.returncode != 0 and "FileNotFoundError" in read.stderr


def test_each_student_fetches_only_their_own_feedback(cls):
    for sid, student in cls["students"].items():
        pages = sorted((student.home / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html"))
        assert len(pages) == 1, f"{sid} fetched {len(pages)} feedback pages"
        assert {p.stat().st_uid for p in pages} == {UIDS[sid]}
    ben = cls["students"]["ben"]
    feedback = cls["exchange"] / COURSE_ID / "feedback"
    listed = attempt_as(ben, f"import os; print(os.listdir({str(feedback)!r}))")
    assert listed.returncode != 0 and "PermissionError" in listed.stderr, (
        f"ben could list every student's feedback: {listed.stdout}")


def test_the_class_is_graded_from_the_students_files(cls):
    graded = course.grades(cls["root"], ASSIGNMENT)
    total = sum(course.grade_cells(ASSIGNMENT).values())
    assert {sid: sum(g.values()) for sid, g in graded.items()} == {sid: total for sid in UIDS}
