"""nbgrader configuration for the course; run the plain nbgrader commands from this folder.

The course root is the repository root, so nbgrader reads assignments from ``solutions/`` and
releases them into ``exercises/``; submissions, autograded copies, feedback and the gradebook are
the instructor's working state and live here, out of git. The class grader
(``python -m tdnn.grade``) reads this same file.
"""
import os
from pathlib import Path

from nbgrader.converters import Autograde, GenerateFeedback
from nbgrader.preprocessors import Execute

from tdnn.engine.feedback import OutputsAsText
from tdnn.engine.judge import JudgeResults
from tdnn.grade.execute import PartwiseExecute

HERE = Path(__file__).resolve().parent

c = get_config()  # noqa: F821 - injected by nbgrader

c.CourseDirectory.course_id = "training-deep-neural-networks"
c.CourseDirectory.root = str(HERE.parent)
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = "autograder/submitted"
c.CourseDirectory.autograded_directory = "autograder/autograded"
c.CourseDirectory.feedback_directory = "autograder/feedback"
# The gradebook: the sqlite file here, or a shared database (PostgreSQL) for several grading
# machines and a hub's formgrader, named by TDNN_GRADEBOOK_URL (autograder/deploy/README.md).
# Absolute: autograde and generate_assignment chdir to the course root, export does not, so a
# relative sqlite path would name two different gradebooks.
c.CourseDirectory.db_url = (os.environ.get("TDNN_GRADEBOOK_URL")
                            or f"sqlite:///{HERE / 'gradebook.db'}")

# The kernel computes, the grader judges: right after the notebook runs, JudgeResults compares
# what each test cell reported with the reference outputs, in nbgrader's own process.
# Execute is PartwiseExecute: a cell that kills its kernel (os._exit, a signal, a CPU or memory
# limit) or ignores the interrupt at the time limit loses its own part, not the notebook.
_default = Autograde.class_traits()["autograde_preprocessors"].default()
_at = next(i for i, p in enumerate(_default) if issubclass(p, Execute))
c.Autograde.autograde_preprocessors = (_default[:_at] + [PartwiseExecute, JudgeResults]
                                       + _default[_at + 1:])
c.JudgeResults.references = str(HERE / "references")

# The feedback page shows a student's outputs as text or images, never as live HTML or script,
# and Markdown without anything active (tdnn/engine/feedback.py).
c.GenerateFeedback.preprocessors = (
    GenerateFeedback.class_traits()["preprocessors"].default() + [OutputsAsText])

# The longest a cell may run is its chapter's LIMITS.cell_seconds (tdnn/chapters/<chapter>.py:
# 60 s for fast_optimizers); setting Execute.timeout here would override it for every chapter.
# A student who deletes a test cell gets it back, with its points.
c.OverwriteCells.add_missing_cells = True
# Keep the student-facing version free of nbgrader's own metadata noise.
c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE\nraise NotImplementedError()",
}

# The exchange: release_assignment, fetch_assignment, submit, collect, release_feedback and
# fetch_feedback meet in this folder (nbgrader's default; it must exist and be writable by
# everyone, mode 1777 on a shared machine). Students' own nbgrader_config.py names the same
# folder and course_id (book/getting_the_exercises.md).
c.Exchange.root = "/usr/local/share/nbgrader/exchange"

# Late work loses 10 % of its score per started day past the gradebook's due date, at most 50 %
# (tdnn/late_penalty.py); nbgrader alone offers only no penalty or a zero.
c.AssignLatePenalties.plugin_class = "tdnn.late_penalty.DailyLatePenalty"
