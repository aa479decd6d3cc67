"""A class run through nbgrader's exchange, end to end, with the real nbgrader and class grader.

release_assignment → each student's fetch_assignment, work, validate, submit → collect (one
student resubmits after a first collection: ``collect --update`` takes the newest) → a due date
in the gradebook, then a late submission → class grading (``python -m tdnn.grade``, feedback
included) → release_feedback → each student's fetch_feedback → the Canvas export, read back.
"""
from __future__ import annotations

import csv
import math
import re
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pytest
from dateutil.parser import parse as parse_time

from tdnn import nbgrader_cli
from tests import course

from .classroom import Student, instructor

ASSIGNMENT = "lr_scheduling"  # four NumPy parts: one of the fastest notebooks to grade
CANVAS_ASSIGNMENT_ID = "4242"
#: id: (first name, last name, Canvas user id). eve is enrolled but never submits.
ROSTER = {"ada": ("Ada", "Lovelace", "1001"), "ben": ("Ben", "Okafor", "1002"),
          "cy": ("Cy", "Young", "1003"), "eve": ("Eve", "Moreau", "1005")}
VISIBLE, HIDDEN = "test_{}_visible", "test_{}_hidden"


def bug(part: str, name: str) -> dict[str, str]:
    """``{part: source}`` of one of the chapter's known mistakes (autograder/variants/)."""
    return {part: course.variants(ASSIGNMENT)[f"{part}--{name}"][2]}


# Known mistakes, each of which fails its part's hidden cases (`make references` refuses a bug
# variant that passes them): ben hands his in; cy's first attempt has one, then cy fixes it.
BEN = bug("piecewise_constant", "bug_switches_one_step_late")
CY_FIRST = bug("one_cycle", "bug_equal_halves")


@dataclass
class Run:
    root: Path
    students: dict[str, Student]
    validated: dict[str, int] = field(default_factory=dict)   # failed cells, last attempt
    submitted: dict[str, list[str]] = field(default_factory=dict)   # timestamps, in order
    duedate: str = ""
    canvas: Path | None = None


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Run:
    tmp = tmp_path_factory.mktemp("exchange")
    root = course.copy_course(tmp / "course")
    exchange = tmp / "exchange"
    exchange.mkdir(mode=0o1777)
    solutions = root / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    r = Run(root, {sid: Student(sid, tmp / "home" / sid, exchange, ASSIGNMENT) for sid in ROSTER})

    def attempt(sid, replace=None):
        r.validated[sid], stamp = r.students[sid].attempt(solutions, replace)
        r.submitted.setdefault(sid, []).append(stamp)

    course.release(root, ASSIGNMENT)
    roster = tmp / "roster.csv"
    roster.write_text("id,first_name,last_name,email,lms_user_id\n" + "".join(
        f"{sid},{first},{last},{sid}@example.org,{lms}\n"
        for sid, (first, last, lms) in ROSTER.items()))
    instructor(root, exchange, "db", "student", "import", str(roster))
    instructor(root, exchange, "release_assignment", ASSIGNMENT)
    attempt("ada")
    attempt("cy", CY_FIRST)
    instructor(root, exchange, "collect", ASSIGNMENT)   # an early collection: cy's first try
    attempt("cy")                                       # cy fixes one_cycle and submits again
    r.duedate = datetime.now(timezone.utc).isoformat()
    instructor(root, exchange, "db", "assignment", "add", ASSIGNMENT, f"--duedate={r.duedate}")
    attempt("ben", BEN)                                 # after the due date
    instructor(root, exchange, "collect", "--update", ASSIGNMENT)

    grader = subprocess.run(
        [sys.executable, "-m", "tdnn.grade", ASSIGNMENT, "--autograder", str(root / "autograder"),
         "--jobs", "2"], env=nbgrader_cli.env(TDNN_ROOT=str(root)), capture_output=True,
        text=True, timeout=600)
    assert grader.returncode == 0, f"class grading failed:\n{grader.stdout}\n{grader.stderr}"
    instructor(root, exchange, "release_feedback", ASSIGNMENT)
    for sid in r.submitted:
        r.students[sid].fetch_feedback()

    r.canvas = tmp / "canvas.csv"
    instructor(root, exchange, "export", "--exporter=tdnn.canvas.CanvasExport", "--to",
               str(r.canvas), f"--CanvasExport.assignment_ids={ASSIGNMENT}={CANVAS_ASSIGNMENT_ID}")
    return r


def late_share(submitted: str, due: str) -> float:
    """The course's rule, restated: 10 % per started day late, at most 50 %."""
    seconds = (parse_time(submitted) - parse_time(due)).total_seconds()
    return 0.0 if seconds <= 0 else min(0.1 * math.ceil(seconds / 86400), 0.5)


def test_validate_gives_the_visible_tests_verdict(run):
    """Does ``nbgrader validate`` fail on exactly as many cells as the visible tests the grader
    then scores below full marks (so a student who sees "Success!" lost no visible point)?"""
    graded = course.grades(run.root, ASSIGNMENT)
    for sid, failed in run.validated.items():
        visible = {g: s for g, s in graded[sid].items() if g.endswith("_visible")}
        lost = [g for g, s in visible.items() if s < course.grade_cells(ASSIGNMENT)[g]]
        assert failed == len(lost), (
            f"{sid}: nbgrader validate reported {failed} failing cell(s), but the grader took "
            f"points from the visible tests {lost}: a student cannot trust validate's verdict")
    assert run.validated["ben"] > 0 and run.validated["ada"] == 0, (
        "the class should hold a notebook that passes validate and one that fails it")


def test_each_student_is_graded_on_their_newest_submission(run):
    """After a resubmission and ``collect --update``, is the newest notebook the graded one?"""
    graded = course.grades(run.root, ASSIGNMENT)
    points = course.part_points(ASSIGNMENT)
    assert sorted(graded) == ["ada", "ben", "cy"], (
        f"graded students {sorted(graded)}: every submitter is graded, eve (no submission) not")
    cy = graded["cy"]
    cy_one_cycle = cy[VISIBLE.format("one_cycle")] + cy[HIDDEN.format("one_cycle")]
    assert cy_one_cycle == points["one_cycle"], (
        "cy's one_cycle lost points: the first attempt (the equal-halves bug) was graded, not "
        "the resubmission collected with --update")
    stamp = run.root / "autograder" / "submitted" / "cy" / ASSIGNMENT / "timestamp.txt"
    assert stamp.read_text() == run.submitted["cy"][-1], "the collected copy is not cy's newest"
    ben = graded["ben"]
    assert ben[HIDDEN.format("piecewise_constant")] == 0 and sum(ben.values()) == (
        sum(points.values()) - points["piecewise_constant"]), (
        f"ben's off-by-one boundary should cost piecewise_constant's points and no other: {ben}")


def test_late_submission_is_penalised_in_the_gradebook(run):
    """Is the late student's penalty the course rule applied to the gradebook's due date, and
    is everybody else's zero?"""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{run.root / 'autograder' / 'gradebook.db'}") as gb:
        for sid in ["ada", "ben", "cy"]:
            sub = gb.find_submission(ASSIGNMENT, sid)
            share = late_share(run.submitted[sid][-1], run.duedate)
            assert sub.late_submission_penalty == pytest.approx(share * sub.score), (
                f"{sid}: penalty {sub.late_submission_penalty} of {sub.score} points, expected "
                f"{share:.0%} (submitted {run.submitted[sid][-1]}, due {run.duedate})")
    assert late_share(run.submitted["ben"][-1], run.duedate) == 0.1, "ben should be late by <1 day"


def test_every_submitter_fetches_their_own_feedback(run):
    """Does ``fetch_feedback`` bring each student the page of the submission that was graded,
    with their score after any late penalty, and nothing for a superseded submission?"""
    graded = course.grades(run.root, ASSIGNMENT)
    total = sum(course.grade_cells(ASSIGNMENT).values())
    for sid, stamps in run.submitted.items():
        folder = run.students[sid].home / ASSIGNMENT / "feedback"
        pages = sorted(folder.glob(f"*/{ASSIGNMENT}.html"))
        assert [p.parent.name for p in pages] == [stamps[-1]], (
            f"{sid}: fetched feedback {[str(p.relative_to(folder)) for p in pages]}, expected "
            f"one page for the graded submission of {stamps[-1]}")
        shown = re.search(r"Score: ([\d.]+) / ([\d.]+)", pages[0].read_text())
        expected = sum(graded[sid].values()) * (1 - late_share(stamps[-1], run.duedate))
        assert shown and (float(shown[1]), float(shown[2])) == (pytest.approx(expected), total), (
            f"{sid}: the feedback page shows {shown and shown[0]!r}, expected "
            f"Score: {expected:g} / {total:g}")


def test_canvas_csv_reads_back_as_the_gradebook(run):
    """Does the Canvas file have Canvas's header rows, one column for the assignment named with
    its Canvas id, and each student's score after the late penalty?"""
    with open(run.canvas, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header, possible, *students = rows
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                      f"{ASSIGNMENT} ({CANVAS_ASSIGNMENT_ID})"], f"Canvas header: {header}"
    assert possible[0].strip() == "Points Possible" and possible[1:5] == [""] * 4
    assert float(possible[5]) == sum(course.grade_cells(ASSIGNMENT).values())
    graded = course.grades(run.root, ASSIGNMENT)
    by_login = {row[3]: row for row in students}
    assert sorted(by_login) == sorted(ROSTER), f"rows {sorted(by_login)}, roster {sorted(ROSTER)}"
    for sid, (first, last, lms) in ROSTER.items():
        name, canvas_id, sis_user, _, section, score = by_login[sid]
        assert (name, canvas_id, sis_user, section) == (f"{last}, {first}", lms, "", ""), (
            f"{sid}: Canvas could not match this row to the student: {by_login[sid]}")
        if sid not in graded:
            assert score == "", f"{sid} submitted nothing: the cell must stay empty, got {score!r}"
            continue
        raw = sum(graded[sid].values())
        expected = raw * (1 - late_share(run.submitted[sid][-1], run.duedate))
        assert float(score) == pytest.approx(expected, abs=0.005), (
            f"{sid}: Canvas gets {score}, the gradebook says {raw} points before the late penalty")
    assert float(by_login["ben"][5]) < sum(graded["ben"].values()), "ben's penalty is not applied"
