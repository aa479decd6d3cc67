"""Reference outputs for the hidden tests, computed from the solutions and checked against Keras.

``python -m tdnn.references`` (``make references``) does, for each graded optimizer:

1. runs the solution cell of ``solutions/fast_optimizers/fast_optimizers.ipynb`` on a fixed set of
   cases (several keys, several steps, default and custom hyperparameters, float32) with
   gradients bounded away from zero (|g| >= 0.5, so where eps sits cannot matter);
2. runs the same cases through the matching ``keras.optimizers`` class on float64 variables and
   fails if any parameter differs by more than :data:`KERAS_ATOL`;
3. runs every known mistake in ``autograder/variants/fast_optimizers/<part>/bug_*.py`` on the same
   cases, so a failing submission can be told which mistake its output matches;
4. writes ``autograder/references/fast_optimizers.json``.

``--check`` recomputes everything and fails if the committed file differs (the test suite's
drift check). The file lives under ``autograder/``, never in a student's folder, so a submission
cannot swap the outputs it is graded against.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import nbformat
import numpy as np

from tdnn import checks, paths

ASSIGNMENT = "fast_optimizers"
#: Keras keeps the learning rate in float32, so it matches float64 NumPy to ~1e-7, not to 1e-16
#: (measured; see ../shared/exercise-api.md).
KERAS_ATOL = 1e-6

#: part -> (class name, Keras constructor, custom hyperparameters, advice when no mistake matches).
#: eps keeps its default in every case: with |g| >= 0.5 its value moves a step by < 1e-5, below
#: what the tests may resolve if they are to accept every placement of eps.
PARTS = {
    "sgd": ("SGD", lambda k, lr=0.01: k.SGD(learning_rate=lr),
            {"lr": 0.05},
            "SGD has no state: each step is exactly -lr * g."),
    "momentum": ("Momentum", lambda k, lr=0.01, momentum=0.9: k.SGD(learning_rate=lr, momentum=momentum),
                 {"lr": 0.05, "momentum": 0.5},
                 "The velocity must persist between calls, one per key, starting at zero."),
    "nesterov": ("Nesterov", lambda k, lr=0.01, momentum=0.9:
                 k.SGD(learning_rate=lr, momentum=momentum, nesterov=True),
                 {"lr": 0.05, "momentum": 0.5},
                 "The step uses the velocity *after* this step's update: w += momentum*v - lr*g."),
    "adagrad": ("AdaGrad", lambda k, lr=0.01, eps=1e-7:
                k.Adagrad(learning_rate=lr, epsilon=eps, initial_accumulator_value=0.0),
                {"lr": 0.2},
                "h is the running *sum* of g*g, per key, starting at zero."),
    "rmsprop": ("RMSprop", lambda k, lr=0.01, rho=0.9, eps=1e-7:
                k.RMSprop(learning_rate=lr, rho=rho, epsilon=eps),
                {"lr": 0.05, "rho": 0.5},
                "h is a moving average: rho*h + (1 - rho)*g*g, per key, starting at zero."),
    "adam": ("Adam", lambda k, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-7:
             k.Adam(learning_rate=lr, beta_1=beta1, beta_2=beta2, epsilon=eps),
             {"lr": 0.05, "beta1": 0.8, "beta2": 0.99},
             "t counts calls to update() from 1; both moments are bias-corrected."),
}

NOTEBOOK = Path(ASSIGNMENT) / f"{ASSIGNMENT}.ipynb"
VARIANTS = Path("variants") / ASSIGNMENT


def solution_sources(notebook: Path | None = None) -> dict[str, str]:
    """Source of each graded solution cell, by grade_id (the part name)."""
    nb = nbformat.read(notebook or paths.SOLUTIONS / NOTEBOOK, as_version=4)
    return {
        cell.metadata["nbgrader"]["grade_id"]: cell.source
        for cell in nb.cells
        if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "code"
    }


def variant_sources(part: str, prefix: str) -> dict[str, str]:
    """``{file stem: source}`` of the variants of ``part`` whose names start with ``prefix``."""
    folder = paths.AUTOGRADER / VARIANTS / part
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob(f"{prefix}_*.py"))}


def define(source: str, name: str):
    """Execute one cell's source (NumPy in scope, as in the notebook) and return ``name``."""
    namespace = {"np": np}
    exec(compile(source, f"<{name}>", "exec"), namespace)
    return namespace[name]


def _signed(rng, shape):
    """Gradients with 0.5 <= |g| <= 2 (see the module docstring)."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 2.0, size=shape)


def make_cases(part: str) -> list[dict]:
    """Inputs of the hidden tests: start values and gradient sequences, with fixed seeds."""
    _, _, custom, _ = PARTS[part]
    rng = np.random.default_rng(sum(map(ord, part)))
    # Two keys of one shape catch state shared across keys; a third shape catches broadcasting.
    shapes = {"W1": (2, 3), "W2": (2, 3), "b": (3,)}
    cases = []
    for name, kwargs, dtype, n_steps, keys in [
        ("default hyperparameters, 3 keys, 6 steps", {}, "float64", 6, shapes),
        ("custom hyperparameters, 3 keys, 6 steps", custom, "float64", 6, shapes),
        ("float32 parameters", {}, "float32", 3, {"W": (4,)}),
    ]:
        start = {k: rng.normal(size=s).astype(dtype) for k, s in keys.items()}
        grads = [{k: _signed(rng, s).astype(dtype) for k, s in keys.items()} for _ in range(n_steps)]
        cases.append({"name": name, "kwargs": kwargs, "dtype": dtype, "start": start, "grads": grads})
    return cases


def run_numpy(cls, case) -> list[dict]:
    """Trajectory of a NumPy optimizer, computed in float64 whatever the case's dtype, by the
    same runner the graded tests use (so the solution also meets their in-place contract)."""
    start = {k: np.array(v, dtype=np.float64) for k, v in case["start"].items()}
    return checks.run_trajectory(lambda: cls(**case["kwargs"]), start, case["grads"], cls.__name__)


def run_keras(part: str, case) -> list[dict]:
    """Trajectory of the matching Keras optimizer on float64 variables."""
    import keras  # 7 s: only when references are generated or checked

    opt = PARTS[part][1](keras.optimizers, **case["kwargs"])
    keys = list(case["start"])
    variables = [keras.Variable(np.array(case["start"][k], dtype=np.float64), dtype="float64", name=k)
                 for k in keys]
    out = []
    for grads in case["grads"]:
        opt.apply([np.array(grads[k], dtype=np.float64) for k in keys], variables)
        out.append({k: np.array(v.numpy()) for k, v in zip(keys, variables)})
    return out


def _max_diff(a: list[dict], b: list[dict]) -> float:
    return max(float(np.max(np.abs(x[k] - y[k]))) for x, y in zip(a, b) for k in x)


def _tolist(trajectory):
    return [{k: v.tolist() for k, v in step.items()} for step in trajectory]


def build(with_keras: bool = True, log=print) -> dict:
    """Compute the whole reference file (as a dict), checking the solution against Keras."""
    sources = solution_sources()
    parts = {}
    for part, (cls_name, _, _, advice) in PARTS.items():
        solution = define(sources[part], cls_name)
        # Each known mistake: its hint (the docstring) and its class, defined once per part.
        known = {stem: (define(source, "__doc__"), define(source, cls_name))
                 for stem, source in variant_sources(part, "bug").items()}
        cases = []
        for case in make_cases(part):
            expected = run_numpy(solution, case)
            if with_keras:
                diff = _max_diff(expected, run_keras(part, case))
                log(f"{cls_name:9s} {case['name']:42s} max |solution - keras| = {diff:.1e}")
                if not diff <= KERAS_ATOL:
                    raise SystemExit(f"{cls_name}: the solution disagrees with Keras by {diff:.2e}")
            mistakes = []
            for stem, (hint, mistake) in known.items():
                try:
                    got = run_numpy(mistake, case)
                except Exception:
                    continue  # a mistake that crashes explains itself with its traceback
                if _max_diff(got, expected) > 1e-9:
                    mistakes.append({"name": stem, "hint": hint, "expected": _tolist(got)})
            cases.append({
                "name": case["name"], "kwargs": case["kwargs"], "dtype": case["dtype"],
                "start": {k: v.tolist() for k, v in case["start"].items()},
                "grads": [{k: v.tolist() for k, v in g.items()} for g in case["grads"]],
                "expected": _tolist(expected), "mistakes": mistakes,
            })
        parts[part] = {"class": cls_name, "advice": advice, "cases": cases}
    digest = hashlib.sha256("".join(sources[p] for p in PARTS).encode()).hexdigest()
    return {"assignment": ASSIGNMENT, "solution_sha256": digest,
            "generated_by": "python -m tdnn.references", "parts": parts}


def dumps(refs: dict) -> str:
    return json.dumps(refs, indent=1, sort_keys=True) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="fail if the committed reference file is out of date")
    args = parser.parse_args(argv)
    target = paths.REFERENCES / f"{ASSIGNMENT}.json"
    text = dumps(build())
    if args.check:
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            print(f"{target} is out of date: run `make references`", file=sys.stderr)
            return 1
        print(f"{target} is up to date")
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
