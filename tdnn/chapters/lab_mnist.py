"""Lab *MNIST with the learning-rate finder*: the finder's arithmetic, in plain NumPy.

The lab's page trains a Keras MLP; its graded notebook grades the two computations that turn a
learning-rate sweep into a learning rate, as fast.ai's finder does them (Smith 2017; Géron,
HOML3 ch. 11). The contract (``docs/exercise-contract.md``, "Other NumPy functions"):

``smooth_losses(losses, beta=0.98)``
    the bias-corrected exponential moving average of the per-batch losses: with ``avg = 0``,
    for ``t = 1..n``: ``avg = beta·avg + (1 − beta)·losses[t−1]`` and
    ``out[t−1] = avg / (1 − beta**t)``. A float64 array of ``len(losses)``; ``losses`` (a list
    of numbers, ints included, or a 1-D array) is left unchanged.
``suggest_learning_rate(rates, smoothed, divide_by=10, diverge_factor=4)``
    ``rates[i] / divide_by`` for ``i`` the *first* index of the minimum of ``smoothed`` over the
    points before the loss diverged. The loss diverges at the first index ``i ≥ 1`` where
    ``smoothed[i]`` is not finite or ``smoothed[i] > diverge_factor · min(smoothed[:i])``
    (strictly greater: equal is kept); that point and everything after it are ignored.
    ``smoothed[0]`` is finite. Returns one number.

Hidden cases are inputs only: loss curves shaped like a real sweep (falling, flat, exploding to
``inf`` and ``nan``), curves that come back down after diverging, exact ties and a point exactly
at ``diverge_factor`` times the minimum, Python lists of floats and of ints, custom ``beta``,
``divide_by`` and ``diverge_factor`` (passed by keyword). Values are compared to a relative
:data:`RTOL`: the correct forms (a loop, a matrix of weights, a scaled cumulative sum, a running
minimum) agree to ~1e-14, every mistake differs by far more.
"""
from __future__ import annotations

import warnings

import numpy as np

from tdnn.chapters import Limits, Part
from tdnn.engine import compare as cmp
from tdnn.engine.report import emit

PARTS = {
    "smooth_losses": Part(
        "smooth_losses",
        "The running average starts at 0 and takes each loss in turn, keeping a fraction beta "
        "of itself and adding (1 - beta) times the loss; the t-th output (t = 1, 2, ...) is "
        "that average divided by 1 - beta**t. Return a new float64 array "
        "of the same length (np.zeros(len(losses)) is float64 even for integer losses)."),
    "suggest_learning_rate": Part(
        "suggest_learning_rate",
        "Walk through smoothed keeping the lowest value so far; stop at the first point that "
        "is not finite or is more than diverge_factor times that lowest value (equal is fine). "
        "Among the points before it, take the first index of the minimum and return "
        "rates[index] / divide_by."),
}

#: NumPy exercises run in seconds: a cell that takes a minute is a loop that will not end.
LIMITS = Limits(cell_seconds=60, notebook_seconds=300, cpu_seconds=240, memory_bytes=2 * 1024**3)

#: Correct forms agree to ~1e-14 relative (the scaled cumulative sum on 300 losses: 3e-14);
#: the mildest mistake (beta**(t-1) in the correction) is off by more than 1e-3.
RTOL, ATOL = 1e-10, 1e-14
#: No Keras counterpart: the finder is fast.ai's, not Keras'.
KERAS_ATOL = 0.0


# ---------------------------------------------------------------- cases (inputs only)

def finder_curve(n: int, rng: np.random.Generator, explode: str | None = None) -> np.ndarray:
    """A loss-versus-step curve shaped like a real sweep: flat, falling, then rising; noisy.
    ``explode`` ends it with ``inf`` or ``nan`` as a diverging run does."""
    x = np.linspace(0.0, 1.0, n)
    base = 2.3 - 2.0 * np.clip(x / 0.6, 0, 1) ** 2 + 40.0 * np.clip(x - 0.75, 0, None) ** 2
    curve = base * (1 + 0.15 * rng.standard_normal(n))
    curve = np.abs(curve) + 0.05
    if explode:
        curve[-3:] = np.inf if explode == "inf" else np.nan
    return curve


def _case(name: str, **inputs) -> dict:
    return {"name": name, **inputs}


def cases(part: str) -> list[dict]:
    """The hidden cases of ``part``: losses and rates from fixed seeds, never answers."""
    rng = np.random.default_rng(sum(map(ord, part)))
    if part == "smooth_losses":
        return [
            _case("one loss, the default beta (the first output is the loss itself)",
                  losses=[2.5], kwargs={}),
            _case("five Python floats, the default beta", losses=[2.3, 2.1, 2.2, 1.9, 1.7],
                  kwargs={}),
            _case("Python ints, beta=0.5", losses=[4, 2, 3, 1, 1, 0], kwargs={"beta": 0.5}),
            _case("a float64 array of 300 noisy losses from a sweep, the default beta",
                  losses=finder_curve(300, rng), kwargs={}),
            _case("a float64 array of 50 losses with a spike, beta=0.9",
                  losses=np.r_[np.full(20, 1.0), 30.0, np.full(29, 0.8)], kwargs={"beta": 0.9}),
            _case("a float64 array of 120 losses, beta=0.99",
                  losses=finder_curve(120, rng), kwargs={"beta": 0.99}),
        ]
    if part == "suggest_learning_rate":
        rates = np.geomspace(1e-5, 10.0, 100)
        falling_then_nan = finder_curve(100, rng, explode="nan")
        comes_back = np.r_[np.linspace(2.3, 0.3, 60), [1.5, 9.0, 40.0], np.full(36, 0.01),
                           [np.nan]]
        ties = np.r_[np.linspace(2.0, 0.5, 10), np.full(5, 0.5), np.linspace(0.6, 3.0, 10)]
        at_bound = np.array([1.0, 0.5, 0.25, 1.0, 0.2, 0.1, 0.45])  # 1.0 is exactly 4 × 0.25
        vs_first = np.array([1.0, 0.5, 0.1, 0.3, 0.5, 0.05, 5.0, 0.01, np.nan])  # 0.5 > 4 × 0.1
        # Three thresholds tell three readings apart: 2 × the lowest so far stops at the 0.9,
        # 4 × the lowest so far at the 0.45, 2 × the first loss (0.5 → 1.0) only at the 50.
        three_times = np.r_[np.linspace(0.5, 0.3, 40), [0.9], np.linspace(0.28, 0.1, 20), [0.39],
                            np.linspace(0.09, 0.05, 10), [0.45], np.linspace(0.04, 0.02, 10),
                            [50.0], np.full(16, np.nan)]
        lin = list(np.linspace(0.001, 0.1, 7).round(6))
        return [
            _case("Python lists, a U-shaped loss, no divergence, the defaults",
                  rates=[0.001, 0.01, 0.1, 1.0, 10.0], smoothed=[2.3, 1.9, 0.9, 1.4, 2.0],
                  kwargs={}),
            _case("one point", rates=[0.003], smoothed=[2.3], kwargs={}),
            _case("the loss only rises: the minimum is the first point",
                  rates=[1e-4, 1e-3, 1e-2, 1e-1], smoothed=[1.0, 1.1, 1.5, 3.0], kwargs={}),
            _case("a 100-point sweep ending in nan",
                  rates=rates, smoothed=falling_then_nan, kwargs={}),
            _case("a 100-point sweep ending in inf",
                  rates=rates, smoothed=finder_curve(100, rng, explode="inf"), kwargs={}),
            _case("the loss diverges, then falls lower than before (ignored: after divergence)",
                  rates=rates, smoothed=comes_back, kwargs={}),
            _case("a flat minimum of five equal values (the first one counts)",
                  rates=np.geomspace(1e-4, 1.0, len(ties)), smoothed=ties, kwargs={}),
            _case("a point exactly diverge_factor × the minimum (kept: not strictly greater)",
                  rates=lin, smoothed=at_bound, kwargs={}),
            _case("divergence measured from the lowest loss so far, not from the first loss",
                  rates=np.linspace(0.001, 0.1, 9), smoothed=vs_first, kwargs={}),
            _case("divide_by=5, diverge_factor=2 (the rise to 3 × the minimum diverges)",
                  rates=rates, smoothed=three_times, kwargs={"divide_by": 5, "diverge_factor": 2}),
            _case("the same curve with the default diverge_factor (the rise to 3 × is kept)",
                  rates=rates, smoothed=three_times, kwargs={}),
            _case("divide_by=3, the default diverge_factor",
                  rates=rates, smoothed=finder_curve(100, rng), kwargs={"divide_by": 3}),
        ]
    raise KeyError(part)


# ---------------------------------------------------------------- in the kernel

def _copy(x):
    return list(x) if isinstance(x, list) else np.array(x)


def _unchanged(before, after) -> bool:
    if isinstance(before, list):
        return before == after or (len(before) == len(after) and all(
            (a == b) or (a != a and b != b) for a, b in zip(before, after)))
    return np.array_equal(before, after, equal_nan=True)


def _call(fn, args: tuple, kwargs: dict, scalar: bool) -> dict:
    """``fn(*args, **kwargs)`` as an observation, never raising: the value (float64), its dtype
    kind, a crash (``error``) or a broken contract (``problem``: an input changed)."""
    kept = [_copy(a) for a in args]
    obs = {"value": None, "kind": None, "error": None, "problem": None}
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            result = fn(*args, **kwargs)
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
    if scalar and value.shape != ():
        obs["error"] = (f"the call returned an array of shape {value.shape}, not one number: "
                        "return rates[index] / divide_by for a single index")
        return obs
    obs["kind"] = value.dtype.kind
    obs["value"] = value.astype(np.float64)
    if not all(_unchanged(k, a) for k, a in zip(kept, args)):
        obs["problem"] = ("the call changed the caller's input; compute a new array and leave "
                          "the losses (and rates) alone.")
    return obs


def _args(part: str, case: dict) -> tuple:
    if part == "smooth_losses":
        return (_copy(case["losses"]),)
    return (_copy(case["rates"]), _copy(case["smoothed"]))


def observe(part: str, fn, case: dict) -> dict:
    """One hidden case: the student's function on fresh copies of the case's inputs."""
    return _call(fn, _args(part, case), dict(case["kwargs"]), part == "suggest_learning_rate")


def _check(part, fn, args, expected, what, kwargs):
    obs = _call(fn, tuple(args), kwargs, part == "suggest_learning_rate")
    emit(what, obs)
    message = compare(part, obs, {"value": np.asarray(expected, dtype=np.float64), "kind": "f",
                                  "error": None, "problem": None})
    if message:
        raise AssertionError(f"{what}: {message}")


def check_smooth(fn, losses, expected, what: str, **kwargs) -> None:
    """A visible test: reports ``fn(losses, **kwargs)`` to the grader, then checks it for the
    student against ``expected`` (one smoothed value per loss)."""
    _check("smooth_losses", fn, [losses], expected, what, kwargs)


def check_suggest(fn, rates, smoothed, expected, what: str, **kwargs) -> None:
    """A visible test: reports ``fn(rates, smoothed, **kwargs)``, then checks it against
    ``expected`` (one learning rate)."""
    _check("suggest_learning_rate", fn, [rates, smoothed], expected, what, kwargs)


# ---------------------------------------------------------------- in the grader

def compare(part, got: dict, expected: dict) -> str | None:
    """``None`` when ``got`` agrees with ``expected``, else what differs and where.

    A crash agrees only with the same crash (a known mistake); a changed input is refused.
    Then the result must have the expected shape, hold floating-point numbers, and agree
    element by element to ``RTOL``."""
    if not isinstance(got, dict) or not isinstance(expected, dict):
        return "expected a result of the test's form, got something else."
    verdict = cmp.crash_or_contract(got, expected)
    if verdict is not cmp.BOTH_RAN:
        return verdict
    g = np.asarray(got["value"], dtype=np.float64)
    e = np.asarray(expected["value"], dtype=np.float64)
    if g.shape != e.shape:
        return (f"the result has shape {g.shape}, expected {e.shape}: one smoothed value per "
                "loss, as a 1-D array.")
    integers = got.get("kind") != "f" and expected.get("kind") == "f"
    note = ("\n  The result holds integers (dtype kind "
            f"{got.get('kind')!r}): an array made like integer losses keeps their dtype, and "
            "every average is truncated; make a float array." if integers else "")
    where = cmp.first_bad(g, e, ATOL + RTOL * np.abs(e))
    if where is None:
        return note.strip() or None
    if e.ndim:
        return cmp.difference("the smoothed loss", g, e, where) + (
            f"\n  (that is the output after {where[0] + 1} loss(es))") + note
    return cmp.difference("the suggested learning rate", g, e, where)


# ---------------------------------------------------------------- no Keras counterpart

def keras_observation(part: str, case: dict):
    """Keras has no learning-rate finder: nothing to cross-check."""
    return None


def max_difference(a: dict, b: dict) -> float:
    """Largest absolute difference of two observations' values (never called: no Keras check)."""
    x, y = np.asarray(a["value"], np.float64), np.asarray(b["value"], np.float64)
    return float(np.max(np.abs(x - y))) if x.shape == y.shape else float("inf")
