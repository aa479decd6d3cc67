"""``python -m tdnn.grade <assignment>``: autograde a whole class, then write its reports.

Run it as the instructor who runs ``nbgrader autograde``; it reads the same
``autograder/nbgrader_config.py`` and writes the same gradebook, so ``nbgrader export`` and
``nbgrader generate_feedback`` keep working on its results.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .. import paths
from . import driver, report, sandbox


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    limits = sandbox.Limits()
    p = argparse.ArgumentParser(prog="python -m tdnn.grade", description=__doc__.split("\n")[0])
    p.add_argument("assignment", help="assignment name, e.g. fast_optimizers")
    p.add_argument("--jobs", "-j", type=int, default=driver.default_jobs(),
                   help="submissions graded at once (default: twice the number of cores, "
                   "since a worker waits on its kernel about half the time)")
    p.add_argument("--force", action="store_true",
                   help="grade again what an earlier (perhaps interrupted) batch finished")
    p.add_argument("--students", nargs="+", metavar="ID", help="grade only these students")
    p.add_argument("--autograder", type=Path, default=paths.AUTOGRADER,
                   help="folder holding nbgrader_config.py (default: %(default)s)")
    p.add_argument("--cell-timeout", type=int, default=None,
                   help="wall-clock seconds per cell (default: nbgrader_config.py's Execute.timeout)")
    p.add_argument("--notebook-timeout", type=int, default=limits.notebook_seconds,
                   help="wall-clock seconds per notebook (default: %(default)s)")
    p.add_argument("--cpu-limit", type=int, default=limits.cpu_seconds,
                   help="CPU seconds per notebook (default: %(default)s)")
    p.add_argument("--memory-limit", type=int, default=limits.memory_bytes // 2**20,
                   help="address space per kernel in MiB (default: %(default)s)")
    p.add_argument("--process-limit", type=int, default=limits.processes,
                   help="processes per kernel's sandbox (default: %(default)s)")
    p.add_argument("--no-sandbox", action="store_true",
                   help="run kernels with resource limits only (not recommended)")
    p.add_argument("--no-prewarm", action="store_true",
                   help="start every kernel in a sandbox of its own instead of forking it from a "
                   "pre-warmed one (slower)")
    p.add_argument("--no-reports", action="store_true",
                   help="autograde only: no feedback, CSV or plots")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    probe = sandbox.probe() if not args.no_sandbox else sandbox.Probe(False, "--no-sandbox given")
    if probe.sandboxed:
        print(f"sandbox: {probe.reason}", file=sys.stderr)
    else:
        print(f"WARNING: grading UNSANDBOXED ({probe.reason}); submissions can read and write "
              "whatever this user can.", file=sys.stderr)
    settings = driver.Settings(
        autograder=args.autograder.resolve(), assignment=args.assignment,
        cell_seconds=args.cell_timeout, sandboxed=probe.sandboxed, prewarmed=not args.no_prewarm,
        limits=sandbox.Limits(notebook_seconds=args.notebook_timeout, cpu_seconds=args.cpu_limit,
                              memory_bytes=args.memory_limit * 2**20,
                              processes=args.process_limit))
    try:
        outcomes = driver.grade_class(settings, jobs=args.jobs, force=args.force,
                                      students=args.students, feedback=not args.no_reports)
    except driver.GradingError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if not args.no_reports:
        written = report.write_reports(settings, outcomes)
        for path in written:
            print(f"wrote {path}")
    print(report.summary(settings, outcomes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
