"""Chapter *Regularization*: inverted dropout, the ℓ2 penalty and its gradient, in NumPy.

The contract (``docs/exercise-contract.md``): ``Dropout(rate=0.5)`` with
``forward(x, train=True)`` and ``backward(dout)``, inverted like ``keras.layers.Dropout`` (kept
values are divided by ``1 − rate`` in training, inference returns ``x``), the boolean keep-mask
stored as ``self.mask``, random numbers from the global ``np.random``; ``l2_penalty(weights, lam)
= ½·lam·Σ‖W‖²`` over a list of arrays and ``l2_grad(w, lam) = lam·w``.

``l2_penalty`` and ``l2_grad`` are judged value by value against the solution's answers.
``Dropout`` is random, so it is judged by properties (``Part(judged="properties")``), never by
one particular draw. For each hidden case the kernel seeds ``np.random`` (a correct layer may use
its random numbers however it likes: ``rand > rate``, ``random >= rate``, ``binomial`` all pass)
and records facts about what the layer did (:func:`dropout_facts`); the grader classifies those
facts with bounds computed from the case's own inputs, as recorded in the *expected*
observation (:func:`verdicts`). The properties, in the order a failure message reports them:

1. the layer runs, and its output has the shape of ``x`` and is finite;
2. in training every output is ``0`` or ``x/(1 − rate)`` (Saito's non-inverted dropout, which
   keeps ``x`` unscaled, fails here);
3. ``forward`` leaves the caller's ``x`` unchanged;
4. ``self.mask`` has the shape of ``x``, holds only 0/1 (``bool``, or numbers 0 and 1: both are
   accepted) and is 1 exactly where the output is not 0;
5. the number of zeros lies in a two-sided binomial interval that a correct layer misses with
   probability below :data:`ALPHA` (computed exactly, in log space);
6. the sum of the outputs is within a Hoeffding bound of the sum of ``x`` (the mean is preserved
   in expectation), missed by a correct layer with probability below :data:`ALPHA`;
7. a second training call draws a new mask;
8. ``backward`` is zero exactly where the *last* training output is zero (the output, not the
   ``self.mask`` attribute, which a layer could set to anything);
9. elsewhere ``backward`` multiplies ``dout`` by ``1/(1 − rate)``;
10. ``forward(x, train=False)`` returns ``x`` unchanged.

With :data:`ALPHA` = 1e-7 and two random bounds per case, a correct layer fails the hidden cell
with probability below 2·5·1e-7 = 1e-6 (union bound; a repeated mask, property 7, has
probability below 1e-80 here). ``tests/chapters/test_regularization.py`` runs the solution and
every Dropout bug under 1,000 different seeds.

What the kernel reports are facts (counts, ratios, sums), not the raw arrays: a kernel that is
tampered with could report facts that no layer produced. That is the limit of judging random
output by properties in a kernel the student controls; the value parts are not affected.
"""
from __future__ import annotations

import functools
import math
import warnings

import numpy as np

from tdnn.chapters import Limits, Part
from tdnn.engine import compare as cmp
from tdnn.engine.report import emit

PARTS = {
    "dropout": Part(
        "Dropout",
        "Inverted dropout: in training, drop each element independently with probability "
        "rate (one draw per element, from np.random), remember which ones were kept in "
        "self.mask, and scale what is kept so that the expected value of the output equals x; "
        "backward lets the gradient through exactly where the forward pass did, with the same "
        "scale; with train=False the layer is the identity.",
        judged="properties"),
    "l2_penalty": Part(
        "l2_penalty",
        "The penalty is 0.5 * lam * (the sum of w**2 over every element of every array in "
        "the list weights): one number."),
    "l2_grad": Part(
        "l2_grad",
        "The gradient of 0.5 * lam * sum(w**2) with respect to w is lam * w: an array of w's "
        "shape, computed without changing w."),
}

#: NumPy exercises run in seconds.
LIMITS = Limits(cell_seconds=60, notebook_seconds=300, cpu_seconds=240, memory_bytes=2 * 1024**3)

#: A correct Dropout falls outside one statistical bound with probability below this.
ALPHA = 1e-7
#: Relative tolerance of a ratio out/x or dx/dout (float32 rounding is ~1e-7; every scaling
#: mistake is off by 10 % or more).
RATIO_RTOL = 1e-6
#: Value parts: float64 answers to rounding, float32 ones to float32 rounding of a sum.
RTOL, ATOL = 1e-10, 1e-12
FLOAT32_RTOL, FLOAT32_ATOL = 1e-5, 1e-6

DROPOUT_SPECS = [  # (rate or None for the default 0.5, shape, dtype)
    (None, (40, 30), "float64"),
    (0.2, (50, 24), "float64"),
    (0.75, (20, 60), "float64"),
    (0.1, (40, 25), "float32"),
    (0.35, (30, 40), "float64"),
]


# ---------------------------------------------------------------- cases (inputs only)

def _dropout_input(rng, shape, dtype):
    """Nonzero inputs, 0.5 <= |x| <= 1.5, three quarters positive (so the mean is far from 0)."""
    sign = np.where(rng.uniform(size=shape) < 0.25, -1.0, 1.0)
    return (sign * rng.uniform(0.5, 1.5, size=shape)).astype(dtype)


def cases(part: str) -> list[dict]:
    """The hidden cases of ``part``: inputs from fixed seeds, never expected outputs."""
    rng = np.random.default_rng(sum(map(ord, part)))
    out = []
    if part == "dropout":
        for i, (rate, shape, dtype) in enumerate(DROPOUT_SPECS):
            sig = "Dropout()" if rate is None else f"Dropout(rate={rate})"
            out.append({
                "name": f"{sig} [x of shape {shape}, {dtype}]",
                "rate": rate, "x": _dropout_input(rng, shape, dtype),
                "dout": _dropout_input(rng, shape, dtype),
                # what the layer's np.random.seed is: any other seed must give the same verdict
                "seed": 1000 + i})
    elif part == "l2_penalty":
        specs = [
            ("three arrays of different shapes", 0.1, [(4, 3), (3,), (3, 2)], "float64"),
            ("one array", 1.0, [(5, 4)], "float64"),
            ("two float32 arrays", 0.01, [(6, 5), (5,)], "float32"),
            ("four arrays, one of them 4-D", 2.5, [(2, 2, 3, 4), (4,), (4, 3), (3,)], "float64"),
        ]
        for name, lam, shapes, dtype in specs:
            weights = [rng.normal(size=s).astype(dtype) for s in shapes]
            out.append({"name": f"l2_penalty({name}, lam={lam})", "weights": weights,
                        "lam": lam})
    elif part == "l2_grad":
        specs = [((3, 4), 0.1, "float64"), ((5,), 1.0, "float64"), ((2, 3), 0.5, "float32"),
                 ((2, 2, 3), 3.0, "float64")]
        for shape, lam, dtype in specs:
            out.append({"name": f"l2_grad(w of shape {shape}, {dtype}, lam={lam})",
                        "w": rng.normal(size=shape).astype(dtype), "lam": lam})
    else:
        raise KeyError(part)
    return out


# ---------------------------------------------------------------- in the kernel

def _ratio_summary(num, den, scale):
    """How ``num/den`` compares with ``scale`` on the elements where ``num`` is not 0."""
    nonzero = num != 0
    ratio = np.asarray(num, dtype=np.float64)[nonzero] / np.asarray(den, dtype=np.float64)[nonzero]
    ok = np.abs(ratio - scale) <= RATIO_RTOL * scale
    bad = np.flatnonzero(nonzero.ravel())[~ok] if ratio.size else np.array([], dtype=int)
    summary = {"n_nonzero": int(nonzero.sum()), "n_off": int((~ok).sum()),
               "ratio_min": float(ratio.min()) if ratio.size else 0.0,
               "ratio_max": float(ratio.max()) if ratio.size else 0.0, "example": None}
    if bad.size:
        i = tuple(int(v) for v in np.unravel_index(bad[0], num.shape))
        summary["example"] = [list(i), float(den[i]), float(num[i])]
    return summary


def _as_array(value, shape, what):
    """``value`` as a float array of ``shape``, or the text of what is wrong with it."""
    try:
        a = np.asarray(value)
    except Exception as err:  # noqa: BLE001 - student code can return anything
        return f"{what} returned something that is not an array ({type(err).__name__})"
    if a.dtype.kind not in "biuf":
        return f"{what} returned an array of dtype {a.dtype}, not numbers"
    if a.shape != tuple(shape):
        return f"{what} returned an array of shape {a.shape}, expected the shape of x, {tuple(shape)}"
    if not np.all(np.isfinite(a)):
        return f"{what} returned values that are not finite (NaN or inf)"
    return a.astype(np.float64)


def _mask_status(layer, zeros) -> tuple[str, str]:
    """(class, detail) of ``self.mask`` after a training forward whose output is 0 at ``zeros``."""
    if not hasattr(layer, "mask"):
        return "missing", "the layer has no attribute mask after forward(x, train=True)"
    try:
        m = np.asarray(layer.mask)
    except Exception as err:  # noqa: BLE001
        return "not an array", f"self.mask is not an array ({type(err).__name__})"
    if m.shape != zeros.shape:
        return "wrong shape", f"self.mask has shape {m.shape}, x has shape {zeros.shape}"
    if m.dtype.kind not in "biuf" or not np.all((m == 0) | (m == 1)):
        return "not 0/1", f"self.mask (dtype {m.dtype}) holds values other than True/False (1/0)"
    differ = int(np.sum((m != 0) == zeros))
    if differ:
        return "disagrees", (f"self.mask marks {differ} elements differently from the output: "
                             "it must be True exactly where the output is kept")
    return "ok", ""


def dropout_facts(make_layer, x, dout, rate: float, seed: int) -> dict:
    """Everything the grader judges about one Dropout layer on input ``x``, never raising.

    Seeds ``np.random`` with ``seed``, then: a training forward, a second training forward, a
    backward of ``dout``, an inference forward."""
    x = np.asarray(x)
    xf = x.astype(np.float64)
    scale = 1.0 / (1.0 - rate)
    facts = {"kind": "dropout",
             "case": {"rate": float(rate), "shape": list(x.shape), "n": int(x.size),
                      "sum_x": float(xf.sum()), "sumsq_x": float(np.sum(xf * xf))},
             "error": None}
    step = "Dropout(...)"
    try:
        np.random.seed(seed)
        layer = make_layer()
        step = "forward(x, train=True)"
        x_in = x.copy()
        out = _as_array(layer.forward(x_in, train=True), x.shape, step)
        if isinstance(out, str):
            facts["error"] = out
            return facts
        facts["x_changed"] = bool(not np.array_equal(x_in, x))
        zeros = out == 0
        facts["train"] = _ratio_summary(out, xf, scale)
        facts["n_zero"] = int(zeros.sum())
        facts["sum_out"] = float(out.sum())
        facts["mask"] = list(_mask_status(layer, zeros))
        step = "a second forward(x, train=True)"
        out2 = _as_array(layer.forward(x.copy(), train=True), x.shape, step)
        if isinstance(out2, str):
            facts["error"] = out2
            return facts
        zeros2 = out2 == 0
        facts["same_mask"] = bool(np.array_equal(zeros, zeros2))
        step = "backward(dout)"
        dx = _as_array(layer.backward(np.array(dout)), x.shape, step)
        if isinstance(dx, str):
            facts["error"] = dx
            return facts
        facts["backward_zeros_differ"] = int(np.sum((dx == 0) != zeros2))
        kept = ~zeros2
        facts["backward"] = _ratio_summary(np.where(kept, dx, 0.0),
                                           np.asarray(dout, dtype=np.float64), scale)
        step = "forward(x, train=False)"
        inf = _as_array(layer.forward(x.copy(), train=False), x.shape, step)
        if isinstance(inf, str):
            facts["error"] = inf
            return facts
        facts["inference"] = {"n_zero": int(np.sum(inf == 0)),
                              "identity": bool(np.array_equal(inf, xf)),
                              **_ratio_summary(inf, xf, 1.0)}
    except Exception as err:  # noqa: BLE001 - a crash is a result, never a grader error
        facts["error"] = f"{step} raised {type(err).__name__}: {err}"
    return facts


def _value_observation(fn, args: tuple, inputs: list, loose: bool) -> dict:
    """Call ``fn(*args)``; its result as a float64 array, or what went wrong."""
    obs = {"kind": "value", "loose": bool(loose), "value": None, "error": None, "problem": None}
    before = [np.array(a) for a in inputs]
    try:
        result = fn(*args)
    except Exception as err:  # noqa: BLE001
        obs["error"] = f"the call raised {type(err).__name__}: {err}"
        return obs
    try:
        value = np.asarray(result)
        if value.dtype.kind not in "biuf":
            raise TypeError(f"dtype {value.dtype}")
        value = value.astype(np.float64)
        # a 0-d result travels as a Python float: the codec would send a 0-d array as shape (1,)
        obs["value"] = float(value) if value.ndim == 0 else value
    except Exception:  # noqa: BLE001
        obs["error"] = f"the call returned {type(result).__name__}, not a number or an array"
        return obs
    for i, (a, b) in enumerate(zip(inputs, before)):
        a = np.asarray(a)
        if not np.array_equal(a, b):
            name = f"input array {i}" if len(inputs) > 1 else "the input array"
            where = cmp.first_bad(a, b, 0.0)
            obs["problem"] = (f"the call changed {name}: compute a new result and leave the "
                              "caller's weights alone. The values of the input after the call "
                              "were compared with the values it had before:\n"
                              + cmp.difference(f"{name} after the call", a, b, where))
            break
    return obs


def observe(part: str, obj, case: dict):
    """One hidden case: the student's class or function ``obj`` on the case's inputs.

    Warnings are silenced: nbgrader 0.9.6 scores a cell that writes to stderr 0, and a warning
    (a student's 0/0, say) is not a wrong answer; what the code returned is judged instead."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return _observe(part, obj, case)


def _observe(part: str, obj, case: dict):
    if part == "dropout":
        rate = 0.5 if case["rate"] is None else case["rate"]
        make = (lambda: obj()) if case["rate"] is None else (lambda: obj(rate=case["rate"]))
        return dropout_facts(make, case["x"], case["dout"], rate, case["seed"])
    if part == "l2_penalty":
        weights = [np.array(w) for w in case["weights"]]
        loose = any(w.dtype == np.float32 for w in weights)
        return _value_observation(obj, (weights, case["lam"]), weights, loose)
    if part == "l2_grad":
        w = np.array(case["w"])
        return _value_observation(obj, (w, case["lam"]), [w], w.dtype == np.float32)
    raise KeyError(part)


# ---------------------------------------------------------------- visible checks

def check_dropout(cls, x, rate=None, seed=0, what="Dropout") -> None:
    """A visible test of a Dropout class on input ``x`` (no zeros in it): reports what the
    layer did to the grader, then checks every property for the student.

    ``rate=None`` builds ``cls()`` and expects the default rate 0.5."""
    x = np.asarray(x)
    if np.any(x == 0):
        raise ValueError("check_dropout needs an x without zeros")
    dout = np.linspace(0.5, 1.5, x.size).reshape(x.shape).astype(x.dtype)
    make = (lambda: cls()) if rate is None else (lambda: cls(rate=rate))
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        facts = dropout_facts(make, x, dout, 0.5 if rate is None else rate, seed)
    emit(what, facts)
    message = compare("dropout", facts, {"kind": "dropout", "ideal": True, "case": facts["case"]})
    if message:
        raise AssertionError(f"{what}: {message}")


def check_value(fn, args: tuple, expected, what: str) -> None:
    """A visible test of ``l2_penalty`` or ``l2_grad``: reports ``fn(*args)`` to the grader,
    then checks it against ``expected`` for the student."""
    inputs = [a for a in args if isinstance(a, np.ndarray)]
    inputs += [w for a in args if isinstance(a, (list, tuple)) for w in a
               if isinstance(w, np.ndarray)]
    loose = any(np.asarray(a).dtype == np.float32 for a in inputs)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        obs = _value_observation(fn, args, inputs, loose)
    emit(what, obs)
    message = compare(None, obs, {"kind": "value", "loose": loose, "error": None,
                                  "problem": None, "value": np.asarray(expected, np.float64)})
    if message:
        raise AssertionError(f"{what}: {message}")


# ---------------------------------------------------------------- in the grader

@functools.lru_cache(maxsize=None)
def binomial_interval(n: int, p: float, alpha: float = ALPHA) -> tuple[int, int]:
    """``(lo, hi)``: a Binomial(n, p) count falls below ``lo`` with probability <= alpha/2 and
    above ``hi`` with probability <= alpha/2 (exact tail sums, in log space)."""
    logs = [math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
            + (k * math.log(p) if k else 0.0) + ((n - k) * math.log1p(-p) if n - k else 0.0)
            for k in range(n + 1)]
    top = max(logs)
    pmf = [math.exp(v - top) for v in logs]
    total = math.fsum(pmf)
    pmf = [v / total for v in pmf]
    lo, tail = 0, 0.0
    while lo < n and tail + pmf[lo] <= alpha / 2:
        tail += pmf[lo]
        lo += 1
    hi, tail = n, 0.0
    while hi > 0 and tail + pmf[hi] <= alpha / 2:
        tail += pmf[hi]
        hi -= 1
    return lo, hi


def hoeffding_halfwidth(sumsq_x: float, rate: float, alpha: float = ALPHA) -> float:
    """``t`` with P(|Σ out − Σ x| > t) <= alpha for a correct inverted dropout: each term
    ``x_i·m_i/(1 − rate)`` lies in an interval of width ``|x_i|/(1 − rate)`` (Hoeffding)."""
    return math.sqrt(math.log(2 / alpha) / 2 * sumsq_x) / (1.0 - rate)


def _fmt(v: float) -> str:
    return f"{v:.6g}"


def _ratio_class(summary, scale, name):
    """(class, text) of a ratio summary: all equal to ``scale``, one other constant, or mixed."""
    if summary["n_off"] == 0:
        return "ok", ""
    lo, hi = summary["ratio_min"], summary["ratio_max"]
    if abs(hi - lo) <= RATIO_RTOL * max(abs(hi), abs(lo), 1e-300):
        cls = f"scaled by {lo:.4g}"
        text = f"every nonzero {name} is {lo:.6g} times its input"
    else:
        cls = "mixed"
        text = (f"{summary['n_off']} of {summary['n_nonzero']} nonzero values of {name} are not "
                f"{_fmt(scale)} times their input (ratios from {lo:.6g} to {hi:.6g})")
    if summary["example"]:
        i, a, b = summary["example"]
        text += f"; e.g. at index {tuple(i)}: input {a:.6g}, {name} {b:.6g}"
    return cls, text


def verdicts(facts: dict, case: dict) -> list[tuple[str, str, str, str]]:
    """``[(property, class, expected, got)]`` for the dropout facts of one case, judged with the
    bounds of ``case`` (from the expected observation); class ``"ok"`` where it holds."""
    if facts.get("ideal"):
        return []
    rate, n = case["rate"], case["n"]
    scale = 1.0 / (1.0 - rate)
    out = []
    if facts.get("error"):
        return [("runs", facts["error"], "the layer to run", facts["error"])]

    def add(prop, cls, expected, got):
        out.append((prop, cls, expected, got))

    cls, text = _ratio_class(facts["train"], scale, "output")
    add("training values", cls,
        f"every output of forward(x, train=True) to be 0 or x/(1 - rate) = {_fmt(scale)}·x "
        f"(rate={rate}: inverted dropout scales the kept values up in training)", text)
    add("input unchanged", "changed" if facts["x_changed"] else "ok",
        "forward to leave the caller's x unchanged", "forward changed x in place")
    add("self.mask", facts["mask"][0],
        "self.mask: the boolean keep-mask of x's shape, True exactly where the output is kept",
        facts["mask"][1])
    lo, hi = binomial_interval(n, rate)
    k = facts["n_zero"]
    add("dropped fraction", "ok" if lo <= k <= hi else ("too few zeros" if k < lo else
                                                        "too many zeros"),
        f"between {lo} and {hi} zeros among the {n} outputs (each dropped with probability "
        f"rate={rate}: a binomial interval a correct layer misses with probability < {ALPHA:g})",
        f"{k} zeros ({k / n:.3f} of the outputs)")
    t = hoeffding_halfwidth(case["sumsq_x"], rate)
    d = facts["sum_out"] - case["sum_x"]
    add("mean preserved", "ok" if abs(d) <= t else ("too small" if d < 0 else "too large"),
        f"sum of the outputs within {t:.4g} of the sum of x, {case['sum_x']:.6g} (the mean is "
        f"preserved in expectation; Hoeffding bound, missed with probability < {ALPHA:g})",
        f"{facts['sum_out']:.6g}, i.e. {facts['sum_out'] / case['sum_x']:.4f} times the sum of x")
    add("fresh mask", "same mask twice" if facts["same_mask"] else "ok",
        "each forward(x, train=True) to draw a new mask",
        "two training calls dropped exactly the same elements")
    diff = facts["backward_zeros_differ"]
    add("backward mask", "differs" if diff else "ok",
        "backward(dout) to be 0 exactly where the last training output was 0 (the same mask)",
        f"{diff} of {n} elements where backward is zero and the output was not, or the "
        "other way round")
    cls, text = _ratio_class(facts["backward"], scale, "dx")
    add("backward scale", cls,
        f"backward(dout) = dout·mask/(1 - rate) = {_fmt(scale)}·dout where the mask keeps", text)
    inf = facts["inference"]
    if inf["identity"]:
        cls, text = "ok", ""
    elif inf["n_zero"]:
        cls, text = "drops values", f"{inf['n_zero']} of {n} outputs were 0 with train=False"
    else:
        cls, text = _ratio_class(inf, 1.0, "output")
        cls = "changed" if cls == "ok" else cls
        text = text or "the output is not exactly x"
    add("inference", cls, "forward(x, train=False) to return x unchanged (inverted dropout does "
        "all its scaling in training)", text)
    return out


def _compare_dropout(got: dict, expected: dict) -> str | None:
    case = expected["case"]
    want = cmp.first_failure(verdicts(expected, case))
    try:
        mine = verdicts(got, case)
    except (KeyError, TypeError, IndexError):
        return "expected the facts a Dropout layer reports, got an unreadable result."
    return cmp.by_properties(mine, want)


def _compare_value(got: dict, expected: dict) -> str | None:
    verdict = cmp.crash_or_contract(got, expected)
    if verdict is not cmp.BOTH_RAN:
        return verdict
    g, e = np.asarray(got["value"], dtype=np.float64), np.asarray(expected["value"])
    if expected.get("loose"):
        slack = FLOAT32_ATOL + FLOAT32_RTOL * np.abs(e)
    else:
        slack = ATOL + RTOL * np.abs(e)
    where = cmp.first_bad(g, e, slack)
    if where is None:
        return None
    if where == "shape":
        return (f"the result has shape {g.shape}, expected {e.shape}"
                + (" (one number: sum over every array)" if e.ndim == 0 else "") + ".")
    if e.ndim == 0:
        return (f"the result differs from the expected value.\n"
                f"  first difference at index (): expected {float(e)!r}, got {float(g)!r} "
                f"(got/expected = {float(g) / float(e):.6g})")
    return cmp.difference("the result", g, e, where)


def compare(part, got, expected) -> str | None:
    """``None`` when ``got`` agrees with ``expected``, else the teaching message.

    Dropout: ``got`` agrees when its first failing property (with its class, e.g. "scaled by
    1") is the same as the expected observation's: none for the solution, so every property
    must hold; a known mistake's for matching its hint."""
    if not isinstance(got, dict) or not isinstance(expected, dict):
        return "expected a result of the test's form, got something else."
    if expected.get("kind") == "dropout":
        return _compare_dropout(got, expected)
    return _compare_value(got, expected)
