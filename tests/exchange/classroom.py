"""An instructor and several students who meet only in an nbgrader exchange folder.

Each student works in a home folder of their own, with their own ``nbgrader_config.py`` (the
course id, the exchange, their student id) and their own ``HOME``, hence their own submission
cache (``~/.local/share/jupyter/nbgrader_cache``), which ``fetch_feedback`` reads to find that
student's submissions and no one else's. nbgrader's default exchange takes a student's name from
the OS user (``pwd.getpwuid(os.getuid())``) unless the configuration names one
(``CourseDirectory.student_id``), which is how several students act from one test process; a
JupyterHub gives each student an OS user instead.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tdnn import nbgrader_cli
from tests import course

COURSE_ID = "training-deep-neural-networks"
SESSION = Path(__file__).with_name("session.py")
#: ``nbgrader validate``'s verdicts (nbgrader 0.9.6's Validator wording).
PASSED = "Success! Your notebook passes all the tests."
FAILED = re.compile(r"VALIDATION FAILED ON (\d+) CELL")


def python_for_others() -> tuple[list[str], dict[str, str]]:
    """An interpreter other OS users may run, with this environment's packages. The test's own
    may sit in a folder only its owner can enter (pyenv under /root); the system's Python of the
    same version runs the same wheels, given the environment's site-packages and the course."""
    import site

    system = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
    if not system.exists():
        return [sys.executable], {}
    return [str(system)], {"PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).resolve().parents[2]), *site.getsitepackages()])}


def instructor(root: Path, exchange: Path, *args: str):
    """The real ``nbgrader *args`` in the course copy's ``autograder/``, on this exchange."""
    return course.run_nbgrader(root, *args, f"--Exchange.root={exchange}")


@dataclass
class Student:
    id: str
    home: Path
    exchange: Path
    assignment: str
    #: The OS user (and group) this student's commands run as; None: the test's own.
    uid: int | None = None

    def __post_init__(self):
        self.home.mkdir(parents=True)
        (self.home / "nbgrader_config.py").write_text(
            "c = get_config()\n"
            f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
            f"c.Exchange.root = {str(self.exchange)!r}\n"
            f"c.CourseDirectory.student_id = {self.id!r}\n")
        if self.uid is not None:
            os.chown(self.home, self.uid, self.uid)
            os.chown(self.home / "nbgrader_config.py", self.uid, self.uid)

    def run_as(self) -> dict:
        """``subprocess.run``'s arguments that make a command this student's OS user's."""
        return {} if self.uid is None else {"user": self.uid, "group": self.uid,
                                             "extra_groups": []}

    def python(self) -> tuple[list[str], dict[str, str]]:
        """The interpreter this student runs, and the environment it needs: the test's own, or
        for another OS user :func:`python_for_others`."""
        if self.uid is None:
            return [sys.executable], {}
        return python_for_others()

    @property
    def notebook(self) -> Path:
        return self.home / self.assignment / f"{self.assignment}.ipynb"

    def sitting(self, steps: list[dict]) -> list[dict]:
        """Run ``steps`` (see tests/exchange/session.py) as this student: in their home, with
        their HOME (so their own cache); each nbgrader command must succeed."""
        python, python_env = self.python()
        env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER_")}
        env.update(nbgrader_cli.env(HOME=str(self.home)), **python_env)
        done = subprocess.run([*python, str(SESSION)], input=json.dumps(steps),
                              cwd=self.home, env=env, capture_output=True, text=True, timeout=300,
                              **self.run_as())
        assert done.returncode == 0, f"{self.id}'s sitting crashed:\n{done.stderr[-3000:]}"
        results = json.loads(done.stdout)
        for r in results:
            assert r["code"] == 0, (f"{self.id}: nbgrader {' '.join(r['args'])} failed "
                                    f"({r['code']}):\n{r['output'][-3000:]}")
        return results

    def attempt(self, solutions: Path, replace: dict[str, str] | None = None) -> tuple[int, str]:
        """Fetch the assignment (the first time), do the work (the solution, except the parts in
        ``replace``), validate, submit. Returns the number of cells ``nbgrader validate`` says
        fail (0 when it says success) and the timestamp the exchange recorded."""
        steps = [] if self.notebook.exists() else [{"nbgrader": ["fetch_assignment",
                                                                 self.assignment]}]
        steps += [{"fill": str(self.notebook), "solutions": str(solutions),
                   "replace": replace or {}},
                  {"nbgrader": ["validate", str(self.notebook.relative_to(self.home))]},
                  {"nbgrader": ["submit", self.assignment]}]
        out = self.sitting(steps)[-2]["output"]
        failed = FAILED.search(out)
        assert failed or PASSED in out, f"{self.id}: nbgrader validate gave no verdict:\n{out}"
        cache = self.home / ".local/share/jupyter/nbgrader_cache" / COURSE_ID
        newest = max((p / "timestamp.txt").read_text()
                     for p in cache.glob(f"{self.id}+{self.assignment}+*"))
        return (int(failed.group(1)) if failed else 0), newest

    def fetch_feedback(self) -> None:
        self.sitting([{"nbgrader": ["fetch_feedback", self.assignment]}])
