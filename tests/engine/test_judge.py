"""The judge, on notebooks whose test cells report what the solution, each variant, or a
tampered kernel would: does it pass what is right, fail what is wrong, and say why?

The reports are made in-process (:mod:`tdnn.engine.notebook`), exactly as a kernel makes them;
``tests/autograde`` and ``tests/grading`` do the same through the real nbgrader and kernels."""
from __future__ import annotations

import copy

import nbformat
import pytest
from nbformat.notebooknode import NotebookNode
from nbgrader.utils import determine_grade

from tdnn import paths
from tdnn.engine import codec, notebook
from tdnn.engine.judge import GraderError, JudgeResults
from tdnn.engine.report import MIME
from tests import course

ASSIGNMENT = "fast_optimizers"
SOURCE = paths.SOLUTIONS / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
RESOURCES = {"nbgrader": {"assignment": ASSIGNMENT, "notebook": ASSIGNMENT}}


def result(label, observation) -> NotebookNode:
    return NotebookNode(output_type="display_data", metadata={}, data={
        MIME: {"label": label, "observation": codec.encode(observation)}, "text/plain": label})


def executed(replace=None):
    """The source notebook as a kernel would leave it with ``replace`` swapped in."""
    run = notebook.run(SOURCE, replace=replace)
    nb = nbformat.read(SOURCE, as_version=4)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.cell_type == "code":
            cell.outputs = [result(label, obs) for label, obs in run.reports.get(gid, [])]
            if gid in run.errors:
                cell.outputs.append(NotebookNode(output_type="error", ename="AssertionError",
                                                 evalue=run.errors[gid], traceback=[]))
    return nb


def judge(nb):
    nb = JudgeResults(references=str(paths.REFERENCES)).preprocess(copy.deepcopy(nb), RESOURCES)[0]
    return {c.metadata.nbgrader["grade_id"]: c for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"}


def scores(cells):
    return {gid: determine_grade(c)[0] for gid, c in cells.items()}


def message(cell) -> str:
    return "\n".join(o.get("evalue", "") for o in cell.outputs if o.output_type == "error")


def test_the_solution_passes_every_cell():
    cells = judge(executed())
    assert scores(cells) == course.grade_cells(ASSIGNMENT)
    assert all("all correct" in c.outputs[-1].text for c in cells.values())


@pytest.mark.parametrize("student", [s for s in course.variants(ASSIGNMENT) if "--correct_" in s])
def test_correct_variants_pass(student):
    part, _, source = course.variants(ASSIGNMENT)[student]
    assert scores(judge(executed({part: source}))) == course.grade_cells(ASSIGNMENT)


@pytest.mark.parametrize("student", [s for s in course.variants(ASSIGNMENT) if "--bug_" in s])
def test_bugs_fail_their_hidden_cell_with_the_hint(student):
    from tdnn.engine.references import hint

    part, _, source = course.variants(ASSIGNMENT)[student]
    cells = judge(executed({part: source}))
    hidden = cells[f"test_{part}_hidden"]
    assert determine_grade(hidden)[0] == 0
    assert f"Likely mistake: {hint(source)}" in message(hidden)


def test_missing_results_score_zero_and_say_so():
    nb = executed()
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_adam_hidden")
    cell.outputs = cell.outputs[:2]
    judged = judge(nb)["test_adam_hidden"]
    assert determine_grade(judged)[0] == 0
    assert "results the grader needs never came" in message(judged)


def test_a_duplicated_result_scores_zero():
    nb = executed()
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_sgd_visible")
    cell.outputs.append(copy.deepcopy(cell.outputs[0]))
    judged = judge(nb)["test_sgd_visible"]
    assert determine_grade(judged)[0] == 0 and "more than once" in message(judged)


@pytest.mark.parametrize("payload", [
    {"label": 3, "observation": {}},
    {"observation": {}},
    {"label": "SGD(lr=0.1)", "observation": {codec.ARRAY: "%%%", "dtype": "<f8", "shape": [1]}},
    "just a string",
])
def test_a_malformed_result_scores_zero(payload):
    nb = executed()
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_sgd_visible")
    cell.outputs[0].data[MIME] = payload
    judged = judge(nb)["test_sgd_visible"]
    assert determine_grade(judged)[0] == 0


def test_a_result_of_the_wrong_shape_scores_zero_without_crashing_the_grader():
    nb = executed()
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_sgd_visible")
    cell.outputs[0] = result("SGD(lr=0.1)", {"steps": "everything is fine"})
    assert determine_grade(judge(nb)["test_sgd_visible"])[0] == 0


def test_a_displayed_number_claims_no_partial_credit():
    """nbgrader reads a number shown by a test cell as its score; the judge takes that away."""
    nb = executed()
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_sgd_hidden")
    cell.outputs = [NotebookNode(output_type="execute_result", execution_count=1, metadata={},
                                 data={"text/plain": "2.0"})]
    judged = judge(nb)["test_sgd_hidden"]
    assert all(o.output_type != "execute_result" for o in judged.outputs)
    assert determine_grade(judged)[0] == 0


def test_a_test_cell_the_grader_does_not_know_scores_zero():
    nb = executed()
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_sgd_hidden")
    cell.metadata.nbgrader["grade_id"] = "test_sgd_extra"
    assert determine_grade(judge(nb)["test_sgd_extra"])[0] == 0


def test_missing_references_are_the_graders_error_not_a_zero(tmp_path):
    with pytest.raises(GraderError, match="make references"):
        JudgeResults(references=str(tmp_path)).preprocess(executed(), RESOURCES)


def test_an_assignment_without_a_chapter_module_is_left_to_nbgrader():
    nb = executed()
    out, _ = JudgeResults().preprocess(copy.deepcopy(nb), {"nbgrader": {"assignment": "homework1",
                                                                        "notebook": "homework1"}})
    assert out == nb


def test_a_visible_point_needs_the_hidden_tests_of_its_part():
    """A bug only the hidden cases catch (eps ignored) passes its visible case in the kernel,
    but the part's visible point is not given: a public answer can be echoed back."""
    source = course.variants(ASSIGNMENT)["adagrad--bug_eps_ignored"][2]
    cells = judge(executed({"adagrad": source}))
    assert determine_grade(cells["test_adagrad_visible"])[0] == 0
    assert "hidden tests of the same part did not" in message(cells["test_adagrad_visible"])
    assert determine_grade(cells["test_sgd_visible"])[0] == 1


def test_results_must_keep_the_dtype_of_the_reference():
    """Casting results to float32 would buy float32's looser tolerance; it is refused."""
    import numpy as np

    nb = executed()
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_sgd_hidden")
    for out in cell.outputs:
        obs = codec.decode(out.data[MIME]["observation"])
        obs["steps"] = [{k: np.float32(v) * 1 for k, v in s.items()} for s in obs["steps"]]
        out.data[MIME]["observation"] = codec.encode(obs)
    judged = judge(nb)["test_sgd_hidden"]
    assert determine_grade(judged)[0] == 0 and "dtype float32, expected float64" in message(judged)
