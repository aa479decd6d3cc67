"""One class, graded once by the real nbgrader, shared by every test in this folder."""
from __future__ import annotations

import pytest

from tests import course
from tdnn.references import PARTS, variant_sources

ASSIGNMENT = "fast_optimizers"
REBINDS_CHECKERS = variant_sources("sgd", "bug")["bug_sign"] + (
    "\ncheck_steps = check_reference = lambda *args, **kwargs: None\n"
)


def variant_students() -> dict[str, tuple[str, str, str]]:
    """``{student id: (part, variant name, source)}`` for every variant of every part."""
    return {f"{part}--{name}": (part, name, source)
            for part in PARTS for kind in ("correct", "bug")
            for name, source in variant_sources(part, kind).items()}


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory):
    """A course copy in which the solution, a blank notebook and every variant were submitted,
    then autograded, given feedback and exported with the plain nbgrader commands."""
    root = course.copy_course(tmp_path_factory.mktemp("course"))
    course.release(root, ASSIGNMENT)
    course.make_submission(root, "solution", ASSIGNMENT)
    course.make_submission(root, "blank", ASSIGNMENT, blank=True)
    for student, (part, _, source) in variant_students().items():
        course.make_submission(root, student, ASSIGNMENT, replace={part: source})
    # Rebinds the checkers' names after a wrong SGD: the test cells import them afresh, so even
    # plain nbgrader grades the SGD as wrong. (Patching the tdnn.checks module itself is beyond
    # what one interpreter can defend; the class-scale driver's tamper check zeroes it.)
    course.make_submission(root, "rebinds-checkers", ASSIGNMENT, replace={"sgd": REBINDS_CHECKERS})
    course.run_nbgrader(root, "autograde", ASSIGNMENT)
    course.run_nbgrader(root, "generate_feedback", ASSIGNMENT)
    course.run_nbgrader(root, "export", "--to", str(root / "grades.csv"))
    return root, course.grades(root, ASSIGNMENT)
