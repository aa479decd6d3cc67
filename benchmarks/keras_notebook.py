"""The course's first Keras notebook (``transfer_learning``): time to grade one submission with
plain ``nbgrader autograde`` against the class grader (``python -m tdnn.grade``, sandboxed, its
pre-warmed kernels), measured in the same run on identical copies of the same class.

    python -m benchmarks.keras_notebook [--copies 4] [--jobs 2]

A Keras submission costs TensorFlow's import (several seconds) before any test runs; the class
grader's zygote pre-imports what the set-up cell imports, so its per-notebook cost should be
mostly the tests themselves. The class is the solution copied ``--copies`` times (every copy must
score full marks in both). Prints seconds per notebook for each and their ratio, plain nbgrader
being the baseline; the machines are noisy, so compare the ratio, not the seconds.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tdnn import nbgrader_cli  # noqa: E402
from tests import course  # noqa: E402

ASSIGNMENT = "transfer_learning"


def plain(root: Path) -> float:
    start = time.perf_counter()
    course.run_nbgrader(root, "autograde", ASSIGNMENT)
    return time.perf_counter() - start


def class_grader(root: Path, jobs: int) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "tdnn.grade", ASSIGNMENT, "--autograder", str(root / "autograder"),
         "--jobs", str(jobs), "--no-reports"],
        env=nbgrader_cli.env(TDNN_ROOT=str(root)), capture_output=True, text=True, timeout=1800)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"the class grader failed:\n{done.stdout}\n{done.stderr[-3000:]}")
    return elapsed


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    full = sum(course.grade_cells(ASSIGNMENT).values())
    with tempfile.TemporaryDirectory(prefix="tdnn-bench-keras-") as tmp:
        first = course.copy_course(Path(tmp) / "plain")
        course.release(first, ASSIGNMENT)
        for i in range(args.copies):
            course.make_submission(first, f"student{i:03d}", ASSIGNMENT)
        second = Path(tmp) / "driven"
        shutil.copytree(first, second)
        t_plain = plain(first)
        t_driver = class_grader(second, args.jobs)
        ok = [all(sum(g.values()) == full for g in course.grades(r, ASSIGNMENT).values())
              for r in (first, second)]
    n = args.copies
    print(f"{n} submissions of {ASSIGNMENT} (full marks in plain nbgrader: {ok[0]}, "
          f"in the class grader: {ok[1]})")
    print(f"  plain nbgrader autograde  : {t_plain:7.1f} s  {t_plain / n:5.2f} s/notebook  "
          "(baseline)")
    print(f"  python -m tdnn.grade -j {args.jobs} : {t_driver:7.1f} s  {t_driver / n:5.2f} "
          f"s/notebook  = {t_driver / t_plain:.2f}x the baseline")


if __name__ == "__main__":
    main()
