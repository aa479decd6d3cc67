"""What the class grader accepts as a submission folder, checked before anything privileged
reads it.

nbgrader runs as root here and copies ``submitted/<student>/<assignment>/`` into ``autograded/``,
following symbolic links; submissions collected from git or a tar archive keep their links (to
another student's notebook, to the gradebook, to the solutions), and a FIFO blocks whoever reads
it. A folder is therefore accepted only when it holds regular files and folders and nothing else
(no link, device, FIFO or socket, and no hard link: a file that is also somewhere else), within
:class:`Bounds`. The walk is iterative, never follows a link and opens each file with
``O_NOFOLLOW | O_NONBLOCK``, so no folder can make it recurse, block or leave the folder.
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
import stat
from pathlib import Path


@dataclasses.dataclass(frozen=True)
class Bounds:
    """The most a submission folder may hold."""

    files: int = 200
    depth: int = 8
    total_bytes: int = 64 * 1024**2


@dataclasses.dataclass(frozen=True)
class Intake:
    """A submission folder as the grader found it."""

    refused: str | None   # why it is not graded (``None``: accepted)
    digest: str           # fingerprint of its files, so that a resubmission is graded again


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def inspect(folder: Path, bounds: Bounds = Bounds()) -> Intake:
    """Walks ``folder`` (never following a link) and returns whether it is accepted, and why not."""
    h = hashlib.sha256()
    files = total = 0
    pending = [(Path(folder), 0)]
    while pending:
        here, depth = pending.pop()
        try:
            entries = sorted(os.scandir(here), key=lambda e: e.name)
        except OSError as err:
            return Intake(f"the folder {_rel(here, folder)} could not be read ({err.strerror})",
                          h.hexdigest())
        for entry in entries:
            rel = _rel(Path(entry.path), folder)
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISDIR(info.st_mode):
                if depth + 1 > bounds.depth:
                    return Intake(f"it nests folders deeper than {bounds.depth} levels ({rel})",
                                  h.hexdigest())
                pending.append((Path(entry.path), depth + 1))
                continue
            if not stat.S_ISREG(info.st_mode):
                return Intake(f"'{rel}' is {_kind(info.st_mode)}; a submission may hold only "
                              "regular files and folders", h.hexdigest())
            if info.st_nlink > 1:
                return Intake(f"'{rel}' is a hard link to a file elsewhere; a submission may "
                              "hold only files of its own", h.hexdigest())
            files += 1
            total += info.st_size
            if files > bounds.files:
                return Intake(f"it holds more than {bounds.files} files", h.hexdigest())
            if total > bounds.total_bytes:
                return Intake(f"its files add up to more than {bounds.total_bytes // 1024**2} MiB",
                              h.hexdigest())
            h.update(rel.encode() + b"\0")
            try:
                h.update(_read(Path(entry.path)))
            except OSError as err:
                return Intake(f"'{rel}' could not be read ({err})", h.hexdigest())
    return Intake(None, h.hexdigest())


def _read(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped since the walk saw it
            raise OSError(f"{path} is no longer a regular file")
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _rel(path: Path, folder: Path) -> str:
    return str(path.relative_to(folder)) if path != folder else "."
