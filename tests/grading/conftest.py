"""Helpers shared by the grading tests: run the driver's real command line on a course copy."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tdnn import nbgrader_cli

from .classroom import ASSIGNMENT

#: Small limits, so that the hostile cases end in seconds; every honest notebook needs far less.
FAST_LIMITS = ["--cell-timeout", "8", "--notebook-timeout", "90", "--memory-limit", "1024",
               "--process-limit", "32"]


def run_driver(root: Path, *args: str, check: bool = True, umask: int | None = None,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``python -m tdnn.grade fast_optimizers ...`` on the copy, as an instructor runs it
    (optionally under another ``umask`` and with more environment variables)."""
    done = subprocess.run(
        [sys.executable, "-m", "tdnn.grade", ASSIGNMENT, "--autograder", str(root / "autograder"),
         "--jobs", "2", *args],
        env=nbgrader_cli.env(TDNN_ROOT=str(root), **(env or {})), capture_output=True, text=True,
        timeout=900, preexec_fn=None if umask is None else (lambda: os.umask(umask)))
    if check and done.returncode != 0:
        raise AssertionError(f"the driver failed:\n{done.stdout}\n{done.stderr[-4000:]}")
    return done
