"""Run the real ``nbgrader`` command line of this environment.

nbgrader shells out to ``alembic`` (gradebook migrations) and starts kernels, both found on
``PATH``: running it by absolute path from outside the activated venv fails unless the venv's
``bin/`` comes first on ``PATH``, which :func:`run` ensures.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def env(**extra: str) -> dict[str, str]:
    """The current environment with this venv's ``bin/`` first on ``PATH``, plus ``extra``."""
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", **extra}


def run(*args: str, cwd: Path, check: bool = True, capture: bool = False,
        **extra_env: str) -> subprocess.CompletedProcess:
    """``nbgrader *args`` in ``cwd`` (normally a course's ``autograder/`` folder)."""
    return subprocess.run([str(BIN / "nbgrader"), *args], cwd=cwd, env=env(**extra_env),
                          check=check, capture_output=capture, text=True)
