"""Baseline: wall time of plain ``nbgrader autograde`` on N copies of one submission.

    python -m benchmarks.autograde_plain [--copies 10] [--assignment fast_optimizers]

Prints the time per notebook of plain ``nbgrader autograde`` and, measured in the same run on
the same notebooks, of executing them with nbclient alone (one kernel each, no grading): their
ratio is nbgrader's own overhead, which class-scale grading work is measured against. The
machines are noisy, so compare ratios, not seconds.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from tests import course


def autograde_plain(root: Path, assignment: str) -> float:
    start = time.perf_counter()
    course.run_nbgrader(root, "autograde", assignment)
    return time.perf_counter() - start


def execute_only(notebooks: list[Path]) -> float:
    start = time.perf_counter()
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    return time.perf_counter() - start


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--assignment", default="fast_optimizers")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tdnn-bench-") as tmp:
        root = course.copy_course(Path(tmp))
        course.release(root, args.assignment)
        notebooks = [course.make_submission(root, f"student{i:03d}", args.assignment)
                     for i in range(args.copies)]
        t_exec = execute_only(notebooks)
        t_plain = autograde_plain(root, args.assignment)
        scores = {sum(g.values()) for g in course.grades(root, args.assignment).values()}
    n = args.copies
    print(f"{n} submissions of {args.assignment} (all full marks: {scores == {18.0}})")
    print(f"  nbclient execution only : {t_exec:7.1f} s  {t_exec / n:5.2f} s/notebook  (baseline)")
    print(f"  plain nbgrader autograde: {t_plain:7.1f} s  {t_plain / n:5.2f} s/notebook  "
          f"= {t_plain / t_exec:.2f}x the baseline")


if __name__ == "__main__":
    main()
