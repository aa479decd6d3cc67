"""Reference outputs of every chapter's graded cells, computed from the solutions, checked
against Keras, with the outputs of every known mistake.

``python -m tdnn.engine.references`` (``make references``) does, for each assignment in
``solutions/`` and its chapter module (:mod:`tdnn.chapters`):

1. runs the solution notebook in-process (:mod:`tdnn.engine.notebook`) and records what each
   graded cell reports: the expected results; the solution must pass its own visible checks,
   and every graded cell must report something (a test decided in the kernel can be faked);
2. runs each ``autograder/variants/<assignment>/<part>/correct_*.py`` in place of its part: it
   must pass the visible checks and agree with the solution on every case that is not marked
   as a matter of convention; where it differs (a case with ``"conventions": True``, e.g. where
   eps sits), its answer is accepted too;
3. runs each ``bug_*.py`` the same way: its results, with its docstring as the hint, are stored
   where they differ from every accepted answer, and it must fail at least one hidden case of
   its part (a bug the hidden tests miss stops the build);
4. compares every hidden case with the chapter's ``keras_observation`` (from
   :func:`tdnn.chapters.keras_side`): Keras must agree with an
   accepted answer to ``KERAS_ATOL`` (with the solution itself where no convention is at play);
5. writes ``autograder/references/<assignment>.json``.

``--check`` recomputes everything and fails if a committed file differs (the drift test). The
files live under ``autograder/``, which the grading sandbox does not mount: a kernel can read
the cases' inputs (from the chapter module) but never the expected outputs.
"""
from __future__ import annotations

import argparse
import ast
import hashlib
import json
import sys
from pathlib import Path

from tdnn import chapters, paths

from . import codec, notebook


def assignments() -> list[str]:
    """Every assignment in ``solutions/`` (a folder holding notebooks)."""
    return sorted({p.parent.name for p in paths.SOLUTIONS.glob("*/*.ipynb")})


def notebooks(assignment: str) -> list[Path]:
    return sorted((paths.SOLUTIONS / assignment).glob("*.ipynb"))


def variant_sources(assignment: str, part: str, kind: str) -> dict[str, str]:
    """``{file stem: source}`` of the ``kind`` ("correct" or "bug") variants of ``part``."""
    folder = paths.AUTOGRADER / "variants" / assignment / part
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob(f"{kind}_*.py"))}


def hint(source: str) -> str:
    """A bug variant's hint: its module docstring."""
    return ast.get_docstring(ast.parse(source)) or ""


class BuildError(Exception):
    """The references cannot be built: the solution, a variant or Keras disagrees."""


def _agrees(chapter, part, got, expected) -> bool:
    return chapter.compare(part, got, expected) is None


def build_notebook(assignment: str, path: Path, with_keras: bool = True, log=print) -> dict:
    """The references of one notebook: ``{grade_id: {"part", "results": [...]}}``."""
    chapter = chapters.load(assignment)
    base = notebook.run(path)
    if base.errors:
        raise BuildError(f"{path.name}: the solution fails its own cells: {base.errors}")
    conventions = {case["name"] for part in chapter.PARTS for case in chapter.cases(part)
                   if case.get("conventions")}
    silent = [gid for gid, reports in base.reports.items() if not reports]
    if silent:
        raise BuildError(f"{path.name}: test cells that report nothing to the grader: {silent} "
                         "(a test decided in the kernel can be faked there)")
    cells = {}
    for grade_id, reports in base.reports.items():
        cells[grade_id] = {
            "part": chapters.part_of(grade_id),
            "results": [{"label": label, "accepted": [{"from": "solution", "observation": obs}],
                         "mistakes": []} for label, obs in reports]}

    def results_of(part):
        return [(gid, r) for gid, cell in cells.items() if cell["part"] == part
                for r in cell["results"]]

    for part in chapter.PARTS:
        for name, source in variant_sources(assignment, part, "correct").items():
            run = notebook.run(path, replace={part: source}, only_parts={part})
            if run.errors:
                raise BuildError(f"{part}/{name} (correct) fails a check: {run.errors}")
            for gid, result in results_of(part):
                got = dict(run.reports.get(gid, [])).get(result["label"])
                solution = result["accepted"][0]["observation"]
                if got is None:
                    raise BuildError(f"{part}/{name} (correct) reports no {result['label']!r}")
                if _agrees(chapter, part, got, solution):
                    continue
                if result["label"] not in conventions:
                    raise BuildError(f"{part}/{name} (correct) disagrees with the solution on "
                                     f"{result['label']!r}: {chapter.compare(part, got, solution)}")
                if not any(_agrees(chapter, part, got, a["observation"])
                           for a in result["accepted"]):
                    result["accepted"].append({"from": name, "observation": got})
        for name, source in variant_sources(assignment, part, "bug").items():
            run = notebook.run(path, replace={part: source}, only_parts={part})
            caught_hidden = False
            for gid, result in results_of(part):
                got = dict(run.reports.get(gid, [])).get(result["label"])
                if got is None or any(_agrees(chapter, part, got, a["observation"])
                                      for a in result["accepted"]):
                    continue
                caught_hidden |= gid.endswith("_hidden")
                result["mistakes"].append({"name": name, "hint": hint(source), "observation": got})
            if not caught_hidden:
                raise BuildError(f"{part}/{name}: this mistake passes every hidden case of "
                                 f"{part}; add a case that exposes it")
        if with_keras:
            _check_keras(chapter, chapters.keras_side(assignment), part,
                         [r for _, r in results_of(part)], log)
    return {gid: {"part": c["part"], "results": codec.encode(c["results"])}
            for gid, c in cells.items()}


def _check_keras(chapter, keras_side, part: str, results: list[dict], log) -> None:
    """Keras agrees with the solution, or, on a case of conventions, with an accepted form
    (``keras_side``: the module holding the chapter's Keras check)."""
    by_label = {r["label"]: r for r in results}
    for case in chapter.cases(part):
        theirs = keras_side.keras_observation(part, case)
        if theirs is None:
            continue
        result = by_label.get(case["name"])
        if result is None:
            raise BuildError(f"no graded cell of {part} reports the case {case['name']!r}")
        accepted = result["accepted"] if case.get("conventions") else result["accepted"][:1]
        diff = min(keras_side.max_difference(theirs, a["observation"]) for a in accepted)
        log(f"{part:9s} {case['name'][:64]:64s} max |accepted - keras| = {diff:.1e}")
        if not diff <= keras_side.KERAS_ATOL:
            raise BuildError(f"{part}: the solution disagrees with Keras by {diff:.2e} on "
                             f"{case['name']!r}")


def build(assignment: str, with_keras: bool = True, log=print) -> dict:
    """The whole reference file of ``assignment`` (as a dict)."""
    return {"assignment": assignment, "generated_by": "python -m tdnn.engine.references",
            "notebooks": {p.stem: build_notebook(assignment, p, with_keras, log)
                          for p in notebooks(assignment)}}


def dumps(refs: dict) -> str:
    return json.dumps(refs, indent=1, sort_keys=True) + "\n"


def path_of(assignment: str, references: Path | None = None) -> Path:
    return (references or paths.REFERENCES) / f"{assignment}.json"


_decoded: dict[bytes, dict] = {}


def load(assignment: str, references: Path | None = None) -> dict:
    """A reference file, decoded (``FileNotFoundError`` when there is none).

    Decoding costs ~60 ms and a grader judges one notebook after another, so the decoded file
    is kept per content (its sha256): a changed file is read afresh. Callers must not modify it."""
    data = path_of(assignment, references).read_bytes()
    key = hashlib.sha256(data).digest()
    if key not in _decoded:
        refs = json.loads(data)
        for cells in refs["notebooks"].values():
            for cell in cells.values():
                cell["results"] = codec.decode(cell["results"])
        _decoded[key] = refs
    return _decoded[key]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignments", nargs="*", help="default: every folder in solutions/")
    parser.add_argument("--check", action="store_true",
                        help="fail if a committed reference file is out of date")
    args = parser.parse_args(argv)
    stale = []
    for assignment in args.assignments or assignments():
        target = path_of(assignment)
        try:
            text = dumps(build(assignment))
        except BuildError as err:
            print(f"{assignment}: {err}", file=sys.stderr)
            return 1
        if args.check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                stale.append(target)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target}")
    for target in stale:
        print(f"{target} is out of date: run `make references`", file=sys.stderr)
    return int(bool(stale))


if __name__ == "__main__":
    sys.exit(main())
