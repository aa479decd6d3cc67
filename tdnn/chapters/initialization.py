"""Chapter *Weight initialization*: ``xavier_normal`` and ``he_normal`` in NumPy.

The contract (``docs/exercise-contract.md``): ``xavier_normal(fan_in, fan_out, rng)`` and
``he_normal(fan_in, fan_out, rng)`` return a float64 ``(fan_in, fan_out)`` matrix drawn from the
``np.random.Generator`` ``rng``, with mean 0 and standard deviation ``sqrt(2/(fan_in+fan_out))``
resp. ``sqrt(2/fan_in)``.

**Why the grading is statistical.** Correct solutions draw different numbers:
``rng.normal(0, s, size)``, ``s * rng.standard_normal(size)`` and a normal truncated at two
standard deviations (redrawn outside) whose scale is divided by 0.87962566103423978, as Keras'
``GlorotNormal``/``HeNormal`` draw, all have the required mean and standard deviation but share no
value. So a result is judged by *properties*:

* exact facts: the shape, the dtype (float64), finite values; the same seed gives the same matrix,
  different seeds give different matrices, and NumPy's global ``np.random`` state is left alone
  (the draws come from ``rng`` and from nothing else);
* three statistics of the ``n = fan_in * fan_out`` weights ``w``: the mean, the root mean square
  ``sqrt(mean(w**2))`` (the standard deviation about the true mean, 0), and the *share within one
  std*: the fraction of weights with ``|w| <= sigma``, ``sigma`` the contract's std for the case
  (about 0.683 for a normal draw, 0.651 for Keras' truncated normal, 0.577 for a uniform draw
  with the same std: it tells a normal from a uniform initializer).

**How the bounds are computed** (:func:`bands`; nothing is typed in). For one correct draw,
normal or truncated, each statistic leaves its band with probability below ``P_MISS = 1e-8``,
from inequalities that hold for every ``n`` (no asymptotics), with ``x = ln(2 / P_MISS)``:

* mean square, normal draw: ``n*mean(w**2)/sigma**2`` is chi-square with ``n`` degrees of
  freedom; Laurent & Massart (2000, Lemma 1) give ``P(chi2 >= n + 2 sqrt(n x) + 2x) <= e^-x`` and
  ``P(chi2 <= n - 2 sqrt(n x)) <= e^-x``;
* mean square, truncated draw: ``w**2/sigma**2`` lies in ``[0, 4/0.8796**2]``; Bernstein's
  inequality with its exact variance (from the truncated normal's fourth moment);
* mean: a Chernoff bound for the normal draw, Bernstein for the truncated one (``|w| <= 2
  sigma/0.8796``);
* share within one std: Hoeffding's inequality for a mean of indicators.

The grader holds the *reference* draw of the solution (``autograder/references/``); a student's
draw agrees with it when the two could both be correct draws: the ratio of their root mean
squares lies within the two bands put together, their means differ by less than twice the
mean's band, their shares by less than the normal/truncated gap plus twice Hoeffding's band. The
reference's own draw is fixed and lies well inside its band (``tests/chapters/
test_initialization.py`` computes where), so a correct draw fails one statistic of one case with
probability below ``P_MISS``, and a whole hidden cell (3 cases, 3 statistics) with probability
below ``9 * P_MISS < 1e-7``, far below the 1e-6 the course promises. Every known mistake in
``autograder/variants/initialization/`` lands outside the bounds by many times their width: the
cases have ``fan_in != fan_out`` and at least 40,000 weights, where a factor sqrt(2) in the std
(He against LeCun) is 8 times the bound.

Bounds are computed from the number of weights in the *expected* observation and from the
expected's statistics, never from numbers the kernel reports about the case.
"""
from __future__ import annotations

import math

import numpy as np

from tdnn.chapters import Limits, Part
from tdnn.engine import compare as cmp
from tdnn.engine.report import emit

PARTS = {
    "xavier_normal": Part(
        "xavier_normal",
        "Xavier/Glorot: a (fan_in, fan_out) matrix of normal draws with mean 0 and standard "
        "deviation sqrt(2 / (fan_in + fan_out)), every number drawn from rng.",
        judged="properties"),
    "he_normal": Part(
        "he_normal",
        "He: a (fan_in, fan_out) matrix of normal draws with mean 0 and standard deviation "
        "sqrt(2 / fan_in), every number drawn from rng.",
        judged="properties"),
}

#: NumPy exercises run in seconds.
LIMITS = Limits(cell_seconds=60, notebook_seconds=300, cpu_seconds=240, memory_bytes=2 * 1024**3)

#: Probability that one statistic of one correct draw leaves its band.
P_MISS = 1e-8
#: Keras' truncated normals divide the scale by this, the std of a standard normal truncated to
#: [-2, 2], so that the truncated draw keeps the std asked for (keras/src/initializers).
TRUNCATION_STD = 0.87962566103423978
#: ``max_difference`` is the largest statistic's distance from the reference in units of its
#: bound: Keras' draw passes the same statistical check as a student's iff it is at most 1.
KERAS_ATOL = 1.0

#: (fan_in, fan_out) of the hidden cases: never square, at least 40,000 weights.
SHAPES = [(400, 100), (100, 400), (784, 64)]


def target_std(part: str, fan_in: int, fan_out: int) -> float:
    """The contract's standard deviation of ``part``."""
    if part == "he_normal":
        return math.sqrt(2.0 / fan_in)
    return math.sqrt(2.0 / (fan_in + fan_out))


# ---------------------------------------------------------------- the bounds

def _phi(z: float) -> float:
    return math.exp(-z * z / 2) / math.sqrt(2 * math.pi)


def _mass(z: float) -> float:
    """P(|Z| <= z) for a standard normal Z."""
    return math.erf(z / math.sqrt(2))


def truncated_moments() -> tuple[float, float]:
    """E[Y^2] and E[Y^4] of Y = Z/TRUNCATION_STD, Z standard normal truncated to [-2, 2] (so
    E[Y^2] = 1): the shape of Keras' draw in units of its std."""
    a, mass = 2.0, _mass(2.0)
    m2 = 1 - 2 * a * _phi(a) / mass
    m4 = 3 - 2 * (a**3 + 3 * a) * _phi(a) / mass
    c = TRUNCATION_STD
    return m2 / c**2, m4 / c**4


def share_within_one_std() -> tuple[float, float]:
    """The share of weights with |w| <= sigma: (normal draw, Keras' truncated draw)."""
    return _mass(1.0), _mass(TRUNCATION_STD) / _mass(2.0)


def _bernstein(n: int, x: float, variance: float, bound: float) -> float:
    """t with 2 exp(-n t^2 / (2 (variance + bound t / 3))) = 2 e^-x: a mean of n iid variables
    within ``bound`` of their expectation, of variance ``variance``, misses it by t or more with
    probability at most 2 e^-x."""
    b = 2 * x * bound / 3
    return (b + math.sqrt(b * b + 8 * n * x * variance)) / (2 * n)


def bands(n: int, p: float = P_MISS) -> dict:
    """How far each statistic of one correct draw of ``n`` weights may stray (in units of the
    true std ``sigma``), each missed with probability below ``p``, for the normal *and* the
    truncated draw (the wider of the two):

    ``square_low``/``square_high``: mean(w^2)/sigma^2 lies in [1 - low, 1 + high];
    ``mean``: |mean(w)|/sigma <= mean; ``share``: the share within one std is within
    [truncated - share, normal + share]."""
    x = math.log(2 / p)  # two one-sided bounds of e^-x each, or a two-sided bound 2 e^-x
    m2, m4 = truncated_moments()
    trunc_square = _bernstein(n, x, m4 - m2**2, max(m2, 4 / TRUNCATION_STD**2 - m2))
    normal, truncated = share_within_one_std()
    return {
        "n": n,
        "square_high": max(2 * math.sqrt(x / n) + 2 * x / n, trunc_square),
        "square_low": min(1.0, max(2 * math.sqrt(x / n), trunc_square)),
        "mean": max(math.sqrt(2 * x / n), _bernstein(n, x, 1.0, 2 / TRUNCATION_STD)),
        "share": math.sqrt(x / (2 * n)),
        "share_normal": normal,
        "share_truncated": truncated,
    }


def limits(n: int, expected: dict) -> dict:
    """The accepted range of each statistic, for a draw of ``n`` weights, given the expected
    observation: around the contract's std (``expected["sigma"]``, a visible check) or, in the
    grader, around the reference draw's own statistics (two correct draws' bands put together)."""
    b = bands(n)
    lo, hi = math.sqrt(max(1 - b["square_low"], 0.0)), math.sqrt(1 + b["square_high"])
    gap = b["share_normal"] - b["share_truncated"]
    if expected.get("sigma") is not None:  # one draw against the contract
        s = expected["sigma"]
        return {"rms": (s * lo, s * hi), "mean": (-b["mean"] * s, b["mean"] * s),
                "share": (b["share_truncated"] - b["share"], b["share_normal"] + b["share"]),
                "against": f"the contract's std {s:.6g}"}
    rms, mean, share = expected["rms"], expected["mean"], expected["share"]
    sigma_max = rms / lo if lo > 0 else math.inf  # the largest std the reference is consistent with
    slack = 2 * b["mean"] * sigma_max
    ratio_lo, ratio_hi = (lo / hi, hi / lo) if lo > 0 else (0.0, math.inf)
    return {"rms": (rms * ratio_lo, rms * ratio_hi), "mean": (mean - slack, mean + slack),
            "share": (share - gap - 2 * b["share"], share + gap + 2 * b["share"]),
            "against": "the reference draw"}


# ---------------------------------------------------------------- cases (inputs only)

def cases(part: str) -> list[dict]:
    """The hidden cases of ``part``: shapes and seeds only."""
    base = sum(map(ord, part))
    return [{"name": f"{part}({fan_in}, {fan_out}, rng)", "fan_in": fan_in, "fan_out": fan_out,
             "seed": base + 10 * i, "other_seed": base + 10 * i + 1}
            for i, (fan_in, fan_out) in enumerate(SHAPES)]


# ---------------------------------------------------------------- in the kernel

def _same_state(a, b) -> bool:
    return (a[0] == b[0] and np.array_equal(a[1], b[1]) and tuple(a[2:]) == tuple(b[2:]))


def _describe(w) -> str:
    return type(w).__name__ if not isinstance(w, np.ndarray) else f"an array of shape {w.shape}"


def observe(part, fn, case: dict) -> dict:
    """Call ``fn(fan_in, fan_out, rng)`` three times (two generators of the same seed, one of
    another seed) and record raw facts and statistics of the first matrix; never raises.

    NumPy's global ``np.random`` state is set to a known seed during the calls and restored after
    them: the calls must leave it as it was, and a draw from it is the same at every run."""
    fan_in, fan_out, seed = case["fan_in"], case["fan_out"], case["seed"]
    sigma = target_std(part or "xavier_normal", fan_in, fan_out) if case.get("sigma") is None \
        else case["sigma"]
    obs = {"fan_in": fan_in, "fan_out": fan_out, "seeds": [seed, case["other_seed"]],
           "error": None, "shape": None, "dtype": None, "finite": None, "mean": None,
           "rms": None, "share": None, "reproducible": None, "seed_matters": None,
           "global_untouched": None}
    saved = np.random.get_state()
    np.random.seed(seed % 2**32)
    before = np.random.get_state()
    try:
        first = fn(fan_in, fan_out, np.random.default_rng(seed))
        again = fn(fan_in, fan_out, np.random.default_rng(seed))
        other = fn(fan_in, fan_out, np.random.default_rng(case["other_seed"]))
    except Exception as err:
        obs["error"] = (f"{PARTS[part].name if part else 'the function'}({fan_in}, {fan_out}, rng) "
                        f"raised {type(err).__name__}: {err}")
        return obs
    finally:
        obs["global_untouched"] = _same_state(before, np.random.get_state())
        np.random.set_state(saved)
    if not isinstance(first, np.ndarray) or first.dtype.kind not in "biuf":
        obs["error"] = (f"it returned {_describe(first)}"
                        f"{'' if not isinstance(first, np.ndarray) else ' of dtype ' + str(first.dtype)}"
                        ", expected a NumPy array of float64 weights.")
        return obs
    w = first.astype(np.float64).ravel()
    obs["shape"] = [int(d) for d in first.shape]
    obs["dtype"] = str(first.dtype)
    obs["finite"] = bool(np.isfinite(w).all())
    with np.errstate(all="ignore"):
        obs["mean"] = float(w.mean()) if w.size else float("nan")
        obs["rms"] = float(np.sqrt(np.mean(w * w))) if w.size else float("nan")
        obs["share"] = float(np.mean(np.abs(w) <= sigma)) if w.size else float("nan")
    obs["reproducible"] = bool(isinstance(again, np.ndarray) and again.shape == first.shape
                               and np.array_equal(again, first))
    obs["seed_matters"] = bool(not isinstance(other, np.ndarray) or other.shape != first.shape
                               or not np.array_equal(other, first))
    return obs


def check_init(fn, fan_in: int, fan_out: int, std: float, what: str = "initializer",
               seed: int = 2024) -> None:
    """A visible test: draws ``fn(fan_in, fan_out, rng)``, reports what it saw to the grader,
    then checks it for the student against the std ``std`` and the contract's other properties."""
    case = {"fan_in": fan_in, "fan_out": fan_out, "seed": seed, "other_seed": seed + 1,
            "sigma": std}
    obs = observe(None, fn, case)
    emit(what, obs)
    expected = {"fan_in": fan_in, "fan_out": fan_out, "seeds": [seed, seed + 1], "error": None,
                "shape": [fan_in, fan_out], "dtype": "float64", "finite": True,
                "reproducible": True, "seed_matters": True, "global_untouched": True,
                "sigma": std}
    message = compare(None, obs, expected)
    if message:
        raise AssertionError(f"{what}: {message}")


# ---------------------------------------------------------------- in the grader

def _flag_message(flag: str, expected: dict, got_value) -> str:
    s1, s2 = expected["seeds"]
    if flag == "reproducible":
        return (f"same seed, same matrix: expected two calls with np.random.default_rng({s1}) to "
                f"return equal matrices, got {'different ones' if got_value is False else got_value}."
                " Every number must come from the rng argument (not np.random.*, not a generator "
                "of your own without a seed).")
    if flag == "seed_matters":
        return (f"different seeds, different matrices: expected np.random.default_rng({s1}) and "
                f"np.random.default_rng({s2}) to give different matrices, got "
                f"{'the same matrix' if got_value is False else got_value}: the draws ignore rng "
                "(a generator of your own with a fixed seed?).")
    return (f"NumPy's global random state: expected it untouched, got "
            f"{'it changed' if got_value is False else got_value}: the draws must come from rng "
            "(rng.normal, rng.standard_normal), not from np.random.randn/np.random.normal/"
            "np.random.seed.")


def _range(lo: float, hi: float) -> str:
    return f"[{lo:.6g}, {hi:.6g}]"


def _statistics(got: dict, expected: dict) -> tuple[str, float, float] | None:
    """The first statistic outside its accepted range: (message, distance, width)."""
    n = int(np.prod(expected["shape"]))
    lim = limits(n, expected)
    sigma = expected.get("sigma")
    center = {"rms": sigma if sigma is not None else expected["rms"],
              "mean": 0.0 if sigma is not None else expected["mean"],
              "share": None}
    for stat, label in (("rms", "standard deviation (root mean square of the weights)"),
                        ("mean", "mean of the weights"),
                        ("share", "share of weights within one std of 0 (|w| <= sigma)")):
        lo, hi = lim[stat]
        value = got[stat]
        if value is not None and lo <= value <= hi:
            continue
        around = lim["against"] if sigma is not None or center[stat] is None else \
            f"{lim['against']}'s {center[stat]:.6g}"
        text = (f"{label}: expected a value in {_range(lo, hi)} (around {around}; a correct draw of "
                f"{n:,} weights lands outside with probability below {P_MISS:g}), got {value!r}")
        if stat == "rms" and center["rms"] and value and np.isfinite(value):
            text += f", {value / center['rms']:.4g} times the expected std."
            ratio = value / center["rms"]
            if abs(ratio - math.sqrt(2)) < 0.1 or abs(ratio - 1 / math.sqrt(2)) < 0.07:
                text += " A factor sqrt(2): a variance of 1/n where 2/n belongs, or the reverse."
        elif stat == "share":
            normal, truncated = share_within_one_std()
            text += (f". A normal draw puts {normal:.3f} of its weights within one std of 0 "
                     f"(Keras' truncated normal {truncated:.3f}), a uniform draw "
                     f"{1 / math.sqrt(3):.3f}: is it a normal draw?")
        else:
            text += "."
        mid = (lo + hi) / 2
        return text, abs((value if value is not None else math.inf) - mid), (hi - lo) / 2
    return None


def compare(part, got: dict, expected: dict) -> str | None:
    """``None`` when the draw ``got`` could be a correct draw like ``expected``, else which
    property fails, its bound and what came back."""
    verdict = cmp.crash_or_contract(got, expected)
    if verdict is not cmp.BOTH_RAN:
        return verdict
    if got.get("shape") != expected["shape"]:
        return (f"shape: expected {tuple(expected['shape'])} = (fan_in, fan_out), one row per "
                f"input and one column per output, got {tuple(got.get('shape') or ())}.")
    if got.get("dtype") != expected["dtype"]:
        return f"dtype: expected {expected['dtype']}, got {got.get('dtype')}."
    if got.get("finite") is not True:
        return "expected finite weights, got NaN or infinite values."
    for flag in ("reproducible", "seed_matters", "global_untouched"):
        if got.get(flag) != expected[flag]:
            return _flag_message(flag, expected, got.get(flag))
    bad = _statistics(got, expected)
    return None if bad is None else bad[0]


# ---------------------------------------------------------------- the Keras cross-check

def keras_observation(part: str, case: dict) -> dict | None:
    """What ``keras.initializers.GlorotNormal``/``HeNormal`` (truncated normals) draw for the
    case's shape, as an observation of the same kind (the seeds are Keras' integer seeds)."""
    import keras  # 7 s: only when references are built

    cls = {"xavier_normal": keras.initializers.GlorotNormal,
           "he_normal": keras.initializers.HeNormal}[part]
    shape, seed = (case["fan_in"], case["fan_out"]), case["seed"]
    saved = np.random.get_state()
    draws = iter([np.asarray(cls(seed=seed)(shape, dtype="float64")),
                  np.asarray(cls(seed=seed)(shape, dtype="float64")),
                  np.asarray(cls(seed=case["other_seed"])(shape, dtype="float64"))])
    untouched = _same_state(saved, np.random.get_state())
    obs = observe(part, lambda fan_in, fan_out, rng: next(draws), case)
    obs["global_untouched"] = untouched and obs["global_untouched"]
    return obs


def max_difference(a: dict, b: dict) -> float:
    """How far the draw ``a`` is from passing as a correct draw like ``b``: 0 when every property
    agrees and every statistic is at the centre of its range, 1 at a range's edge, ``inf`` when an
    exact property differs. ``KERAS_ATOL = 1``: Keras passes the students' own check."""
    if compare(None, {**a, "mean": b["mean"], "rms": b["rms"], "share": b["share"]}, b):
        return math.inf  # an exact property differs
    n = int(np.prod(b["shape"]))
    lim = limits(n, b)
    worst = 0.0
    for stat in ("rms", "mean", "share"):
        lo, hi = lim[stat]
        worst = max(worst, abs(a[stat] - (lo + hi) / 2) / ((hi - lo) / 2))
    return worst
