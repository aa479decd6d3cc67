"""The course's late-submission rule, as an nbgrader ``LateSubmissionPlugin``.

nbgrader 0.9.6 offers only two rules (``penalty_method`` ``none``: no penalty; ``zero``: a late
notebook scores 0). The course takes a share of the score for every day, or part of a day, past
the due date, up to a cap, so a student who hands in an hour late keeps most of the work:

    penalty = score x min(per_day x ceil(seconds late / 86400), cap)

``autograder/nbgrader_config.py`` installs it (``AssignLatePenalties.plugin_class``), so plain
``nbgrader autograde`` and the class grader (``python -m tdnn.grade``, which runs nbgrader's own
``Autograde``) both apply it. The due date is the assignment's in the gradebook
(``nbgrader db assignment add <assignment> --duedate=...``); a submission's time is the one
``nbgrader submit`` wrote in its ``timestamp.txt``. The penalty lands in the gradebook
(``SubmittedNotebook.late_submission_penalty``), where ``nbgrader export`` and the Canvas export
(:mod:`tdnn.canvas`) subtract it.
"""
from __future__ import annotations

import math

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float

from tdnn import late_policy

SECONDS_PER_DAY = 86400


class DailyLatePenalty(LateSubmissionPlugin):
    """``per_day`` of the notebook's score for each started day late, at most ``cap`` of it."""

    per_day = Float(late_policy.PER_DAY, help="Share of the score lost for each day, or part of a day, late.",
                    min=0.0, max=1.0).tag(config=True)
    cap = Float(late_policy.CAP, help="The largest share of the score a late submission can lose.",
                min=0.0, max=1.0).tag(config=True)

    def late_submission_penalty(self, student_id: str, score: float,
                                total_seconds_late: float) -> float:
        days = math.ceil(total_seconds_late / SECONDS_PER_DAY) if total_seconds_late > 0 else 0
        share = min(self.per_day * days, self.cap)
        self.log.info("%s is %d day(s) late: %.0f %% of %s points", student_id, days,
                      100 * share, score)
        return score * share
