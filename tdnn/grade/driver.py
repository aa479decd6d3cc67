"""Autograde a whole class in parallel, with nbgrader's own API, one sandboxed kernel per submission.

Where plain ``nbgrader autograde`` spends its time on one notebook (``benchmarks/grade_class.py
--profile``): about half in starting a kernel (a new Python importing ipykernel, IPython and
debugpy), a quarter running the cells (most of it the notebook importing NumPy), a tenth
re-checking nbgrader's metadata schema before validating each cell, the rest in the gradebook and
in reading and writing notebooks; and once per command, 4 s importing nbgrader. This driver:

- imports nbgrader once and forks ``jobs`` workers from it; each grades one student at a time
  with ``NbGraderAPI.autograde`` (the converter the command line runs), so no per-student
  process start and the grader's work overlaps with another submission's kernel;
- forks each kernel from a per-worker, pre-warmed, sandboxed zygote that has already imported
  ipykernel, debugpy, NumPy and the course's chapter modules (:mod:`tdnn.grade.zygote`): a kernel is ready in a
  fraction of the time and CPU;
- keeps nbgrader's metadata validator compiled instead of re-checking its schema on every cell;
- compiles the feedback page's templates once per worker, not once per student.

Before any student, the solution notebook is graded as a canary in the same sandbox and
configuration (:mod:`tdnn.grade.canary`); unless it earns full marks the batch stops with the
reason, since a broken grader must not hand out zeros. After each student, a locked set-up cell
that failed (the notebook's imports, which no student writes) marks the submission as the
grader's error: not scored, graded again by the next run. A submission nbgrader could not grade
keeps, in its autograded folder, the notebook as far as it ran. Library warnings raised in the
workers go to ``reports/<assignment>/grader.log`` and are summed up once, above the progress bar.

Workers share the gradebook: the course's sqlite file, its writers queued
(:func:`tdnn.grade.gradebook.queue_sqlite_writers`), or a PostgreSQL database named by
``db_url``, which several grading machines can share, each grading its share of the class
(``shard``, :mod:`tdnn.grade.shards`).
"""
from __future__ import annotations

import collections
import concurrent.futures as cf
import contextlib
import dataclasses
import json
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

from tqdm import tqdm

from . import canary, gradebook, intake, sandbox, shards

#: Where results, exports and plots go, below the course's autograder/ folder.
REPORTS = "reports"


class GradingError(Exception):
    """The batch itself cannot run (no such assignment, no submissions, no nbgrader config)."""


class CanaryFailed(GradingError):
    """The solution notebook did not earn full marks in the grader: nothing was graded."""


@dataclasses.dataclass
class Outcome:
    """What happened to one student's submission.

    ``status``: ``graded``; ``failed`` (nbgrader could not grade it: every part scores 0, the
    reason in the student's feedback); or ``error`` (the grader's fault, e.g. a locked set-up
    cell failed: not scored, no feedback, graded again by the next run)."""

    student: str
    status: str
    reason: str = ""
    seconds: float = 0.0
    digest: str = ""
    kernel: str = ""  # how its kernel started: "forked" (zygote), "sandbox", "unsandboxed"
    warnings: list = dataclasses.field(default_factory=list, repr=False)


@dataclasses.dataclass
class Settings:
    """The batch's options, shipped to every worker."""

    autograder: Path
    assignment: str
    cell_seconds: int | None = None
    limits: sandbox.Limits = dataclasses.field(default_factory=sandbox.Limits)
    sandboxed: bool = True
    prewarmed: bool = True
    db_url: str | None = None  # the gradebook, instead of the config's (e.g. PostgreSQL)
    shard: shards.Shard | None = None  # grade only this share of the class

    @property
    def uid_base(self) -> int:
        """The first sandbox uid of this batch's workers (worker i: ``uid_base + i``)."""
        base = sandbox.SANDBOX_UID_BASE
        return self.shard.uid_base(base) if self.shard else base


def chapter_limits(assignment: str):
    """The chapter module's ``LIMITS`` (:mod:`tdnn.chapters`), or ``None`` without one."""
    from .. import chapters

    try:
        return chapters.load(assignment).LIMITS
    except (LookupError, AttributeError):
        return None


def default_limits(assignment: str) -> sandbox.Limits:
    """The sandbox limits of ``assignment``: its chapter's ``LIMITS`` where it declares them,
    the sandbox's defaults for the rest."""
    limits = chapter_limits(assignment)
    if limits is None:
        return sandbox.Limits()
    return sandbox.Limits(notebook_seconds=limits.notebook_seconds,
                          cpu_seconds=limits.cpu_seconds, memory_bytes=limits.memory_bytes)


# ---------------------------------------------------------------- nbgrader, configured once

def skip_unused_imports() -> None:
    """jsonschema (which nbformat and nbgrader import) imports ``rfc3987_syntax`` when it is
    installed, only to check the "iri" string format for a validator given a ``FormatChecker``;
    that import builds a Lark grammar, 1.3 s, more than half of importing nbgrader. nbformat
    and nbgrader validate without a format checker, so nothing they check changes: the import is
    refused (jsonschema then leaves that one format unregistered). Call before they are imported."""
    import sys as _sys

    if "jsonschema" not in _sys.modules:
        _sys.modules.setdefault("rfc3987_syntax", None)


def load_config(settings: Settings, uid: int | None = None):
    """nbgrader's config from ``nbgrader_config.py`` plus the sandboxed execution."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute
    from traitlets.config.loader import PyFileConfigLoader

    config_file = settings.autograder / "nbgrader_config.py"
    if not config_file.exists():
        raise GradingError(f"no nbgrader config at {config_file}")
    config = PyFileConfigLoader(config_file.name, path=str(settings.autograder)).load_config()
    # The course's own list (with its judge), its Execute run in the sandbox instead.
    configured = config.Autograde.get("autograde_preprocessors") or \
        Autograde.class_traits()["autograde_preprocessors"].default()
    config.Autograde.autograde_preprocessors = [
        keep_partial_execute() if issubclass(p, Execute) else p for p in configured]
    if settings.cell_seconds is not None:
        config.Execute.timeout = settings.cell_seconds
    if settings.db_url:
        config.CourseDirectory.db_url = settings.db_url
    km = config.SandboxedKernelManager
    km.sandboxed = settings.sandboxed
    km.prewarmed = settings.prewarmed
    km.course_root = str(Path(config.CourseDirectory.root))
    km.notebook_seconds = settings.limits.notebook_seconds
    km.cpu_seconds = settings.limits.cpu_seconds
    km.memory_bytes = settings.limits.memory_bytes
    km.processes = settings.limits.processes
    if uid is not None:
        km.uid = uid
    return config


def _reuse_gradebook_engine() -> None:
    """nbgrader opens a new ``Gradebook`` about nine times per notebook, each a new SQLAlchemy
    engine whose ``create_all`` inspects every table again, every query queued behind the other
    workers' write lock. In a worker, one engine per database serves them all (with its connection
    pool), and the tables are checked once per engine: the same database, far fewer queries."""
    import functools

    from nbgrader import api

    api.create_engine = functools.lru_cache(maxsize=None)(api.create_engine)
    create_all, checked = api.Base.metadata.create_all, set()

    def create_all_once(bind=None, **kwargs):
        if bind not in checked:
            create_all(bind=bind, **kwargs)
            checked.add(bind)

    api.Base.metadata.create_all = create_all_once


def _compile_metadata_schema_once() -> None:
    """nbgrader validates each cell's metadata with ``jsonschema.validate``, which first checks
    the schema itself, every call: a tenth of the grader's time per notebook in the profile. Same
    validation, with the checked validator kept per schema."""
    import types

    import jsonschema
    from nbgrader.nbgraderformat import common

    validators: dict[str, object] = {}

    def validate(instance, schema):
        key = json.dumps(schema, sort_keys=True)  # nbgrader reloads the schema file each time
        validator = validators.get(key)
        if validator is None:
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            validator = validators[key] = cls(schema)
        error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
        if error is not None:
            raise error

    common.jsonschema = types.SimpleNamespace(validate=validate)


# ---------------------------------------------------------------- a failed notebook, as far as it ran

#: The notebook the last ``KeepPartialExecute`` was running when it raised (one per worker).
_partial: dict = {}


_keep_partial_execute = None


def keep_partial_execute():
    """nbgrader's Execute as the class grader runs it (:class:`tdnn.grade.execute.SandboxedExecute`),
    remembering the notebook as far as it ran when it fails, so that the driver can keep it for
    the instructor: nbgrader deletes the autograded folder of a submission it could not grade.
    Defined on first use (execute.py imports nbgrader)."""
    global _keep_partial_execute
    if _keep_partial_execute is None:
        from .execute import SandboxedExecute

        class KeepPartialExecute(SandboxedExecute):
            def preprocess(self, nb, resources=None, km=None):
                _partial.clear()
                _partial.update(nb=nb, error="",
                                notebook=((resources or {}).get("nbgrader") or {}).get("notebook"))
                try:
                    return super().preprocess(nb, resources, km)
                except BaseException as err:
                    _partial["error"] = f"{type(err).__name__}: {err}"[:500]
                    raise

        _keep_partial_execute = KeepPartialExecute
    return _keep_partial_execute


def keep_partial_notebook(api, assignment: str, student: str, reason: str) -> Path | None:
    """Write the notebook a failed autograde was running, as far as it ran, where its autograded
    notebook would be, with a note saying why it stopped; ``None`` when none ran."""
    nb = _partial.get("nb")
    name = _partial.get("notebook")
    if nb is None or not name:
        return None
    import nbformat

    coursedir = api.coursedir
    folder = Path(coursedir.format_path(coursedir.autograded_directory, student, assignment))
    folder.mkdir(parents=True, exist_ok=True)
    stopped = (f"the grader stopped on: `{_partial['error']}`" if _partial.get("error") else
               "the notebook ran to its end; nbgrader failed after it")
    note = nbformat.v4.new_markdown_cell(
        f"**[grader] This submission could not be graded; every part scores 0.** {reason} "
        f"({stopped}). The cells below show the outputs as far as the notebook ran.")
    note.metadata["tdnn_grader_note"] = True
    nb = nbformat.from_dict(nb)
    nb.cells.insert(0, note)
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    _partial.clear()
    return path


# ---------------------------------------------------------------- the workers

def _compile_feedback_templates_once() -> None:
    """nbgrader's ``generate_feedback`` builds a new HTML exporter per student, whose new Jinja
    environment compiles nbconvert's and nbgrader's templates again (about half of each page's
    time). One in-memory bytecode cache for all of a worker's exporters: each template is
    compiled once, keyed by its name and its source's checksum, so the pages are the same bytes."""
    import jinja2
    from nbconvert.exporters.templateexporter import TemplateExporter

    class MemoryBytecodeCache(jinja2.BytecodeCache):
        def __init__(self):
            self.codes: dict = {}

        @staticmethod
        def _key(bucket):
            env = bucket.environment  # code compiled under other syntax options is other code
            return (bucket.key, bucket.checksum, env.block_start_string, env.variable_start_string,
                    env.comment_start_string, env.trim_blocks, env.lstrip_blocks,
                    env.line_statement_prefix, tuple(sorted(env.extensions)))

        def load_bytecode(self, bucket):
            code = self.codes.get(self._key(bucket))
            if code is not None:
                bucket.code = code

        def dump_bytecode(self, bucket):
            self.codes[self._key(bucket)] = bucket.code

    if getattr(TemplateExporter, "_tdnn_bytecode_cache", None) is not None:
        return  # installed already (in this process or before the fork)
    cache = TemplateExporter._tdnn_bytecode_cache = MemoryBytecodeCache()
    create = TemplateExporter._create_environment

    def create_with_cache(self):
        environment = create(self)
        environment.bytecode_cache = cache
        return environment

    TemplateExporter._create_environment = create_with_cache


# ---------------------------------------------------------------- one class grader at a time

#: Held while a batch runs: every batch uses the same sandbox uids, and killing all of a uid's
#: processes after each kernel would kill another batch's kernels.
MACHINE_LOCK = Path("/run/lock/tdnn-grade.lock")
_machine_lock: list = []


def machine_lock(uid_base: int = sandbox.SANDBOX_UID_BASE) -> Path:
    """The lock of the batches whose sandboxes start at ``uid_base`` (shards on one machine
    use other uids, :mod:`tdnn.grade.shards`, and another lock)."""
    if uid_base == sandbox.SANDBOX_UID_BASE:
        return MACHINE_LOCK
    return MACHINE_LOCK.with_name(f"tdnn-grade-{uid_base}.lock")


def hold_machine_lock(say=lambda line: print(line, file=sys.stderr),
                      uid_base: int = sandbox.SANDBOX_UID_BASE) -> None:
    """Wait until no other class grader with the same sandbox uids runs on this machine
    (sandboxed ones only share uids); held until this process exits. Idempotent."""
    import fcntl

    lock = machine_lock(uid_base)
    if _machine_lock or not lock.parent.is_dir():
        return
    # /run/lock is world-writable: never follow a link someone put there.
    fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    handle = os.fdopen(fd, "w")  # held for the life of the process
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        say(f"waiting for another class grader on this machine to finish ({lock})")
        fcntl.flock(handle, fcntl.LOCK_EX)
    _machine_lock.append(handle)


# ---------------------------------------------------------------- zygotes started early

#: Zygotes started by :func:`start_zygotes_early` (slot -> zygote), and the threads starting them.
_early: dict = {"root": None, "zygotes": [], "threads": []}


def start_zygotes_early(course_root: Path, count: int,
                        uid_base: int = sandbox.SANDBOX_UID_BASE) -> None:
    """Start ``count`` kernel zygotes in the background, one per future worker, now.

    A zygote spends ~1 s of CPU warming up (:mod:`tdnn.grade.warm`), and the grader spends its
    first seconds importing nbgrader and reading the config on one core: started here, the
    zygotes warm up on the other core, instead of all at once after the workers have started.
    The workers adopt them (:func:`_adopt_early_zygote`); any that no worker needs, or that
    started for another course root than the config's, are closed; a worker without one starts
    its own as before."""
    import threading

    release = threading.Event()
    _early.update(root=Path(course_root), zygotes=[None] * count, errors=[None] * count,
                  threads=[], ready=[], release=release)

    def start(slot: int, ready: threading.Event) -> None:
        try:
            _early["zygotes"][slot] = sandbox.Zygote(Path(course_root), uid_base + slot)
        except (OSError, RuntimeError) as err:
            _early["errors"][slot] = err  # the worker reports it, and does not try again
        ready.set()
        # bubblewrap dies with the *thread* that started it (--die-with-parent is the parent
        # death signal, which follows the thread): this one lives until the zygote is closed.
        release.wait()

    for slot in range(count):
        ready = threading.Event()
        thread = threading.Thread(target=start, args=(slot, ready), daemon=True)
        thread.start()
        _early["threads"].append(thread)
        _early["ready"].append(ready)


def _settle_early_zygotes(course_root: Path, jobs: int) -> None:
    """Before forking: wait for the early zygotes, keep those the ``jobs`` workers will adopt."""
    for ready in _early.get("ready", []):
        ready.wait()
    zygotes = _early["zygotes"]
    keep = _early["root"] == Path(course_root)
    for slot, zygote in enumerate(zygotes):
        if zygote is not None and (not keep or slot >= jobs):
            zygote.close()
            zygotes[slot] = None


def _close_early_zygotes() -> None:
    for ready in _early.get("ready", []):
        ready.wait()
    for zygote in _early["zygotes"]:
        if zygote is not None:
            zygote.close()
    _early["zygotes"] = []
    if _early.get("release") is not None:
        _early["release"].set()
    for thread in _early["threads"]:
        thread.join()
    _early.update(threads=[], ready=[], release=None)


class _AdoptedProcess:
    """A zygote's bubblewrap process seen from a worker, which is not its parent (the grader is)
    and so cannot wait for it: alive while its pid exists."""

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode = None

    def poll(self):
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = -9
        return self.returncode

    def wait(self, timeout=None):
        return self.poll()

    def kill(self) -> None:
        with __import__("contextlib").suppress(ProcessLookupError):
            os.kill(self.pid, 9)


def _adopt_early_zygote(slot: int, course_root: Path):
    """In a worker: the zygote started early for its slot, made this process's zygote; raises
    the error it failed to start with (so that the worker does not try again)."""
    zygotes, errors = _early["zygotes"], _early.get("errors") or []
    zygote = zygotes[slot] if slot < len(zygotes) else None
    error = errors[slot] if slot < len(errors) else None
    _early.update(zygotes=[], errors=[])  # the grader closes them, never a worker
    if _early["root"] != Path(course_root):
        return None
    if error is not None:
        raise error
    if zygote is None:
        return None
    zygote.process = _AdoptedProcess(zygote.process.pid)
    zygote.close = lambda: None  # the grader's to close, at the end of the batch
    sandbox._zygotes[(Path(course_root), zygote.uid)] = zygote
    return zygote


_worker: dict = {}


class _WarningLog:
    """Warnings raised in a worker (SQLAlchemy's SAWarning, ...), kept to be sent to the parent
    with the next outcome instead of being printed through the progress bar."""

    def __init__(self):
        self.pending: list[str] = []

    def showwarning(self, message, category, filename, lineno, file=None, line=None):
        self.pending.append(f"{category.__name__}: {message} ({filename}:{lineno})")

    def take(self) -> list[str]:
        out, self.pending = self.pending, []
        return out


def _init_worker(settings: Settings, slots) -> None:
    from nbgrader.apps import NbGraderAPI

    slot = slots.get()
    log = _WarningLog()
    warnings.showwarning = log.showwarning
    gradebook.queue_sqlite_writers()
    _reuse_gradebook_engine()
    _compile_metadata_schema_once()
    _compile_feedback_templates_once()
    uid = settings.uid_base + slot
    config = load_config(settings, uid=uid)
    zygote = None
    if settings.sandboxed and settings.prewarmed:
        # Adopt the zygote started early for this slot, or start one now (while another worker
        # grades the canary); if it cannot start, say so once and give this worker's kernels a
        # sandbox each (no retry per notebook).
        try:
            _adopt_early_zygote(slot, Path(config.CourseDirectory.root))
            zygote = sandbox.zygote_for(Path(config.CourseDirectory.root), uid)
            problems = zygote.request(op="stats").get("problems", [])
            log.pending += [f"GraderWarning: {p}" for p in problems]
        except (OSError, RuntimeError) as err:
            log.pending.append(f"GraderWarning: the pre-warmed kernel zygote did not start ({err}); "
                               "every kernel gets a sandbox of its own (slower)")
            config.SandboxedKernelManager.prewarmed = False
    _worker.update(settings=settings, api=NbGraderAPI(config=config), config=config, uid=uid,
                   log=log, zygote=zygote, spawned=_spawned(zygote))


def _spawned(zygote) -> int | None:
    if zygote is None or zygote.process.poll() is not None:
        return None
    try:
        return zygote.request(op="stats")["spawned"]
    except (OSError, RuntimeError, KeyError, ValueError):
        return None


def _kernel_kind(settings: Settings) -> str:
    """How the last notebook's kernel started: counted by the zygote, not assumed. "forked" by
    the zygote; "not forked" where a zygote was there (no kernel ran, e.g. an unreadable file,
    or one that fell back to a sandbox of its own); "sandbox" or "unsandboxed" without one."""
    before, zygote = _worker.get("spawned"), _worker.get("zygote")
    now = _spawned(zygote)
    _worker["spawned"] = now
    if before is not None and now is not None:
        return "forked" if now > before else "not forked"
    return "sandbox" if settings.sandboxed else "unsandboxed"


def _grade_in_worker(student: str, digest: str) -> Outcome:
    """Grades one submission; whatever it makes the grader's own code raise is its failure
    (every part 0, the error in its feedback), never the batch's."""
    start = time.monotonic()
    try:
        return _grade(student, digest)
    except Exception as err:  # noqa: BLE001 - one submission must not sink the batch
        reason = (f"The grader could not process this submission ({type(err).__name__}: "
                  f"{str(err)[:200]}).")
        with contextlib.suppress(Exception):
            zero_grades(_worker["api"].coursedir, _worker["settings"].assignment, student)
        return Outcome(student, "failed", reason, time.monotonic() - start, digest,
                       _kernel_kind(_worker["settings"]), _worker["log"].take())


def _grade(student: str, digest: str) -> Outcome:
    settings: Settings = _worker["settings"]
    api = _worker["api"]
    start = time.monotonic()
    _partial.clear()
    result = api.autograde(settings.assignment, student, force=True, create=True)
    seconds = time.monotonic() - start
    kernel = _kernel_kind(settings)
    if result["success"]:
        broken = failed_setup_cells(api, settings.assignment, student)
        if broken and student_ran_first(api, settings.assignment, student):
            # The canary ran the same set-up cell in the same sandbox: here it failed after code
            # the student put before it (a cell above it, or a file handed in with the
            # notebook, such as a numpy.py). That is the submission's doing: it keeps the
            # scores nbgrader gave, with the reason.
            return Outcome(student, "graded", (
                "the locked set-up cell " + "; ".join(broken) + " after code of the student's "
                "that ran before it (a cell above it, or a file handed in with the notebook)"),
                seconds, digest, kernel, _worker["log"].take())
        if broken:
            reason = ("not scored: the locked set-up cell " + "; ".join(broken)
                      + f", which no student writes (grade again with --force --students "
                      f"{student} once fixed)")
            unscore(api, settings.assignment, student)
            return Outcome(student, "error", reason, seconds, digest, kernel,
                           _worker["log"].take())
        return Outcome(student, "graded", "", seconds, digest, kernel, _worker["log"].take())
    reason = explain_failure(result.get("log", "") + "\n" + result.get("error", ""), seconds,
                             settings)
    zero_grades(api.coursedir, settings.assignment, student)
    keep_partial_notebook(api, settings.assignment, student, reason)
    return Outcome(student, "failed", reason, seconds, digest, kernel, _worker["log"].take())


def _canary_in_worker() -> tuple[str | None, list[str]]:
    """Grade the solution as a student, in a scratch course with this worker's sandbox, uid and
    limits: (``None`` when it earns full marks, else why not; warnings raised)."""
    return _canary(), _worker["log"].take()


def _canary() -> str | None:
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    settings: Settings = _worker["settings"]
    config = _worker["config"]
    scratch = Path(tempfile.mkdtemp(prefix="tdnn-canary-"))
    try:
        try:
            canary_config = canary.scratch_config(config, scratch)
            coursedir = CourseDirectory(config=canary_config)
            folder = Path(coursedir.format_path(coursedir.submitted_directory, canary.STUDENT,
                                                settings.assignment))
            canary.build_submission(CourseDirectory(config=config), settings.assignment, folder)
        except (OSError, ValueError) as err:
            return f"could not build the canary (the solution notebook as a submission): {err}"
        api = NbGraderAPI(config=canary_config)
        start = time.monotonic()
        result = api.autograde(settings.assignment, canary.STUDENT, force=True, create=True)
        seconds = time.monotonic() - start
        if not result["success"]:
            reason = explain_failure(result.get("log", "") + "\n" + result.get("error", ""),
                                     seconds, settings)
            _keep_canary(api, settings, scratch, keep_partial=True, reason=reason)
            return f"nbgrader could not grade it: {reason}"
        score, maximum, why = canary.verdict(api, settings.assignment)
        if score < maximum:
            kept = _keep_canary(api, settings, scratch)
            shown = 6
            details = "".join(f"\n  {w}" for w in why[:shown])
            if len(why) > shown:
                details += f"\n  ... and {len(why) - shown} more"
            return (f"it scores {score:g} of {maximum:g}; first error: "
                    f"{why[0] if why else 'none shown'}{details}"
                    + (f"\n  the canary's autograded notebook: {kept}" if kept else ""))
        shutil.rmtree(settings.autograder / REPORTS / settings.assignment / "canary",
                      ignore_errors=True)  # a failed canary's notebook from an earlier run
        return None
    finally:
        _partial.clear()
        shutil.rmtree(scratch, ignore_errors=True)


def _keep_canary(api, settings: Settings, scratch: Path, keep_partial: bool = False,
                 reason: str = "") -> Path | None:
    """Copy the failed canary's autograded notebook to the reports folder for the instructor."""
    if keep_partial:
        keep_partial_notebook(api, settings.assignment, canary.STUDENT, reason)
    coursedir = api.coursedir
    folder = Path(coursedir.format_path(coursedir.autograded_directory, canary.STUDENT,
                                        settings.assignment))
    found = sorted(folder.glob("*.ipynb"))
    if not found:
        return None
    dest = settings.autograder / REPORTS / settings.assignment / "canary"
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    for path in found:
        shutil.copy2(path, dest / path.name)
    return dest / found[0].name


def _feedback_in_worker(student: str) -> tuple[str, list[str]]:
    """nbgrader's feedback page of one graded student: (problem or "", warnings raised)."""
    _partial.clear()
    result = _worker["api"].generate_feedback(_worker["settings"].assignment, student, force=True)
    problem = "" if result["success"] else (result.get("error") or result.get("log", ""))[-500:]
    return problem, _worker["log"].take()


# ---------------------------------------------------------------- failures

def explain_failure(log: str, seconds: float, settings: Settings) -> str:
    """A sentence a student can read, from nbgrader's log of a submission it could not grade."""
    if "DeadKernelError" in log or "Kernel died" in log or "kernel died" in log.lower():
        if seconds >= settings.limits.notebook_seconds:
            return (f"The notebook ran longer than {settings.limits.notebook_seconds} s in total, "
                    "so its kernel was stopped.")
        return ("The kernel died while running the notebook: the code exited (sys.exit, "
                "os._exit), killed its own process, or went past the limits on CPU time "
                f"({settings.limits.cpu_seconds} s) or memory.")
    if "UnresponsiveKernelError" in log:
        return "The kernel stopped answering and could not be interrupted."
    if re.search(r"NotJSONError|JSONDecodeError|does not appear to be JSON|NBFormatError|"
                 r"ValidationError|Unreadable Notebook|UnicodeDecodeError|codec can't decode", log):
        return ("The submitted .ipynb file could not be read as a notebook (it is empty, "
                "truncated, corrupted or not UTF-8). Re-download it from Jupyter and submit again.")
    if "No notebooks found" in log or "No notebooks were matched" in log:
        return (f"The submission holds no notebook of the assignment '{settings.assignment}' "
                "(wrong file name, or a notebook of another assignment).")
    if "add_missing_grade_cells" in log:
        return ("The notebook lacks the cells of the assignment that nbgrader needs to put the "
                "tests back (it was probably started from another notebook): start again from "
                f"the released {settings.assignment}.ipynb.")
    errors = re.findall(r"^\s*(\w+(?:Error|Exception)\b.*)$", log, re.M)
    errors = [e for e in errors if not e.startswith("nbgrader.converters.base.NbGraderException")]
    return "nbgrader could not grade this submission: " + (errors[0][:300] if errors else "unknown")


def _autograded_notebooks(api, assignment: str, student: str):
    """The cells of each of the student's autograded notebooks that can be read."""
    import nbformat

    coursedir = api.coursedir
    folder = Path(coursedir.format_path(coursedir.autograded_directory, student, assignment))
    for path in sorted(folder.glob("*.ipynb")):
        try:
            yield nbformat.read(path, as_version=4).cells
        except Exception:  # noqa: BLE001 - nbgrader wrote it; unreadable means no verdict here
            continue


def failed_setup_cells(api, assignment: str, student: str) -> list[str]:
    """The locked set-up cells (neither solution nor test: the notebook's own imports) that ended
    in an error in the student's autograded notebook, each as ``grade_id (error)``."""
    broken = []
    for cells in _autograded_notebooks(api, assignment, student):
        for cell in cells:
            meta = cell.metadata.get("nbgrader", {})
            if (cell.cell_type != "code" or not meta.get("locked") or meta.get("grade")
                    or meta.get("solution")):
                continue
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    evalue = str(out.get("evalue", "")).strip().splitlines()
                    broken.append(f"'{meta.get('grade_id', '?')}' failed ({out.get('ename')}: "
                                  f"{evalue[0] if evalue else ''})"[:300])
                    break
    return broken


#: Files in a submission that Python would import before the notebook's own modules (the
#: kernel's working folder is first on ``sys.path``): modules, compiled ones, path files.
IMPORTABLE = (".py", ".pyc", ".so", ".pth")


def student_ran_first(api, assignment: str, student: str) -> bool:
    """Did anything of the student's run before the notebook's set-up code: a code cell above
    the first locked code cell, or something importable in the submission (a module, or a
    folder, which Python imports as a namespace package)?"""
    coursedir = api.coursedir
    submitted = Path(coursedir.format_path(coursedir.submitted_directory, student, assignment))
    if any(p.is_dir() or p.suffix in IMPORTABLE for p in submitted.rglob("*")):
        return True
    for cells in _autograded_notebooks(api, assignment, student):
        for cell in cells:
            if cell.cell_type != "code" or not cell.source.strip():
                continue
            if cell.metadata.get("nbgrader", {}).get("locked"):
                break  # the set-up cell: nothing of the student's ran before it
            return True
    return False


def unscore(api, assignment: str, student: str) -> None:
    """A submission the grader failed: no automatic score, flagged for the instructor in
    nbgrader's formgrader (needs manual grading), rather than a score the student did not earn."""
    from nbgrader.api import Gradebook

    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        submission = gb.find_submission(assignment, student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                grade.auto_score = None
                grade.needs_manual_grade = True
        gb.db.commit()


def zero_grades(coursedir, assignment: str, student: str) -> None:
    """Every part of an ungradable submission scores zero, as nbgrader scores a missing notebook."""
    from nbgrader.api import Gradebook

    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        gb.update_or_create_student(student)
        submission = gb.update_or_create_submission(assignment, student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                grade.auto_score = 0
                grade.needs_manual_grade = False
        gb.db.commit()


# ---------------------------------------------------------------- the batch

def submitted_students(settings: Settings, coursedir) -> dict[str, Path]:
    root = Path(coursedir.root)
    pattern = coursedir.format_path(coursedir.submitted_directory, "*", settings.assignment)
    found = {}
    for folder in sorted(root.glob(os.path.relpath(pattern, root))):
        if folder.is_dir():
            found[folder.parent.name] = folder
    return found


def check_assignment(settings: Settings, coursedir) -> None:
    """``GradingError`` (one line) unless the gradebook knows the assignment."""
    from nbgrader.api import Gradebook, MissingEntry

    db = canary.sqlite_file(coursedir.db_url)
    if db is not None and not db.exists():
        raise GradingError(f"no gradebook at {db}: release the assignment first "
                           f"(nbgrader generate_assignment {settings.assignment})")
    from sqlalchemy.exc import OperationalError

    try:
        gb = Gradebook(coursedir.db_url, coursedir.course_id)
    except OperationalError as err:
        first = str(err.orig or err).strip().splitlines()
        raise GradingError(f"cannot open the gradebook {gradebook.shown(coursedir.db_url)}: "
                           f"{first[0] if first else type(err).__name__}") from None
    with gb:
        try:
            gb.find_assignment(settings.assignment)
        except MissingEntry:
            known = ", ".join(sorted(a.name for a in gb.assignments)) or "none"
            raise GradingError(f"unknown assignment '{settings.assignment}' (the gradebook knows: "
                               f"{known})") from None


def reports_folder(settings: Settings) -> Path:
    """``reports/<assignment>``; a shard's own results and log go to a folder of its own in it,
    ``shard-<i>-of-<n>``, since shards may share the file system."""
    folder = settings.autograder / REPORTS / settings.assignment
    return folder / settings.shard.name if settings.shard else folder


def results_path(settings: Settings) -> Path:
    return reports_folder(settings) / "results.json"


def log_path(settings: Settings) -> Path:
    return reports_folder(settings) / "grader.log"


_OUTCOME_FIELDS = {f.name for f in dataclasses.fields(Outcome)}


def load_results(settings: Settings) -> dict[str, Outcome]:
    path = results_path(settings)
    if not path.exists():
        return {}
    return {s: Outcome(**{k: v for k, v in o.items() if k in _OUTCOME_FIELDS})
            for s, o in json.loads(path.read_text()).items()}


def save_results(settings: Settings, results: dict[str, Outcome]) -> None:
    path = results_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    data = {}
    for student, outcome in sorted(results.items()):
        data[student] = dataclasses.asdict(outcome)
        data[student].pop("warnings", None)  # they go to grader.log
    tmp.write_text(json.dumps(data, indent=1))
    tmp.replace(path)  # atomic: an interrupted batch never leaves half a file


def _already_done(outcome: Outcome | None, fingerprint: str, autograded: Path) -> bool:
    if outcome is None or outcome.digest != fingerprint:
        return False
    if outcome.status == "error":
        return False  # the grader's fault: graded again
    return outcome.status == "failed" or autograded.exists()


def _feedback_missing(coursedir, settings: Settings, student: str) -> bool:
    """No feedback page of the student's autograded notebook, or one older than it."""
    graded = Path(coursedir.format_path(coursedir.autograded_directory, student,
                                        settings.assignment))
    pages = Path(coursedir.format_path(coursedir.feedback_directory, student,
                                       settings.assignment))
    for notebook in graded.glob("*.ipynb"):
        page = pages / f"{notebook.stem}.html"
        if not page.exists() or page.stat().st_mtime < notebook.stat().st_mtime:
            return True
    return False


def default_jobs() -> int:
    """Two workers per core: measured on 2 cores, a worker spends about half of each notebook
    waiting for its kernel (start, replies, shutdown), and 4 workers grade ~1.6x faster than 2."""
    return 2 * (os.cpu_count() or 1)


class _Warnings:
    """The workers' library warnings: every one into ``grader.log``, each kind said once."""

    def __init__(self, settings: Settings):
        self.path = log_path(settings)
        self.counts: collections.Counter = collections.Counter()
        self.said: set[str] = set()

    def add(self, lines: list[str], say) -> None:
        if not lines:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as log:
            for line in lines:
                log.write(line + "\n")
        for line in lines:
            if line.startswith("GraderWarning: "):
                message = line.removeprefix("GraderWarning: ")
                if message not in self.said:  # one per batch, not one per worker or notebook
                    self.said.add(message)
                    say(f"warning: {message}")
            else:
                self.counts[line.split(":", 1)[0]] += 1

    def summary(self) -> str:
        if not self.counts:
            return ""
        kinds = ", ".join(f"{n} {kind}" for kind, n in self.counts.most_common())
        return f"library warnings ({kinds}) are in {self.path}"


def grade_class(settings: Settings, *, jobs: int | None = None, force: bool = False,
                students: list[str] | None = None, feedback: bool = True,
                progress: bool = True, run_canary: bool = True,
                while_feedback=None) -> dict[str, Outcome]:
    """Autograde every submission of ``settings.assignment``; returns the outcome per student.

    Finished work (same submission, graded before) is skipped unless ``force``. First, the
    solution is graded as a canary (:mod:`tdnn.grade.canary`): :class:`CanaryFailed` unless it
    earns full marks. :class:`GradingError` for an unknown assignment or no submissions.
    ``while_feedback()``, if given, runs in this process while the workers write the feedback
    pages (every grade is final by then): the reports' plot, which would otherwise wait for them."""
    try:
        return _grade_class(settings, jobs=jobs, force=force, students=students,
                            feedback=feedback, progress=progress, run_canary=run_canary,
                            while_feedback=while_feedback)
    finally:
        _close_early_zygotes()  # those no worker adopted, or all if it stopped early


WORKER_DIED = ("not scored: the grading worker died while this submission was in progress "
               "(killed, or out of memory); run the grader again")


def _worker_died(outcome: Outcome) -> bool:
    return outcome.status == "error" and outcome.reason == WORKER_DIED


def _grade_alone(students: list[str], todo: dict[str, str], results: dict[str, Outcome],
                 settings: Settings, coursedir) -> None:
    """After the pool broke: each submission that was in progress, graded again alone in a fresh
    worker. One that kills that worker too is the cause: it fails, with the reason; the others
    get their grades (a worker killed from outside leaves them ``error``, for the next run)."""
    for student in students:
        with _pool(settings, 1) as alone:
            try:
                outcome = alone.submit(_grade_in_worker, student, todo[student]).result()
            except cf.process.BrokenProcessPool:
                with contextlib.suppress(Exception):
                    zero_grades(coursedir, settings.assignment, student)
                outcome = Outcome(student, "failed", (
                    "Grading this submission killed the grader's worker process twice, the second "
                    "time graded alone (it probably made the grader run out of memory)."),
                    digest=todo[student])
        outcome.warnings = []
        results[student] = outcome
        save_results(settings, results)


def _pool(settings: Settings, jobs: int) -> cf.ProcessPoolExecutor:
    """Grading workers, forked (they inherit nbgrader already imported by the parent), each with
    its own sandbox slot (uid)."""
    slots = multiprocessing.get_context("fork").Queue()
    for slot in range(jobs):
        slots.put(slot)
    return cf.ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                                  initializer=_init_worker, initargs=(settings, slots))


def _feedback(pool, graded: list[str], results: dict[str, Outcome], settings: Settings, log,
              say, progress: bool, while_feedback) -> None:
    """Feedback pages of the graded students, written by the pool's workers."""
    futures = {pool.submit(_feedback_in_worker, s): s for s in graded}
    if while_feedback is not None:
        while_feedback()
    for future in tqdm(cf.as_completed(futures), total=len(graded), unit="nb",
                       desc="feedback", disable=not progress):
        problem, raised = future.result()
        log.add(raised, say)
        if problem:
            results[futures[future]].reason = "feedback failed: " + problem
    save_results(settings, results)


def _grade_class(settings: Settings, *, jobs, force, students, feedback, progress, run_canary,
                 while_feedback) -> dict[str, Outcome]:
    from nbgrader.coursedir import CourseDirectory

    if settings.shard and (jobs or default_jobs()) > shards.UID_STRIDE:
        raise GradingError(f"a shard grades with at most {shards.UID_STRIDE} workers (--jobs), "
                           "one sandbox uid each")
    if settings.sandboxed:
        hold_machine_lock(uid_base=settings.uid_base)
    config = load_config(settings)
    coursedir = CourseDirectory(config=config)
    check_assignment(settings, coursedir)
    found = submitted_students(settings, coursedir)
    if not found:
        where = coursedir.format_path(coursedir.submitted_directory, "<student>",
                                      settings.assignment)
        raise GradingError(f"no submissions of '{settings.assignment}' (looked for {where})")
    if settings.shard:
        found = {s: f for s, f in found.items() if settings.shard.owns(s)}
        if not found:
            return {}  # a share with no student (a small class, many shards): nothing to do
    if students:
        found = {s: f for s, f in found.items() if s in set(students)}
        if not found:
            raise GradingError(f"none of the students given ({', '.join(students)}) submitted "
                               f"'{settings.assignment}'")
    results = load_results(settings)
    todo: dict[str, str] = {}
    for student, folder in found.items():
        found_as = intake.inspect(folder)
        if found_as.refused is not None:  # nothing privileged ever reads it
            zero_grades(coursedir, settings.assignment, student)
            results[student] = Outcome(student, "failed", (
                f"The submission was not graded: {found_as.refused}. Submit the notebook "
                "file itself (and any plain files it needs)."), digest=found_as.digest)
            save_results(settings, results)
            continue
        autograded = Path(coursedir.format_path(coursedir.autograded_directory, student,
                                                settings.assignment))
        if force or not _already_done(results.get(student), found_as.digest, autograded):
            todo[student] = found_as.digest
    # Graded by an earlier batch that was stopped before its feedback phase: feedback only.
    stale = [s for s in found if s not in todo and feedback and s in results
             and results[s].status == "graded" and _feedback_missing(coursedir, settings, s)]
    if not todo and not stale:
        return {s: results[s] for s in found if s in results}
    run_canary = run_canary and bool(todo)
    jobs = max(1, min(jobs or default_jobs(), len(todo) + len(stale) + int(run_canary)))
    say = (lambda line: tqdm.write(line, file=sys.stderr)) if progress else \
        (lambda line: print(line, file=sys.stderr))
    log = _Warnings(settings)
    # fork: the workers inherit nbgrader already imported by the parent (seconds each otherwise).
    import nbgrader.apps  # noqa: F401
    _settle_early_zygotes(Path(config.CourseDirectory.root), jobs)
    broken = False
    with warnings.catch_warnings(), _pool(settings, jobs) as pool:
        warnings.showwarning = lambda m, c, f, n, file=None, line=None: log.add(
            [f"{c.__name__}: {m} ({f}:{n})"], say)
        if run_canary:
            # All workers start (and warm their zygotes) while one of them grades the canary.
            problem, raised = pool.submit(_canary_in_worker).result()
            log.add(raised, say)
            if problem is not None:
                raise CanaryFailed(
                    f"no student was graded: the solution notebook, graded first as a canary "
                    f"in the same sandbox and configuration, does not earn full marks, so the "
                    f"grader is broken; {problem}")
        futures = {pool.submit(_grade_in_worker, s, d): s for s, d in todo.items()}
        bar = tqdm(cf.as_completed(futures), total=len(futures), unit="nb",
                   desc=f"autograde {settings.assignment}", disable=not progress)
        for future in bar:
            try:
                outcome = future.result()
            except cf.process.BrokenProcessPool:
                # A worker died under us (killed from outside, out of memory): what it and the
                # others had in hand is graded again, one at a time, in fresh workers below; what
                # is done keeps its grades; feedback comes from a fresh pool.
                broken = True
                student = futures[future]
                outcome = Outcome(student, "error", WORKER_DIED, digest=todo[student])
            log.add(outcome.warnings, say)
            outcome.warnings = []
            results[outcome.student] = outcome
            save_results(settings, results)
        if feedback and not broken:
            _feedback(pool, [s for s in todo if results[s].status == "graded"] + stale,
                      results, settings, log, say, progress, while_feedback)
    if broken:
        _grade_alone([s for s in todo if _worker_died(results[s])], todo, results, settings,
                     coursedir)
    if feedback and broken:
        with warnings.catch_warnings(), _pool(settings, jobs) as pool:
            _feedback(pool, [s for s in todo if results[s].status == "graded"] + stale,
                      results, settings, log, say, progress, while_feedback)
    if log.summary():
        say(log.summary())
    return {s: results[s] for s in found if s in results}
