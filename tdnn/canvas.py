"""Grades for Canvas: an nbgrader export plugin writing the CSV that Canvas's gradebook imports.

    cd autograder && nbgrader export --exporter=tdnn.canvas.CanvasExport --to canvas.csv

The file has the layout of Canvas's own gradebook export, which is what its import
(*Gradebook → Import*) reads back:

- a header row: ``Student``, ``ID``, ``SIS User ID``, ``SIS Login ID``, ``Section``, then one
  column per nbgrader assignment, named ``<assignment> (<Canvas assignment id>)`` when
  ``CanvasExport.assignment_ids`` gives the id (Canvas then fills that assignment), or
  ``<assignment>`` alone (Canvas offers to create a new assignment of that name);
- a ``Points Possible`` row: each assignment's maximum score;
- one row per student: the score with nbgrader's late penalty already taken off
  (``score - late_submission_penalty``, never below 0, as ``nbgrader export`` computes it).

Who is who: Canvas finds a student by ``ID`` (the Canvas user id) and otherwise by the SIS
columns. This exporter fills them from nbgrader's gradebook ``Student`` record:

============== =====================================================================
Canvas column  from nbgrader
============== =====================================================================
Student        ``last_name, first_name`` (Canvas's sortable name); the id if unnamed
ID             ``lms_user_id`` (``nbgrader db student add <id> --lms-user-id=...``)
SIS User ID    left empty: nbgrader keeps no SIS number
SIS Login ID   the nbgrader student id, i.e. the login the student submits under
Section        ``CanvasExport.section`` (empty: Canvas keeps each student's section)
============== =====================================================================

A student with no submission gets ``CanvasExport.missing`` (default empty: Canvas leaves that
grade as it is; set it to ``0`` to record a zero).
"""
from __future__ import annotations

import csv

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin
from traitlets import Dict, Unicode

IDENTITY_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
# Canvas's own export indents the label; its import recognises the row by it.
POINTS_POSSIBLE = "    Points Possible"


class CanvasExport(ExportPlugin):
    """Write nbgrader's gradebook as a Canvas gradebook CSV (one column per assignment)."""

    assignment_ids = Dict(
        key_trait=Unicode(), value_trait=Unicode(),
        help="Canvas assignment id of each nbgrader assignment, e.g. "
             "{'lr_scheduling': '1234567'}: the number in the assignment's Canvas URL.",
    ).tag(config=True)
    section = Unicode("", help="Written in every row's Section column.").tag(config=True)
    missing = Unicode("", help="What a student with no submission gets: '' leaves the Canvas "
                               "grade as it is, '0' records a zero.").tag(config=True)

    def export(self, gradebook: Gradebook) -> None:
        dest = self.to or "canvas.csv"
        assignments = [a for a in gradebook.assignments
                       if not self.assignment or a.name in self.assignment]
        students = sorted((s for s in gradebook.students
                           if not self.student or s.id in self.student),
                          key=lambda s: (s.last_name or "", s.first_name or "", s.id))
        self.log.info("Exporting %d assignment(s) for %d student(s) to %s", len(assignments),
                      len(students), dest)
        with open(dest, "w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh)
            out.writerow(IDENTITY_COLUMNS + [self.column(a.name) for a in assignments])
            out.writerow([POINTS_POSSIBLE] + [""] * (len(IDENTITY_COLUMNS) - 1)
                         + [points(a.max_score) for a in assignments])
            for student in students:
                out.writerow(identity(student, self.section)
                             + [self.score(gradebook, a.name, student.id) for a in assignments])

    def column(self, assignment: str) -> str:
        canvas_id = self.assignment_ids.get(assignment)
        return f"{assignment} ({canvas_id})" if canvas_id else assignment

    def score(self, gradebook: Gradebook, assignment: str, student: str) -> str:
        try:
            submission = gradebook.find_submission(assignment, student)
        except MissingEntry:
            return self.missing
        return points(max(0.0, submission.score - submission.late_submission_penalty))


def identity(student, section: str = "") -> list[str]:
    """The five columns by which Canvas recognises a student (see the module's table)."""
    names = [n for n in (student.last_name, student.first_name) if n]
    return [", ".join(names) or student.id, student.lms_user_id or "", "", student.id, section]


def points(value: float) -> str:
    # Two decimals, as Canvas writes scores; a late penalty of 10 % of 12 points is 1.2.
    return f"{value:.2f}"
