"""Element-wise comparison shared by the chapters' ``compare`` functions, and the way a
difference is told to a student: where it first appears, what was expected there, what came."""
from __future__ import annotations

import numpy as np


def fmt(a) -> str:
    """An array short enough for a message."""
    return np.array2string(np.asarray(a), precision=8, separator=", ", threshold=20)


def first_bad(got, expected, slack) -> tuple | str | None:
    """Index of the first element where ``|got - expected| > slack`` (or ``got`` is not finite
    where ``expected`` is), ``"shape"`` when the shapes differ, ``None`` when all agree.

    ``slack`` is a number or an array broadcastable to the shape."""
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        return "shape"
    with np.errstate(invalid="ignore", over="ignore"):
        same_nonfinite = ~np.isfinite(expected) & (
            (got == expected) | (np.isnan(got) & np.isnan(expected)))
        bad = ~(np.abs(got - expected) <= slack) & ~same_nonfinite
    if not bad.any():
        return None
    index = np.unravel_index(np.argmax(bad.ravel()), bad.shape) if bad.ndim else ()
    return tuple(int(i) for i in index)


def difference(name: str, got, expected, where) -> str:
    """The lines that show a student a difference ``first_bad`` found in array ``name``."""
    got, expected = np.asarray(got), np.asarray(expected)
    if where == "shape":
        return f"{name} has shape {got.shape}, expected {expected.shape}."
    return (f"{name} differs from the expected value.\n"
            f"  first difference at index {where}: expected {float(expected[where])!r}, "
            f"got {float(got[where])!r}\n"
            f"  expected: {fmt(expected)}\n"
            f"  got:      {fmt(got)}")


#: What :func:`crash_or_contract` returns when both sides ran and kept the contract.
BOTH_RAN = object()


def crash_or_contract(got: dict, expected: dict):
    """The verdict on a case where the code crashed or broke the contract (``observe`` records
    either as text, under ``"error"`` and ``"problem"``): a known mistake that crashes matches
    the same crash only; any other crash or broken contract is the message itself. Returns
    :data:`BOTH_RAN` when there is neither, for the chapter to compare the results."""
    if expected.get("error"):
        if got.get("error") == expected["error"]:
            return None
        return f"expected the error {expected['error']!r}, got {got.get('error')!r}."
    if got.get("error"):
        return got["error"]
    if got.get("problem") and not expected.get("problem"):
        return got["problem"]
    return BOTH_RAN


def first_failure(verdicts: list) -> tuple | None:
    """``(property, how it failed)`` of the first failing verdict of a property-judged result
    (verdicts are ``(property, status, expected, got)`` in report order, status ``"ok"`` when the
    property holds), ``None`` when every property holds."""
    return next(((p, status) for p, status, _, _ in verdicts if status != "ok"), None)


def by_properties(mine: list, want: tuple | None) -> str | None:
    """``None`` when a property-judged result fails first where its reference does (``want``:
    ``None`` for a correct answer, so every property must hold; a known mistake's first failure,
    for its hint); else the message naming the property, its bound and what came back."""
    if first_failure(mine) == want:
        return None
    if want is not None:  # matching a known mistake: any other outcome differs
        return "a different outcome"
    prop, _, expected, got = next(v for v in mine if v[1] != "ok")
    if prop == "runs":
        return got
    return f"property '{prop}' fails.\n  expected: {expected}\n  got:      {got}"
