"""Two grading processes, each with its own share of a class (``--shard i/2``), one PostgreSQL
gradebook (a real server, started for this module): do they grade the class as one machine does
with the course's sqlite gradebook, with no grade lost or written twice, even when one of them is
killed with SIGKILL midway and run again? And do plain ``nbgrader export`` and
``generate_feedback`` work on that gradebook?"""
from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from tdnn import nbgrader_cli
from tdnn.grade import shards
from tests import course

from . import classroom, postgres
from .classroom import ASSIGNMENT, POINTS
from .conftest import run_driver

STUDENTS = [f"student{i:02d}" for i in range(9)]
COURSE_ID = "training-deep-neural-networks"


def _class(root):
    from tdnn.engine.references import variant_sources

    classroom.make_course(root)
    bugs = [(p, s) for p in classroom.PARTS for s in variant_sources(ASSIGNMENT, p, "bug").values()]
    for i, student in enumerate(STUDENTS):
        if i % 3 == 0:
            classroom.submit(root, student)
        elif i % 3 == 1:
            part, source = bugs[i % len(bugs)]
            classroom.submit(root, student, replace={part: source})
        else:
            classroom.submit(root, student, blank=True)
    return root


def _shard_cmd(root, url, index):
    return [sys.executable, "-m", "tdnn.grade", ASSIGNMENT, "--autograder",
            str(root / "autograder"), "--jobs", "1", "--shard", f"{index}/2"]


def _start_shard(root, url, index):
    return subprocess.Popen(_shard_cmd(root, url, index), cwd=root,
                            env=nbgrader_cli.env(TDNN_ROOT=str(root), TDNN_GRADEBOOK_URL=url),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _shard_results(root, index) -> dict:
    path = (root / "autograder" / "reports" / ASSIGNMENT / f"shard-{index}-of-2"
            / "results.json")
    return json.loads(path.read_text()) if path.exists() else {}


def _grades(db_url) -> tuple[dict, dict]:
    """As nbgrader's API reads them from ``db_url``: ``{student: {grade_id: score}}`` of the
    autograded cells, and ``{student: {grade_id: (auto_score, needs_manual_grade)}}`` of the
    written answers (the shapes of :func:`tests.course.grades` and ``manual_grades``)."""
    from nbgrader.api import Gradebook

    auto, manual = {}, {}
    with Gradebook(db_url, COURSE_ID) as gb:
        for student in gb.students:
            cells = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student.id).grades
            auto[student.id] = {g.name: g.score for g in cells if g.cell.cell_type == "code"}
            manual[student.id] = {g.name: (g.auto_score, bool(g.needs_manual_grade))
                                  for g in cells if g.cell.cell_type == "markdown"}
    return auto, manual


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    single = _class(tmp_path_factory.mktemp("single"))
    sharded = tmp_path_factory.mktemp("sharded")
    shutil.copytree(single, sharded, dirs_exist_ok=True)
    run_driver(single, "--no-reports")  # the reference: one machine, the sqlite gradebook
    with postgres.cluster() as server:
        classroom.run_nbgrader(sharded, "generate_assignment", ASSIGNMENT, "--force",
                               f"--CourseDirectory.db_url={server.url}")
        first, second = _start_shard(sharded, server.url, 0), _start_shard(sharded, server.url, 1)
        deadline = time.monotonic() + 600
        try:  # shard 1 is killed once it has graded a student, while shard 0 goes on
            while (not _shard_results(sharded, 1) and second.poll() is None
                   and time.monotonic() < deadline):
                time.sleep(0.05)
        finally:
            os.killpg(second.pid, signal.SIGKILL)
            second.wait()
        before = len(_shard_results(sharded, 1))
        out, err = first.communicate(timeout=600)
        assert first.returncode == 0, f"shard 0/2 failed:\n{out}\n{err[-3000:]}"
        rerun = _start_shard(sharded, server.url, 1)
        out, err = rerun.communicate(timeout=600)
        assert rerun.returncode == 0, f"shard 1/2, run again, failed:\n{out}\n{err[-3000:]}"
        export = sharded / "export.csv"
        classroom.run_nbgrader(sharded, "export", f"--CourseDirectory.db_url={server.url}",
                               "--to", str(export))
        classroom.run_nbgrader(sharded, "generate_feedback", ASSIGNMENT, "--student",
                               STUDENTS[0], "--force", f"--CourseDirectory.db_url={server.url}")
        yield {"single": single, "sharded": sharded, "server": server, "killed_after": before,
               "grades": _grades(server.url), "export": export, "stderr": err}


def test_both_shares_are_real(graded):
    """Does each share hold several students, and was shard 1 killed midway through its own?"""
    shares = [[s for s in STUDENTS if shards.share_of(s, 2) == i] for i in range(2)]
    assert min(len(share) for share in shares) >= 3, shares
    assert 1 <= graded["killed_after"] < len(shares[1])


def test_merged_grades_equal_one_machine_with_sqlite(graded):
    """Does every student get, in every test cell, the score one machine gives with sqlite?"""
    expected = classroom.grades(graded["single"], ASSIGNMENT)
    assert sorted(expected) == STUDENTS
    auto, manual = graded["grades"]
    assert auto == expected
    assert manual == course.manual_grades(graded["single"], ASSIGNMENT)


def test_no_grade_is_lost_or_written_twice(graded):
    """One submission per student, one notebook per submission, one grade per test cell?"""
    query = graded["server"].query
    assert query("SELECT count(*), count(DISTINCT student_id) FROM submitted_assignment") == \
        [(len(STUDENTS), len(STUDENTS))]
    assert query("SELECT count(*) FROM submitted_notebook") == [(len(STUDENTS),)]
    cells = len(POINTS) + len(course.manual_cells(ASSIGNMENT))  # autograded, and written answers
    assert query("SELECT count(*) FROM grade") == [(len(STUDENTS) * cells,)]
    assert query("SELECT count(*) FROM grade WHERE auto_score IS NULL AND manual_score IS NULL") == [(0,)]


def test_each_student_is_graded_by_exactly_one_shard(graded):
    """Do the shards' own results cover the class, each student once, all graded?"""
    results = [_shard_results(graded["sharded"], i) for i in range(2)]
    assert not set(results[0]) & set(results[1])
    assert sorted({**results[0], **results[1]}) == STUDENTS
    assert {o["status"] for r in results for o in r.values()} == {"graded"}
    for student in STUDENTS:  # each shard wrote its students' feedback
        page = (graded["sharded"] / "autograder" / "feedback" / student / ASSIGNMENT
                / f"{ASSIGNMENT}.html")
        assert page.exists(), f"no feedback page for {student}"


def test_plain_nbgrader_export_reads_the_postgresql_gradebook(graded):
    """Does ``nbgrader export --CourseDirectory.db_url=postgresql...`` list every student's
    score as the sqlite run's grades give it?"""
    with open(graded["export"], newline="") as f:
        rows = {r["student_id"]: float(r["score"]) for r in csv.DictReader(f)}
    expected = classroom.grades(graded["single"], ASSIGNMENT)
    assert rows == {s: sum(g.values()) for s, g in expected.items()}


def test_plain_generate_feedback_works_on_the_postgresql_gradebook(graded):
    """Does ``nbgrader generate_feedback`` write a student's page from that gradebook?"""
    page = (graded["sharded"] / "autograder" / "feedback" / STUDENTS[0] / ASSIGNMENT
            / f"{ASSIGNMENT}.html")
    total = sum(classroom.grades(graded["single"], ASSIGNMENT)[STUDENTS[0]].values())
    assert f"{total:g}" in page.read_text()


def test_an_unreachable_gradebook_is_one_line_without_its_password(tmp_path):
    """A --db-url that no server answers stops the grader before anything is graded (exit 2),
    in one line that names the database but not its password."""
    root = classroom.copy_course(tmp_path)
    url = f"postgresql+psycopg://grader:s3cret@/course?host={tmp_path / 'no-server'}"
    done = run_driver(root, "--db-url", url, check=False)
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert done.returncode == 2, done.stderr[-2000:]
    assert len(errors) == 1 and "cannot open the gradebook postgresql+psycopg://grader:***@" \
        in errors[0], done.stderr[-2000:]
    assert "s3cret" not in done.stderr + done.stdout
