"""Generate the student versions in ``exercises/`` from ``solutions/`` with the real nbgrader.

``python -m tdnn.release`` (``make exercises``) runs ``nbgrader generate_assignment`` with the
course's own ``autograder/nbgrader_config.py`` into a scratch folder with a throwaway gradebook
(so the instructor's gradebook is never touched) and copies the result into ``exercises/``.
``--check`` does the same and fails, listing the notebooks, when ``exercises/`` has drifted.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat

from tdnn import nbgrader_cli, paths


def assignments() -> list[str]:
    """Every assignment in ``solutions/`` (a folder holding notebooks)."""
    return sorted(p.parent.name for p in paths.SOLUTIONS.glob("*/*.ipynb"))


def generate(assignment: str, out: Path) -> Path:
    """Run ``nbgrader generate_assignment`` into ``out``; return the released folder."""
    out.mkdir(parents=True, exist_ok=True)
    shutil.copytree(paths.SOLUTIONS / assignment, out / "source" / assignment)
    nbgrader_cli.run(
        "generate_assignment", assignment, "--force", "--log-level=WARN",
        f"--CourseDirectory.root={out}",
        "--CourseDirectory.source_directory=source",
        "--CourseDirectory.release_directory=release",
        f"--CourseDirectory.db_url=sqlite:///{out / 'gradebook.db'}",
        cwd=paths.AUTOGRADER,
    )
    return out / "release" / assignment


def _canonical(path: Path) -> dict:
    """A notebook as data, so formatting differences in the JSON don't count as drift."""
    return nbformat.read(path, as_version=4)


def drift(assignment: str, released: Path) -> list[str]:
    """Files of ``exercises/<assignment>`` that differ from a fresh release (or are missing/extra)."""
    committed = paths.EXERCISES / assignment
    fresh = {p.relative_to(released) for p in released.rglob("*") if p.is_file()}
    have = {p.relative_to(committed) for p in committed.rglob("*") if p.is_file()} if committed.exists() else set()
    problems = [f"missing: {p}" for p in sorted(fresh - have)] + [f"extra: {p}" for p in sorted(have - fresh)]
    for rel in sorted(fresh & have):
        a, b = released / rel, committed / rel
        same = _canonical(a) == _canonical(b) if rel.suffix == ".ipynb" else a.read_bytes() == b.read_bytes()
        if not same:
            problems.append(f"differs: {rel}")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignments", nargs="*", help="default: every folder in solutions/")
    parser.add_argument("--check", action="store_true", help="fail if exercises/ has drifted")
    args = parser.parse_args(argv)
    failed = False
    with tempfile.TemporaryDirectory(prefix="tdnn-release-") as tmp:
        for assignment in args.assignments or assignments():
            released = generate(assignment, Path(tmp) / assignment)
            if args.check:
                problems = drift(assignment, released)
                for p in problems:
                    print(f"exercises/{assignment}: {p}", file=sys.stderr)
                failed |= bool(problems)
            else:
                target = paths.EXERCISES / assignment
                shutil.rmtree(target, ignore_errors=True)
                shutil.copytree(released, target)
                print(f"released {assignment} into {target}")
    if failed:
        print("exercises/ has drifted from solutions/: run `make exercises`", file=sys.stderr)
    return int(failed)


if __name__ == "__main__":
    sys.exit(main())
