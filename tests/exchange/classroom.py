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

    def command(self, *args: str) -> list[str]:
        """``args`` as this student runs them: as their OS user when they have one.

        The course's Python lives in folders only their owner may enter (pyenv under /root, a
        CI checkout in a private temporary folder), so another user could not even start it. The
        student's process therefore keeps one capability, CAP_DAC_READ_SEARCH: it may read and
        search any folder, but every write (fetching into their home, submitting into the
        exchange's inbound) is checked against their own uid, and what they write is theirs."""
        if self.uid is None:
            return list(args)
        return ["setpriv", f"--reuid={self.uid}", f"--regid={self.uid}", "--clear-groups",
                "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search", *args]

    @property
    def notebook(self) -> Path:
        return self.home / self.assignment / f"{self.assignment}.ipynb"

    def sitting(self, steps: list[dict]) -> list[dict]:
        """Run ``steps`` (see tests/exchange/session.py) as this student: in their home, with
        their HOME (so their own cache); each nbgrader command must succeed."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER_")}
        env.update(nbgrader_cli.env(HOME=str(self.home)))
        done = subprocess.run(self.command(sys.executable, str(SESSION)), input=json.dumps(steps),
                              cwd=self.home, env=env, capture_output=True, text=True, timeout=300)
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
