"""Is a chapter module the only file a new chapter adds to the package?

A toy chapter (one graded function) is added to a copy of the course by adding files only: its
module in a copy of ``tdnn/chapters/``, its source notebook, its variants. The real engine then
builds its references, the real nbgrader releases and autogrades it, and the grades are right.
The copy of the package differs from the original by that one new module."""
from __future__ import annotations

import filecmp
import shutil
import subprocess
import sys
import textwrap

import nbformat
import pytest

from tdnn import nbgrader_cli, paths
from tests import course

CHAPTER = "toy_chapter"

MODULE = '''\
"""A toy chapter: leaky_relu(x, alpha=0.01), element-wise."""
import numpy as np

from tdnn.chapters import Limits, Part
from tdnn.engine import compare as cmp
from tdnn.engine.report import emit

PARTS = {"leaky_relu": Part("leaky_relu", "x where x > 0, alpha * x elsewhere.")}
LIMITS = Limits(cell_seconds=30)


def cases(part):
    rng = np.random.default_rng(0)
    return [{"name": "default alpha, 20 values", "kwargs": {}, "x": rng.normal(size=20)},
            {"name": "alpha=0.2, a 3x4 array", "kwargs": {"alpha": 0.2},
             "x": rng.normal(size=(3, 4))}]


def observe(part, fn, case):
    try:
        return {"value": np.asarray(fn(case["x"].copy(), **case["kwargs"]), dtype=float),
                "error": None}
    except Exception as err:
        return {"value": None, "error": f"{type(err).__name__}: {err}"}


def check_value(fn, x, expected, what):
    obs = observe(None, fn, {"x": x, "kwargs": {}})
    emit(what, obs)
    message = compare(None, obs, {"value": np.asarray(expected, dtype=float), "error": None})
    if message:
        raise AssertionError(f"{what}: {message}")


def compare(part, got, expected):
    if expected["error"]:
        return None if got.get("error") == expected["error"] else "a different outcome"
    if got.get("error"):
        return got["error"]
    where = cmp.first_bad(got["value"], expected["value"], 1e-12 + 1e-9 * abs(expected["value"]))
    return None if where is None else cmp.difference("the result", got["value"],
                                                     expected["value"], where)


def keras_observation(part, case):
    return None
'''


def grade_cell(source, grade_id, *, points=None, solution=False, kind="code"):
    """A cell with nbgrader's metadata (the factory style of nbgrader's own tests)."""
    make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
    cell = make(textwrap.dedent(source))
    cell.metadata.nbgrader = {"grade": points is not None, "grade_id": grade_id,
                              "locked": not solution, "schema_version": 3,
                              "solution": solution, "task": False}
    if points is not None:
        cell.metadata.nbgrader["points"] = points
    return cell


def toy_notebook():
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        grade_cell("# Toy chapter", "intro", kind="markdown"),
        grade_cell(f"import numpy as np\nfrom tdnn.chapters.{CHAPTER} import check_value", "setup"),
        grade_cell("""\
            def leaky_relu(x, alpha=0.01):
                ### BEGIN SOLUTION
                return np.where(x > 0, x, alpha * x)
                ### END SOLUTION""", "leaky_relu", solution=True),
        grade_cell('check_value(leaky_relu, np.array([-2.0, 3.0]), [-0.02, 3.0], "leaky_relu([-2, 3])")',
                   "test_leaky_relu_visible", points=1),
        grade_cell(f"""\
            ### BEGIN HIDDEN TESTS
            from tdnn.engine.report import run_hidden
            run_hidden("{CHAPTER}", "leaky_relu", leaky_relu)
            ### END HIDDEN TESTS""", "test_leaky_relu_hidden", points=2),
    ]
    return nb


VARIANTS = {
    "correct_maximum": '"""max(x, alpha*x), right for 0 <= alpha <= 1."""\n'
                       "def leaky_relu(x, alpha=0.01):\n    return np.maximum(x, alpha * x)\n",
    "bug_alpha_ignored": '"""alpha is ignored: the slope for x <= 0 is always 0.01."""\n'
                         "def leaky_relu(x, alpha=0.01):\n    return np.where(x > 0, x, 0.01 * x)\n",
}


@pytest.fixture(scope="module")
def toy_course(tmp_path_factory):
    top = tmp_path_factory.mktemp("new-chapter")
    package = top / "pkg" / "tdnn"
    shutil.copytree(paths.ROOT / "tdnn", package, ignore=shutil.ignore_patterns("__pycache__"))
    (package / "chapters" / f"{CHAPTER}.py").write_text(MODULE)
    added = _differences(filecmp.dircmp(package, paths.ROOT / "tdnn", ignore=["__pycache__"]))
    root = course.copy_course(top / "course")
    (root / "solutions" / CHAPTER).mkdir()
    nbformat.write(toy_notebook(), root / "solutions" / CHAPTER / f"{CHAPTER}.ipynb")
    folder = root / "autograder" / "variants" / CHAPTER / "leaky_relu"
    folder.mkdir(parents=True)
    for name, source in VARIANTS.items():
        (folder / f"{name}.py").write_text(source)
    env = {"PYTHONPATH": str(package.parent), "TDNN_ROOT": str(root)}
    subprocess.run([sys.executable, "-m", "tdnn.engine.references", CHAPTER], check=True,
                   env=nbgrader_cli.env(**env), capture_output=True, cwd=top)
    nbgrader_cli.run("generate_assignment", CHAPTER, "--force", cwd=root / "autograder",
                     capture=True, **env)
    course.make_submission(root, "solution", CHAPTER)
    course.make_submission(root, "blank", CHAPTER, blank=True)
    for name, source in VARIANTS.items():
        course.make_submission(root, name, CHAPTER, replace={"leaky_relu": source})
    nbgrader_cli.run("autograde", CHAPTER, cwd=root / "autograder", capture=True, **env)
    return added, course.grades(root, CHAPTER)


def _differences(cmp) -> list[str]:
    """Files only in one tree or different, relative to the package (taken right after the copy,
    so a colleague's edit in the working tree cannot race it)."""
    here = [n for n in cmp.left_only + cmp.right_only + cmp.diff_files]
    return here + [f"{name}/{d}" for name, sub in cmp.subdirs.items() for d in _differences(sub)]


def test_the_package_gains_one_file(toy_course):
    added, _ = toy_course
    assert added == [f"chapters/{CHAPTER}.py"]


def test_the_new_chapter_is_graded_both_ways(toy_course):
    _, grades = toy_course
    full = {"test_leaky_relu_visible": 1.0, "test_leaky_relu_hidden": 2.0}
    assert grades["solution"] == full
    assert grades["correct_maximum"] == full
    # its visible case uses the default alpha and passes, but a part's visible point counts
    # only with its hidden tests passing
    assert grades["bug_alpha_ignored"] == {"test_leaky_relu_visible": 0.0,
                                           "test_leaky_relu_hidden": 0.0}
    assert sum(grades["blank"].values()) == 0
