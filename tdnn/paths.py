"""Where things live in the repository: every other module asks here, never builds paths itself."""
from __future__ import annotations

import os
from pathlib import Path

#: The repository root (``TDNN_ROOT`` overrides it, e.g. for a temporary copy of the course).
ROOT = Path(os.environ.get("TDNN_ROOT", Path(__file__).resolve().parents[1])).resolve()

BOOK = ROOT / "book"
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
AUTOGRADER = ROOT / "autograder"
REFERENCES = AUTOGRADER / "references"
BUILD = ROOT / "_build"


def keras_home() -> Path:
    """keras' cache folder (``$KERAS_HOME``, else keras' own default ``~/.keras``)."""
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
