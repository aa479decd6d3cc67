"""A class split between several grading machines: ``--shard i/n`` grades the i-th of n shares.

Each of n processes (a Kubernetes Indexed Job's pods, a SLURM job array's tasks, or simply n
shells) runs ``python -m tdnn.grade <assignment> --db-url postgresql+psycopg://... --shard i/n``
on the same submissions and one PostgreSQL gradebook. A student belongs to exactly one share, by
a stable hash of the student id (the same on every machine, every run and every Python: not
Python's salted ``hash``), so:

- no two processes ever grade the same student: nbgrader's gradebook writes for a submission
  (``update_or_create_student``, ``update_or_create_submission``, its grades and comments) touch
  only that student's rows, so the shards' transactions never write the same row;
- a shard that dies (SIGKILL, a pod evicted, a node lost) is run again with the same ``i/n`` and
  resumes its own share: its finished students are skipped (its ``results.json``, one per shard,
  says which), PostgreSQL rolled back whatever transaction it had open;
- each shard grades the solution first (the canary) on its own machine, in its own sandbox.

A static split, not a queue: shares are equal in expectation, and a slow machine delays only its
own share. The order of work inside a share is the grader's usual one.
"""
from __future__ import annotations

import dataclasses
import hashlib
import re

#: Sandbox uids of shard i start at SANDBOX_UID_BASE + UID_STRIDE * (i % UID_SLOTS), so that a few
#: shards can share a machine (each with its own workers' uids); beyond that, shards whose ranges
#: coincide wait for each other on the same machine lock. The top uid stays below 65536, the
#: range a container's user namespace maps.
UID_STRIDE = 256
UID_SLOTS = 16


class ShardError(ValueError):
    """A ``--shard`` value that is not ``i/n`` with 0 <= i < n."""


@dataclasses.dataclass(frozen=True)
class Shard:
    """The ``index``-th (from 0) of ``count`` shares of a class."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    @property
    def name(self) -> str:
        """A file-name-safe label: ``shard-0-of-2``."""
        return f"shard-{self.index}-of-{self.count}"

    def owns(self, student: str) -> bool:
        return share_of(student, self.count) == self.index

    def uid_base(self, base: int) -> int:
        return base + UID_STRIDE * (self.index % UID_SLOTS)


def parse(text: str) -> Shard:
    """``"i/n"`` as a :class:`Shard` (what ``--shard`` takes; ``$JOB_COMPLETION_INDEX/4`` and
    ``$SLURM_ARRAY_TASK_ID/4`` expand to it)."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text or "")
    if not match:
        raise ShardError(f"--shard takes i/n (the i-th of n shares, i from 0), not {text!r}")
    index, count = int(match[1]), int(match[2])
    if not 0 <= index < count:
        raise ShardError(f"--shard {text}: the index must be 0..{count - 1} (from 0, as a "
                         "Kubernetes completion index; with a SLURM array use --array=0-N-1)")
    return Shard(index, count)


def share_of(student: str, count: int) -> int:
    """Which of ``count`` shares ``student`` belongs to: the first 8 bytes of the id's SHA-256,
    modulo ``count``."""
    digest = hashlib.sha256(student.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count
