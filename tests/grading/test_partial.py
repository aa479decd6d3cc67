"""Every failure says what happened: a submission nbgrader could not grade keeps, in its
autograded folder, the notebook with its outputs as far as it ran (nbgrader itself deletes it)."""
from __future__ import annotations

import nbformat
import pytest

from . import classroom
from .classroom import ASSIGNMENT
from .driving import autograded, grade, results

STOP_AT = 8  # the code cell index at which the grader's machinery breaks down

#: The grader fails mid-notebook (an error of nbclient itself, not of the student's code), only
#: for the student "victim", so that the canary and the others are graded as usual.
BREAK_MID_NOTEBOOK = f"""
    import nbclient.client
    _execute = nbclient.client.NotebookClient.async_execute_cell
    async def _breaks(self, cell, cell_index, *a, **k):
        if cell_index == {STOP_AT} and "victim" in str(self.resources.get("metadata", {{}}).get("path", "")):
            raise RuntimeError("simulated: the grader broke down here")
        return await _execute(self, cell, cell_index, *a, **k)
    nbclient.client.NotebookClient.async_execute_cell = _breaks
"""


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = classroom.make_course(tmp_path_factory.mktemp("partial"))
    classroom.submit(root, "victim")
    classroom.submit(root, "honest")
    return root, grade(root, patch=BREAK_MID_NOTEBOOK)


def test_a_failed_submission_keeps_its_notebook_as_far_as_it_ran(batch):
    root, done = batch
    assert results(root)["victim"]["status"] == "failed", done.stderr
    assert results(root)["honest"]["status"] == "graded"
    nb = nbformat.read(autograded(root, "victim"), as_version=4)
    note = nb.cells[0]
    assert note.metadata.get("tdnn_grader_note") and "simulated: the grader broke down" in note.source
    cells = nb.cells[1:]
    ran = [i for i, c in enumerate(cells) if c.cell_type == "code" and c.outputs]
    assert ran and max(ran) < STOP_AT
    assert "SGD: visible tests passed." in "".join(
        o.get("text", "") for c in cells[:STOP_AT] if c.cell_type == "code" for o in c.outputs)
    assert all(not c.outputs for c in cells[STOP_AT:] if c.cell_type == "code")
    assert sum(classroom.grades(root, ASSIGNMENT)["victim"].values()) == 0
