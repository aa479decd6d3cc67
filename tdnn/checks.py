"""Assertions the graded notebooks call: they say what was expected, what came back, where the two
first differ, and the likely mistake.

Two kinds of check, one per kind of test cell:

- :func:`check_steps` runs an optimizer on values the visible test cell writes out by hand.
- :func:`check_reference` replays the cases in ``autograder/references/<assignment>.json``
  (computed from the solutions by :mod:`tdnn.references`, never by the student's code) and,
  when a result is wrong, compares it with the stored outputs of known mistakes to name the one
  the student most likely made.

Student code runs in the same kernel, so everything this module relies on is bound when it is
imported, in the locked setup cell, before any student cell runs: replacing ``np.allclose`` or
``np.testing`` later does not change what these checks compute.
"""
from __future__ import annotations

import json
from typing import Callable, Mapping

import numpy as np

from tdnn import paths

# Bound at import, before student code runs (see the module docstring).
_asarray, _array, _abs, _argmax = np.asarray, np.array, np.abs, np.argmax
_unravel, _isfinite, _all, _any = np.unravel_index, np.isfinite, np.all, np.any
_float64, _errstate = np.float64, np.errstate
_AssertionError = AssertionError
# Where the references are is fixed now too: a student cell that points tdnn.paths (or
# TDNN_ROOT) at a folder of its own cannot choose what it is graded against.
_REFERENCES = paths.REFERENCES

#: A step agrees with the reference when it is within this fraction of its own size (plus the
#: same fraction of the largest step in its array). Where eps
#: sits (outside or inside the square root, or scaled by Keras' folded bias correction) moves a
#: step by at most ~1e-5 with the |g| >= 0.5 the references use; every real mistake moves it by
#: far more than 1e-4.
STEP_RTOL = 1e-4
#: Absolute slack for steps that are (nearly) zero, e.g. a velocity that cancels out.
STEP_ATOL = 1e-10
#: float32 parameters round every step; compare their values, not their steps.
FLOAT32_RTOL, FLOAT32_ATOL = 2e-5, 1e-6


class _Mismatch(Exception):
    """Internal: a trajectory left the expected one (carries the teaching text)."""


def _fmt(a) -> str:
    return np.array2string(_asarray(a), precision=8, separator=", ", threshold=20)


def _call_update(opt, params, grads, where: str) -> None:
    try:
        opt.update(params, grads)
    except Exception as err:  # the student's code: report it as a failed check, with the cause
        raise _AssertionError(
            f"{where}: update() raised {type(err).__name__}: {err}"
        ) from err


def run_trajectory(make_optimizer: Callable[[], object], start: Mapping, grad_steps, what: str):
    """Run one optimizer over ``grad_steps`` on copies of ``start``; check the update happens in
    place, keeps shape and dtype, and never touches the gradients. Returns the trajectory."""
    try:
        opt = make_optimizer()
    except Exception as err:
        raise _AssertionError(f"{what}: the constructor raised {type(err).__name__}: {err}") from err
    params = {k: _array(v) for k, v in start.items()}
    originals = dict(params)
    trajectory = []
    for t, grads in enumerate(grad_steps, start=1):
        grads = {k: _array(g, dtype=params[k].dtype) for k, g in grads.items()}
        grads_before = {k: g.copy() for k, g in grads.items()}
        _call_update(opt, params, grads, f"{what}, step {t}")
        if set(params) != set(originals):
            raise _AssertionError(
                f"{what}, step {t}: update() changed the keys of params: "
                f"expected {sorted(originals)}, got {sorted(params)}."
            )
        for k in originals:
            got = params[k]
            if got is not originals[k]:
                raise _AssertionError(
                    f"{what}, step {t}: params[{k!r}] is a new array after update(). "
                    f"Update it in place (params[key] -= ..., or np.subtract(..., out=params[key])): "
                    f"the caller, e.g. a layer holding its weights, keeps the old array and would "
                    f"never see the step."
                )
            if (grads[k] != grads_before[k]).any():
                raise _AssertionError(
                    f"{what}, step {t}: update() changed grads[{k!r}]; "
                    f"read the gradients, don't modify them."
                )
        trajectory.append({k: params[k].copy() for k in params})
    return trajectory


def _first_difference(got, expected, got_before, expected_before, dtype):
    """Index of the first element out of tolerance, "shape", or None.

    float64 results are compared step by step, each trajectory against its own previous point,
    so a tiny step is not judged by rounding left over from earlier, larger ones; the slack is
    relative to the step and to the largest step of the same array.
    """
    got, expected = _asarray(got, dtype=_float64), _asarray(expected, dtype=_float64)
    if got.shape != expected.shape:
        return "shape"
    with _errstate(invalid="ignore", over="ignore"):
        if dtype == np.float32:
            err = _abs(got - expected) - (FLOAT32_ATOL + FLOAT32_RTOL * _abs(expected))
        else:
            step_got, step_exp = got - got_before, expected - expected_before
            scale = _abs(step_exp) + (_abs(step_exp).max() if step_exp.size else 0.0)
            err = _abs(step_got - step_exp) - (STEP_ATOL + STEP_RTOL * scale)
        bad = ~(err <= 0) | ~_isfinite(got)
    if not _any(bad):
        return None
    i = _unravel(_argmax(bad.ravel()), bad.shape) if bad.ndim else ()
    return tuple(int(j) for j in i)


def _compare(trajectory, expected_steps, start, what: str) -> None:
    got_prev = {k: _asarray(v, dtype=_float64) for k, v in start.items()}
    exp_prev = dict(got_prev)
    for t, (got_t, exp_t) in enumerate(zip(trajectory, expected_steps), start=1):
        for k in exp_t:
            got, exp = got_t[k], _asarray(exp_t[k], dtype=_float64)
            where = _first_difference(got, exp, got_prev[k], exp_prev[k], got.dtype)
            if where == "shape":
                raise _Mismatch(
                    f"{what}: after step {t}, params[{k!r}] has shape {got.shape}, "
                    f"expected {exp.shape}."
                )
            if where is not None:
                e, g = float(exp[where]), float(got[where])
                raise _Mismatch(
                    f"{what}: after step {t}, params[{k!r}] differs from the expected value.\n"
                    f"  first difference at index {where}: expected {e!r}, got {g!r} "
                    f"(the step there should be {e - exp_prev[k][where]:+.6g}, "
                    f"yours was {g - got_prev[k][where]:+.6g})\n"
                    f"  expected: {_fmt(exp)}\n"
                    f"  got:      {_fmt(got)}"
                )
            got_prev[k], exp_prev[k] = _asarray(got, dtype=_float64), exp


def check_steps(make_optimizer: Callable[[], object], start: Mapping, grad_steps, expected_steps,
                what: str = "optimizer") -> None:
    """Visible-test check: ``make_optimizer()`` stepped through ``grad_steps`` from ``start`` must
    reach ``expected_steps`` (one dict of arrays per step), updating in place."""
    trajectory = run_trajectory(make_optimizer, start, grad_steps, what)
    try:
        _compare(trajectory, expected_steps, start, what)
    except _Mismatch as m:
        raise _AssertionError(str(m)) from None


def _signature(cls_name: str, kwargs: Mapping) -> str:
    return f"{cls_name}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"


def load_references(assignment: str) -> dict:
    """The reference outputs of one assignment (written by ``python -m tdnn.references``)."""
    path = _REFERENCES / f"{assignment}.json"
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def check_reference(cls, part: str, assignment: str = "fast_optimizers") -> None:
    """Hidden-test check: replay every stored case of ``part`` with the student's ``cls``."""
    spec = load_references(assignment)["parts"][part]
    for case in spec["cases"]:
        dtype = np.dtype(case["dtype"])
        start = {k: _asarray(v, dtype=dtype) for k, v in case["start"].items()}
        what = f"{_signature(spec['class'], case['kwargs'])} [{case['name']}]"
        trajectory = run_trajectory(lambda: cls(**case["kwargs"]), start, case["grads"], what)
        try:
            _compare(trajectory, case["expected"], start, what)
        except _Mismatch as m:
            raise _AssertionError(f"{m}\n{_likely_mistake(trajectory, case, start, spec)}") from None


def _likely_mistake(trajectory, case, start, spec) -> str:
    for mistake in case["mistakes"]:
        try:
            _compare(trajectory, mistake["expected"], start, "")
        except _Mismatch:
            continue
        return f"Likely mistake: {mistake['hint']}"
    return f"Check each line of {spec['class']}.update against the equations above. {spec['advice']}"
