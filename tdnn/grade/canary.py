"""The canary: the instructor's solution, graded before the class in the same sandbox and
configuration, must earn full marks, or nothing is graded.

A grader that is broken (the kernel cannot import ``tdnn``, a reference file is stale, a limit
is too tight for the chapter) fails every student in the same way, and each would get a zero
that is the grader's fault. The solution notebook is the one submission whose grade is known in
advance, so the driver grades it first, with the same nbgrader configuration, sandbox, limits
and uid as a student's, and stops the batch with the reason unless it scores full marks.

The canary never touches the instructor's files: its submission is built in a scratch course
folder (the released notebook, every solution cell filled from the source notebook with
nbgrader's markers removed, as :func:`tests.course.make_submission` makes a student's), its
``submitted/``, ``autograded/`` and ``feedback/`` folders are there, and it is graded into a copy
of the gradebook there (a sqlite file, whatever database the course uses), so it never appears in the real gradebook or in an export, even when the
batch is killed while the canary runs.
"""
from __future__ import annotations

import copy
import shutil
import sqlite3
from pathlib import Path

#: The canary's student id, only ever used in its scratch course.
STUDENT = "solution-canary"


def sqlite_file(db_url: str) -> Path | None:
    """The file of an ``sqlite:///...`` gradebook URL (``None`` for any other database)."""
    prefix = "sqlite:///"
    return Path(db_url[len(prefix):]) if db_url.startswith(prefix) else None


def build_submission(coursedir, assignment: str, dest: Path) -> list[Path]:
    """Write the solution as a student would submit it into ``dest`` (the released folder's
    files, each released notebook's solution cells filled from the source notebook of the same
    name); returns the notebooks written."""
    import nbformat

    from ..engine.notebook import strip_markers

    release = Path(coursedir.format_path(coursedir.release_directory, ".", assignment))
    source = Path(coursedir.format_path(coursedir.source_directory, ".", assignment))
    released = sorted(release.glob("*.ipynb"))
    if not released:
        raise FileNotFoundError(
            f"no released notebook of '{assignment}' in {release} to build the canary from "
            "(run nbgrader generate_assignment)")
    shutil.copytree(release, dest, dirs_exist_ok=True)
    written = []
    for path in released:
        nb = nbformat.read(path, as_version=4)
        original = source / path.name
        if not original.exists():
            raise FileNotFoundError(f"no source notebook {original} for the released {path.name}")
        solutions = {}
        for cell in nbformat.read(original, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("solution"):
                solutions[meta.get("grade_id")] = cell.source
        for cell in nb.cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if gid in solutions:
                cell.source = strip_markers(solutions[gid])
        nbformat.write(nb, dest / path.name)
        written.append(dest / path.name)
    return written


def scratch_config(config, scratch: Path):
    """``config`` with the student-side folders and the gradebook moved into ``scratch``; the
    gradebook there is a sqlite file that knows the assignment: a consistent copy of the course's
    sqlite gradebook, or the assignment definitions of any other database (PostgreSQL)."""
    from . import gradebook

    scratch_config = copy.deepcopy(config)
    course = scratch_config.CourseDirectory
    db_url = str(config.CourseDirectory.get("db_url", ""))
    db = sqlite_file(db_url)
    if db is not None and db.exists():
        copy_gradebook(db, scratch / "gradebook.db")
    elif db_url and db is None:
        gradebook.copy_definitions(db_url, str(config.CourseDirectory.get("course_id", "")) or
                                   "default_course", scratch / "gradebook.db")
    else:
        raise FileNotFoundError(f"the canary needs the course's gradebook (db_url is "
                                f"{db_url or 'unset'!r})")
    course.db_url = f"sqlite:///{scratch / 'gradebook.db'}"
    course.submitted_directory = str(scratch / "submitted")
    course.autograded_directory = str(scratch / "autograded")
    course.feedback_directory = str(scratch / "feedback")
    return scratch_config


def copy_gradebook(src: Path, dest: Path) -> None:
    """sqlite's online backup: a consistent copy even while another process writes."""
    with sqlite3.connect(f"file:{src}?mode=ro", uri=True) as source, \
            sqlite3.connect(dest) as target:
        source.backup(target)
    source.close()
    target.close()


def verdict(api, assignment: str) -> tuple[float, float, list[str]]:
    """(score, maximum, why) of the canary's autograded cells in the scratch gradebook; ``why``
    names each cell that lost points or failed, with its error. Written answers (graded Markdown
    cells) wait for an instructor in every submission, the solution's too: they count in
    neither score nor maximum."""
    import nbformat
    from nbgrader.api import Gradebook

    coursedir = api.coursedir
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        submission = gb.find_submission(assignment, STUDENT)
        grades = [g for nb in submission.notebooks for g in nb.grades
                  if g.cell.cell_type == "code"]
        score = sum(g.score or 0.0 for g in grades)
        maximum = sum(g.max_score for g in grades)
        lost = {g.name for g in grades if (g.score or 0.0) < g.max_score}
    why = []
    folder = Path(coursedir.format_path(coursedir.autograded_directory, STUDENT, assignment))
    for path in sorted(folder.glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            gid = meta.get("grade_id", "")
            errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
            if errors and (gid in lost or meta.get("locked") or meta.get("solution")):
                first = errors[0]
                evalue = str(first.get("evalue", "")).strip().splitlines()
                why.append(f"{gid or 'a cell'}: {first.get('ename')}: "
                           f"{evalue[0] if evalue else ''}"[:300])
                lost.discard(gid)
    why += [f"{gid}: lost points" for gid in sorted(lost)]
    return score, maximum, why
