"""Does a cell that stops its kernel cost its own part only, under both graders, and say why?

One class (an honest student and one per way of stopping the kernel) is graded once by plain
``nbgrader autograde`` and once by the class grader, each on its own copy of the course."""
from __future__ import annotations

import json
import shutil

import pytest
from traitlets.config import Config

from tdnn import chapters
from tdnn.grade.execute import PartwiseExecute, SandboxedExecute

from . import classroom
from .classroom import ASSIGNMENT, GRADE_IDS, POINTS, part_of
from .conftest import FAST_LIMITS, run_driver

CELL_SECONDS = 8  # the cell limit both graders run under here (the chapter's is 60 s)

#: student -> (the parts it replaces with code that stops the kernel, that code)
CRASHES = {
    "os_exit": ({"adam"}, "import os\nos._exit(0)\n"),
    "kill_own_kernel": ({"momentum"}, "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n"),
    "ignores_interrupt": ({"nesterov"}, "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                                        "while True:\n    pass\n"),
    "every_part_exits": (set(classroom.PARTS), "import os\nos._exit(0)\n"),
}
#: what the cell that stopped the kernel must say
SAYS = {
    "os_exit": "The kernel died while running this cell",
    "kill_own_kernel": "The kernel died while running this cell",
    "ignores_interrupt": f"This cell ran past the {CELL_SECONDS} s limit and ignored the interrupt, "
                         "so its kernel was stopped",
    "every_part_exits": "The kernel died while running this cell",
}
#: plain nbgrader gets at most this many fresh kernels per notebook (the driver: one per part)
PLAIN_RESTARTS = 2


def _submit_class(root):
    classroom.submit(root, "honest")
    for student, (parts, code) in CRASHES.items():
        classroom.submit(root, student, replace={part: code for part in parts})


@pytest.fixture(scope="module")
def courses(tmp_path_factory):
    """``{"plain": root, "driver": root}``: the same class, graded by each grader."""
    plain = classroom.make_course(tmp_path_factory.mktemp("crash-plain"))
    driven = tmp_path_factory.mktemp("crash-driver")
    shutil.copytree(plain, driven, dirs_exist_ok=True)
    _submit_class(plain)
    _submit_class(driven)
    classroom.run_nbgrader(plain, "autograde", ASSIGNMENT, f"--Execute.timeout={CELL_SECONDS}",
                           f"--PartwiseExecute.max_restarts={PLAIN_RESTARTS}")
    limits = list(FAST_LIMITS)
    limits[limits.index("--cell-timeout") + 1] = str(CELL_SECONDS)
    run_driver(driven, *limits)
    return {"plain": plain, "driver": driven}


def _autograded(root, student):
    path = root / "autograder" / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    return json.loads(path.read_text())


def _errors(cell) -> str:
    return "\n".join(f"{o['ename']}: {o['evalue']}" for o in cell.get("outputs", [])
                     if o["output_type"] == "error")


def _cells_of(nb, part):
    return {c["metadata"]["nbgrader"]["grade_id"]: c for c in nb["cells"]
            if c["cell_type"] == "code"
            and part_of(c["metadata"].get("nbgrader", {}).get("grade_id", "")) == part}


GRADERS = ("plain", "driver")


@pytest.mark.parametrize("grader", GRADERS)
@pytest.mark.parametrize("student", sorted(CRASHES))
def test_a_crash_costs_its_own_part_only(courses, grader, student):
    """Does the student keep full marks on every part but the one that stopped the kernel?"""
    broken = CRASHES[student][0]
    got = classroom.grades(courses[grader], ASSIGNMENT)[student]
    assert got == {gid: 0.0 if part_of(gid) in broken else POINTS[gid] for gid in GRADE_IDS}


@pytest.mark.parametrize("grader", GRADERS)
@pytest.mark.parametrize("student", ["os_exit", "kill_own_kernel", "ignores_interrupt"])
def test_the_broken_part_says_what_happened(courses, grader, student):
    """Does the cell that stopped the kernel say how, and its part's tests say why they did not run?"""
    (part,) = CRASHES[student][0]
    cells = _cells_of(_autograded(courses[grader], student), part)
    assert SAYS[student] in _errors(cells[part])
    for kind in ("visible", "hidden"):
        assert "this part's code stopped the kernel above" in _errors(cells[f"test_{part}_{kind}"])
    others = [c for c in _autograded(courses[grader], student)["cells"] if c["cell_type"] == "code"
              and part_of(c["metadata"].get("nbgrader", {}).get("grade_id", part)) != part]
    assert others and not any(_errors(c) for c in others)


def test_the_driver_feedback_gives_the_reason(courses):
    """Does the student's feedback page from the class grader show the reason?"""
    for student in ("os_exit", "kill_own_kernel", "ignores_interrupt"):
        page = (courses["driver"] / "autograder" / "feedback" / student / ASSIGNMENT
                / f"{ASSIGNMENT}.html").read_text(errors="replace")
        assert SAYS[student].split(" this cell")[0] in page, student


def test_the_number_of_fresh_kernels_is_bounded(courses):
    """Does a notebook whose every part kills its kernel stop getting fresh kernels at the bound?"""
    nb = _autograded(courses["plain"], "every_part_exits")
    solutions = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("solution")
                 and c["cell_type"] == "code"]
    died = [c for c in solutions if "The kernel died" in _errors(c)]
    assert len(died) == PLAIN_RESTARTS + 1
    given_up = solutions[PLAIN_RESTARTS + 1:]
    assert given_up and all("started no other" in _errors(c) for c in given_up)
    # the class grader's bound is one fresh kernel per part: every part got to run
    nb = _autograded(courses["driver"], "every_part_exits")
    solutions = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("solution")
                 and c["cell_type"] == "code"]
    assert all("The kernel died" in _errors(c) for c in solutions)


@pytest.mark.parametrize("grader", GRADERS)
def test_honest_scores_are_unchanged(courses, grader):
    """Does the honest student in the same class keep full marks?"""
    assert classroom.grades(courses[grader], ASSIGNMENT)["honest"] == POINTS


def test_both_graders_agree(courses):
    """Do plain nbgrader and the class grader give every student the same scores?"""
    assert classroom.grades(courses["plain"], ASSIGNMENT) == classroom.grades(courses["driver"], ASSIGNMENT)


def test_the_cell_limit_is_the_chapters_unless_configured():
    """Is a cell's time limit the chapter's LIMITS.cell_seconds, unless Execute.timeout is set?"""
    resources = {"nbgrader": {"assignment": ASSIGNMENT}}
    chapter = chapters.load(ASSIGNMENT).LIMITS.cell_seconds
    for cls in (PartwiseExecute, SandboxedExecute):
        assert cls(config=Config()).cell_limit(resources) == chapter
        configured = Config()
        configured.Execute.timeout = 7
        assert cls(config=configured).cell_limit(resources) == 7
    assert PartwiseExecute(config=Config()).cell_limit({}) == chapters.Limits.cell_seconds


def test_the_course_config_runs_partwise_execute():
    """Does nbgrader_config.py run PartwiseExecute, and leave the cell limit to the chapter?"""
    from nbgrader.preprocessors import Execute
    from traitlets.config.loader import PyFileConfigLoader

    from tdnn import paths

    config = PyFileConfigLoader("nbgrader_config.py", path=str(paths.AUTOGRADER)).load_config()
    executes = [p for p in config.Autograde.autograde_preprocessors if issubclass(p, Execute)]
    assert executes == [PartwiseExecute]
    assert all("timeout" not in config[name] for name in ("Execute", "ExecutePreprocessor",
                                                          "NotebookClient") if name in config)
