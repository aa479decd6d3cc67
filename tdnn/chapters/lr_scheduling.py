"""Chapter *Learning-rate scheduling*: power, exponential, piecewise-constant and 1cycle schedules
in NumPy.

The contract (``docs/exercise-contract.md``, "Other NumPy functions"):

- ``power_schedule(step, lr0, s, c=1) = lr0 / (1 + step/s)**c``;
- ``exponential_schedule(step, lr0, s) = lr0 · 0.1**(step/s)``;
- ``piecewise_constant(step, boundaries, values) = values[i]``, ``i`` the number of boundaries
  ``<= step`` (the value changes *at* the boundary; Keras' ``PiecewiseConstantDecay`` changes one
  step later);
- ``one_cycle(step, total_steps, max_lr, start_lr=None, last_lr=None)``, with
  ``p = step/total_steps``: linear from ``start_lr`` to ``max_lr`` while ``p <= 0.45``, back to
  ``start_lr`` while ``p <= 0.9``, then to ``last_lr`` at ``p = 1``; ``start_lr = max_lr/10``
  and ``last_lr = start_lr/1000`` by default.

Every schedule takes ``step`` as a Python number, a 0-d array or an array of any shape, and
returns floats of ``step``'s shape: a Python float, a NumPy float or a 0-d array for a scalar
``step`` (all have shape ``()``), an array of the same shape for an array. These are the
conventions the notebook states; the grader checks the shape, that the values are floating-point
numbers, and the values to a relative 1e-9 (:data:`RTOL`): every correct form in
``autograder/variants/lr_scheduling/`` agrees to ~1e-15, every mistake differs by far more.

Hidden cases come in this order, so that the first failing one is the most telling: Python int
steps (the cases a scalar-only solution passes), then 0-d arrays, then int and float arrays of
one and two dimensions, with steps at and around every boundary (``k·s`` for the integer-division
mistake, each boundary of ``piecewise_constant``, the phase ends ``0.45·T``, ``0.9·T`` and ``T``
of 1cycle, with ``T`` not divisible by 20), custom ``c``, ``s``, ``lr0``, and ``start_lr`` /
``last_lr`` both given and defaulted. A case never holds an answer.

The reference outputs are cross-checked against ``keras.optimizers.schedules`` (Keras 3.15.1)
where one matches: ``ExponentialDecay(lr0, s, 0.1)``, ``InverseTimeDecay(lr0, s, 1.0)`` for
``c = 1``, ``PiecewiseConstantDecay`` on the steps that are not boundaries (Keras switches one
step later, so the boundaries themselves are judged by the contract only). Keras computes in
float32, hence :data:`KERAS_ATOL`.
"""
from __future__ import annotations

import warnings

import numpy as np

from tdnn.chapters import Limits, Part
from tdnn.engine import compare as cmp
from tdnn.engine.report import emit

PARTS = {
    "power_schedule": Part(
        "power_schedule",
        "lr0 / (1 + step / s) ** c: true division step / s (never step // s), the power c applied "
        "to the whole (1 + step / s), and NumPy operations so that an array of steps works."),
    "exponential_schedule": Part(
        "exponential_schedule",
        "lr0 * 0.1 ** (step / s): the rate is divided by 10 every s steps, smoothly in between "
        "(true division step / s, never step // s); NumPy operations so that arrays work."),
    "piecewise_constant": Part(
        "piecewise_constant",
        "values[i] where i is the number of boundaries <= step (so the value changes *at* a "
        "boundary), for every element of an array of steps (np.searchsorted counts them for "
        "a whole array: mind which side it takes at a boundary)."),
    "one_cycle": Part(
        "one_cycle",
        "With p = step / total_steps: linear from start_lr up to max_lr for p <= 0.45, linear back "
        "down to start_lr for p <= 0.9, then linear to last_lr at p = 1; by default start_lr "
        "is a tenth of max_lr and last_lr a thousandth of start_lr; NumPy operations "
        "so that an array of steps works."),
}

#: NumPy exercises run in seconds: a cell that takes a minute is a loop that will not end.
LIMITS = Limits(cell_seconds=60, notebook_seconds=300, cpu_seconds=240, memory_bytes=2 * 1024**3)

#: Values agree to this relative tolerance (plus a tiny absolute one). Correct forms (np.interp,
#: exp/log, np.power) differ by ~1e-15 relative; every mistake by more than 1e-4 somewhere.
RTOL, ATOL = 1e-9, 1e-15
#: Keras' schedules compute in float32: relative error ~1e-7 on rates of at most 1.
KERAS_ATOL = 1e-6

#: Where the grader calls the functions: the required arguments by position, the optional ones
#: (``c``, ``start_lr``, ``last_lr``) by keyword, exactly as the contract names them.
REQUIRED = {
    "power_schedule": ("lr0", "s"),
    "exponential_schedule": ("lr0", "s"),
    "piecewise_constant": ("boundaries", "values"),
    "one_cycle": ("total_steps", "max_lr"),
}


# ---------------------------------------------------------------- cases (inputs only)

def _describe_step(step) -> str:
    if isinstance(step, np.ndarray):
        if step.ndim == 0:
            return f"step=np.array({step.item()!r}) (0-d {step.dtype})"
        return f"step = {step.dtype} array of shape {step.shape}"
    return f"step={step!r}"


def call_text(part: str, case: dict) -> str:
    """How the case calls the function, for its label: ``power_schedule(step=7, lr0=0.01, s=20)``."""
    args = [_describe_step(case["step"])]
    args += [f"{k}={v!r}" for k, v in case["args"].items()]
    args += [f"{k}={v!r}" for k, v in case["kwargs"].items()]
    return f"{PARTS[part].name}({', '.join(args)})"


def _case(part, step, args, kwargs=None, note=""):
    case = {"step": step, "args": dict(args), "kwargs": dict(kwargs or {})}
    case["name"] = call_text(part, case) + (f" [{note}]" if note else "")
    return case


def cases(part: str) -> list[dict]:
    """The hidden cases of ``part``: steps and arguments from fixed seeds, never answers."""
    rng = np.random.default_rng(sum(map(ord, part)))
    if part in ("power_schedule", "exponential_schedule"):
        c2 = {"c": 2} if part == "power_schedule" else {}
        c05 = {"c": 0.5} if part == "power_schedule" else {}
        c15 = {"c": 1.5} if part == "power_schedule" else {}
        out = [
            _case(part, 7, {"lr0": 0.01, "s": 20}, note="Python int, between multiples of s"),
            _case(part, 0, {"lr0": 0.5, "s": 10}, c2, note="step 0 gives lr0"),
            _case(part, 25, {"lr0": 0.1, "s": 10}, c05, note="Python int"),
            _case(part, 30, {"lr0": 0.2, "s": 15}, note="Python int, exactly 2·s"),
            _case(part, np.array(13), {"lr0": 0.02, "s": 4}, c2, note="0-d int array"),
            _case(part, np.array(2.5), {"lr0": 1.0, "s": 3.0}, note="0-d float array"),
            _case(part, np.arange(0, 100, 7), {"lr0": 0.01, "s": 30},
                  note="int array, steps 0, 7, ..., 98"),
            _case(part, np.array([9, 10, 11, 19, 20, 21, 29, 30, 31]), {"lr0": 0.05, "s": 10},
                  c15, note="int array at and around multiples of s"),
            _case(part, rng.uniform(0, 200, size=(3, 4)), {"lr0": 0.05, "s": 15.0}, c15,
                  note="float array of shape (3, 4)"),
            _case(part, rng.integers(0, 5000, size=(2, 5)), {"lr0": 0.001, "s": 1000},
                  note="int array of shape (2, 5), large steps"),
        ]
    elif part == "piecewise_constant":
        b2, v2 = [5, 10], [0.1, 0.05, 0.01]
        b3, v3 = [5, 10, 20], [0.1, 0.05, 0.01, 0.001]
        b4, v4 = [100, 250, 400, 800], [1.0, 0.5, 0.2, 0.05, 0.01]
        out = [
            _case(part, 5, {"boundaries": b2, "values": v2}, note="Python int, at a boundary"),
            _case(part, 4, {"boundaries": b2, "values": v2}, note="Python int, just before"),
            _case(part, 10, {"boundaries": b2, "values": v2}, note="Python int, last boundary"),
            _case(part, 12, {"boundaries": b3, "values": v3}, note="Python int, a middle piece"),
            _case(part, 0, {"boundaries": [1000, 3000], "values": [1.0, 0.5, 0.25]},
                  note="Python int, step 0"),
            _case(part, np.array(3000), {"boundaries": [1000, 3000, 6000],
                                         "values": [0.4, 0.3, 0.2, 0.1]},
                  note="0-d int array at a boundary"),
            _case(part, np.array(7.5), {"boundaries": b3, "values": v3},
                  note="0-d float array"),
            _case(part, np.arange(0, 25), {"boundaries": b3, "values": v3},
                  note="int array, every step 0..24"),
            _case(part, np.array([[4.5, 5.0, 5.5], [9.99, 10.0, 10.01]]),
                  {"boundaries": b2, "values": v2}, note="float array at and around boundaries"),
            _case(part, np.array([0, 2, 3, 4, 50]), {"boundaries": [3], "values": [1.0, 0.1]},
                  note="one boundary"),
            _case(part, np.concatenate([np.array(b4), rng.integers(0, 1000, size=11)]).reshape(3, 5),
                  {"boundaries": b4, "values": v4}, note="int array of shape (3, 5)"),
        ]
    elif part == "one_cycle":
        out = [
            _case(part, 30, {"total_steps": 100, "max_lr": 0.1}, note="Python int, going up"),
            _case(part, 70, {"total_steps": 100, "max_lr": 0.1}, {"start_lr": 0.02},
                  note="Python int, going down"),
            _case(part, 95, {"total_steps": 100, "max_lr": 0.1},
                  {"start_lr": 0.01, "last_lr": 0.0001}, note="Python int, last phase"),
            _case(part, 0, {"total_steps": 100, "max_lr": 0.1}, note="step 0 gives start_lr"),
            _case(part, 100, {"total_steps": 100, "max_lr": 0.1},
                  note="the last step gives the default last_lr"),
            _case(part, 85, {"total_steps": 100, "max_lr": 0.3}, note="Python int, defaults"),
            _case(part, np.array(45), {"total_steps": 100, "max_lr": 0.1},
                  note="0-d int array at the peak"),
            _case(part, np.array(17.0), {"total_steps": 37, "max_lr": 0.5}, {"last_lr": 0.001},
                  note="0-d float array"),
            _case(part, np.arange(0, 38), {"total_steps": 37, "max_lr": 0.5},
                  note="int array, every step, 37 steps"),
            _case(part, np.array([0, 1, 89, 90, 91, 179, 180, 181, 199, 200]),
                  {"total_steps": 200, "max_lr": 0.05}, {"start_lr": 0.001, "last_lr": 1e-5},
                  note="int array at and around the phase ends"),
            _case(part, rng.uniform(0, 1000, size=(3, 4)), {"total_steps": 1000, "max_lr": 1.0},
                  {"start_lr": 0.05}, note="float array of shape (3, 4)"),
            _case(part, np.arange(0, 131, 13).reshape(1, 11), {"total_steps": 130, "max_lr": 0.02},
                  note="int array of shape (1, 11)"),
        ]
    else:
        raise KeyError(part)
    return out


# ---------------------------------------------------------------- in the kernel

def _observation(fn, step, args: tuple, kwargs: dict) -> dict:
    """Call ``fn(step, *args, **kwargs)``; the result as float64 of its own shape, never raising."""
    step_in = np.array(step) if isinstance(step, np.ndarray) else step
    obs = {"step": np.asarray(step, dtype=np.float64), "value": None, "kind": None,
           "error": None, "problem": None}
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            result = fn(step_in, *args, **kwargs)
    except Exception as err:  # noqa: BLE001 - student code can raise anything
        obs["error"] = f"the call raised {type(err).__name__}: {err}"
        return obs
    try:
        value = np.asarray(result)
        if value.dtype.kind not in "biuf":
            raise TypeError(value.dtype)
    except Exception:  # noqa: BLE001
        obs["error"] = (f"the call returned {type(result).__name__}, not a number or an array "
                        "of numbers")
        return obs
    obs["kind"] = value.dtype.kind
    obs["value"] = value.astype(np.float64)
    if isinstance(step, np.ndarray) and not np.array_equal(step_in, step):
        obs["problem"] = ("the call changed the caller's array of steps; compute a new array "
                          "and leave step alone.")
    return obs


def observe(part: str, fn, case: dict) -> dict:
    """One hidden case: the student's function on the case's step and arguments."""
    args = tuple(case["args"][k] for k in REQUIRED[part])
    return _observation(fn, case["step"], args, case["kwargs"])


def check_schedule(fn, step, args: tuple, expected, what: str, **kwargs) -> None:
    """A visible test: reports ``fn(step, *args, **kwargs)`` to the grader, then checks it for
    the student against ``expected`` (one number for a scalar step, an array of step's shape
    otherwise)."""
    obs = _observation(fn, step, tuple(args), kwargs)
    emit(what, obs)
    message = compare(None, obs, {"step": np.asarray(step, dtype=np.float64),
                                  "value": np.asarray(expected, dtype=np.float64), "kind": "f",
                                  "error": None, "problem": None})
    if message:
        raise AssertionError(f"{what}: {message}")


# ---------------------------------------------------------------- in the grader

def _shape_text(shape) -> str:
    return "a scalar (shape ())" if shape == () else f"shape {shape}"


def compare(part, got: dict, expected: dict) -> str | None:
    """``None`` when ``got`` agrees with ``expected``, else what differs and where.

    A crash agrees only with the same crash (a known mistake). Then: the result's shape must be
    step's shape, its values floating-point numbers, each within ``RTOL`` of the expected one."""
    if not isinstance(got, dict) or not isinstance(expected, dict):
        return "expected a result of the test's form, got something else."
    if expected.get("error"):
        return None if got.get("error") == expected["error"] else "a different outcome"
    if got.get("error"):
        return got["error"]
    if got.get("problem") and not expected.get("problem"):
        return got["problem"]
    g, e = np.asarray(got["value"], dtype=np.float64), np.asarray(expected["value"],
                                                                  dtype=np.float64)
    step = np.asarray(expected["step"], dtype=np.float64)
    if g.shape != e.shape:
        return (f"the result has {_shape_text(g.shape)}, expected {_shape_text(e.shape)}: a "
                "schedule returns one rate per step, in step's shape (a number for a scalar "
                "step, an array of the same shape for an array of steps).")
    if got.get("kind") != "f" and expected.get("kind") == "f":
        return (f"the result holds integers (dtype kind {got.get('kind')!r}), expected "
                "floating-point learning rates: an integer rate of 0 stops training.")
    where = cmp.first_bad(g, e, ATOL + RTOL * np.abs(e))
    if where is None:
        return None
    text = cmp.difference("the learning rate", g, e, where)
    at = float(step[where]) if step.shape == e.shape else None
    if at is not None:
        text += f"\n  (that is the rate at step {at:g}"
        if e.ndim:
            text += f", element {where} of the array of steps"
        text += ")"
    return text


# ---------------------------------------------------------------- the Keras cross-check

def _keras_schedule(keras, part: str, case: dict):
    s_ = keras.optimizers.schedules
    a, kw = case["args"], case["kwargs"]
    if part == "exponential_schedule":
        return s_.ExponentialDecay(a["lr0"], a["s"], 0.1)
    if part == "power_schedule" and kw.get("c", 1) == 1:
        return s_.InverseTimeDecay(a["lr0"], a["s"], 1.0)
    if part == "piecewise_constant":
        return s_.PiecewiseConstantDecay(list(a["boundaries"]), list(a["values"]))
    return None


def keras_observation(part: str, case: dict) -> dict | None:
    """What the matching ``keras.optimizers.schedules`` class gives, step by step; ``None``
    where Keras has no such schedule (1cycle, ``c != 1``). For ``piecewise_constant`` the steps
    that are boundaries are left out (``"compared"`` is False there): Keras switches one step
    later than the contract."""
    if part == "one_cycle" or (part == "power_schedule" and case["kwargs"].get("c", 1) != 1):
        return None
    import keras  # only when references are built

    schedule = _keras_schedule(keras, part, case)
    step = np.asarray(case["step"], dtype=np.float64)
    flat = step.ravel()
    values = np.array([float(np.asarray(schedule(float(x)))) for x in flat]).reshape(step.shape)
    compared = np.ones(step.shape, dtype=bool)
    if part == "piecewise_constant":
        compared = ~np.isin(step, np.asarray(case["args"]["boundaries"], dtype=np.float64))
    return {"step": step, "value": values, "kind": "f", "error": None, "problem": None,
            "compared": compared}


def max_difference(a: dict, b: dict) -> float:
    """Largest absolute difference of two observations, on the elements ``a["compared"]``
    marks (all of them when it has no such key)."""
    if a.get("error") or b.get("error"):
        return float("inf")
    x, y = np.asarray(a["value"], np.float64), np.asarray(b["value"], np.float64)
    if x.shape != y.shape:
        return float("inf")
    mask = np.asarray(a.get("compared", np.ones(x.shape, dtype=bool)), dtype=bool)
    if not mask.any():
        return 0.0
    return float(np.max(np.abs(x - y)[mask]))
