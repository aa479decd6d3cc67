"""A throwaway PostgreSQL server for the tests: Debian's ``postgresql`` (installed by
``.ci/install-system-packages``), a cluster made in a temporary folder, reachable only on a Unix
socket in that folder, stopped and deleted afterwards.

PostgreSQL refuses to run as root; the tests run as root here, so the cluster then runs as
``nobody`` (a uid outside the grader's sandbox range, 61000+, whose processes the grader kills),
in a folder it owns. As any other user it runs as that user. Trust authentication on the socket
is enough: the folder is the server user's alone (root reaches it anyway).
"""
from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

DATABASE = "course"
USER = "grader"


class PostgresMissing(RuntimeError):
    pass


def bin_dir() -> Path:
    """Where ``initdb`` and ``pg_ctl`` are: on PATH, or Debian's /usr/lib/postgresql/<v>/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                      key=lambda p: int(Path(p).parts[-3]))
    if not versions:
        raise PostgresMissing(
            "PostgreSQL is not installed: the sharded-grading tests start a throwaway server. "
            "Install it with `make setup` as root (.ci/install-system-packages) or "
            "`sudo apt-get install postgresql`.")
    return Path(versions[-1]).parent


def _user_kwargs() -> dict:
    if os.geteuid() != 0:
        return {}
    nobody = pwd.getpwnam("nobody")
    return {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}


class Cluster:
    """A running server; :attr:`url` is the SQLAlchemy URL of its database ``course``."""

    def __init__(self):
        self.bin = bin_dir()
        self.folder = Path(tempfile.mkdtemp(prefix="tdnn-pg-"))
        self.data, self.socket = self.folder / "data", self.folder / "socket"
        self.socket.mkdir()
        self._as = _user_kwargs()
        if self._as:
            for path in (self.folder, self.socket):
                os.chown(path, self._as["user"], self._as["group"])
        self.url = f"postgresql+psycopg://{USER}@/{DATABASE}?host={self.socket}"

    def _run(self, *cmd: str) -> None:
        done = subprocess.run(cmd, cwd=self.folder, capture_output=True, text=True, timeout=120,
                              **self._as)
        if done.returncode:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")

    def start(self, *settings: str) -> "Cluster":
        """Start the server, with extra ``name=value`` settings (``postgres -c``)."""
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", USER, "-A", "trust",
                  "-E", "UTF8", "--no-sync")
        # Socket only, in our folder; fsync off: a throwaway database need not survive a crash
        # of the machine (a killed grader is another matter: the server itself stays up).
        options = f"-k {self.socket} -c listen_addresses='' -c fsync=off -c max_connections=200"
        options += "".join(f" -c {setting}" for setting in settings)
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l",
                  str(self.folder / "server.log"), "-w", "-t", "60", "start")
        import psycopg

        with psycopg.connect(dbname="postgres", user=USER, host=str(self.socket),
                             autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
        return self

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    def query(self, sql: str, *params) -> list[tuple]:
        import psycopg

        with psycopg.connect(dbname=DATABASE, user=USER, host=str(self.socket)) as conn:
            cursor = conn.execute(sql, params or None)  # None: several statements may be sent
            return cursor.fetchall() if cursor.description else []


@contextlib.contextmanager
def cluster(*settings: str):
    server = Cluster()
    try:
        yield server.start(*settings)
    finally:
        server.stop()
