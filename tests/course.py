"""A throwaway copy of the course for tests that run the real nbgrader on it.

The copy holds what grading reads (``solutions/``, ``autograder/``'s config, references and
variants), never the instructor's working state; nbgrader runs in its ``autograder/`` folder with
``TDNN_ROOT`` pointing at the copy, so the kernels' ``tdnn.paths`` read the copy's references.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import nbformat

from tdnn import nbgrader_cli, paths
from tdnn.engine.notebook import solution_sources, strip_markers

# nbgrader's Gradebook shells out to `alembic`, which must be on PATH in this process too.
os.environ["PATH"] = nbgrader_cli.env()["PATH"]

GRADING_INPUTS = ["nbgrader_config.py", "references", "variants"]


def copy_course(dest: Path) -> Path:
    """Copy what grading needs into ``dest`` and return it (the copy's root)."""
    shutil.copytree(paths.SOLUTIONS, dest / "solutions")
    (dest / "autograder").mkdir(parents=True)
    for name in GRADING_INPUTS:
        src = paths.AUTOGRADER / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, dest / "autograder" / name)
    return dest


def run_nbgrader(root: Path, *args: str, check: bool = True):
    """The real ``nbgrader *args`` in the copy's ``autograder/`` folder."""
    return nbgrader_cli.run(*args, "--log-level=WARN", cwd=root / "autograder", check=check,
                            capture=True, TDNN_ROOT=str(root))


def release(root: Path, assignment: str) -> Path:
    """``nbgrader generate_assignment``: fills the copy's gradebook, writes its exercises/."""
    run_nbgrader(root, "generate_assignment", assignment, "--force")
    return root / "exercises" / assignment / f"{assignment}.ipynb"


def make_submission(root: Path, student: str, assignment: str, replace: dict[str, str] | None = None,
                    blank: bool = False) -> Path:
    """Write ``autograder/submitted/<student>/<assignment>/<assignment>.ipynb``, made the way a
    student makes one: the released notebook with its solution cells filled in. A part in
    ``replace`` gets that source; the other parts get the solution, or stay blank if ``blank``."""
    replace = replace or {}
    released = root / "exercises" / assignment / f"{assignment}.ipynb"
    solutions = solution_sources(root / "solutions" / assignment / f"{assignment}.ipynb")
    nb = nbformat.read(released, as_version=4)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in replace:
            cell.source = replace[gid]
        elif gid in solutions and not blank:
            cell.source = strip_markers(solutions[gid])
    out = root / "autograder" / "submitted" / student / assignment / f"{assignment}.ipynb"
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out)
    return out


def grades(root: Path, assignment: str) -> dict[str, dict[str, float]]:
    """``{student: {grade_id: score}}`` of the autograded cells (code), from the copy's gradebook,
    as nbgrader recorded them; :func:`manual_grades` has the answers an instructor grades."""
    from nbgrader.api import Gradebook  # 6 s to import: only where grades are read

    out = {}
    with Gradebook(f"sqlite:///{root / 'autograder' / 'gradebook.db'}") as gb:
        for student in gb.students:
            try:
                nb = gb.find_submission_notebook(assignment, assignment, student.id)
            except Exception:  # MissingEntry: this student submitted nothing for the assignment
                continue
            out[student.id] = {g.name: g.score for g in nb.grades if g.cell.cell_type == "code"}
    return out


def manual_grades(root: Path, assignment: str) -> dict[str, dict[str, tuple[float | None, bool]]]:
    """``{student: {grade_id: (auto_score, needs_manual_grade)}}`` of the manually graded answer
    cells (markdown), as nbgrader's formgrader will show them to the instructor."""
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(f"sqlite:///{root / 'autograder' / 'gradebook.db'}") as gb:
        for student in gb.students:
            try:
                nb = gb.find_submission_notebook(assignment, assignment, student.id)
            except Exception:  # MissingEntry: this student submitted nothing for the assignment
                continue
            out[student.id] = {g.name: (g.auto_score, bool(g.needs_manual_grade))
                               for g in nb.grades if g.cell.cell_type == "markdown"}
    return out


def grade_cells(assignment: str) -> dict[str, float]:
    """``{grade_id: points}`` of every graded test cell (the autograded code cells), read from
    the source notebook; :func:`manual_cells` has the answers an instructor grades."""
    nb = nbformat.read(paths.SOLUTIONS / assignment / f"{assignment}.ipynb", as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"]["points"])
            for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")
            and c.cell_type == "code"}


def manual_cells(assignment: str) -> dict[str, float]:
    """``{grade_id: points}`` of the manually graded answer cells (markdown, solution and grade:
    nbgrader leaves their score to the instructor)."""
    nb = nbformat.read(paths.SOLUTIONS / assignment / f"{assignment}.ipynb", as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"]["points"])
            for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")
            and c.cell_type == "markdown"}


def part_points(assignment: str) -> dict[str, float]:
    """Points of each part (all its test cells together)."""
    from tdnn.chapters import part_of

    out: dict[str, float] = {}
    for gid, points in grade_cells(assignment).items():
        out[part_of(gid)] = out.get(part_of(gid), 0.0) + points
    return out


def variants(assignment: str) -> dict[str, tuple[str, str, str]]:
    """``{student id: (part, variant name, source)}`` for every variant of every part."""
    from tdnn import chapters
    from tdnn.engine.references import variant_sources

    return {f"{part}--{name}": (part, name, source)
            for part in chapters.load(assignment).PARTS for kind in ("correct", "bug")
            for name, source in variant_sources(assignment, part, kind).items()}
