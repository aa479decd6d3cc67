"""``python -m tdnn.grade <assignment>``: autograde a whole class, then write its reports.

Run it where you run ``nbgrader autograde``: like nbgrader, it reads the ``nbgrader_config.py``
of the folder it is run from (``--autograder DIR`` names another), and writes the same gradebook,
so ``nbgrader export`` and ``nbgrader generate_feedback`` keep working on its results.

Exit status: 0 when every submission was graded (scores of 0 for broken submissions included);
1 when the grader failed some submissions (not scored, listed); 2 when nothing could be graded
(unknown assignment, no submissions, no config); 3 when the solution notebook, graded first as a
canary, does not earn full marks (nothing was graded).

Several machines grade one class together with ``--db-url postgresql+psycopg://...`` (one
gradebook they share) and ``--shard i/n`` on each (:mod:`tdnn.grade.shards`;
``autograder/deploy/README.md`` has the Kubernetes and SLURM manifests).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import sandbox, shards

# driver and report import nbgrader (seconds) only once the kernel zygotes are starting.


class GradingError(Exception):
    pass


def default_jobs() -> int:
    """Two workers per core (:func:`tdnn.grade.driver.default_jobs` says why)."""
    return 2 * (os.cpu_count() or 1)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m tdnn.grade", description=__doc__.split("\n")[0])
    p.add_argument("assignment", help="assignment name, e.g. fast_optimizers")
    p.add_argument("--jobs", "-j", type=int, default=default_jobs(),
                   help="submissions graded at once (default: twice the number of cores, "
                   "since a worker waits on its kernel about half the time)")
    p.add_argument("--force", action="store_true",
                   help="grade again what an earlier (perhaps interrupted) batch finished")
    p.add_argument("--students", nargs="+", metavar="ID", help="grade only these students")
    p.add_argument("--autograder", type=Path, default=None,
                   help="folder holding nbgrader_config.py (default: the current folder, as "
                   "for nbgrader)")
    p.add_argument("--cell-timeout", type=int, default=None,
                   help="wall-clock seconds per cell (default: nbgrader_config.py's "
                   "Execute.timeout, else the chapter's LIMITS.cell_seconds)")
    p.add_argument("--notebook-timeout", type=int, default=None,
                   help="wall-clock seconds per notebook (default: the chapter's LIMITS)")
    p.add_argument("--cpu-limit", type=int, default=None,
                   help="CPU seconds per kernel process (default: the chapter's LIMITS)")
    p.add_argument("--memory-limit", type=int, default=None,
                   help="address space per kernel in MiB (default: the chapter's LIMITS)")
    p.add_argument("--process-limit", type=int, default=sandbox.Limits.processes,
                   help="processes per kernel's sandbox (default: %(default)s)")
    p.add_argument("--no-sandbox", action="store_true",
                   help="run kernels with resource limits only (not recommended)")
    p.add_argument("--no-prewarm", action="store_true",
                   help="start every kernel in a sandbox of its own instead of forking it from a "
                   "pre-warmed one (slower)")
    p.add_argument("--no-reports", action="store_true",
                   help="autograde only: no feedback, CSV or plots")
    p.add_argument("--db-url", default=os.environ.get("TDNN_GRADEBOOK_URL") or None,
                   help="the gradebook's SQLAlchemy URL instead of nbgrader_config.py's, e.g. "
                   "postgresql+psycopg://grader@db/course (default: $TDNN_GRADEBOOK_URL, which "
                   "keeps a password out of the process list)")
    p.add_argument("--shard", type=_shard, default=None, metavar="I/N",
                   help="grade only the I-th of N shares of the class (I from 0), the share of "
                   "each student fixed by a hash of its id; run the N shares on N machines with "
                   "one --db-url gradebook")
    return p.parse_args(argv)


def _shard(text: str) -> shards.Shard:
    try:
        return shards.parse(text)
    except shards.ShardError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def limits_from(args: argparse.Namespace) -> sandbox.Limits:
    """The chapter's limits (:func:`driver.default_limits`), with the command line's on top."""
    from . import driver

    base = driver.default_limits(args.assignment)
    return sandbox.Limits(
        notebook_seconds=args.notebook_timeout or base.notebook_seconds,
        cpu_seconds=args.cpu_limit or base.cpu_seconds,
        memory_bytes=args.memory_limit * 2**20 if args.memory_limit else base.memory_bytes,
        processes=args.process_limit)


def autograder_folder(args: argparse.Namespace) -> Path:
    folder = (args.autograder or Path.cwd()).resolve()
    if not (folder / "nbgrader_config.py").exists():
        raise GradingError(
            f"no nbgrader_config.py in {folder}: run from the course's nbgrader folder "
            "(as for nbgrader autograde) or name it with --autograder DIR")
    return folder


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        autograder = autograder_folder(args)
    except GradingError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    probe = sandbox.probe() if not args.no_sandbox else sandbox.Probe(False, "--no-sandbox given")
    if probe.sandboxed:
        print(f"sandbox: {probe.reason}", file=sys.stderr)
    else:
        print(f"WARNING: grading UNSANDBOXED ({probe.reason}); submissions can read and write "
              "whatever this user can.", file=sys.stderr)
    from . import driver

    driver.skip_unused_imports()
    if probe.sandboxed:
        # before any zygote: batches share the sandbox uids (shards of one machine do not)
        driver.hold_machine_lock(uid_base=args.shard.uid_base(sandbox.SANDBOX_UID_BASE)
                                 if args.shard else sandbox.SANDBOX_UID_BASE)
    if probe.sandboxed and not args.no_prewarm and args.jobs > 1:
        # The course's nbgrader_config.py puts the root above its folder; the driver checks
        # that guess against the config and starts its own zygotes where it was wrong.
        # One per worker: at most one per student named, plus the canary's.
        driver.start_zygotes_early(autograder.parent, min(args.jobs, len(args.students) + 1)
                                   if args.students else args.jobs,
                                   uid_base=args.shard.uid_base(sandbox.SANDBOX_UID_BASE)
                                   if args.shard else sandbox.SANDBOX_UID_BASE)
    from . import report  # then nbgrader and the config (seconds) while the zygotes warm up
    limits = limits_from(args)
    print(f"limits: {limits.notebook_seconds} s per notebook, {limits.cpu_seconds} CPU-s per "
          f"process, {limits.memory_bytes // 2**20} MiB, "
          + (f"{args.cell_timeout} s per cell" if args.cell_timeout else "cell limit from the "
             "config or the chapter"), file=sys.stderr)
    settings = driver.Settings(
        autograder=autograder, assignment=args.assignment, cell_seconds=args.cell_timeout,
        sandboxed=probe.sandboxed, prewarmed=not args.no_prewarm, limits=limits,
        db_url=args.db_url, shard=args.shard)
    plotted = []

    def plot_while_feedback():  # the grades are final: plot while the workers write feedback
        plotted.append(report.plot_distribution(settings, report.plot_path(settings)))

    try:
        outcomes = driver.grade_class(settings, jobs=args.jobs, force=args.force,
                                      students=args.students, feedback=not args.no_reports,
                                      while_feedback=plot_while_feedback)
    except driver.CanaryFailed as err:
        print(f"error: {err}", file=sys.stderr)
        return 3
    except driver.GradingError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if not args.no_reports:
        written = report.write_reports(settings, outcomes, plotted=bool(plotted))
        for path in written:
            print(f"wrote {path}")
    print(report.summary(settings, outcomes))
    errors = [o for o in outcomes.values() if o.status == "error"]
    if errors:
        print(f"error: the grader failed {len(errors)} submission(s), not scored: "
              + ", ".join(sorted(o.student for o in errors)), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
