"""nbgrader configuration for the course; run the plain nbgrader commands from this folder.

The course root is the repository root, so nbgrader reads assignments from ``solutions/`` and
releases them into ``exercises/``; submissions, autograded copies, feedback and the gradebook are
the instructor's working state and live here, out of git.
"""
from pathlib import Path

HERE = Path(__file__).resolve().parent

c = get_config()  # noqa: F821 - injected by nbgrader

c.CourseDirectory.course_id = "training-deep-neural-networks"
c.CourseDirectory.root = str(HERE.parent)
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = "autograder/submitted"
c.CourseDirectory.autograded_directory = "autograder/autograded"
c.CourseDirectory.feedback_directory = "autograder/feedback"
# Absolute: autograde and generate_assignment chdir to the course root, export does not, so a
# relative sqlite path would name two different gradebooks.
c.CourseDirectory.db_url = f"sqlite:///{HERE / 'gradebook.db'}"

# Solutions are plain NumPy and every graded notebook runs in seconds: a cell that takes a
# minute is a loop that will not end.
c.ExecutePreprocessor.timeout = 60
# A student who deletes a test cell gets it back, with its points.
c.OverwriteCells.add_missing_cells = True
# Keep the student-facing version free of nbgrader's own metadata noise.
c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE\nraise NotImplementedError()",
}
