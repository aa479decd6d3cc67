"""Helpers of the class grader's own tests (canary, limits, resume, zygote, command line): run
``python -m tdnn.grade`` on a course copy, optionally with the grader patched first (a test's
way of breaking the grader on purpose), and read what it left."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat

from tdnn import nbgrader_cli

from .classroom import ASSIGNMENT

#: Runs the grader's command line after ``exec``-ing the code in $TDNN_TEST_PATCH (the test's
#: deliberate breakage: a sandbox that hides tdnn, a zygote that cannot start, ...).
_PATCHED_MAIN = textwrap.dedent("""\
    import os, sys
    exec(os.environ.get("TDNN_TEST_PATCH", ""))
    from tdnn.grade.__main__ import main
    sys.exit(main(sys.argv[1:]))
    """)


def grade(root: Path, *args: str, patch: str = "", cwd: Path | None = None,
          autograder: bool = True, timeout: int = 900,
          env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``python -m tdnn.grade fast_optimizers --jobs 2 *args`` on the copy; never raises on a
    non-zero exit (the tests look at it)."""
    cmd = [sys.executable, "-c", _PATCHED_MAIN, ASSIGNMENT, "--jobs", "2"]
    if autograder:
        cmd += ["--autograder", str(root / "autograder")]
    env = nbgrader_cli.env(TDNN_ROOT=str(root), TDNN_TEST_PATCH=textwrap.dedent(patch),
                           **(env_extra or {}))
    return subprocess.run([*cmd, *args], cwd=cwd or root, env=env, capture_output=True,
                          text=True, timeout=timeout)


def results(root: Path) -> dict:
    path = root / "autograder" / "reports" / ASSIGNMENT / "results.json"
    return json.loads(path.read_text()) if path.exists() else {}


def autograded(root: Path, student: str) -> Path:
    return root / "autograder" / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"


def cell_outputs(path: Path) -> list[list[dict]]:
    """Each code cell's outputs, with consecutive stream chunks of one stream merged (how a
    kernel splits its output into messages is timing, not content)."""
    out = []
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        merged: list[dict] = []
        for o in cell.outputs:
            o = dict(o)
            if (o.get("output_type") == "stream" and merged
                    and merged[-1].get("output_type") == "stream"
                    and merged[-1].get("name") == o.get("name")):
                merged[-1] = {**merged[-1], "text": merged[-1]["text"] + o["text"]}
            else:
                o.pop("execution_count", None)
                o.pop("metadata", None)
                merged.append(o)
        out.append(merged)
    return out


def text_of(path: Path) -> str:
    """Every output's text of a notebook, concatenated."""
    parts = []
    for outputs in cell_outputs(path):
        for o in outputs:
            parts.append(str(o.get("text", "")) + str(o.get("evalue", ""))
                         + "".join(o.get("traceback", [])) + str(o.get("data", "")))
    return "\n".join(parts)
