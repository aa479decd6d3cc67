"""Classes of submissions for the grading tests, on the lead's course copy (:mod:`tests.course`).

Adds what a hostile student can hand in beyond :func:`tests.course.make_submission`: a notebook
edited any way (``edit``), or raw bytes."""
from __future__ import annotations

import hashlib
from pathlib import Path

import nbformat

from tdnn import chapters
from tdnn.chapters import part_of  # noqa: F401
from tests.course import (copy_course, grade_cells, grades, make_submission,  # noqa: F401
                          release, run_nbgrader)

ASSIGNMENT = "fast_optimizers"
PARTS = chapters.load(ASSIGNMENT).PARTS
POINTS = grade_cells(ASSIGNMENT)
GRADE_IDS = list(POINTS)
#: Full marks of the autograded cells (answers in words wait for the instructor, ungraded).
FULL = sum(POINTS.values())


def solution(part: str) -> str:
    """The instructor's solution cell of ``part`` as a student would type it (no markers)."""
    from tdnn import paths
    from tdnn.engine.notebook import solution_sources, strip_markers

    source = solution_sources(paths.SOLUTIONS / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")[part]
    return strip_markers(source)


def make_course(root: Path) -> Path:
    copy_course(root)
    release(root, ASSIGNMENT)
    return root


def folder(root: Path, student: str) -> Path:
    return root / "autograder" / "submitted" / student / ASSIGNMENT


def submit(root: Path, student: str, replace: dict[str, str] | None = None, blank: bool = False,
           edit=None) -> Path:
    """A student's notebook; ``edit(nb)`` then changes it as a student could (cells deleted,
    moved, rewritten)."""
    path = make_submission(root, student, ASSIGNMENT, replace=replace, blank=blank)
    if edit is not None:
        nb = nbformat.read(path, as_version=4)
        nbformat.write(edit(nb) or nb, path)
    return path


def submit_bytes(root: Path, student: str, data: bytes, name: str = f"{ASSIGNMENT}.ipynb") -> Path:
    path = folder(root, student) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def snapshot(top: Path, skip=lambda rel: False) -> dict[str, str]:
    """sha256 of every file below ``top`` (relative path -> digest), except those ``skip`` names."""
    out = {}
    for p in sorted(top.rglob("*")):
        rel = p.relative_to(top).as_posix()
        if p.is_file() and not p.is_symlink() and not skip(rel):
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out
