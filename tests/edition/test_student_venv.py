"""Does the student edition work on its own: in a venv made from its requirements alone, do
its notebooks' visible tests pass with the solutions pasted in, and fail with their teaching
message (not an import error) as released?"""
from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient

from tdnn import paths

EXERCISES = sorted(p.parent.name for p in paths.EXERCISES.glob("*/*.ipynb"))
#: Errors that mean the tree does not work on its own, whatever the student wrote.
BROKEN = {"ModuleNotFoundError", "ImportError", "FileNotFoundError"}


def nbgrader(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def has_code(source: str) -> bool:
    return any(l.strip() and not l.strip().startswith("#") for l in source.splitlines())


def run(notebook: nbformat.NotebookNode, python: Path, workdir: Path, allow_errors: bool):
    """Execute ``notebook`` in a kernel of the student venv's Python, started in ``workdir``
    with no path into the instructor's kit."""
    specs = workdir / "kernels"
    (specs / "student").mkdir(parents=True, exist_ok=True)
    (specs / "student" / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "student venv", "language": "python"}))
    km = KernelManager(kernel_name="student",
                       kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(specs)]))
    client = NotebookClient(notebook, km=km, timeout=600, allow_errors=allow_errors,
                            resources={"metadata": {"path": str(workdir)}})
    return client.execute()


@pytest.fixture(autouse=True)
def student_shell(monkeypatch):
    """The kernel inherits this process's environment: take out what points at the kit."""
    for name in ("PYTHONPATH", "TDNN_ROOT", "VIRTUAL_ENV"):
        monkeypatch.delenv(name, raising=False)
    # A lab asks tdnn.labs.scaled for its sizes: cut to a smoke run, as tests/labs does.
    monkeypatch.setenv("TDNN_LAB_SMOKE", "1")
    monkeypatch.setenv("PATH", os.pathsep.join(
        p for p in os.environ["PATH"].split(os.pathsep) if not p.startswith(str(paths.ROOT))))


def test_the_helper_package_is_the_students_copy(student_python, tree, tmp_path):
    """Does `import tdnn` in the venv find the tree's copy, without the graders' modules?"""
    import subprocess
    out = subprocess.run(
        [str(student_python), "-c", "import tdnn, importlib.util as u; print(tdnn.__file__); "
         "print(u.find_spec('tdnn.grade') is None, u.find_spec('tdnn.engine.judge') is None)"],
        cwd=tmp_path, capture_output=True, text=True, check=True).stdout.split()
    assert not out[0].startswith(str(paths.ROOT / "tdnn")), f"the venv imports the kit's tdnn: {out[0]}"
    assert out[1:] == ["True", "True"], "the student venv has the graders' code"


@pytest.mark.parametrize("assignment", EXERCISES)
def test_visible_tests_pass_with_the_solutions_pasted_in(student_python, tree, tmp_path, assignment):
    """Pasting the solution cells into the student notebook: does every cell run cleanly?"""
    notebook = nbformat.read(tree / "exercises" / assignment / f"{assignment}.ipynb", as_version=4)
    solution = nbformat.read(paths.SOLUTIONS / assignment / f"{assignment}.ipynb", as_version=4)
    answers = {nbgrader(c)["grade_id"]: c.source for c in solution.cells
               if nbgrader(c).get("solution") and c.cell_type == "code"}
    pasted = 0
    for cell in notebook.cells:
        if nbgrader(cell).get("grade_id") in answers and nbgrader(cell).get("solution"):
            cell.source = answers[nbgrader(cell)["grade_id"]]
            pasted += 1
    assert pasted == len(answers), "some solution cells of solutions/ have no cell to go into"
    run(notebook, student_python, tmp_path, allow_errors=False)  # raises on a cell's error


@pytest.mark.parametrize("assignment", EXERCISES)
def test_visible_tests_fail_with_their_message_as_released(student_python, tree, tmp_path, assignment):
    """As released (stubs that raise NotImplementedError), does every visible test fail, with
    its own message, while the set-up cells (imports of the helper package) run cleanly?"""
    notebook = nbformat.read(tree / "exercises" / assignment / f"{assignment}.ipynb", as_version=4)
    executed = run(notebook, student_python, tmp_path, allow_errors=True)
    errors = {i: o for i, c in enumerate(executed.cells) if c.cell_type == "code"
              for o in c.outputs if o.output_type == "error"}
    broken = {i: f"{o.ename}: {o.evalue}" for i, o in errors.items() if o.ename in BROKEN}
    assert broken == {}, f"cells fail because the tree is incomplete, not the student's code: {broken}"
    first_solution = next(i for i, c in enumerate(executed.cells) if nbgrader(c).get("solution"))
    assert not [i for i in errors if i < first_solution], "a set-up cell fails in the student venv"
    # nbgrader releases a hidden test's cell with its comments only; the visible tests are the
    # graded cells with code.
    visible = [i for i, c in enumerate(executed.cells) if has_code(c.source)
               and nbgrader(c).get("grade") and not nbgrader(c).get("solution")]
    assert visible, "no visible test cell found"
    assert [i for i in visible if i not in errors] == [], "a visible test passes on an unsolved stub"
    # The check's own message (what was called, what it raised), not a bare traceback.
    untaught = {i: f"{errors[i].ename}: {errors[i].evalue}" for i in visible
                if errors[i].ename != "AssertionError" or "NotImplementedError" not in errors[i].evalue}
    assert untaught == {}, f"visible tests that fail without saying what the stub did: {untaught}"
