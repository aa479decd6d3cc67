"""The per-notebook wall-clock limit and the CPU limit each stop a submission that only they can
stop, and a submission's limits default to its chapter's ``LIMITS``."""
from __future__ import annotations

import argparse

import pytest

from tdnn import chapters
from tdnn.grade import __main__ as cli
from tdnn.grade import driver, sandbox

from . import classroom
from .classroom import ASSIGNMENT, POINTS
from .driving import autograded, grade, results, text_of

PARTS = list(classroom.PARTS)


def _points(part: str) -> float:
    return sum(p for gid, p in POINTS.items() if classroom.part_of(gid) == part)


def _solution(part: str) -> str:
    from tdnn.engine.notebook import solution_sources, strip_markers
    from tdnn import paths
    return strip_markers(solution_sources(paths.SOLUTIONS / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")[part])


# ---------------------------------------------------------------- the notebook's wall-clock limit

CELL, NOTEBOOK, NAP = 8, 14, 4  # every part naps 4 s: each cell is far under 8 s, all six 24 s


@pytest.fixture(scope="module")
def slow_class(tmp_path_factory):
    root = classroom.make_course(tmp_path_factory.mktemp("slow"))
    classroom.submit(root, "honest")
    classroom.submit(root, "slow", replace={p: f"import time\ntime.sleep({NAP})\n" + _solution(p)
                                            for p in PARTS})
    done = grade(root, "--cell-timeout", str(CELL), "--notebook-timeout", str(NOTEBOOK),
                 "--no-reports")
    return root, done


def test_many_short_cells_are_stopped_by_the_notebook_limit(slow_class):
    """Does the notebook limit stop a notebook whose every cell keeps under the cell limit?"""
    root, done = slow_class
    assert done.returncode == 0, done.stderr
    totals = {s: sum(g.values()) for s, g in classroom.grades(root, ASSIGNMENT).items()}
    assert totals["honest"] == classroom.FULL
    slow = classroom.grades(root, ASSIGNMENT)["slow"]
    by_part = {p: sum(v for gid, v in slow.items() if classroom.part_of(gid) == p) for p in PARTS}
    assert by_part[PARTS[0]] == _points(PARTS[0])  # the first naps ran well inside the limit
    assert by_part[PARTS[-1]] == 0  # 6 x 4 s does not fit in 14 s
    text = text_of(autograded(root, "slow"))
    assert f"longer than {NOTEBOOK} s in total" in text
    assert "CellTimeoutError" not in text  # no cell reached its own limit
    assert results(root)["slow"]["seconds"] < NAP * len(PARTS)


# ---------------------------------------------------------------- CPU time

CPU, LONG_CELL = 3, 90  # the cell limit would stop these only after 90 s


@pytest.fixture(scope="module")
def busy_class(tmp_path_factory):
    root = classroom.make_course(tmp_path_factory.mktemp("busy"))
    classroom.submit(root, "honest")
    classroom.submit(root, "busy_loop", replace={"momentum": "while True:\n    pass\n"})
    classroom.submit(root, "busy_threads", replace={"momentum": (
        "import threading, time\n"
        "def burn():\n    while True:\n        pass\n"
        "for _ in range(2):\n    threading.Thread(target=burn, daemon=True).start()\n"
        "time.sleep(10**6)\n")})
    done = grade(root, "--cpu-limit", str(CPU), "--cell-timeout", str(LONG_CELL),
                 "--notebook-timeout", str(2 * LONG_CELL), "--no-reports")
    return root, done


@pytest.mark.parametrize("student", ["busy_loop", "busy_threads"])
def test_burning_cpu_is_stopped_by_the_cpu_limit(busy_class, student):
    """Does RLIMIT_CPU, and nothing else, stop a cell that burns CPU (in the kernel's main
    thread, or in threads while the main one sleeps) long before the cell limit?"""
    root, done = busy_class
    assert done.returncode == 0, done.stderr
    got = classroom.grades(root, ASSIGNMENT)[student]
    expected = {gid: 0.0 if classroom.part_of(gid) == "momentum" else p for gid, p in POINTS.items()}
    assert got == expected
    text = text_of(autograded(root, student))
    assert f"CPU time ({CPU} s)" in text
    assert "CellTimeoutError" not in text
    assert results(root)[student]["seconds"] < LONG_CELL


# ---------------------------------------------------------------- defaults from the chapter

def _args(*argv: str) -> argparse.Namespace:
    return cli.parse_args([ASSIGNMENT, *argv])


def test_limits_default_to_the_chapters():
    """Are the notebook, CPU and memory limits the chapter's LIMITS unless given?"""
    declared = chapters.load(ASSIGNMENT).LIMITS
    limits = cli.limits_from(_args())
    assert (limits.notebook_seconds, limits.cpu_seconds, limits.memory_bytes) == (
        declared.notebook_seconds, declared.cpu_seconds, declared.memory_bytes)
    given = cli.limits_from(_args("--notebook-timeout", "7", "--cpu-limit", "5",
                                  "--memory-limit", "300"))
    assert (given.notebook_seconds, given.cpu_seconds, given.memory_bytes) == (7, 5, 300 * 2**20)


def test_a_chapter_with_other_limits_gets_them(monkeypatch):
    """Does a chapter that declares different limits change the defaults (and only it)?"""
    import types
    fake = types.SimpleNamespace(LIMITS=chapters.Limits(cell_seconds=5, notebook_seconds=11,
                                                        cpu_seconds=9, memory_bytes=2**29))
    monkeypatch.setattr(chapters, "load", lambda name: fake if name == "keras_chapter"
                        else (_ for _ in ()).throw(LookupError(name)))
    assert driver.default_limits("keras_chapter") == sandbox.Limits(
        notebook_seconds=11, cpu_seconds=9, memory_bytes=2**29)
    assert driver.default_limits("no_such_chapter") == sandbox.Limits()
