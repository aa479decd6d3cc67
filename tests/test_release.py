"""exercises/ is what nbgrader generates from solutions/, and gives nothing away."""
from __future__ import annotations

import nbformat
import pytest

from tdnn import paths, release
from tdnn.engine.notebook import solution_sources


def test_exercises_match_a_fresh_nbgrader_release():
    """Regenerate every assignment with the real nbgrader and compare with the committed copy."""
    assert release.main(["--check"]) == 0, "exercises/ has drifted from solutions/: run `make exercises`"


@pytest.mark.parametrize("assignment", release.assignments())
def test_student_version_hides_solutions_and_hidden_tests(assignment):
    student = nbformat.read(paths.EXERCISES / assignment / f"{assignment}.ipynb", as_version=4)
    text = "\n".join(c.source for c in student.cells)
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text and "run_hidden(" not in text
    solutions = solution_sources(paths.SOLUTIONS / assignment / f"{assignment}.ipynb")
    for gid, source in solutions.items():
        body = source.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0]
        for line in filter(None, (l.strip() for l in body.splitlines())):
            if line not in {"self.v = {}", "self.h = {}", "self.m = {}"} and len(line) > 12:
                assert line not in text, f"{gid}: the student version contains solution line {line!r}"
    code = "\n".join(c.source for c in student.cells if c.cell_type == "code")
    regions = sum(source.count("### BEGIN SOLUTION") for source in solutions.values())
    assert code.count("raise NotImplementedError()") == regions  # one stub per solution region


def test_drift_is_detected(tmp_path, monkeypatch):
    """The drift check is not vacuous: an edited exercise is reported."""
    fake = tmp_path / "exercises"
    for assignment in release.assignments():
        nb = nbformat.read(paths.EXERCISES / assignment / f"{assignment}.ipynb", as_version=4)
        nb.cells[0].source += "\nHand-edited."
        (fake / assignment).mkdir(parents=True)
        nbformat.write(nb, fake / assignment / f"{assignment}.ipynb")
    monkeypatch.setattr(paths, "EXERCISES", fake)
    assert release.main(["--check"]) == 1
