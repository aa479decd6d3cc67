"""Chapter *Vanishing and exploding gradients*: non-saturating activations and their derivatives,
and a numerical gradient to check them, in NumPy.

The contract (``docs/exercise-contract.md``, *Other NumPy functions*): ``leaky_relu(x,
alpha=0.01)``, ``elu(x, alpha=1.0)``, ``selu(x)`` and their derivatives ``*_grad`` act element by
element on an array and return an array of its shape and dtype, leaving ``x`` alone;
``numerical_gradient(f, x, h=1e-5)`` returns the centred-difference gradient of a scalar function
``f`` at the array ``x``, with ``x`` unchanged afterwards.

What a hidden case checks: default and custom ``alpha``; several shapes; float64 and float32
(the result must keep the dtype of ``x``); inputs of ±100 and ±1000, where ``exp`` overflows (a
correct ELU gives ``x`` there, never ``nan``: ``np.where`` evaluates both branches, and the
``RuntimeWarning`` of the branch it discards costs nothing); tiny inputs down to ±1e-8 (never
exactly 0, where the derivatives are not defined); and, after every call, that ``x`` was not
modified. ``numerical_gradient`` is judged on the named functions of :data:`FUNCTIONS` (a case
must be data, so it names its function), separable and not, on float64 arrays of several shapes,
with the default and a custom ``h``.

The references come from the solution notebook and are cross-checked at build time against
``keras.activations`` (values) and TensorFlow's autodiff (derivatives, and the gradients of
:data:`FUNCTIONS`), on float64 tensors.
"""
from __future__ import annotations

import warnings

import numpy as np

from tdnn.chapters import Limits, Part
from tdnn.engine import compare as cmp
from tdnn.engine.report import emit

#: Klambauer et al. (2017), as Keras 3.15.1 writes them (``keras.activations.selu``).
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

PARTS = {
    "numerical_gradient": Part(
        "numerical_gradient",
        "A centred difference per element: move one element of x by +h and by -h, evaluate f "
        "at both, divide their difference by 2h, and restore the element before the next one. "
        "Return an array of x's shape, and leave x as you found it."),
    "leaky_relu": Part("leaky_relu", "x where x > 0, alpha * x elsewhere (alpha defaults to "
                       "0.01); return a new array of x's dtype and leave x unchanged."),
    "leaky_relu_grad": Part("leaky_relu_grad", "The derivative is 1 where x > 0 and alpha "
                            "elsewhere: it does not depend on the size of x. Return x's dtype."),
    "elu": Part("elu", "x where x > 0, alpha * (exp(x) - 1) elsewhere (alpha defaults to 1.0); "
                "the result must be finite for x = 1000 and keep x's dtype."),
    "elu_grad": Part("elu_grad", "1 where x > 0, alpha * exp(x) elsewhere; finite for "
                     "x = 1000, of x's dtype."),
    "selu": Part("selu", "scale * x where x > 0, scale * alpha * (exp(x) - 1) elsewhere, with "
                 "alpha ≈ 1.6733 and scale ≈ 1.0507 (at least 4 decimals)."),
    "selu_grad": Part("selu_grad", "scale where x > 0, scale * alpha * exp(x) elsewhere, with "
                      "alpha ≈ 1.6733 and scale ≈ 1.0507 (at least 4 decimals)."),
}
ACTIVATIONS = [p for p in PARTS if p != "numerical_gradient"]
#: Custom keyword arguments of one hidden case per part (SELU has none).
CUSTOM = {"leaky_relu": {"alpha": 0.3}, "leaky_relu_grad": {"alpha": 0.3},
          "elu": {"alpha": 0.5}, "elu_grad": {"alpha": 2.0}}

#: NumPy exercises run in seconds: a cell that takes a minute is a loop that will not end.
LIMITS = Limits(cell_seconds=60, notebook_seconds=300, cpu_seconds=240, memory_bytes=2 * 1024**3)

#: Activation values and derivatives agree within ATOL + RTOL·|expected|. float64: ``exp(x) - 1``
#: and ``expm1(x)`` differ by ~1e-16 absolute (a relative 1e-8 at x = 1e-8), so the absolute
#: part carries tiny inputs; every mistake in ``autograder/variants/`` is off by far more.
RTOL = {np.dtype(np.float64): 1e-9, np.dtype(np.float32): 2e-5}
ATOL = {np.dtype(np.float64): 1e-12, np.dtype(np.float32): 1e-6}
#: SELU's constants need only be right to 4 decimals (the contract): 1.6733 is 2.2e-5 away from
#: alpha relatively. Rounded to 2 decimals (1.67, 1.05) they are 7e-4 and 2e-3 off.
SELU_RTOL = 5e-5
#: Centred differences with h = 1e-5 on the functions below are exact to ~1e-10 (truncation
#: h²·f'''/6 and rounding eps·|f|/h); forward differences are off by h·f''/2 ~ 5e-6, a step
#: that is not undone by h ~ 1e-5 times a second derivative.
GRAD_RTOL, GRAD_ATOL = 1e-7, 1e-8
#: ``x[i] += h; ...; x[i] -= 2*h; ...; x[i] += h`` may leave x[i] one rounding away from where
#: it was; a value that was not put back is h away.
X_ATOL = 1e-12
#: Keras stores leaky_relu's slope as a float32 (0.3 -> 0.30000001), so at x = -1000 it is 1e-5
#: away in absolute terms: :func:`max_difference` is relative to max(1, |value|).
KERAS_ATOL = 1e-6


# ---------------------------------------------------------------- functions for numerical_gradient

_A = np.random.default_rng(7).normal(size=(64, 64)) / 4


def _sin_x2(x, ops=np):
    return ops.sum(ops.sin(x) * x * x)


def _logsumexp(x, ops=np):
    return ops.log(ops.sum(ops.exp(x)))


def _quadratic_cos(x, ops=np):
    v = ops.reshape(x, (-1,))
    a = _A[:v.shape[0], :v.shape[0]]
    return ops.sum(v * ops.matmul(a, v)) + ops.sum(ops.cos(v))


def _tanh_product(x, ops=np):
    return ops.sum(ops.tanh(x)) * ops.sum(x * x) / 10


#: The scalar functions a ``numerical_gradient`` case may name: each takes an array (and, for
#: the Keras cross-check, ``ops=keras.ops``). Only the first is separable.
FUNCTIONS = {
    "sum(sin(x) * x**2)": _sin_x2,
    "log(sum(exp(x)))": _logsumexp,
    "v @ A @ v + sum(cos(v)), v = x.ravel()": _quadratic_cos,
    "sum(tanh(x)) * sum(x**2) / 10": _tanh_product,
}


# ---------------------------------------------------------------- cases (inputs only)

def _away_from_zero(rng, shape, low, high):
    """Values with low <= |x| <= high and random signs: never exactly 0."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(low, high, size=shape)


def _call(part: str, kwargs: dict, x: np.ndarray, note: str) -> str:
    args = "".join(f", {k}={v!r}" for k, v in kwargs.items())
    shape = "x".join(map(str, x.shape))
    return f"{PARTS[part].name}(x{args}) [{note}, {shape} {x.dtype}]"


def cases(part: str) -> list[dict]:
    """The hidden cases of ``part``, inputs only, from a fixed seed per part."""
    rng = np.random.default_rng(sum(map(ord, part)))
    if part == "numerical_gradient":
        return _gradient_cases(rng)
    big = np.array([-1000.0, -100.0, -30.0, -1.5, 0.7, 30.0, 100.0, 1000.0])
    big32 = np.array([[-100.0, -90.0, -20.0, -0.5], [0.25, 20.0, 90.0, 100.0]], dtype=np.float32)
    tiny = np.array([-1e-3, -1e-5, -1e-8, 1e-8, 1e-5, 1e-3])
    specs = [
        ("values in (-5, 5)", {}, _away_from_zero(rng, (12,), 0.01, 5.0)),
        ("values in (-5, 5)", CUSTOM.get(part), _away_from_zero(rng, (3, 4), 0.01, 5.0)),
        ("values in (-5, 5)", {}, _away_from_zero(rng, (2, 3, 4), 0.01, 5.0).astype(np.float32)),
        ("large values, where exp overflows", {}, big),
        ("large values, where exp overflows float32", CUSTOM.get(part, {}), big32),
        ("tiny values, never exactly 0", {}, tiny),
    ]
    return [{"name": _call(part, kwargs, x, note), "kwargs": dict(kwargs), "x": x}
            for note, kwargs, x in specs if kwargs is not None]


def _gradient_cases(rng) -> list[dict]:
    specs = [
        ("sum(sin(x) * x**2)", {}, rng.uniform(-3, 3, size=(6,))),
        ("log(sum(exp(x)))", {}, rng.normal(size=(3, 4))),
        ("v @ A @ v + sum(cos(v)), v = x.ravel()", {}, rng.normal(size=(2, 3, 2))),
        ("sum(tanh(x)) * sum(x**2) / 10", {}, rng.normal(size=(5,))),
        ("sum(sin(x) * x**2)", {"h": 1e-2}, rng.uniform(-3, 3, size=(2, 3))),
    ]
    out = []
    for fname, kwargs, x in specs:
        args = "".join(f", {k}={v!r}" for k, v in kwargs.items())
        shape = "x".join(map(str, x.shape))
        out.append({"name": f"numerical_gradient(f, x{args}) [f = {fname}, x {shape}]",
                    "function": fname, "kwargs": dict(kwargs), "x": x})
    return out


# ---------------------------------------------------------------- in the kernel

def _as_result(out, what: str) -> np.ndarray:
    arr = np.asarray(out) if out is not None else None
    if arr is None or arr.dtype.kind not in "biuf":
        raise TypeError(f"{what} returned {type(out).__name__}, not an array of numbers "
                        "(did you forget `return`?)")
    return np.array(arr)


def run_function(fn, x: np.ndarray, kwargs: dict, what: str) -> dict:
    """Call ``fn(x, **kwargs)`` on a copy of ``x``; what it returned and what it left in ``x``,
    a crash recorded as text. Overflow warnings are silenced: they cost nothing."""
    x_in = np.array(x)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            value = _as_result(fn(x_in, **kwargs), what)
    except Exception as err:
        return {"value": None, "x_after": None,
                "error": f"{what} raised {type(err).__name__}: {err}"}
    return {"value": value, "x_after": np.array(x_in), "error": None}


def run_gradient(fn, f, x: np.ndarray, kwargs: dict, what: str) -> dict:
    """Call ``fn(f, x, **kwargs)`` (a numerical gradient) on a copy of ``x``, never raising."""
    x_in = np.array(x)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            value = _as_result(fn(f, x_in, **kwargs), what)
    except Exception as err:
        return {"value": None, "x_after": None,
                "error": f"{what} raised {type(err).__name__}: {err}"}
    return {"value": value, "x_after": np.array(x_in), "error": None}


def observe(part: str, fn, case: dict) -> dict:
    """A hidden case: the student's function ``fn`` on the case's input."""
    what = case["name"].split(" [")[0]
    if part == "numerical_gradient":
        return run_gradient(fn, FUNCTIONS[case["function"]], case["x"], case["kwargs"], what)
    return run_function(fn, case["x"], case["kwargs"], what)


def check_function(part: str, fn, x, expected, what: str, **kwargs) -> None:
    """A visible test of an activation or derivative: reports ``fn(x, **kwargs)`` to the
    grader, then checks it for the student against ``expected`` (and that ``x`` is unchanged)."""
    x = np.asarray(x)
    obs = run_function(fn, x, kwargs, what)
    emit(what, obs)
    message = compare(part, obs, {"value": np.asarray(expected, dtype=x.dtype), "x_after": x,
                                  "error": None})
    if message:
        raise AssertionError(f"{what}: {message}")


def check_gradient(fn, f, x, expected, what: str, **kwargs) -> None:
    """A visible test of ``numerical_gradient``: reports ``fn(f, x, **kwargs)``, then checks it
    against the exact gradient ``expected`` and checks that ``x`` is unchanged."""
    x = np.asarray(x, dtype=np.float64)
    obs = run_gradient(fn, f, x, kwargs, what)
    emit(what, obs)
    message = compare("numerical_gradient", obs,
                      {"value": np.asarray(expected, dtype=np.float64), "x_after": x,
                       "error": None})
    if message:
        raise AssertionError(f"{what}: {message}")


def derivative_report(numerical_gradient, pairs: dict, x=None) -> dict:
    """Not graded: each derivative ``grad`` of ``pairs`` (``{name: (fn, grad)}``) against
    ``numerical_gradient(lambda v: np.sum(fn(v)), x)``. Prints one line per function and
    returns ``{name: largest difference}`` (``None`` where something raised); never raises."""
    if x is None:
        x = np.array([-4.0, -2.5, -1.0, -0.3, -0.01, 0.02, 0.4, 1.3, 3.0])
    out = {}
    for name, (fn, grad) in pairs.items():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                approx = np.asarray(numerical_gradient(lambda v: float(np.sum(fn(v))), x.copy()))
                exact = np.asarray(grad(x.copy()))
                diff = float(np.max(np.abs(approx - exact)))
        except Exception as err:
            print(f"{name:16s} could not be checked: {type(err).__name__}: {err}")
            out[name] = None
            continue
        verdict = "agree" if diff < 1e-6 else "DISAGREE: check the derivative (or the gradient)"
        print(f"{name:16s} max |numerical - yours| = {diff:.1e}   {verdict}")
        out[name] = diff
    return out


# ---------------------------------------------------------------- in the grader

def _likely(part: str, g: np.ndarray, e: np.ndarray, where) -> str:
    """One line on what the first difference suggests, where that is clear from the numbers."""
    gv, ev = float(g[where]), float(e[where])
    if np.isnan(gv) and np.isfinite(ev):
        return ("\n  (nan where a number was expected: inf * 0 is nan, so multiplying a branch "
                "by a 0/1 mask does not remove an exp(x) that overflowed; use np.where)")
    if part != "numerical_gradient" and np.isfinite(gv) and ev != 0 and gv == 0:
        return "\n  (0 where the expected value is not: is the branch for x <= 0 missing?)"
    return ""


def compare(part, got: dict, expected: dict) -> str | None:
    """``None`` when ``got`` agrees with ``expected``, else what differs: the value first (its
    shape, its dtype, then element by element), then whether ``x`` was left as it was."""
    verdict = cmp.crash_or_contract(got, expected)
    if verdict is not cmp.BOTH_RAN:
        return verdict
    name = "the gradient" if part == "numerical_gradient" else "the result"
    g, e = np.asarray(got["value"]), np.asarray(expected["value"])
    if g.shape != e.shape:
        return cmp.difference(name, g, e, "shape") + (
            " It must have the shape of x." if part != "numerical_gradient" else
            " It must have the shape of x (np.zeros_like(x), filled element by element).")
    if g.dtype != e.dtype:
        return (f"{name} has dtype {g.dtype}, expected {e.dtype} (the dtype of x). "
                "np.where(x > 0, 1.0, alpha) is float64 whatever x is: build the result from x "
                "(np.ones_like(x), x * ..., np.exp(x)) or end with .astype(x.dtype).")
    if part == "numerical_gradient":
        slack = GRAD_ATOL + GRAD_RTOL * np.abs(e.astype(np.float64))
    else:
        rtol = SELU_RTOL if part in ("selu", "selu_grad") else RTOL.get(e.dtype, 2e-5)
        slack = ATOL.get(e.dtype, 1e-6) + rtol * np.abs(e.astype(np.float64))
    where = cmp.first_bad(g, e, slack)
    if where is not None:
        return cmp.difference(name, g, e, where) + _likely(part, g, e, where)
    xg, xe = np.asarray(got["x_after"]), np.asarray(expected["x_after"])
    where = cmp.first_bad(xg, xe, X_ATOL + X_ATOL * np.abs(xe.astype(np.float64)))
    if where is not None:
        return ("your function changed its input: after the call, "
                + cmp.difference("x", xg, xe, where)
                + "\n  (work on a copy, or put every x[i] you changed back: the caller still "
                  "needs x)")
    return None


# ---------------------------------------------------------------- the Keras cross-check

def keras_observation(part: str, case: dict) -> dict | None:
    """``keras.activations`` (values) and ``tf.GradientTape`` (derivatives and the gradients of
    :data:`FUNCTIONS`) on float64 tensors; ``None`` for float32 cases and for a
    ``numerical_gradient`` case with a large ``h`` (whose own truncation error is ~1e-5)."""
    x = np.asarray(case["x"])
    if x.dtype != np.float64 or case["kwargs"].get("h", 1e-5) > 1e-4:
        return None
    import keras  # seconds: only when references are built
    import tensorflow as tf

    kwargs = dict(case["kwargs"])
    if part == "numerical_gradient":
        f = FUNCTIONS[case["function"]]
        v = tf.Variable(x)
        with tf.GradientTape() as tape:
            y = f(v, ops=keras.ops)
        return {"value": tape.gradient(y, v).numpy(), "x_after": x, "error": None}
    base = part.removesuffix("_grad")
    if base == "leaky_relu":
        fn = lambda t: keras.activations.leaky_relu(t, negative_slope=kwargs.get("alpha", 0.01))  # noqa: E731
    elif base == "elu":
        fn = lambda t: keras.activations.elu(t, alpha=kwargs.get("alpha", 1.0))  # noqa: E731
    else:
        fn = keras.activations.selu
    v = tf.Variable(x)
    with tf.GradientTape() as tape:
        y = fn(v)
    value = tape.gradient(y, v) if part.endswith("_grad") else y
    return {"value": np.asarray(value.numpy(), dtype=np.float64), "x_after": x, "error": None}


def max_difference(a: dict, b: dict) -> float:
    """Largest difference of two results, relative to max(1, |b|), values and x alike."""
    if a["error"] or b["error"]:
        return float("inf")
    worst = 0.0
    for key in ("value", "x_after"):
        x, y = np.asarray(a[key], dtype=np.float64), np.asarray(b[key], dtype=np.float64)
        if x.shape != y.shape:
            return float("inf")
        with np.errstate(invalid="ignore"):
            diff = np.where(x == y, 0.0, np.abs(x - y) / np.maximum(1.0, np.abs(y)))
        if np.isnan(diff).any():  # nan on one side only: no agreement at all
            return float("inf")
        worst = max(worst, float(np.max(diff)) if diff.size else 0.0)
    return worst
