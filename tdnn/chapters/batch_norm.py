"""Chapter *Batch normalization*: the ``BatchNorm`` layer in NumPy, forward and backward.

The contract (``docs/exercise-contract.md``): ``BatchNorm(gamma, beta, momentum=0.9, eps=1e-5)``
with attributes ``gamma``, ``beta``, ``running_mean`` (zeros), ``running_var`` (ones), ``dgamma``
and ``dbeta``; ``forward(x, train=True)`` normalizes with the batch mean and *biased* variance in
training and updates the running statistics, ``running = momentum·running + (1 − momentum)·batch``,
and normalizes with the running statistics at inference, updating nothing; ``backward(dout)``
returns ``dx`` and sets ``dgamma`` and ``dbeta``.

The notebook grades the class in two parts, so that a mistake in the backward pass costs the
backward points only:

``forward``
    the cell that defines ``class BatchNorm`` with ``__init__`` and ``forward``. Its hidden cases
    run sequences of training and inference calls (default and custom momentum and eps, float32,
    a batch of one example, training and inference interleaved) and record, after every call, the
    output and both running statistics.
``backward``
    the cell ``class BatchNorm(BatchNorm):`` that adds ``backward``. Its hidden cases call the
    student's own ``forward`` (a training call and an inference call first, then a training call
    on the batch the backward pass is about) and record ``dx``, ``dgamma`` and ``dbeta``. The
    forward cell keeps ``self.xc`` (x − μ_B), ``self.std`` (√(σ²_B + eps)) and ``self.x_hat`` for
    it, Saito's names.

Every observation also says whether the caller's arrays (``x``, ``dout``, ``gamma``, ``beta``)
were modified. Every accepted form (``np.var`` or the variance written out, eps inside the
square root however it is written, the staged or the compact backward, with or without the
variance's own dependence on the mean, which is exactly zero) agrees with the solution to rounding,
so no case is a matter of convention.
"""
from __future__ import annotations

import warnings

import numpy as np

from tdnn.chapters import Limits, Part
from tdnn.engine import compare as cmp
from tdnn.engine.report import emit

PARTS = {
    "forward": Part("BatchNorm", "In training, normalize with the batch mean and the biased batch "
                    "variance (divide by N) and then update running = momentum*running + "
                    "(1 - momentum)*batch statistic; at inference (train=False) normalize with "
                    "running_mean and running_var and update nothing. running_mean starts at "
                    "zeros, running_var at ones."),
    "backward": Part("BatchNorm.backward", "dbeta = sum of dout over the batch (axis 0), dgamma "
                     "= sum of dout*x_hat over the batch; dx needs all three paths from x to the "
                     "loss: directly through x_hat, through the batch mean and through the batch "
                     "variance."),
}

#: NumPy exercises run in seconds: a cell that takes a minute is a loop that will not end.
LIMITS = Limits(cell_seconds=60, notebook_seconds=300, cpu_seconds=240, memory_bytes=2 * 1024**3)

#: A value agrees when it is within ATOL + RTOL·(|expected| + max |expected| of its array). Every
#: accepted form agrees with the solution to ~1e-15 of the array's scale; every mistake in
#: ``autograder/variants/batch_norm/`` misses by far more than 1e-8 on some case.
RTOL = {"float64": 1e-8, "float32": 1e-5}
ATOL = {"float64": 1e-12, "float32": 1e-6}
#: The visible backward check compares directional rates measured by centred differences
#: (step STEP along DIRECTIONS_PER_FEATURE random directions per feature), good to ~1e-9 of the
#: rates' scale here.
NUMERICAL_RTOL, NUMERICAL_ATOL = 1e-6, 1e-8
STEP, DIRECTIONS_PER_FEATURE = 1e-5, 2
#: Keras' BatchNormalization in float64 and TensorFlow's autodiff agree with the solution to a
#: few 1e-15 (measured with Keras 3.15.1 / TensorFlow 2.21.0).
KERAS_ATOL = 1e-12

FORWARD_KEYS = ("out", "running_mean", "running_var")
BACKWARD_KEYS = ("dx", "dgamma", "dbeta")


# ---------------------------------------------------------------- cases (inputs only)

def _batch(rng, n: int, loc, scale, dtype) -> np.ndarray:
    """n examples whose features have their own centre and spread (so the mean matters)."""
    return (loc + scale * rng.normal(size=(n, len(loc)))).astype(dtype)


def signature(kwargs: dict) -> str:
    return f"BatchNorm({', '.join(['gamma', 'beta'] + [f'{k}={v!r}' for k, v in kwargs.items()])})"


def _affine(rng, d: int, dtype):
    gamma = rng.uniform(0.5, 2.0, size=d) * rng.choice([-1.0, 1.0], size=d)
    beta = rng.uniform(-1.0, 1.0, size=d)
    return gamma.astype(dtype), beta.astype(dtype)


def _forward_cases(rng) -> list[dict]:
    T, F = True, False
    specs = [  # (what, kwargs, dtype, D, [(N, train), ...])
        ("4 training batches, then inference", {}, "float64", 3,
         [(8, T), (8, T), (8, T), (8, T), (5, F)]),
        ("3 training batches, then inference twice", {"momentum": 0.7, "eps": 0.5}, "float64",
         4, [(6, T), (6, T), (6, T), (4, F), (2, F)]),
        ("training and inference interleaved", {}, "float64", 2,
         [(5, T), (3, F), (5, T), (1, F), (4, F)]),
        ("float32 arrays: 3 training batches, then inference", {}, "float32", 3,
         [(8, T), (8, T), (8, T), (5, F)]),
        ("batches of one example (variance 0: only eps keeps x_hat finite), then inference",
         {}, "float64", 3, [(1, T), (1, T), (2, F)]),
        ("5 training batches, then inference", {"momentum": 0.99, "eps": 1e-3}, "float64", 5,
         [(4, T), (4, T), (4, T), (4, T), (4, T), (3, F)]),
    ]
    out = []
    for what, kwargs, dtype, d, calls in specs:
        gamma, beta = _affine(rng, d, dtype)
        loc, scale = rng.uniform(-3, 3, size=d), rng.uniform(0.5, 3.0, size=d)
        out.append({"name": f"{signature(kwargs)} [{what}]", "kwargs": kwargs, "gamma": gamma,
                    "beta": beta,
                    "calls": [{"x": _batch(rng, n, loc, scale, dtype), "train": train}
                              for n, train in calls],
                    "conventions": False})
    return out


def _backward_cases(rng) -> list[dict]:
    specs = [  # (what, kwargs, dtype, N, D); N == D first: a wrong axis keeps the shape there
        ("a 4×4 batch", {}, "float64", 4, 4),
        ("an 8×3 batch", {"momentum": 0.7, "eps": 0.5}, "float64", 8, 3),
        ("a 16×5 batch", {}, "float64", 16, 5),
        ("a 2×3 batch", {}, "float64", 2, 3),
        ("float32 arrays, a 6×4 batch", {}, "float32", 6, 4),
        ("a batch of one example (x_hat = 0: dx is exactly zero)", {}, "float64", 1, 3),
    ]
    out = []
    for what, kwargs, dtype, n, d in specs:
        gamma, beta = _affine(rng, d, dtype)
        loc, scale = rng.uniform(-3, 3, size=d), rng.uniform(0.5, 3.0, size=d)
        dout = rng.normal(size=(n, d)) + rng.uniform(-1, 1, size=d)  # columns of nonzero mean
        out.append({"name": f"{signature(kwargs)} [{what}]", "kwargs": kwargs, "gamma": gamma,
                    "beta": beta,
                    # two earlier calls, so backward must use the last training call's values
                    "before": [{"x": _batch(rng, n + 2, loc, scale, dtype), "train": True},
                               {"x": _batch(rng, 3, loc, scale, dtype), "train": False}],
                    "x": _batch(rng, n, loc, scale, dtype), "dout": dout.astype(dtype),
                    "conventions": False})
    return out


def cases(part: str) -> list[dict]:
    """The hidden cases of ``part``: constructor arguments and input batches, from a fixed seed."""
    rng = np.random.default_rng(sum(map(ord, f"batch_norm/{part}")))
    return _forward_cases(rng) if part == "forward" else _backward_cases(rng)


# ---------------------------------------------------------------- in the kernel

def _read(obj, name: str):
    """A copy of attribute ``name`` of the student's layer, or the text of what is wrong."""
    if not hasattr(obj, name):
        return None, f"the layer has no attribute {name!r}"
    try:
        return np.array(getattr(obj, name), dtype=None), None
    except Exception as err:
        return None, f"{name} is not an array ({type(err).__name__}: {err})"


def _as_array(value, what: str):
    try:
        a = np.array(value)
    except Exception as err:
        return None, f"{what} is not an array ({type(err).__name__}: {err})"
    if a.dtype.kind not in "biuf":
        return None, f"{what} is not an array of numbers (dtype {a.dtype})"
    return a, None


def _dtype(case_array) -> str:
    return str(np.asarray(case_array).dtype)


def forward_run(make_layer, calls: list[dict], dtype: str) -> dict:
    """Run ``forward`` on each ``{"x", "train"}`` of ``calls``; what it did, never raising.

    After every call: the output and copies of ``running_mean`` and ``running_var``. A crash or a
    broken contract (the caller's array modified, a missing attribute) is recorded as text."""
    obs = {"dtype": dtype, "calls": [], "error": None, "problem": None}
    try:
        layer = make_layer()
    except Exception as err:
        obs["error"] = f"the constructor raised {type(err).__name__}: {err}"
        return obs
    for i, call in enumerate(calls, start=1):
        x = np.array(call["x"])
        mode = "training" if call["train"] else "inference"
        try:
            out = layer.forward(x, train=call["train"])
        except Exception as err:
            obs["error"] = (f"call {i} ({mode}): forward(x, train={call['train']}) raised "
                            f"{type(err).__name__}: {err}")
            return obs
        record = {"train": bool(call["train"])}
        for key, (value, why) in zip(FORWARD_KEYS, [_as_array(out, "the output of forward()"),
                                                     _read(layer, "running_mean"),
                                                     _read(layer, "running_var")]):
            if why:
                obs["error"] = f"call {i} ({mode}): {why}"
                return obs
            record[key] = value
        obs["calls"].append(record)
        if obs["problem"] is None and not np.array_equal(x, call["x"], equal_nan=True):
            obs["problem"] = (f"call {i} ({mode}): forward() changed its input x; compute new "
                              "arrays (x - mu, not x -= mu): the caller still needs x.")
    return obs


def backward_run(make_layer, before: list[dict], x, dout, dtype: str) -> dict:
    """Earlier ``forward`` calls, a training ``forward(x)``, then ``backward(dout)``: ``dx``,
    ``dgamma``, ``dbeta``, never raising."""
    obs = {"dtype": dtype, "dx": None, "dgamma": None, "dbeta": None, "error": None,
           "problem": None}
    try:
        layer = make_layer()
        for call in before:
            layer.forward(np.array(call["x"]), train=call["train"])
        x_in, dout_in = np.array(x), np.array(dout)
        layer.forward(x_in, train=True)
    except Exception as err:
        obs["error"] = (f"before backward() could run, the constructor or forward() raised "
                        f"{type(err).__name__}: {err} (make the forward part pass first)")
        return obs
    try:
        dx = layer.backward(dout_in)
    except Exception as err:
        obs["error"] = f"backward(dout) raised {type(err).__name__}: {err}"
        return obs
    for key, (value, why) in zip(BACKWARD_KEYS, [_as_array(dx, "the value backward() returned"),
                                                  _read(layer, "dgamma"), _read(layer, "dbeta")]):
        if why:
            obs["error"] = f"after backward(dout): {why}"
            return obs
        obs[key] = value
    if not np.array_equal(dout_in, dout, equal_nan=True):
        obs["problem"] = ("backward() changed its input dout; compute new arrays (dout * gamma, "
                          "not dout *= gamma): the layer below may still need it.")
    elif not np.array_equal(x_in, x, equal_nan=True):
        obs["problem"] = "forward() changed its input x; compute new arrays (x - mu, not x -= mu)."
    return obs


def _make(cls, case: dict):
    return lambda: cls(np.array(case["gamma"]), np.array(case["beta"]), **case["kwargs"])


def observe(part: str, cls, case: dict) -> dict:
    """A hidden case: the student's class ``cls`` with the case's arguments.

    Warnings are silenced here: nbgrader scores any cell that writes to stderr 0, and a hidden
    case the student cannot see must be judged by its values alone (a NaN or an infinity that
    a warning announced still fails the comparison). The visible checks leave warnings alone,
    so the student sees them there."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if part == "forward":
            return forward_run(_make(cls, case), case["calls"], _dtype(case["calls"][0]["x"]))
        return backward_run(_make(cls, case), case["before"], case["x"], case["dout"],
                            _dtype(case["x"]))


def check_forward(make_layer, calls: list[tuple], expected: list[dict],
                  what: str = "BatchNorm") -> None:
    """A visible test: runs ``forward`` on each ``(x, train)`` of ``calls``, reports what came
    back to the grader, then checks it for the student against ``expected`` (one dict with
    ``out``, ``running_mean`` and ``running_var`` per call)."""
    calls = [{"x": np.asarray(x), "train": bool(train)} for x, train in calls]
    obs = forward_run(make_layer, calls, _dtype(calls[0]["x"]))
    emit(what, obs)
    want = {"dtype": obs["dtype"], "error": None, "problem": None,
            "calls": [{"train": c["train"], **{k: np.asarray(e[k], dtype=np.float64)
                                               for k in FORWARD_KEYS}}
                      for c, e in zip(calls, expected)]}
    message = compare(None, obs, want)
    if message:
        raise AssertionError(f"{what}: {message}")


def check_backward(cls, gamma, beta, x, dout, what: str = "BatchNorm.backward",
                   **kwargs) -> None:
    """A visible test: ``forward(x)`` in training, then ``backward(dout)``; reports ``dx``,
    ``dgamma`` and ``dbeta`` to the grader, then checks them for the student against the
    student's own ``forward`` (on fresh layers): along random directions ``v`` confined to one
    feature, the loss ``sum(forward(x) * dout)`` must change at the rate ``sum(grad * v)`` the
    gradient predicts, measured by a centred difference.

    Directional rates rather than an element-by-element numerical gradient: that gradient is the
    vanishing-gradients chapter's graded exercise, and the student edition must not hand it over.
    One feature at a time still says where a gradient goes wrong."""
    gamma, beta, x, dout = (np.asarray(a, dtype=np.float64) for a in (gamma, beta, x, dout))
    obs = backward_run(lambda: cls(gamma.copy(), beta.copy(), **kwargs), [], x, dout, "float64")
    emit(what, obs)
    if obs["error"] or obs["problem"]:
        raise AssertionError(f"{what}: {obs['error'] or obs['problem']}")

    point = {"x": x, "gamma": gamma, "beta": beta}

    def loss(**moved) -> float:
        at = {**point, **moved}
        layer = cls(at["gamma"].copy(), at["beta"].copy(), **kwargs)
        return float(np.sum(layer.forward(at["x"].copy(), train=True) * dout))

    rng = np.random.default_rng(0)
    for key in BACKWARD_KEYS:
        name = key[1:]
        grad, base = np.asarray(obs[key], dtype=np.float64), point[name]
        if grad.shape != base.shape:
            raise AssertionError(f"{what}: {key} has shape {grad.shape}, expected {base.shape} "
                                 f"(the shape of {name}).")
        trials = []
        for j in range(base.shape[-1]):
            for _ in range(DIRECTIONS_PER_FEATURE):
                v = np.zeros_like(base)
                v[..., j] = rng.normal(size=base[..., j].shape)
                try:
                    measured = (loss(**{name: base + STEP * v})
                                - loss(**{name: base - STEP * v})) / (2 * STEP)
                except Exception as err:
                    raise AssertionError(f"{what}: checking {key} could not run your forward(): "
                                         f"{type(err).__name__}: {err}") from None
                trials.append((j, v, float(np.sum(grad * v)), measured))
        scale = max(abs(m) for *_, m in trials)
        for j, v, predicted, measured in trials:
            if not abs(predicted - measured) <= NUMERICAL_ATOL + NUMERICAL_RTOL * (abs(measured) + scale):
                column = "[:, j]" if base.ndim == 2 else "[j]"
                raise AssertionError(
                    f"{what}: {key} disagrees with your forward pass at feature j = {j}.\n"
                    f"  moving {name}{column} by h·v, v = {cmp.fmt(v[..., j])}, changes "
                    f"sum(forward(x) * dout) at the rate {measured!r} (centred difference, "
                    f"h = {STEP:g});\n"
                    f"  your {key} predicts sum({key}{column} * v) = {predicted!r}.\n"
                    f"  your {key}{column}: {cmp.fmt(grad[..., j])}\n"
                    f"  ({_backward_hint(key)})")


def _backward_hint(key: str) -> str:
    return {"dx": "dx collects three paths: through x_hat directly, through the batch mean and "
                  "through the batch variance",
            "dgamma": "dgamma = sum over the batch (axis 0) of dout * x_hat, one value per feature",
            "dbeta": "dbeta = sum over the batch (axis 0) of dout, one value per feature"}[key]


# ---------------------------------------------------------------- in the grader

def _judge_array(name: str, got, expected, dtype: str) -> str | None:
    if got is None:
        return f"{name} was not reported."
    g, e = np.asarray(got), np.asarray(expected)
    if dtype == "float64" and g.dtype != np.float64:
        return (f"{name} has dtype {g.dtype}, expected float64: with float64 inputs keep "
                "float64 (no casts to float32, no integer arrays).")
    e64 = e.astype(np.float64)
    finite = np.abs(e64[np.isfinite(e64)])
    scale = finite.max() if finite.size else 0.0
    slack = ATOL[dtype] + RTOL[dtype] * (np.abs(e64) + scale)
    where = cmp.first_bad(g, e64, slack)
    if where is None:
        return None
    return cmp.difference(name, g, e64, where)


def _tolerance_dtype(expected: dict) -> str:
    return "float32" if expected.get("dtype") == "float32" else "float64"


def compare(part, got: dict, expected: dict) -> str | None:
    """``None`` when the observation ``got`` agrees with ``expected``, else what differs.

    The tolerance follows the case's input dtype, which the reference records (never the
    student's), so a float64 case is judged to 1e-8 of its array's scale, a float32 one to 1e-5."""
    verdict = cmp.crash_or_contract(got, expected)
    if verdict is not cmp.BOTH_RAN:
        return verdict
    dtype = _tolerance_dtype(expected)
    if "calls" in expected:
        got_calls = got.get("calls") or []
        if len(got_calls) != len(expected["calls"]):
            return f"{len(got_calls)} calls were reported, expected {len(expected['calls'])}."
        for i, (g, e) in enumerate(zip(got_calls, expected["calls"]), start=1):
            mode = " (training)" if e.get("train") else " (inference)"
            for key in FORWARD_KEYS:
                text = _judge_array(key, g.get(key), e[key], dtype)
                if text:
                    return f"after call {i}{mode}, {text}"
        return None
    for key in BACKWARD_KEYS:
        text = _judge_array(key, got.get(key), expected[key], dtype)
        if text:
            return text
    return None


# ---------------------------------------------------------------- the Keras cross-check

def _keras_layer(keras, case: dict):
    kw = case["kwargs"]
    layer = keras.layers.BatchNormalization(momentum=kw.get("momentum", 0.9),
                                            epsilon=kw.get("eps", 1e-5), dtype="float64")
    layer.build((None, len(case["gamma"])))
    layer.gamma.assign(np.asarray(case["gamma"], dtype=np.float64))
    layer.beta.assign(np.asarray(case["beta"], dtype=np.float64))
    return layer


def keras_observation(part: str, case: dict) -> dict | None:
    """``keras.layers.BatchNormalization(momentum, epsilon, dtype="float64")`` on the float64
    cases; for the backward part, ``dx``, ``dgamma`` and ``dbeta`` by TensorFlow's autodiff of
    ``sum(layer(x, training=True) * dout)``. float32 cases: ``None`` (same algorithm)."""
    first = case["calls"][0]["x"] if part == "forward" else case["x"]
    if np.asarray(first).dtype != np.float64:
        return None
    import keras  # seconds: only when references are built
    import tensorflow as tf

    layer = _keras_layer(keras, case)
    if part == "forward":
        calls = []
        for call in case["calls"]:
            out = layer(np.asarray(call["x"]), training=call["train"])
            calls.append({"train": bool(call["train"]), "out": np.array(keras.ops.convert_to_numpy(out)),
                          "running_mean": np.array(layer.moving_mean.numpy()),
                          "running_var": np.array(layer.moving_variance.numpy())})
        return {"dtype": "float64", "calls": calls, "error": None, "problem": None}
    for call in case["before"]:
        layer(np.asarray(call["x"]), training=call["train"])
    x = tf.Variable(np.asarray(case["x"]))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(x, training=True) * np.asarray(case["dout"]))
    dx, dgamma, dbeta = tape.gradient(loss, [x, layer.gamma, layer.beta])
    return {"dtype": "float64", "dx": dx.numpy(), "dgamma": dgamma.numpy(),
            "dbeta": dbeta.numpy(), "error": None, "problem": None}


def max_difference(a: dict, b: dict) -> float:
    """Largest absolute difference between two observations (for the Keras cross-check)."""
    if a["error"] or b["error"]:
        return float("inf")
    if "calls" in a:
        if len(a["calls"]) != len(b["calls"]):
            return float("inf")
        pairs = [(x[k], y[k]) for x, y in zip(a["calls"], b["calls"]) for k in FORWARD_KEYS]
    else:
        pairs = [(a[k], b[k]) for k in BACKWARD_KEYS]
    return max(float(np.max(np.abs(np.asarray(p, dtype=np.float64) - q))) for p, q in pairs)
