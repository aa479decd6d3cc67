"""The grader's side: an nbgrader preprocessor that judges what each test cell reported.

``autograder/nbgrader_config.py`` runs :class:`JudgeResults` right after ``Execute`` in
``nbgrader autograde`` (and so in the class grader, which uses that configuration), before
nbgrader scores the cells. For every graded test cell of a chapter's notebook it reads the
results the cell reported (:mod:`tdnn.engine.report`), compares them in this process with the
reference file (:mod:`tdnn.engine.references`; the kernel never sees it) and, where a result is
missing, malformed, duplicated, or agrees with no accepted answer, puts an error output first in
the cell, so nbgrader scores it 0 and the feedback shows the teaching message: what was expected,
what came back, where they first differ, and the likely mistake.

Nothing the kernel does can raise a grade here: an error in the cell (from a visible check, or a
crash) still scores 0 as nbgrader decides; a cell's ``execute_result`` can no longer claim partial
credit (it becomes a plain display); and since a visible test's answer is public (code could
echo it back), a part's visible points count only when its hidden tests pass too.
"""
from __future__ import annotations

from pathlib import Path

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import determine_grade, is_grade, is_solution
from traitlets import Unicode

from tdnn import chapters, paths

from . import codec, references
from .report import MIME


class GraderError(Exception):
    """The grader itself cannot judge this notebook (no reference file, say): never a zero."""


def _error(message: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename="AssertionError", evalue=message,
                        traceback=["\x1b[0;31mAssertionError\x1b[0m: " + message])


def _results(outputs) -> tuple[list[tuple[str, object]], list[str]]:
    """``(label, observation)`` of every result in a cell's outputs, and what could not be read."""
    found, unreadable = [], []
    for out in outputs:
        data = out.get("data", {})
        if MIME not in data:
            continue
        try:
            payload = data[MIME]
            if not isinstance(payload["label"], str):
                raise ValueError("label")
            found.append((payload["label"], codec.decode(payload["observation"])))
        except (KeyError, TypeError, ValueError) as err:
            unreadable.append(f"{type(err).__name__}: {err}")
    return found, unreadable


def verdict(chapter, part: str, expected: list[dict], outputs) -> tuple[str | None, int]:
    """The teaching message for a cell whose results are wrong (``None`` when all agree), and
    how many results it reported."""
    found, unreadable = _results(outputs)
    if unreadable:
        return (f"the grader could not read a result this cell reported ({unreadable[0]}); "
                "run the notebook as released, without changing how its tests report."), len(found)
    labels = [label for label, _ in found]
    wanted = [r["label"] for r in expected]
    if labels != wanted:
        twice = sorted({label for label in labels if labels.count(label) > 1})
        missing = [label for label in wanted if label not in labels]
        if twice:
            why = f"it reported {twice[0]!r} more than once"
        elif missing:
            why = (f"{len(missing)} of the {len(wanted)} results the grader needs never came, "
                   f"the first being {missing[0]!r}")
        else:
            why = f"it reported results the grader does not expect ({labels})"
        return (f"this test cell did not report what it should: {why}. The cell must run to "
                "its end as released (see any error above it).", len(found))
    for (label, got), result in zip(found, expected):
        try:
            if any(chapter.compare(part, got, a["observation"]) is None
                   for a in result["accepted"]):
                continue
            text = f"{label}: {chapter.compare(part, got, result['accepted'][0]['observation'])}"
            mistake = next((m for m in result["mistakes"]
                            if chapter.compare(part, got, m["observation"]) is None), None)
        except Exception as err:  # an observation of the wrong shape: the kernel was tampered with
            return f"{label}: the grader could not read this result ({type(err).__name__}).", len(found)
        spec = chapter.PARTS.get(part)
        if mistake is not None:
            text += f"\nLikely mistake: {mistake['hint']}"
        elif spec is not None:
            text += (f"\nCheck each line of {spec.name} against the equations above. "
                     f"{spec.advice}")
        return text, len(found)
    return None, len(found)


def _scores_full(cell) -> bool:
    return determine_grade(cell)[0] == float(cell.metadata.nbgrader["points"])


def _visible_points_need_hidden(tests) -> None:
    """A visible test's answer is written in the student's notebook, so a report of it proves
    nothing on its own (code can echo the answer back): a part's other test cells keep their
    points only when all of its hidden test cells earn theirs."""
    failed = {chapters.part_of(c.metadata.nbgrader["grade_id"]) for c in tests
              if c.metadata.nbgrader["grade_id"].endswith("_hidden") and not _scores_full(c)}
    for cell in tests:
        gid = cell.metadata.nbgrader["grade_id"]
        if chapters.part_of(gid) in failed and not gid.endswith("_hidden") and _scores_full(cell):
            cell.outputs.insert(0, _error(
                "this visible test passed, but the hidden tests of the same part did not (see "
                "them below): a part's points count only when its hidden tests pass too."))


class JudgeResults(NbGraderPreprocessor):
    """Score every graded test cell by the results it reported, in the grader's process."""

    references = Unicode(
        str(paths.REFERENCES),
        help="Folder of the reference files (<assignment>.json). Keep it out of the kernel's "
        "reach: the grading sandbox does not mount it.",
    ).tag(config=True)

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        assignment, name = info.get("assignment"), info.get("notebook")
        try:
            chapter = chapters.load(assignment or "")
        except LookupError:
            self.log.info("%s has no chapter module: its cells are scored by nbgrader alone",
                          assignment)
            return nb, resources
        try:
            expected_cells = references.load(assignment, Path(self.references))["notebooks"][name]
        except (FileNotFoundError, KeyError) as err:
            raise GraderError(f"no reference outputs for {assignment}/{name} in "
                              f"{self.references} ({err}): run `make references`") from err
        tests = [c for c in nb.cells
                 if c.cell_type == "code" and is_grade(c) and not is_solution(c)]
        for cell in tests:
            self._judge(chapter, cell, expected_cells.get(cell.metadata.nbgrader["grade_id"]))
        _visible_points_need_hidden(tests)
        return nb, resources

    def _judge(self, chapter, cell, expected) -> None:
        for out in cell.outputs:  # scores come from the judge, never from a displayed number
            if out.output_type == "execute_result":
                out.output_type = "display_data"
                out.pop("execution_count", None)
        if expected is None:
            message, count = ("the grader has no reference for this test cell (was its "
                              "grade_id changed?); it scores 0."), 0
        else:
            message, count = verdict(chapter, expected["part"], expected["results"],
                                     cell.outputs)
        cell.outputs = [o for o in cell.outputs if MIME not in o.get("data", {})]
        if message is not None and count == 0 and any(
                o.output_type == "error" for o in cell.outputs):
            return  # it never ran or crashed: its own error says why, and it scores 0 already
        if message is not None:
            cell.outputs.insert(0, _error(message))
        elif count:
            cell.outputs.append(NotebookNode(
                output_type="stream", name="stdout",
                text=f"[grader] {count} result(s) of this cell checked outside the notebook: "
                     "all correct.\n"))
