"""The instructor's commands in the README work verbatim, on a copy of the course."""
from __future__ import annotations

import csv
import re
import subprocess

from tdnn import nbgrader_cli, paths
from tests import course

ASSIGNMENT = "fast_optimizers"  # the assignment the README's commands name


def readme_block(marker: str) -> str:
    """The fenced bash block that follows ``<!-- instructor:<marker> -->`` in the README."""
    text = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"<!-- instructor:{marker} -->\s*```bash\n(.*?)```", text, re.S)
    assert match, f"README has no instructor:{marker} block"
    return match.group(1)


def run_block(root, block: str) -> None:
    """Run a README block in the copy's autograder/ with the venv active, as the README says."""
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=root / "autograder",
                            env=nbgrader_cli.env(TDNN_ROOT=str(root)), capture_output=True, text=True)
    assert result.returncode == 0, f"{block}\nfailed:\n{result.stderr[-3000:]}"


def test_readme_release_and_grade_blocks(tmp_path):
    root = course.copy_course(tmp_path)
    run_block(root, readme_block("release"))
    assert (root / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()
    course.make_submission(root, "alice", ASSIGNMENT)
    course.make_submission(root, "bob", ASSIGNMENT, blank=True)
    run_block(root, readme_block("grade"))
    with open(root / "autograder" / "grades.csv", newline="") as f:
        rows = {r["student_id"]: float(r["raw_score"]) for r in csv.DictReader(f)}
    assert rows == {"alice": sum(course.grade_cells(ASSIGNMENT).values()), "bob": 0.0}
    for student in rows:
        assert (root / "autograder" / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").is_file()
