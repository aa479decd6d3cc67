"""The student edition: the public tree students get, written from this instructor's kit.

``python -m tdnn.edition`` (``make student-edition``) writes ``_build/student-edition/``, ready to
push as a repository of its own (the one ``_config.yml``'s ``repository.url`` names): its own
README, ``requirements.txt`` and Binder environment, the book's sources with the student
notebooks, and the part of the helper package that students' notebooks and the chapter pages
import. It holds no solution cell, no reference output, no variant, no instructor edition.

What goes in is derived, never listed by hand, so a new chapter or lab joins by itself:

- the pages are the student table of contents' (``_toc.yml``) files, plus what the book needs
  to build (``_config.yml``, ``book/_ext``, the bibliography), and every released exercise
  (``exercises/``), each with a first cell that installs the helper package on Colab;
- the helper modules are the import closure of every ``tdnn`` import in those pages and
  notebooks (:func:`helper_modules`); the graders' code (``tdnn.grade``, the judge, the reference
  builder) is not imported by any of them and stays out;
- the requirements are :data:`STUDENT_PACKAGES` and everything they depend on, each pinned to
  the version in ``requirements.lock`` (:func:`pinned_requirements`).

``python -m tdnn.edition pair`` only writes the ``.ipynb`` twin of each MyST chapter page beside
it (``book/<page>.ipynb``), which the launch buttons open: sphinx-book-theme 1.1 names a page's
``.ipynb`` in its Colab, Binder and JupyterHub URLs when a file of that name sits next to the
page's source at build time, and Colab cannot open Markdown.
"""
from __future__ import annotations

import argparse
import ast
import importlib.metadata
import re
import shutil
import sys
from pathlib import Path

import jupytext
import nbformat
import yaml
from nbconvert.preprocessors import Preprocessor
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tdnn import paths

#: What a student installs, by name; their dependencies follow from the installed metadata.
#: numpy and matplotlib for every notebook, TensorFlow's Keras for the Keras notebooks and
#: chapters, TensorBoard for the MNIST lab's callback, Jupyter to open them, jupytext so a
#: chapter's Markdown opens as a notebook.
STUDENT_PACKAGES = ("numpy", "matplotlib", "tensorflow-cpu", "keras", "tensorboard", "notebook",
                    "ipykernel", "jupytext")

#: Where ``make student-edition`` writes the tree.
OUT = paths.BUILD / "student-edition"

#: Files and folders of the book that are not pages but that its build needs.
BOOK_SUPPORT = ("_config.yml", "book/_ext", "book/references.bib")

#: The jupytext pairing a chapter's .ipynb twin records (the Markdown is the source).
PAIRED = "ipynb,md:myst"

#: Marks the first cell of a student notebook that installs the helper package on Colab.
COLAB_TAG = "colab-install"


# -- what is in it ---------------------------------------------------------------------------

def toc_files(toc: Path | None = None) -> list[str]:
    """Every document the student table of contents names (without suffix), in reading order."""
    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            found.extend(node[key] for key in ("root", "file") if key in node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(yaml.safe_load((toc or paths.ROOT / "_toc.yml").read_text()))
    return found


def page_sources(root: Path = paths.ROOT) -> list[Path]:
    """The source file of each page of the student table of contents."""
    sources = []
    for doc in toc_files(root / "_toc.yml"):
        found = [root / (doc + s) for s in (".md", ".ipynb") if (root / (doc + s)).is_file()]
        if not found:
            raise FileNotFoundError(f"_toc.yml names {doc}, which has no .md or .ipynb source")
        sources.append(found[0])
    return sources


def is_myst_notebook(path: Path) -> bool:
    """Is a Markdown page a MyST notebook (a jupytext header with a kernel), run by the book?"""
    if path.suffix != ".md":
        return False
    from myst_nb.core.read import is_myst_markdown_notebook
    return is_myst_markdown_notebook(path.read_text())


def code_of(path: Path) -> list[str]:
    """The code cells of a page or notebook (a Python file is one cell)."""
    if path.suffix == ".py":
        return [path.read_text()]
    if path.suffix == ".ipynb":
        nb = nbformat.read(path, as_version=4)
    elif is_myst_notebook(path):
        nb = jupytext.read(path, fmt="md:myst")
    else:
        return []
    return [c.source for c in nb.cells if c.cell_type == "code"]


def _module_file(name: str, root: Path) -> Path | None:
    base = root.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported_modules(source: str, package: str | None) -> set[str]:
    """Modules of ``tdnn`` a piece of code imports (``from tdnn import x`` counts x if it is a
    module; relative imports are resolved against ``package``)."""
    # IPython magics and shell lines are not Python; a cell that does not parse imports nothing.
    source = "\n".join(l for l in source.splitlines() if not l.lstrip().startswith(("%", "!")))
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level and package:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{a.name}" for a in node.names)
    return {m for m in found if m == "tdnn" or m.startswith("tdnn.")}


def helper_modules(sources: list[Path], root: Path = paths.ROOT) -> list[Path]:
    """The files of ``tdnn`` that the code of ``sources`` imports, directly or through other
    helper modules, with the packages' ``__init__.py`` on the way."""
    todo = {"tdnn"}
    for source in sources:
        for code in code_of(source):
            todo |= _imported_modules(code, None)
    seen: dict[str, Path] = {}
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        path = _module_file(name, root)
        if path is None:  # an attribute imported from a module, not a module
            continue
        seen[name] = path
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        todo |= _imported_modules(path.read_text(), package)
        todo |= {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
    return sorted(seen.values())


def _lock() -> dict[str, str]:
    pins = {}
    for line in (paths.ROOT / "requirements.lock").read_text().splitlines():
        if "==" in line and not line.lstrip().startswith("#"):
            name, version = line.split("==", 1)
            pins[canonicalize_name(name.strip())] = version.split(";")[0].strip()
    return pins


def pinned_requirements(packages=STUDENT_PACKAGES) -> list[str]:
    """``packages`` and all they depend on (read from the installed packages' metadata, markers
    evaluated for this Python), each pinned to its version in requirements.lock."""
    lock, seen, todo = _lock(), set(), [(canonicalize_name(p), "") for p in packages]
    while todo:
        name, extra = todo.pop()
        if (name, extra) in seen:
            continue
        seen.add((name, extra))
        for spec in importlib.metadata.requires(name) or []:
            req = Requirement(spec)
            # An extra named by a dependent (jsonschema[format-nongpl]) brings its own packages.
            if req.marker is None or req.marker.evaluate({"extra": extra}):
                todo.append((canonicalize_name(req.name), ""))
                todo.extend((canonicalize_name(req.name), e) for e in req.extras)
    seen = {name for name, _ in seen}
    # pip freeze (which writes the lock) leaves out the installer's own packages; a venv has them.
    seen -= {"pip", "setuptools", "wheel"}
    missing = sorted(seen - lock.keys())
    if missing:
        raise SystemExit(f"requirements.lock does not pin {missing}: run `make lock`")
    return [f"{name}=={lock[name]}" for name in sorted(seen)]


# -- the Colab cell --------------------------------------------------------------------------

def student_repository() -> str:
    """The student repository's URL, from _config.yml (the one the book's buttons lead to)."""
    return yaml.safe_load((paths.ROOT / "_config.yml").read_text())["repository"]["url"]


class ColabInstall(Preprocessor):
    """Put first in a student notebook a cell that, on Colab only, installs the helper package
    from the student repository (elsewhere the student has installed it, and the cell does
    nothing: a grader's kernel never installs anything)."""

    def preprocess(self, nb, resources):
        nb.cells = [c for c in nb.cells if COLAB_TAG not in c.metadata.get("tags", [])]
        source = (
            "# On Google Colab, install the course's helper package `tdnn` first (it brings the\n"
            "# checks the test cells call). Anywhere else this cell does nothing: install the\n"
            "# course's requirements once instead, as its README says.\n"
            "import subprocess, sys\n"
            "if \"google.colab\" in sys.modules:\n"
            "    subprocess.run([sys.executable, \"-m\", \"pip\", \"install\", \"--quiet\",\n"
            f"                    \"tdnn @ git+{student_repository()}\"], check=True)"
        )
        nb.cells.insert(0, nbformat.v4.new_code_cell(source, metadata={"tags": [COLAB_TAG]}))
        return nb, resources


# -- writing it ------------------------------------------------------------------------------

def pair(source: Path, target: Path | None = None) -> Path:
    """Write the ``.ipynb`` twin of a MyST notebook page (paired with jupytext: the Markdown
    stays the source; the twin has no outputs)."""
    nb = jupytext.read(source, fmt="md:myst")
    nb.metadata.setdefault("jupytext", {})["formats"] = PAIRED
    target = target or source.with_suffix(".ipynb")
    if target.is_file() and nbformat.read(target, as_version=4).metadata.get(
            "jupytext", {}).get("formats") != PAIRED:
        # _config.yml keeps book/*.ipynb out of the book, as twins: a real notebook there would
        # vanish from the book, and writing over it would lose it.
        raise SystemExit(f"{target} is a notebook of its own, not {source.name}'s twin: "
                         "move it, or write the chapter as MyST Markdown")
    target.parent.mkdir(parents=True, exist_ok=True)
    jupytext.write(nb, target, fmt="ipynb")
    return target


def pair_chapters(root: Path = paths.ROOT) -> list[Path]:
    """The ``.ipynb`` twin of every MyST notebook page of the student table of contents."""
    return [pair(s) for s in page_sources(root) if is_myst_notebook(s)]


README = """\
# {title}: student edition

The course's book, its chapter notebooks and the exercises, as students receive them. The book
is published at {book_url}; its launch buttons open these notebooks on Colab or Binder.

## Set up your own machine

With Python 3.11:

```bash
python3.11 -m venv .venv && source .venv/bin/activate
pip install -r requirements.txt   # the pinned packages the notebooks use
pip install --no-deps -e .        # the course's helper package, tdnn (its checks, data, figures)
jupyter notebook                  # then open a chapter in book/ or an exercise in exercises/
```

On Colab nothing needs installing: each exercise notebook's first cell installs `tdnn` from
this repository when it runs there.

## What is where

| folder | what it holds |
|---|---|
| `book/` | the chapters, as MyST Markdown and as `.ipynb` (the same notebook) |
| `exercises/<name>/<name>.ipynb` | the graded exercises: fill in the cells marked `YOUR CODE HERE` and hand in the `.ipynb` |
| `tdnn/` | the helper package the notebooks import |
| `binder/` | the environment Binder builds for the launch buttons |

This repository is generated from the course's instructor repository (`make student-edition`);
changes are made there.
"""

PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "tdnn"
version = "{version}"
description = "Helpers for the course Training Deep Neural Networks: checks, data, figures."
requires-python = ">=3.11"
dependencies = ["numpy", "matplotlib"]

[tool.setuptools.packages.find]
include = ["tdnn*"]
"""


def _copy(rel: str, out: Path) -> None:
    src, dst = paths.ROOT / rel, out / rel
    dst.parent.mkdir(parents=True, exist_ok=True)
    if src.is_dir():
        shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    else:
        shutil.copy2(src, dst)


def build(out: Path = OUT) -> Path:
    """Write the student edition into ``out`` (emptied first); return ``out``."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    config = yaml.safe_load((paths.ROOT / "_config.yml").read_text())
    sources = page_sources()
    for rel in ("_toc.yml", *BOOK_SUPPORT):
        _copy(rel, out)
    colab = ColabInstall()
    # Every released exercise, the ones the book does not show yet included.
    released = sorted(paths.EXERCISES.glob("*/*.ipynb"))
    for source in dict.fromkeys(sources + released):
        rel = source.relative_to(paths.ROOT)
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        if source.suffix == ".ipynb" and source.is_relative_to(paths.EXERCISES):
            nb = nbformat.read(source, as_version=4)
            nbformat.write(colab.preprocess(nb, {})[0], out / rel)
        else:
            shutil.copy2(source, out / rel)
            if is_myst_notebook(source):
                pair(source, (out / rel).with_suffix(".ipynb"))
    # The book's extensions import helpers too (the late rule the students' page states).
    for module in helper_modules(sources + released + sorted(paths.ROOT.glob("book/_ext/*.py"))):
        _copy(module.relative_to(paths.ROOT).as_posix(), out)
    version = importlib.metadata.version("tdnn")
    (out / "pyproject.toml").write_text(PYPROJECT.format(version=version))
    (out / "requirements.txt").write_text(
        "# What the notebooks need, pinned (generated by the instructors' `make student-edition`).\n"
        + "\n".join(pinned_requirements()) + "\n")
    _copy("binder", out)  # this repository's binder/ is the student repository's
    book_url = config.get("html", {}).get("baseurl") or "the course's site"
    (out / "README.md").write_text(README.format(title=config["title"], book_url=book_url))
    (out / ".gitignore").write_text(".venv/\n_build/\n__pycache__/\n*.egg-info/\n.ipynb_checkpoints/\n")
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", nargs="?", choices=("build", "pair"), default="build",
                        help="build: the whole student tree; pair: only book/<page>.ipynb twins")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if args.what == "pair":
        print(f"paired {len(pair_chapters())} chapter pages with their .ipynb")
    else:
        print(f"wrote the student edition into {build(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
