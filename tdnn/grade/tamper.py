"""Find solution cells that reach for the grader instead of solving the exercise.

Student code runs in the kernel that then runs the tests, so it could redefine the checkers the
tests call, patch NumPy or the builtins, or read the reference outputs; no in-process guard stops
every such trick. What this module checks is the source, where all of them must show: a solution
cell may define its classes and use NumPy and plain Python, and a part whose cell

- rebinds a name the locked cells define (``check_steps``, ``check_reference``, ...), other than
  importing the same module under the same name (``import numpy as np``);
- assigns or deletes an attribute of a module (``np.allclose = ...``) or uses ``setattr``,
  ``builtins``, ``sys.modules``, ``globals()``, ``exec``, ``eval``, ``compile``, ``__import__``,
  ``getattr`` with a computed or private name, or the introspection attributes that lead from a
  function to its module (``__globals__``, ``__class__``, ``__subclasses__``, ...);
- imports the course's own machinery (``tdnn``), ``importlib``, ``ctypes``, ``gc`` or ``inspect``;
- names the grader's files (``references``, ``solutions``, ``gradebook``, ``autograder``)

scores zero, with the reason in the student's feedback. Correct solutions never need any of it.

This is a static check of what a student wrote, not a proof: code can be made to hide from it
(strings assembled from pieces, say), as it can defeat any check that runs in the same
interpreter. It stops the patching and peeking that is easy to write, and every trick that gets
past it remains in the graded notebook for the instructor to read.
"""
from __future__ import annotations

import ast
import re

FORBIDDEN_CALLS = {"exec", "eval", "compile", "__import__", "globals", "setattr", "delattr", "vars"}
FORBIDDEN_NAMES = {"builtins", "__builtins__"}
FORBIDDEN_MODULES = {"tdnn", "importlib", "ctypes", "gc", "inspect", "builtins"}
GRADER_WORDS = ("references", "solutions", "gradebook", "autograder")
#: Attributes that lead from any function or object to the grader's modules and the builtins
#: (``check_steps.__globals__['json']``, ``().__class__.__bases__[0].__subclasses__()``, ...).
INTROSPECTION = {"__globals__", "__dict__", "__builtins__", "__subclasses__", "__code__",
                 "__closure__", "__bases__", "__base__", "__mro__", "__getattribute__",
                 "__loader__", "__spec__", "__self__", "__func__", "__module__", "__import__",
                 "__class__", "__defaults__", "__kwdefaults__", "f_globals", "f_back", "gi_frame"}


def part_of(grade_id: str) -> str:
    """``test_adam_hidden`` -> ``adam``: the solution cell a test cell grades."""
    return re.sub(r"^test_|_(visible|hidden)$", "", grade_id)


def bound_names(source: str) -> dict[str, str | None]:
    """Names a locked cell binds, with the module an ``import`` binds them to (else None)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    names: dict[str, str | None] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = alias.name
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                names[alias.asname or alias.name] = None
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names[node.id] = None
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names[node.name] = None
    return names


def problems(source: str, protected: dict[str, str | None]) -> list[str]:
    """What in a solution cell's ``source`` reaches for the grader (empty: nothing)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []  # it fails to run, and scores nothing by itself
    found: list[str] = []
    modules = {name for name, module in protected.items() if module}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            roots = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""])
            for root in roots:
                if root.split(".")[0] in FORBIDDEN_MODULES:
                    found.append(f"imports {root}")
            if isinstance(node, ast.Import):
                for alias in node.names:
                    name = alias.asname or alias.name.split(".")[0]
                    modules.add(name)
                    if name in protected and protected[name] != alias.name:
                        found.append(f"rebinds {name}, which the tests use")
            else:
                for alias in node.names:
                    if (alias.asname or alias.name) in protected:
                        found.append(f"rebinds {alias.asname or alias.name}, which the tests use")
        elif isinstance(node, ast.Name):
            if isinstance(node.ctx, (ast.Store, ast.Del)) and node.id in protected:
                found.append(f"rebinds {node.id}, which the tests use")
            if node.id in FORBIDDEN_NAMES or (isinstance(node.ctx, ast.Load)
                                              and node.id in FORBIDDEN_CALLS):
                found.append(f"uses {node.id}")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.name in protected:
                found.append(f"rebinds {node.name}, which the tests use")
        elif isinstance(node, ast.Attribute):
            if isinstance(node.ctx, (ast.Store, ast.Del)):
                base = node.value
                while isinstance(base, ast.Attribute):
                    base = base.value
                if isinstance(base, ast.Name) and base.id in modules:
                    found.append(f"changes {ast.unparse(node)} of a module")
            if node.attr == "modules" and isinstance(node.value, ast.Name) and node.value.id == "sys":
                found.append("uses sys.modules")
            if node.attr in INTROSPECTION:
                found.append(f"uses .{node.attr}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr":
            name = node.args[1] if len(node.args) > 1 else None
            if not (isinstance(name, ast.Constant) and isinstance(name.value, str)
                    and not name.value.startswith("_")):
                found.append("uses getattr with a computed or private name")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            for word in GRADER_WORDS:
                if word in node.value.lower():
                    found.append(f"names the grader's {word}")
            if node.value in INTROSPECTION:
                found.append(f"names {node.value}")
    return sorted(set(found))


def scan_notebook(nb) -> dict[str, list[str]]:
    """``{solution grade_id: problems}`` for the solution cells of a graded notebook."""
    protected: dict[str, str | None] = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("locked") and not meta.get("grade"):
            protected.update(bound_names(cell.source))
    out = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("solution"):
            found = problems(cell.source, protected)
            if found:
                out[meta["grade_id"]] = found
    return out
