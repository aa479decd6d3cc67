"""Grade a synthetic class twice, the instructor's whole flow each way, in the same run: plain
nbgrader's three commands (``nbgrader autograde``, ``nbgrader generate_feedback``, ``nbgrader
export``) against ``python -m tdnn.grade``, which does all three (its canary, autograding,
feedback pages, the CSV export and the plot); print each step's time, the speed-up and whether
the grades match; with ``--profile``, where plain nbgrader spends its time on one notebook.

    .venv/bin/python benchmarks/grade_class.py --students 48 --profile

``--autograde-only`` compares autograding alone (``nbgrader autograde`` against
``python -m tdnn.grade --no-reports``), the figure this benchmark printed before.

The class: the solution and the correct variants (about half), one bug per part (about a third),
blank notebooks, and a few hostile submissions that end quickly (sys.exit, a truncated file,
redefined checkers). Students whose grades differ *by design* (plain nbgrader leaves an
unreadable file ungraded, the driver scores it 0) are listed, not counted as mismatches.
"""
from __future__ import annotations

import argparse
import cProfile
import itertools
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tdnn import nbgrader_cli  # noqa: E402
from tdnn import chapters  # noqa: E402
from tdnn.engine.references import variant_sources as _variant_sources  # noqa: E402
from tests import course  # noqa: E402

ASSIGNMENT = "fast_optimizers"
PARTS = list(chapters.load(ASSIGNMENT).PARTS)


def variant_sources(part: str, kind: str) -> dict[str, str]:
    return _variant_sources(ASSIGNMENT, part, kind)

HOSTILE = {
    "hostile-sys-exit": {"rmsprop": "import sys\nsys.exit(1)\n"},
    "hostile-redefines-checkers": {"sgd": "check_steps = check_reference = lambda *a, **k: None\n"},
}
BY_DESIGN = {"hostile-redefines-checkers", "hostile-truncated"}


def build_class(root: Path, n: int) -> list[str]:
    course.copy_course(root)
    course.release(root, ASSIGNMENT)
    correct = [(p, s) for p in PARTS for s in variant_sources(p, "correct").values()]
    buggy = [(p, s) for p in PARTS for s in variant_sources(p, "bug").values()]
    students = []
    kinds = itertools.cycle(["solution", "correct", "bug", "solution", "bug", "blank", "correct"])
    pools = {"correct": itertools.cycle(correct), "bug": itertools.cycle(buggy)}
    for i in range(max(0, n - len(HOSTILE) - 1)):
        kind = next(kinds)
        student = f"s{i:03d}-{kind}"
        if kind in pools:
            part, source = next(pools[kind])
            course.make_submission(root, student, ASSIGNMENT, replace={part: source})
        else:
            course.make_submission(root, student, ASSIGNMENT, blank=(kind == "blank"))
        students.append(student)
    for student, replace in HOSTILE.items():
        course.make_submission(root, student, ASSIGNMENT, replace=replace)
        students.append(student)
    truncated = root / "autograder" / "submitted" / "hostile-truncated" / ASSIGNMENT
    truncated.mkdir(parents=True)
    (truncated / f"{ASSIGNMENT}.ipynb").write_text('{"cells": [')
    return students + ["hostile-truncated"]


def machine_cpu_seconds() -> float:
    """CPU time the whole machine has spent busy (user + system, all processes), from /proc/stat.

    Not the rusage of our children: sandboxed kernels live in bubblewrap's PID namespace, forked
    by a zygote, and their CPU never reaches RUSAGE_CHILDREN (measured: it hid two thirds of the
    driver's CPU). Other jobs on the machine count too, so run this on an otherwise idle machine."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def timed(cmd: list[str], root: Path, quiet_failure: bool = False) -> tuple[float, float]:
    """Wall-clock seconds of ``cmd`` and the machine's busy CPU seconds meanwhile.

    CPU time is what bounds throughput on a small machine."""
    cpu = machine_cpu_seconds()
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=root / "autograder", env=nbgrader_cli.env(TDNN_ROOT=str(root)),
                          check=False, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        print(f"  (exit {done.returncode}: {' '.join(cmd[:3])} ...)"
              + ("" if quiet_failure else f"\n{done.stderr[-2000:]}"))
    return wall, machine_cpu_seconds() - cpu


def profile_one(root: Path) -> None:
    """cProfile of plain nbgrader autograding one notebook in-process, grouped by phase."""
    os.environ["TDNN_ROOT"] = str(root)
    os.chdir(root / "autograder")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import nbgrader.apps"], check=True)
    imported = time.perf_counter() - start  # in a fresh process: this one has it imported
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader
    api = NbGraderAPI(config=PyFileConfigLoader("nbgrader_config.py", path=".").load_config())
    student = sorted(p.name for p in (root / "autograder" / "submitted").iterdir())[0]
    api.autograde(ASSIGNMENT, student)  # warm: first-use imports inside nbgrader
    prof = cProfile.Profile()
    start = time.perf_counter()
    prof.enable()
    api.autograde(ASSIGNMENT, student)
    prof.disable()
    total = time.perf_counter() - start
    stats = pstats.Stats(prof).stats
    def cum(fragment: str, name: str) -> float:
        return max((v[3] for k, v in stats.items() if fragment in k[0] and k[2] == name), default=0.0)
    phases = {
        "start the kernel, wait until ready (nbclient setup_kernel)": cum("nbclient/client.py", "setup_kernel"),
        "run the cells in the kernel (execute_cell)": cum("nbconvert/preprocessors/execute.py", "preprocess_cell"),
        "validate nbgrader metadata (jsonschema)": cum("nbgraderformat/common.py", "validate_nb"),
        "gradebook queries (SQLAlchemy)": cum("sqlalchemy/orm/session.py", "execute"),
    }
    print(f"\nprofile of plain nbgrader: import nbgrader {imported:.2f} s (once per command); "
          f"autograde of one notebook {total:.2f} s, of which:")
    for name, seconds in phases.items():
        print(f"  {seconds:5.2f} s  {100 * seconds / total:4.0f} %  {name}")
    rest = total - sum(phases.values())
    print(f"  {rest:5.2f} s  {100 * rest / total:4.0f} %  the rest (read/write, copy, nbconvert)")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--students", type=int, default=24, help="class size (default: %(default)s)")
    p.add_argument("--jobs", type=int, default=None,
                   help="driver workers (default: the driver's own, twice the cores)")
    p.add_argument("--autograde-only", action="store_true",
                   help="time autograding alone, without feedback and export")
    p.add_argument("--profile", action="store_true", help="also profile plain nbgrader")
    args = p.parse_args()
    from tests.course import grades

    with tempfile.TemporaryDirectory(prefix="tdnn-bench-") as tmp:
        plain = Path(tmp) / "plain"
        students = build_class(plain, args.students)
        driven = Path(tmp) / "driven"
        shutil.copytree(plain, driven)
        n = len(students)
        print(f"{n} submissions, {os.cpu_count()} cores, load average before "
              f"{os.getloadavg()[0]:.1f}")
        nbgrader = str(nbgrader_cli.BIN / "nbgrader")
        steps = [("autograde", [nbgrader, "autograde", ASSIGNMENT, "--log-level=ERROR"])]
        if not args.autograde_only:
            steps += [("generate_feedback", [nbgrader, "generate_feedback", ASSIGNMENT,
                                             "--log-level=ERROR"]),
                      ("export", [nbgrader, "export", "--log-level=ERROR",
                                  "--to", str(plain / "grades.csv")])]
        t_plain = cpu_plain = 0.0
        for name, cmd in steps:
            # plain nbgrader exits 1 on the unreadable hostile-truncated notebook, by design
            wall, cpu = timed(cmd, plain, quiet_failure=True)
            t_plain, cpu_plain = t_plain + wall, cpu_plain + cpu
            print(f"  plain nbgrader {name:<18} {wall:7.1f} s wall, {cpu:6.1f} CPU-s")
        what = "autograde" if args.autograde_only else "autograde + feedback + export"
        print(f"plain nbgrader ({what}, sequential): {t_plain:7.1f} s wall, "
              f"{cpu_plain:6.1f} CPU-s ({n / t_plain:.2f} notebooks/s, {cpu_plain / n:.2f} CPU-s/nb)")
        jobs = ["--jobs", str(args.jobs)] if args.jobs else []
        only = ["--no-reports"] if args.autograde_only else []
        t_driver, cpu_driver = timed([sys.executable, "-m", "tdnn.grade", ASSIGNMENT, *only,
                                      *jobs, "--autograder", str(driven / "autograder")], driven)
        print(f"python -m tdnn.grade {' '.join(jobs) or '(default jobs)'} ({what}, canary "
              f"included): {t_driver:7.1f} s wall, {cpu_driver:6.1f} CPU-s "
              f"({n / t_driver:.2f} notebooks/s, {cpu_driver / n:.2f} CPU-s/nb)")
        print(f"speed-up (wall-clock, this run): {t_plain / t_driver:.2f}x;  "
              f"CPU per notebook: {cpu_plain / cpu_driver:.2f}x less, so on {os.cpu_count()} "
              f"free cores up to {os.cpu_count() * cpu_plain / cpu_driver:.1f}x; "
              f"load average now {os.getloadavg()[0]:.1f} (other jobs on the machine count)")
        a, b = grades(plain, ASSIGNMENT), grades(driven, ASSIGNMENT)
        compared = [s for s in students if s not in BY_DESIGN]
        mismatches = [s for s in compared if a.get(s) != b.get(s)]
        print(f"grades identical for {len(compared) - len(mismatches)}/{len(compared)} students"
              + (f"; MISMATCH: {mismatches}" if mismatches else ""))
        for s in sorted(BY_DESIGN):
            print(f"  by design: {s}: plain {sum((a.get(s) or {}).values() or [0]) if a.get(s) and None not in a[s].values() else 'ungraded'}, "
                  f"driver {sum((b.get(s) or {}).values() or [0])}")
        if not args.autograde_only:
            pages = {name: len(list((root / "autograder" / "feedback").glob(f"*/{ASSIGNMENT}/*.html")))
                     for name, root in (("plain", plain), ("driver", driven))}
            exported = {name: len(path.read_text().splitlines()) - 1 if path.exists() else 0
                        for name, path in (("plain", plain / "grades.csv"),
                                           ("driver", driven / "autograder" / "reports" /
                                            ASSIGNMENT / "grades.csv"))}
            print(f"feedback pages: plain {pages['plain']}, driver {pages['driver']}; "
                  f"exported rows: plain {exported['plain']}, driver {exported['driver']}")
        if args.profile:
            profile_one(plain)
        return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
