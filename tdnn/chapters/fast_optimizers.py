"""Chapter *Fast optimizers*: SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam and AdamW in NumPy.

The contract (``docs/exercise-contract.md``): ``Class(**hyperparameters)``, then
``update(params, grads)`` with two dicts of arrays under the same keys changes each
``params[key]`` in place, one step per call, state kept per key, ``grads`` left alone.

What a hidden case checks, besides several steps on several keys: default and custom
hyperparameters; two keys of one shape (state shared across keys shows as wrong values, not
only as a broadcast error); float32; coordinates whose gradient is zero (``0/0`` where eps is
missing or misplaced); and, for the parts with ``eps``, ``eps=0.5`` (an ``eps`` that is ignored,
or added in the wrong place, changes every step) and gradients near 1e-6 (where the default eps
is part of every step, so a wrong default shows). Where eps sits is a convention, so the grader
accepts each accepted form's own answer (eps inside or outside the square root, Adam's bias
correction folded into the step size): :mod:`tdnn.engine.references` computes one answer per
``correct_*`` variant in ``autograder/variants/fast_optimizers/``.
"""
from __future__ import annotations

import numpy as np

from tdnn.chapters import Limits, Part
from tdnn.engine import compare as cmp
from tdnn.engine.report import emit

PARTS = {
    "sgd": Part("SGD", "SGD has no state: each step is exactly -lr * g."),
    "momentum": Part("Momentum", "The velocity must persist between calls, one per key, "
                     "starting at zero: v = momentum*v - lr*g, then w += v."),
    "nesterov": Part("Nesterov", "The step uses the velocity *after* this step's update: "
                     "v = momentum*v - lr*g, then w += momentum*v - lr*g."),
    "adagrad": Part("AdaGrad", "h is the running *sum* of g*g, per key, starting at zero; the "
                    "step is lr*g / (sqrt(h) + eps)."),
    "rmsprop": Part("RMSprop", "h is a moving average, per key, starting at zero: "
                    "h = rho*h + (1 - rho)*g*g; the step is lr*g / (sqrt(h) + eps)."),
    "adam": Part("Adam", "t counts calls to update() from 1; m and v are moving averages of g "
                 "and g*g per key, both bias-corrected before the step."),
    "adamw": Part("AdamW", "Decoupled weight decay shrinks the weights the step starts from, "
                  "w -= lr*weight_decay*w (scaled by lr, not by the bias-corrected step size), "
                  "and the Adam step itself sees only the gradient: the decay never enters m "
                  "or v."),
}

#: Custom hyperparameters of the second hidden case, per part.
CUSTOM = {
    "sgd": {"lr": 0.05},
    "momentum": {"lr": 0.05, "momentum": 0.5},
    "nesterov": {"lr": 0.05, "momentum": 0.5},
    "adagrad": {"lr": 0.2},
    "rmsprop": {"lr": 0.05, "rho": 0.5},
    "adam": {"lr": 0.05, "beta1": 0.8, "beta2": 0.99},
    # a decay large enough that scaling it or ordering it wrongly moves a step by > 1e-4
    "adamw": {"lr": 0.05, "beta1": 0.8, "beta2": 0.99, "weight_decay": 0.1},
}
HAS_EPS = {"adagrad", "rmsprop", "adam", "adamw"}

#: NumPy exercises run in seconds: a cell that takes a minute is a loop that will not end.
LIMITS = Limits(cell_seconds=60, notebook_seconds=300, cpu_seconds=240, memory_bytes=2 * 1024**3)

#: A step agrees when it is within this fraction of its own size plus the same fraction of the
#: largest step of its array. Rounding moves a step by ~1e-15 of itself; every mistake in
#: ``autograder/variants/`` by far more than 1e-4 on some case.
STEP_RTOL, STEP_ATOL = 1e-4, 1e-10
#: float32 parameters round every step: their values are compared, not their steps.
FLOAT32_RTOL, FLOAT32_ATOL = 2e-5, 1e-6
#: Keras keeps the learning rate in float32, so it agrees with float64 NumPy to ~1e-7.
KERAS_ATOL = 1e-6


# ---------------------------------------------------------------- cases (inputs only)

TINY = object()  # marks the case of gradients so small that eps is part of every step


def _signed(rng, shape, zero_fraction=0.0):
    """Gradients with 0.5 <= |g| <= 2, some set to exactly zero."""
    g = rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 2.0, size=shape)
    if zero_fraction:
        g[rng.uniform(size=shape) < zero_fraction] = 0.0
    return g


def signature(part: str, kwargs: dict) -> str:
    return f"{PARTS[part].name}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"


def cases(part: str) -> list[dict]:
    """The hidden cases of ``part``: start values and gradient sequences, from fixed seeds."""
    rng = np.random.default_rng(sum(map(ord, part)))
    three = {"W1": (2, 3), "W2": (2, 3), "b": (3,)}
    specs = [
        ("3 keys, 6 steps", {}, "float64", 6, three, 0.0),
        ("3 keys, 6 steps", CUSTOM[part], "float64", 6, three, 0.0),
        ("two keys of one shape, 4 steps", {}, "float64", 4, {"W1": (3,), "W2": (3,)}, 0.0),
        ("float32 parameters, 3 steps", {}, "float32", 3, {"W": (4,)}, 0.0),
        ("gradients that are zero in some coordinates, 5 steps", {}, "float64", 5,
         {"W": (2, 4)}, 0.4),
    ]
    if part in HAS_EPS:
        specs.append(("eps=0.5, 5 steps", {**CUSTOM[part], "eps": 0.5}, "float64", 5,
                      {"W": (2, 3)}, 0.2))
        specs.append(("gradients near 1e-6, where the default eps matters, 4 steps", {},
                      "float64", 4, {"W": (2, 3)}, TINY))
    out = []
    for name, kwargs, dtype, n_steps, keys, zeros in specs:
        start = {k: rng.normal(size=s).astype(dtype) for k, s in keys.items()}
        scale = 1e-6 if zeros is TINY else 1.0
        zeros = 0.0 if zeros is TINY else zeros
        grads = [{k: scale * _signed(rng, s, zeros).astype(dtype) for k, s in keys.items()}
                 for _ in range(n_steps)]
        if zeros:  # one coordinate never receives a gradient at all
            for g in grads:
                for v in g.values():
                    v.flat[0] = 0.0
        out.append({"name": f"{signature(part, kwargs)} [{name}]", "kwargs": kwargs,
                    "start": start, "grads": grads,
                    # where eps sits changes this case's answer: each accepted form has its own
                    "conventions": "eps" in kwargs or scale != 1.0})
    return out


# ---------------------------------------------------------------- in the kernel

def trajectory(make_optimizer, start: dict, grad_steps: list[dict]) -> dict:
    """Run an optimizer from copies of ``start``; what it did, never raising.

    Values are read from the arrays the caller handed in, so an update that is not in place
    shows as no step at all; a crash or a broken contract is recorded as text."""
    obs = {"start": {k: np.array(v) for k, v in start.items()}, "steps": [],
           "error": None, "problem": None}
    try:
        opt = make_optimizer()
    except Exception as err:
        obs["error"] = f"the constructor raised {type(err).__name__}: {err}"
        return obs
    params = {k: np.array(v) for k, v in start.items()}
    originals = dict(params)
    for t, grads in enumerate(grad_steps, start=1):
        grads = {k: np.array(g, dtype=params[k].dtype) for k, g in grads.items()}
        before = {k: g.copy() for k, g in grads.items()}
        try:
            opt.update(params, grads)
        except Exception as err:
            obs["error"] = f"step {t}: update() raised {type(err).__name__}: {err}"
            return obs
        obs["steps"].append({k: originals[k].copy() for k in originals})
        if obs["problem"] is None:
            obs["problem"] = _contract_problem(t, params, originals, grads, before)
    return obs


def _contract_problem(t, params, originals, grads, before) -> str | None:
    if set(params) != set(originals):
        return (f"step {t}: update() changed the keys of params: expected {sorted(originals)}, "
                f"got {sorted(params)}.")
    for k in originals:
        if params[k] is not originals[k]:
            return (f"step {t}: params[{k!r}] is a new array after update(). Update it in place "
                    "(params[key] -= ..., or np.subtract(..., out=params[key])): the caller, e.g. "
                    "a layer holding its weights, keeps the old array and never sees the step.")
        if not np.array_equal(grads[k], before[k], equal_nan=True):
            return f"step {t}: update() changed grads[{k!r}]; read the gradients, don't modify them."
    return None


def observe(part: str, cls, case: dict) -> dict:
    """A hidden case: the student's class ``cls`` with the case's hyperparameters."""
    return trajectory(lambda: cls(**case["kwargs"]), case["start"], case["grads"])


def check_steps(make_optimizer, start: dict, grad_steps: list[dict], expected_steps: list[dict],
                what: str = "optimizer") -> None:
    """A visible test: reports the trajectory to the grader, then checks it for the student
    against ``expected_steps`` (one dict of arrays per step), in place."""
    obs = trajectory(make_optimizer, start, grad_steps)
    emit(what, obs)
    message = compare(None, obs, {"start": start, "steps": expected_steps, "error": None,
                                  "problem": None})
    if message:
        raise AssertionError(f"{what}: {message}")


# ---------------------------------------------------------------- in the grader

def compare(part, got: dict, expected: dict) -> str | None:
    """``None`` when the trajectory ``got`` agrees with ``expected``, else what differs.

    float64 steps are compared one at a time, each against its own previous point (both
    anchored at the expected start), so a tiny step is not judged by rounding left from larger
    earlier ones."""
    verdict = cmp.crash_or_contract(got, expected)
    if verdict is not cmp.BOTH_RAN:
        return verdict
    exp_steps, got_steps = expected["steps"], got.get("steps") or []
    if len(got_steps) != len(exp_steps):
        return f"{len(got_steps)} steps were reported, expected {len(exp_steps)}."
    exp_prev = {k: np.asarray(v, dtype=np.float64) for k, v in expected["start"].items()}
    got_prev = dict(exp_prev)
    for t, (got_t, exp_t) in enumerate(zip(got_steps, exp_steps), start=1):
        if set(got_t) != set(exp_t):
            return f"after step {t}, params has keys {sorted(got_t)}, expected {sorted(exp_t)}."
        for k in exp_t:
            g, e = np.asarray(got_t[k]), np.asarray(exp_t[k])
            if g.dtype != e.dtype and part is not None:  # in-place updates keep the dtype
                return (f"after step {t}, params[{k!r}] has dtype {g.dtype}, expected {e.dtype} "
                        "(an update in place keeps the dtype of the caller's array).")
            loose = e.dtype == np.float32
            e = e.astype(np.float64)
            if loose:
                slack = FLOAT32_ATOL + FLOAT32_RTOL * np.abs(e)
                where = cmp.first_bad(g, e, slack)
            else:
                step_exp = e - exp_prev[k]
                finite = np.abs(step_exp[np.isfinite(step_exp)])
                biggest = finite.max() if finite.size else 0.0  # a known mistake may hold NaN
                slack = STEP_ATOL + STEP_RTOL * (np.abs(step_exp) + biggest)
                where = cmp.first_bad(g - got_prev[k] if g.shape == e.shape else g, step_exp,
                                      slack)
            if where is not None:
                text = f"after step {t}, " + cmp.difference(f"params[{k!r}]", g, e, where)
                if where != "shape":
                    text += (f"\n  (the step at {where} should be "
                             f"{float(e[where] - exp_prev[k][where]):+.6g}, yours was "
                             f"{float(g[where] - got_prev[k][where]):+.6g})")
                return text
            got_prev[k], exp_prev[k] = np.asarray(g, dtype=np.float64), e
    return None


# ---------------------------------------------------------------- the Keras cross-check

def _keras_optimizer(keras, part: str, kwargs: dict):
    o, kw = keras.optimizers, dict(kwargs)
    lr = kw.pop("lr", {"adam": 0.001, "adamw": 0.001}.get(part, 0.01))
    if part == "sgd":
        return o.SGD(learning_rate=lr)
    if part in ("momentum", "nesterov"):
        return o.SGD(learning_rate=lr, momentum=kw.get("momentum", 0.9),
                     nesterov=part == "nesterov")
    eps = kw.get("eps", 1e-7)
    if part == "adagrad":
        return o.Adagrad(learning_rate=lr, epsilon=eps, initial_accumulator_value=0.0)
    if part == "rmsprop":
        return o.RMSprop(learning_rate=lr, rho=kw.get("rho", 0.9), epsilon=eps)
    betas = {"beta_1": kw.get("beta1", 0.9), "beta_2": kw.get("beta2", 0.999)}
    if part == "adamw":  # Keras 3.15.1: w -= lr*weight_decay*w, then Adam's step
        return o.AdamW(learning_rate=lr, weight_decay=kw.get("weight_decay", 0.004), **betas,
                       epsilon=eps)
    return o.Adam(learning_rate=lr, **betas, epsilon=eps)


def keras_observation(part: str, case: dict) -> dict | None:
    """The matching ``keras.optimizers`` class on float64 variables (float64 cases only: the
    float32 case runs the same algorithm)."""
    if any(np.asarray(v).dtype != np.float64 for v in case["start"].values()):
        return None
    import keras  # 7 s: only when references are built

    opt = _keras_optimizer(keras, part, case["kwargs"])
    keys = list(case["start"])
    variables = [keras.Variable(np.array(case["start"][k]), dtype="float64", name=k) for k in keys]
    steps = []
    for grads in case["grads"]:
        opt.apply([np.array(grads[k], dtype=np.float64) for k in keys], variables)
        steps.append({k: np.array(v.numpy()) for k, v in zip(keys, variables)})
    return {"start": case["start"], "steps": steps, "error": None, "problem": None}


def max_difference(a: dict, b: dict) -> float:
    """Largest absolute difference between two trajectories (for the Keras cross-check)."""
    if a["error"] or b["error"] or len(a["steps"]) != len(b["steps"]):
        return float("inf")
    return max(float(np.max(np.abs(np.asarray(x[k], dtype=np.float64) - y[k])))
               for x, y in zip(a["steps"], b["steps"]) for k in x)
