"""Which code of the student edition would earn a graded part's points as it stands?

A text search (``test_reveals_nothing``) finds solution lines and reference values written in a
file; it cannot see a chapter page that computes the same thing in other words (a figure's
``he_normal`` under another name, a lambda in a table of activations). This module defines what
each page and each shipped module defines, as a reader running it would, and runs every function,
lambda and class of it through the hidden cases of every graded part of the same kind, judging
the results against the committed references exactly as the grader does. (A candidate that
could not be called as the solution is, by its count of positional parameters, is skipped: it
would only raise ``TypeError``.)

Only definitions are run, never a page's experiments: imports, ``def``, ``class``, and
assignments whose right-hand side calls nothing but NumPy (a table of lambdas, a constant). A
definition that needs a value the page computes (a trained model, a data set) therefore stays
undefined, and is not searched: that limit is the price of not training every page's networks
in the test suite.
"""
from __future__ import annotations

import ast
import contextlib
import inspect
import signal
import warnings
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from tdnn import chapters
from tdnn.engine import codec, references
from tdnn.engine.notebook import solution_sources

#: Seconds one candidate may spend on all the hidden cases of one part (a page's training loop
#: that happens to take the right arguments must not stall the suite).
SECONDS_PER_PART = 20
#: Modules a definition-only assignment may call at definition time.
CALLABLE_AT_DEFINITION = {"np", "math"}


@dataclass(frozen=True)
class GradedPart:
    assignment: str
    part: str
    is_class: bool
    #: (required, all) positional parameters of the solution (of its ``__init__`` for a class)
    arity: tuple[int, int]


def _arity(source: str, name: str) -> tuple[int, int]:
    """(required, all) positional parameters of ``name`` in a solution cell (of its
    ``__init__``, without ``self``, for a class), read from the source: a Keras solution cannot
    be defined without importing Keras."""
    def of(args: ast.arguments, skip: int) -> tuple[int, int]:
        every = len(args.posonlyargs) + len(args.args) - skip
        return every - len(args.defaults), every
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return of(node.args, 0)
        if isinstance(node, ast.ClassDef) and node.name == name:
            init = next((n for n in node.body
                         if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
            return (0, 0) if init is None else of(init.args, 1)
    raise LookupError(f"{name} is not defined in its solution cell")


def graded_parts() -> list[GradedPart]:
    """Every part of every chapter: whether its answer is a class (``Adam``,
    ``BatchNorm.backward``) or a function, and how many positional parameters it takes."""
    found = []
    for assignment in references.assignments():
        specs = chapters.load(assignment).PARTS
        sources = solution_sources(references.notebooks(assignment)[0])
        for part, spec in specs.items():
            # A method part (``BatchNorm.backward``) is answered by its class, defined in the
            # part named after that class.
            name = spec.name.split(".")[0]
            owner = next(p for p, s in specs.items() if s.name == name)
            found.append(GradedPart(assignment, part, name[0].isupper(),
                                    _arity(sources[owner], name)))
    return found


def could_be_called_as(candidate, graded: GradedPart) -> bool:
    """Could ``candidate`` be called as the solution is: does it need no more positional
    arguments than the solution can take, and take as many as the solution needs? (Saves
    running the hidden cases on what would only raise ``TypeError``.)"""
    if inspect.isclass(candidate) != graded.is_class:
        return False
    try:
        target = candidate.__init__ if graded.is_class else candidate
        params = list(inspect.signature(target).parameters.values())[graded.is_class:]
    except (TypeError, ValueError):
        return True
    if any(p.kind == p.VAR_POSITIONAL for p in params):
        return True
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = [p for p in positional if p.default is p.empty]
    return len(required) <= graded.arity[1] and len(positional) >= graded.arity[0]


def _calls_at_definition(node: ast.AST) -> Iterator[ast.Call]:
    """The calls a statement makes when it runs (not those inside a lambda or def it defines)."""
    if isinstance(node, ast.Call):
        yield node
    for child in ast.iter_child_nodes(node):
        if not isinstance(child, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef)):
            yield from _calls_at_definition(child)


def _defines_only(statement: ast.stmt) -> bool:
    if isinstance(statement, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)):
        return True
    if isinstance(statement, (ast.Assign, ast.AnnAssign)):
        return all(isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name)
                   and call.func.value.id in CALLABLE_AT_DEFINITION
                   for call in _calls_at_definition(statement))
    return False


def definitions(sources: list[str]) -> dict[str, object]:
    """``{name: object}`` of every function, class and lambda the sources define, run in order
    in one namespace (with NumPy as ``np``); lambdas are named by where they sit
    (``ACTIVATIONS['SELU'][0]``)."""
    namespace: dict = {"np": np, "__name__": "page"}
    found: dict[str, object] = {}
    for source in sources:
        try:
            module = ast.parse(source)
        except SyntaxError:  # IPython magics: such a cell defines nothing to search
            continue
        for statement in filter(_defines_only, module.body):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    exec(compile(ast.Module([statement], []), "<page>", "exec"), namespace)
            except Exception:
                continue  # it needs what the page computes: outside this search (see above)
            if isinstance(statement, (ast.FunctionDef, ast.ClassDef)):
                found[statement.name] = namespace[statement.name]
    for name, value in list(namespace.items()):
        found.update(_lambdas_in(name, value))
    return found


def _lambdas_in(where: str, value, depth: int = 0) -> Iterator[tuple[str, Callable]]:
    if inspect.isfunction(value) and value.__name__ == "<lambda>":
        yield where, value
    elif depth < 3 and isinstance(value, dict):
        for key, item in value.items():
            yield from _lambdas_in(f"{where}[{key!r}]", item, depth + 1)
    elif depth < 3 and isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _lambdas_in(f"{where}[{i}]", item, depth + 1)


class _TooSlow(Exception):
    pass


@contextlib.contextmanager
def _deadline(seconds: int):
    def expire(signum, frame):
        raise _TooSlow
    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def earns_points(graded: GradedPart, candidate) -> bool:
    """Does ``candidate``, submitted as the answer to ``graded``, pass all its hidden cases, as
    the grader judges them against the committed references?"""
    chapter = chapters.load(graded.assignment)
    results = references.load(graded.assignment)["notebooks"][graded.assignment][
        f"test_{graded.part}_hidden"]["results"]
    cases = {case["name"]: case for case in chapter.cases(graded.part)}
    try:
        with _deadline(SECONDS_PER_PART), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for result in results:
                got = chapter.observe(graded.part, candidate, cases[result["label"]])
                got = codec.decode(codec.encode(got))  # as it reaches the grader
                if not any(chapter.compare(graded.part, got, a["observation"]) is None
                           for a in result["accepted"]):
                    return False
    except (Exception, _TooSlow):
        return False
    return True


def answers_in(sources: list[str], parts: list[GradedPart]) -> list[str]:
    """``"name passes assignment/part"`` for every definition of ``sources`` that would earn a
    part's points unchanged."""
    found = []
    for name, candidate in definitions(sources).items():
        for graded in parts:
            if could_be_called_as(candidate, graded) and earns_points(graded, candidate):
                found.append(f"{name} passes {graded.assignment}/{graded.part}")
    return found
