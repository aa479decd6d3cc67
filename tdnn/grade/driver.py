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
- keeps nbgrader's metadata validator compiled instead of re-checking its schema on every cell.

Workers share the sqlite gradebook. nbgrader opens it in deferred transactions, where two writers
can deadlock and one fails at once with "database is locked"; each worker therefore starts its
transactions with ``BEGIN IMMEDIATE`` and waits for the lock (SQLAlchemy's documented pysqlite
recipe), so they queue instead of failing.
"""
from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import hashlib
import json
import multiprocessing
import os
import re
import time
from pathlib import Path

from tqdm import tqdm

from . import sandbox

#: Where results, exports and plots go, below the course's autograder/ folder.
REPORTS = "reports"


class GradingError(Exception):
    """The batch itself cannot run (no such assignment, no nbgrader config)."""


@dataclasses.dataclass
class Outcome:
    """What happened to one student's submission."""

    student: str
    status: str  # "graded" or "failed"
    reason: str = ""
    seconds: float = 0.0
    digest: str = ""


@dataclasses.dataclass
class Settings:
    """The batch's options, shipped to every worker."""

    autograder: Path
    assignment: str
    cell_seconds: int | None = None
    limits: sandbox.Limits = dataclasses.field(default_factory=sandbox.Limits)
    sandboxed: bool = True
    prewarmed: bool = True


# ---------------------------------------------------------------- nbgrader, configured once

def load_config(settings: Settings, uid: int | None = None):
    """nbgrader's config from ``nbgrader_config.py`` plus the sandboxed execution."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute
    from traitlets.config.loader import PyFileConfigLoader

    from .execute import SandboxedExecute

    config_file = settings.autograder / "nbgrader_config.py"
    if not config_file.exists():
        raise GradingError(f"no nbgrader config at {config_file}")
    config = PyFileConfigLoader(config_file.name, path=str(settings.autograder)).load_config()
    # The course's own list (with its judge), its Execute run in the sandbox instead.
    configured = config.Autograde.get("autograde_preprocessors") or \
        Autograde.class_traits()["autograde_preprocessors"].default()
    config.Autograde.autograde_preprocessors = [
        SandboxedExecute if issubclass(p, Execute) else p for p in configured]
    if settings.cell_seconds is not None:
        config.Execute.timeout = settings.cell_seconds
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


def _queue_gradebook_writers() -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # let the "begin" hook below issue BEGIN
        dbapi_connection.execute("PRAGMA busy_timeout = 600000")

    @event.listens_for(Engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


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


_worker: dict = {}


def _init_worker(settings: Settings, slots) -> None:
    from nbgrader.apps import NbGraderAPI

    slot = slots.get()
    _queue_gradebook_writers()
    _reuse_gradebook_engine()
    _compile_metadata_schema_once()
    config = load_config(settings, uid=sandbox.SANDBOX_UID_BASE + slot)
    _worker.update(settings=settings, api=NbGraderAPI(config=config))


def _grade_in_worker(student: str, digest: str) -> Outcome:
    settings: Settings = _worker["settings"]
    start = time.monotonic()
    result = _worker["api"].autograde(settings.assignment, student, force=True, create=True)
    seconds = time.monotonic() - start
    if result["success"]:
        return Outcome(student, "graded", "", seconds, digest)
    reason = explain_failure(result.get("log", "") + "\n" + result.get("error", ""), seconds,
                             settings)
    zero_grades(_worker["api"], settings.assignment, student)
    return Outcome(student, "failed", reason, seconds, digest)


def _feedback_in_worker(student: str) -> str:
    result = _worker["api"].generate_feedback(_worker["settings"].assignment, student, force=True)
    return "" if result["success"] else (result.get("error") or result.get("log", ""))[-500:]


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


def zero_grades(api, assignment: str, student: str) -> None:
    """Every part of an ungradable submission scores zero, as nbgrader scores a missing notebook."""
    from nbgrader.api import Gradebook

    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
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


def digest(folder: Path) -> str:
    """A fingerprint of a submission's files, so a resubmission is graded again."""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def results_path(settings: Settings) -> Path:
    return settings.autograder / REPORTS / settings.assignment / "results.json"


def load_results(settings: Settings) -> dict[str, Outcome]:
    path = results_path(settings)
    if not path.exists():
        return {}
    return {s: Outcome(**o) for s, o in json.loads(path.read_text()).items()}


def save_results(settings: Settings, results: dict[str, Outcome]) -> None:
    path = results_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({s: dataclasses.asdict(o) for s, o in sorted(results.items())},
                              indent=1))
    tmp.replace(path)  # atomic: an interrupted batch never leaves half a file


def _already_done(outcome: Outcome | None, fingerprint: str, autograded: Path) -> bool:
    if outcome is None or outcome.digest != fingerprint:
        return False
    return outcome.status == "failed" or autograded.exists()


def default_jobs() -> int:
    """Two workers per core: measured on 2 cores, a worker spends about half of each notebook
    waiting for its kernel (start, replies, shutdown), and 4 workers grade ~1.6x faster than 2."""
    return 2 * (os.cpu_count() or 1)


def grade_class(settings: Settings, *, jobs: int | None = None, force: bool = False,
                students: list[str] | None = None, feedback: bool = True,
                progress: bool = True) -> dict[str, Outcome]:
    """Autograde every submission of ``settings.assignment``; returns the outcome per student.

    Finished work (same submission, graded before) is skipped unless ``force``."""
    from nbgrader.coursedir import CourseDirectory

    config = load_config(settings)
    coursedir = CourseDirectory(config=config)
    found = submitted_students(settings, coursedir)
    if students:
        found = {s: f for s, f in found.items() if s in set(students)}
    results = load_results(settings)
    todo: dict[str, str] = {}
    for student, folder in found.items():
        fingerprint = digest(folder)
        autograded = Path(coursedir.format_path(coursedir.autograded_directory, student,
                                                settings.assignment))
        if force or not _already_done(results.get(student), fingerprint, autograded):
            todo[student] = fingerprint
    jobs = max(1, min(jobs or default_jobs(), len(todo) or 1))
    slots = multiprocessing.get_context("fork").Queue()
    for slot in range(jobs):
        slots.put(slot)
    # fork: the workers inherit nbgrader already imported by the parent (seconds each otherwise).
    import nbgrader.apps  # noqa: F401
    with cf.ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                                initializer=_init_worker, initargs=(settings, slots)) as pool:
        futures = {pool.submit(_grade_in_worker, s, d): s for s, d in todo.items()}
        bar = tqdm(cf.as_completed(futures), total=len(futures), unit="nb",
                   desc=f"autograde {settings.assignment}", disable=not progress)
        for future in bar:
            outcome = future.result()
            results[outcome.student] = outcome
            save_results(settings, results)
        if feedback:
            graded = [s for s in todo if results[s].status == "graded"]
            feedback_futures = {pool.submit(_feedback_in_worker, s): s for s in graded}
            for future in tqdm(cf.as_completed(feedback_futures), total=len(graded),
                               unit="nb", desc="feedback", disable=not progress):
                problem = future.result()
                if problem:
                    results[feedback_futures[future]].reason = "feedback failed: " + problem
            save_results(settings, results)
    return {s: results[s] for s in found if s in results}
