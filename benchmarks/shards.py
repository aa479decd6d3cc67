"""Grade one synthetic class three ways in the same run, on this machine: one class grader with
the course's sqlite gradebook (the baseline), one with a PostgreSQL gradebook, and two shard
processes (``--shard 0/2`` and ``1/2``) at once sharing that PostgreSQL gradebook; print each
wall time, the ratios against the baseline, the grades' agreement, and the database's own share
(server-side statement time, from ``pg_stat_statements``).

    .venv/bin/python benchmarks/shards.py --students 24 --jobs 4

The same ``--jobs`` in total every way (the two shards get half each), so on one machine the
shards can only show what splitting costs (a canary and an nbgrader import per shard, two
processes' share of the cores): the gain comes from more machines, each grading its share with
all of its cores. The closing lines turn the measured per-notebook cost into that estimate.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tdnn import nbgrader_cli  # noqa: E402
from tests import course  # noqa: E402
from tests.grading import postgres  # noqa: E402

from benchmarks.grade_class import ASSIGNMENT, machine_cpu_seconds  # noqa: E402

COURSE_ID = "training-deep-neural-networks"


def build_class(root: Path, n: int) -> list[str]:
    """Solutions, bugs and blanks in turn: every notebook runs to its end (no hostile ones, whose
    quick failures would flatter the per-notebook cost)."""
    from tdnn.chapters import load
    from tdnn.engine.references import variant_sources

    course.copy_course(root)
    course.release(root, ASSIGNMENT)
    bugs = [(p, s) for p in load(ASSIGNMENT).PARTS
            for s in variant_sources(ASSIGNMENT, p, "bug").values()]
    students = [f"s{i:03d}" for i in range(n)]
    for i, student in enumerate(students):
        if i % 3 == 1:
            part, source = bugs[i % len(bugs)]
            course.make_submission(root, student, ASSIGNMENT, replace={part: source})
        else:
            course.make_submission(root, student, ASSIGNMENT, blank=(i % 3 == 2))
    return students


def grader(root: Path, jobs: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "tdnn.grade", ASSIGNMENT, "--autograder",
            str(root / "autograder"), "--jobs", str(jobs), "--no-reports", *extra]


def run_together(root: Path, commands: list[list[str]], url: str | None) -> tuple[float, float]:
    """Wall seconds until every command has ended, and the machine's busy CPU seconds."""
    env = nbgrader_cli.env(TDNN_ROOT=str(root), **({"TDNN_GRADEBOOK_URL": url} if url else {}))
    cpu, start = machine_cpu_seconds(), time.perf_counter()
    procs = [subprocess.Popen(c, cwd=root / "autograder", env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True) for c in commands]
    for proc in procs:
        _, err = proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"grader failed (exit {proc.returncode}):\n{err[-2000:]}")
        if "UNSANDBOXED" in err:  # a figure of another, cheaper grader: say so loudly
            print("WARNING: this run graded UNSANDBOXED: " + err.splitlines()[0])
    return time.perf_counter() - start, machine_cpu_seconds() - cpu


def grades(db_url: str) -> dict:
    from nbgrader.api import Gradebook

    with Gradebook(db_url, COURSE_ID) as gb:
        return {s.id: {g.name: g.score for g in
                       gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, s.id).grades
                       if g.cell.cell_type == "code"}  # as course.grades: autograded cells
                for s in gb.students}


def reset(server: postgres.Cluster, root: Path) -> None:
    """An empty gradebook that knows the assignment, and no autograded work or results."""
    import shutil

    server.query("DROP SCHEMA public CASCADE; CREATE SCHEMA public; "
                 "CREATE EXTENSION pg_stat_statements")
    for folder in ("autograded", "reports"):
        shutil.rmtree(root / "autograder" / folder, ignore_errors=True)
    course.run_nbgrader(root, "generate_assignment", ASSIGNMENT, "--force",
                        f"--CourseDirectory.db_url={server.url}")
    server.query("SELECT pg_stat_statements_reset()")


def db_seconds(server: postgres.Cluster) -> tuple[float, int]:
    (ms, calls), = server.query("SELECT coalesce(sum(total_exec_time), 0), "
                                "coalesce(sum(calls), 0) FROM pg_stat_statements")
    return float(ms) / 1000, int(calls)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--students", type=int, default=24)
    p.add_argument("--jobs", type=int, default=4, help="workers in total (each shard: half)")
    args = p.parse_args()
    root = Path(tempfile.mkdtemp(prefix="tdnn-shards-bench-"))
    try:
        run(root, args)
    finally:
        import shutil

        shutil.rmtree(root, ignore_errors=True)


def run(root: Path, args: argparse.Namespace) -> None:
    students = build_class(root, args.students)
    n = len(students)
    print(f"{n} students, {args.jobs} workers in total, {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f} at the start")
    sqlite_wall, sqlite_cpu = run_together(root, [grader(root, args.jobs)], None)
    expected = course.grades(root, ASSIGNMENT)
    with postgres.cluster("shared_preload_libraries=pg_stat_statements",
                          "pg_stat_statements.track=all") as server:
        reset(server, root)
        one_wall, one_cpu = run_together(root, [grader(root, args.jobs)], server.url)
        one_db, one_calls = db_seconds(server)
        one_same = grades(server.url) == expected
        reset(server, root)
        half = max(1, args.jobs // 2)
        two_wall, two_cpu = run_together(
            root, [grader(root, half, "--shard", f"{i}/2") for i in range(2)], server.url)
        two_db, two_calls = db_seconds(server)
        two_same = grades(server.url) == expected
        reset(server, root)  # one student: the fixed start (imports, zygotes, canary) + 1 notebook
        alone_wall, _ = run_together(root, [grader(root, args.jobs, "--students", students[0])],
                                     server.url)
    # CPU: the whole machine's busy time (the sandboxed kernels' CPU reaches no rusage of ours),
    # so other jobs on the machine count too: read it on an idle machine only.
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    print(f"{'way':44} {'wall s':>8} {'CPU s':>8} {'vs sqlite':>10} {'grades equal':>13}")
    print(f"{'one grader, sqlite gradebook (baseline)':44} {sqlite_wall:8.1f} {sqlite_cpu:8.1f} "
          f"{1:10.2f} {'-':>13}")
    print(f"{'one grader, PostgreSQL gradebook':44} {one_wall:8.1f} {one_cpu:8.1f} "
          f"{one_wall / sqlite_wall:10.2f} {str(one_same):>13}")
    print(f"{'two shards at once, PostgreSQL gradebook':44} {two_wall:8.1f} {two_cpu:8.1f} "
          f"{two_wall / sqlite_wall:10.2f} {str(two_same):>13}")
    print(f"two shards on this machine take {two_wall / one_wall:.2f}x one grader's time: the "
          f"same cores, the fixed start paid twice")
    per_nb = (one_wall - alone_wall) / (n - 1)
    fixed = alone_wall - per_nb
    print(f"one grader, PostgreSQL: fixed start {fixed:.1f} s (a one-student batch "
          f"{alone_wall:.1f} s), then {per_nb:.2f} s per notebook")
    db_share = one_db / one_wall
    print(f"PostgreSQL statement time: {one_db:.2f} s in {one_calls} statements for {n} notebooks "
          f"({one_db / n * 1000:.1f} ms per notebook, {db_share:.1%} of the batch's wall time); "
          f"two shards {two_db:.2f} s in {two_calls}")
    print("m machines like this one, each grading its share with all its cores "
          "(T = fixed + n/m x per notebook):")
    for m in (1, 2, 4, 8):
        t = fixed + -(-n // m) * per_nb
        print(f"  m={m}: {t:6.1f} s for these {n}; {fixed + -(-400 // m) * per_nb:7.1f} s for "
              f"400 students ({(fixed + 400 * per_nb) / (fixed + -(-400 // m) * per_nb):.2f}x)")
    print(f"  the database is busy {db_share:.1%} of one machine's batch: it would be saturated "
          f"near m = {1 / db_share:.0f} machines" if db_share else "")


if __name__ == "__main__":
    main()
