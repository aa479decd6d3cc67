"""Fixtures of the student-edition tests: the tree `make student-edition` writes, and a virtual
environment made from that tree alone, as its README tells a student to make it."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tdnn import edition, paths


@pytest.fixture(scope="session")
def tree(tmp_path_factory) -> Path:
    """A fresh student edition, written by the same code as `make student-edition`."""
    return edition.build(tmp_path_factory.mktemp("student-edition") / "course")


def _clean_env() -> dict[str, str]:
    """The environment of a student's shell: nothing pointing into the instructor's kit."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "TDNN_ROOT", "VIRTUAL_ENV"}}
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep)
                                  if not p.startswith(str(paths.ROOT)))
    return env


@pytest.fixture(scope="session")
def student_python(tree) -> Path:
    """The Python of a venv made from the student tree's requirements.txt and its helper
    package, with the commands its README gives.

    The venv is kept in _build/, named by a hash of requirements.txt, so only a change of the
    pinned packages pays for installing them again (pip's own cache serves the wheels after the
    first time); the helper package is installed afresh, as a copy (not editable), every run.
    """
    requirements = (tree / "requirements.txt").read_bytes()
    venv = paths.BUILD / f"student-venv-{hashlib.sha256(requirements).hexdigest()[:12]}"
    python = venv / "bin" / "python"
    env = _clean_env()
    if not (venv / ".complete").is_file():
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([_base_python(), "-m", "venv", str(venv)], check=True, env=env)
        _pip(python, env, tree, "install", "--quiet", "-r", str(tree / "requirements.txt"))
        (venv / ".complete").touch()
    subprocess.run([str(python), "-m", "pip", "uninstall", "--quiet", "--yes", "tdnn"],
                   check=False, env=env, capture_output=True)
    # The README's `pip install --no-deps -e .`, but as a copy: the venv outlives this tree.
    _pip(python, env, tree, "install", "--quiet", "--no-deps", "--no-build-isolation", str(tree))
    return python


def _pip(python: Path, env: dict, cwd: Path, *args: str) -> None:
    """Run pip in the student venv; its output only when it fails (it warns about every
    unreachable package index otherwise)."""
    done = subprocess.run([str(python), "-m", "pip", *args], env=env, cwd=cwd,
                          capture_output=True, text=True)
    if done.returncode:
        raise AssertionError(f"pip {' '.join(args)} failed in the student venv:\n"
                             f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")


def _base_python() -> str:
    """The interpreter the course's venv was made from (a student's own Python 3.11)."""
    return str(Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}")
