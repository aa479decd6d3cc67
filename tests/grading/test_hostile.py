"""Can a submission break the batch, its own grade's honesty, or anyone else's work?

One class holds two honest students and every hostile submission below; a twin class holds only
the honest two. Both are graded by the driver. Each hostile student must get a grade (zero for
the parts it broke, full marks for the rest) and a readable reason in their feedback; the honest
students' grades and files must be byte-identical to the twin's; nothing outside the hostile
student's own folders may change."""
from __future__ import annotations

import dataclasses
import json
import shutil
import textwrap

import nbformat
import pytest

from . import classroom
from .attacks import ATTACKS
from .classroom import ASSIGNMENT, GRADE_IDS, POINTS
from .conftest import FAST_LIMITS, run_driver

ALL = frozenset(classroom.PARTS)


@dataclasses.dataclass(frozen=True)
class Case:
    why: str                      # what the case checks, shown when it fails
    zero: frozenset               # parts that must score 0 (the others: full marks)
    says: str                     # text the student's feedback must show
    replace: dict = dataclasses.field(default_factory=dict)
    edit: object = None
    raw: bytes | None = None
    name: str = f"{ASSIGNMENT}.ipynb"
    blank: bool = False


def _solution_with(prefix: str, part: str = "sgd") -> dict:
    """The instructor's solution of ``part`` with hostile code run first, in the same cell."""
    return {part: textwrap.dedent(prefix) + "\n" + classroom.solution(part)}


def _drop(grade_id):
    def edit(nb):
        nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != grade_id]
    return edit


def _tests_last(nb):
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    nb.cells = [c for c in nb.cells if c not in tests] + tests


def _set_source(grade_id, source):
    def edit(nb):
        for c in nb.cells:
            if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
                c.source = source
    return edit


def _other_assignment(nb):
    new = nbformat.v4.new_notebook()
    new.cells = [nbformat.v4.new_code_cell("def square(x):\n    return x * x")]
    return new


NESTED = textwrap.dedent("""\
    d = x = {}
    for _ in range(700):
        x["a"] = {}
        x = x["a"]
    from IPython.display import publish_display_data
    publish_display_data({"application/json": d})
    """)
BUGGY_SGD = "class SGD:\n    def __init__(self, lr=0.01):\n        self.lr = lr\n    def update(self, params, grads):\n        pass\n"
GOOD_NB = None  # filled lazily: bytes of an honest notebook, for truncation

CASES = {
    "endless_loop": Case("an endless loop is stopped by the per-cell time limit",
                         frozenset({"sgd"}), "CellTimeoutError",
                         replace={"sgd": "while True:\n    pass\n"}),
    "sleep_forever": Case("time.sleep(10**6) is stopped by the per-cell time limit",
                          frozenset({"momentum"}), "CellTimeoutError",
                          replace={"momentum": "import time\ntime.sleep(10**6)\n"}),
    "memory_bomb": Case("a memory bomb hits the address-space limit and raises MemoryError",
                        frozenset({"nesterov"}), "MemoryError",
                        replace={"nesterov": "hog = []\nwhile True:\n    hog.append(bytearray(10**8))\n"}),
    "fork_bomb": Case("a fork bomb hits the process limit", frozenset({"adagrad"}),
                      "Resource temporarily unavailable",
                      replace={"adagrad": "import os\nwhile True:\n    os.fork()\n"}),
    "sys_exit": Case("sys.exit() in a cell is an error in that cell only",
                     frozenset({"rmsprop"}), "SystemExit",
                     replace={"rmsprop": "import sys\nsys.exit(3)\n"}),
    "os_exit": Case("os._exit() kills the kernel: that part scores 0 with the reason, the "
                    "others are graded in a fresh kernel",
                    frozenset({"adam"}), "kernel died", replace={"adam": "import os\nos._exit(0)\n"}),
    "kill_own_kernel": Case("SIGKILL to its own kernel: that part scores 0 with the reason",
                            frozenset({"sgd"}),
                            "kernel died",
                            replace={"sgd": "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n"}),
    "deleted_test": Case("a deleted hidden test cell is put back by nbgrader, and passes",
                         frozenset(), "fast_optimizers", edit=_drop("test_adam_hidden")),
    "reordered_tests": Case("test cells moved to the end still grade the right code",
                            frozenset(), "fast_optimizers", edit=_tests_last),
    "test_replaced_by_pass": Case("a test cell rewritten to `pass` is restored from the gradebook",
                                  frozenset({"sgd"}), "AssertionError",
                                  replace={"sgd": BUGGY_SGD},
                                  edit=_set_source("test_sgd_hidden", "pass")),
    "patched_numpy": Case("patching np.allclose / np.testing / AssertionError gains nothing",
                          frozenset({"sgd"}), "AssertionError", replace={"sgd": BUGGY_SGD + textwrap.dedent("""
                              import numpy, builtins
                              numpy.allclose = lambda *a, **k: True
                              numpy.testing.assert_allclose = lambda *a, **k: None
                              numpy.isfinite = lambda x: True
                              builtins.AssertionError = type('Quiet', (Exception,), {})
                              """)}),
    "reads_solutions": Case("the solutions are not visible to the kernel",
                            frozenset({"sgd"}), "No such file or directory",
                            replace=_solution_with("from tdnn import paths\nopen(paths.SOLUTIONS / 'fast_optimizers' / 'fast_optimizers.ipynb').read()\n")),
    "reads_references": Case("the reference outputs are not visible to the kernel",
                             frozenset({"sgd"}), "No such file or directory",
                             replace=_solution_with("from tdnn import paths\n(paths.REFERENCES / 'fast_optimizers.json').read_text()\n")),
    "writes_elsewhere": Case("another student's folder and the gradebook are out of reach",
                             frozenset({"sgd"}), "No such file or directory",
                             replace=_solution_with("""
                                 from tdnn import paths
                                 for target in (paths.AUTOGRADER / 'gradebook.db',
                                                paths.AUTOGRADER / 'submitted' / 'honest' / 'fast_optimizers' / 'fast_optimizers.ipynb'):
                                     try:
                                         target.write_text('pwned')
                                     except OSError as err:
                                         print(err)
                                 open(paths.AUTOGRADER / 'gradebook.db', 'w')
                                 """)),
    "empty_file": Case("an empty file scores 0 with the reason", ALL, "could not be read", raw=b""),
    "truncated": Case("a truncated notebook scores 0 with the reason", ALL, "could not be read",
                      raw=b'{"cells": [{"cell_type": "code", "source": "import numpy'),
    "not_utf8": Case("a file that is not UTF-8 scores 0 with the reason", ALL, "could not be read",
                     raw=b"\xff\xfe{\x00\"\x00c\x00\xe9\xff"),
    "other_assignment_named": Case("another assignment's notebook under this name scores 0",
                                   ALL, "cells of the assignment", edit=_other_assignment),
    "other_assignment_file": Case("only another assignment's notebook: 0 with the reason", ALL,
                                  "no notebook of the assignment",
                                  raw=nbformat.writes(nbformat.v4.new_notebook()).encode(),
                                  name="intro_to_numpy.ipynb"),
    "daemon_left_behind": Case("a process left running after its kernel ends (here: one that "
                               "kills every new process of its uid, such as the next kernel of "
                               "the same worker) is killed before the next kernel starts",
                               frozenset(), "fast_optimizers", replace=_solution_with("""
                                   import os, time
                                   def _mine():
                                       found = set()
                                       for p in os.listdir('/proc'):
                                           try:
                                               if p.isdigit() and os.stat('/proc/' + p).st_uid == os.getuid():
                                                   found.add(int(p))
                                           except OSError:
                                               pass
                                       return found
                                   if os.fork() == 0:
                                       os.setsid()
                                       if os.fork() == 0:
                                           seen = _mine()
                                           while True:
                                               time.sleep(0.05)
                                               for pid in _mine() - seen:
                                                   try:
                                                       os.kill(pid, 9)
                                                   except OSError:
                                                       pass
                                       os._exit(0)
                                   """)),
    "enormous_output": Case("a flood of output is cut, and the code after it still counts",
                            frozenset(), "fast_optimizers",
                            replace=_solution_with("for _ in range(300):\n    print('x' * 100_000)\n")),
    "deeply_nested_output": Case("an output nested 700 deep, which nbformat cannot record, costs "
                                 "its own display only, not the notebook",
                                 frozenset(), "OutputDropped", replace=_solution_with(NESTED)),
    "non_utf8_output": Case("bytes that are not UTF-8 in the output are harmless", frozenset(),
                            "fast_optimizers",
                            replace=_solution_with("import os\nos.write(1, b'\\xff\\xfe\\x80 bad bytes\\n')\n")),
}

# The in-kernel attacks of attacks.py, graded here by the class grader.
CASES.update({name: Case(a.why, a.zero, "AssertionError", replace={"sgd": a.source},
                         blank=a.blank)
              for name, a in ATTACKS.items()})

HONEST = ("honest", "honest_buggy")


def _submit_honest(root):
    classroom.submit(root, "honest")
    classroom.submit(root, "honest_buggy", replace={"adam": "class Adam:\n    pass\n"})


def _submit_hostile(root, student, case):
    if case.raw is not None:
        classroom.submit_bytes(root, student, case.raw, case.name)
    else:
        classroom.submit(root, student, replace=case.replace, edit=case.edit, blank=case.blank)


def _outside_students(root, students):
    """Everything of the course except the named students' own folders and the shared outputs
    (gradebook, reports) that the grader itself writes."""
    def skip(rel):
        parts = rel.split("/")
        if rel in ("autograder/gradebook.db",) or rel.startswith("autograder/reports/"):
            return True
        return len(parts) > 2 and parts[0] == "autograder" and parts[2] in students
    return classroom.snapshot(root, skip)


@pytest.fixture(scope="module")
def batches(tmp_path_factory):
    hostile = classroom.make_course(tmp_path_factory.mktemp("hostile"))
    twin = tmp_path_factory.mktemp("twin")
    shutil.copytree(hostile, twin, dirs_exist_ok=True)
    _submit_honest(hostile)
    _submit_honest(twin)
    for student, case in CASES.items():
        _submit_hostile(hostile, student, case)
    before = _outside_students(hostile, set(CASES) | set(HONEST))
    done = run_driver(hostile, *FAST_LIMITS)
    run_driver(twin, *FAST_LIMITS)
    return hostile, twin, before, done


def test_the_batch_finishes_and_grades_everyone(batches):
    """Does every submission, hostile or not, end with a grade for every test cell?"""
    hostile, _, _, done = batches
    graded = classroom.grades(hostile, ASSIGNMENT)
    assert set(graded) == set(CASES) | set(HONEST), done.stdout
    assert all(set(g) == set(GRADE_IDS) and None not in g.values() for g in graded.values())
    assert "could not be graded" in done.stdout


@pytest.mark.parametrize("student", sorted(CASES))
def test_hostile_submission_gets_its_grade_and_reason(batches, student):
    """Does each hostile case score 0 exactly on the parts it broke, and say why?"""
    case = CASES[student]
    hostile = batches[0]
    got = classroom.grades(hostile, ASSIGNMENT)[student]
    expected = {gid: 0.0 if classroom.part_of(gid) in case.zero else POINTS[gid]
                for gid in GRADE_IDS}
    assert got == expected, case.why
    page = hostile / "autograder" / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
    assert case.says in page.read_text(errors="replace"), case.why


def test_honest_students_are_untouched(batches):
    """Are the honest students' grades and files byte-identical to a batch without the hostile ones?"""
    hostile, twin, _, _ = batches
    assert ({s: classroom.grades(hostile, ASSIGNMENT)[s] for s in HONEST}
            == classroom.grades(twin, ASSIGNMENT))
    for student in HONEST:
        for kind in ("submitted", "autograded"):
            mine = classroom.snapshot(hostile / "autograder" / kind / student)
            theirs = classroom.snapshot(twin / "autograder" / kind / student)
            assert mine.keys() == theirs.keys()
            if kind == "submitted":
                assert mine == theirs
            else:
                assert _scores_and_outputs(hostile, kind, student) == _scores_and_outputs(twin, kind, student)


def _scores_and_outputs(root, kind, student):
    """A graded notebook without what changes from run to run (timings, kernel ids)."""
    nb = json.loads((root / "autograder" / kind / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    return [(c["source"], c.get("outputs")) for c in nb["cells"]]


def test_nothing_outside_the_submissions_changed(batches):
    """Did no hostile code change a file of the course outside its own folders?"""
    hostile, _, before, _ = batches
    assert _outside_students(hostile, set(CASES) | set(HONEST)) == before


def test_enormous_output_is_bounded(batches):
    """Is the graded notebook of an output flood small?"""
    path = batches[0] / "autograder" / "autograded" / "enormous_output" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert path.stat().st_size < 5 * 1024**2


def test_reports_are_written(batches):
    """Are the CSV export, the plot and the summary table there for the instructor?"""
    hostile, _, _, done = batches
    reports = hostile / "autograder" / "reports" / ASSIGNMENT
    rows = (reports / "grades.csv").read_text().splitlines()
    assert len(rows) == 1 + len(CASES) + len(HONEST)
    assert (reports / "grades.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert all(part in done.stdout for part in classroom.PARTS)
    assert "could not be read" in done.stdout  # the unreadable files, the one whole failure left
