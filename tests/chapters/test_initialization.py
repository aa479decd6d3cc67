"""The initialization chapter module: its statistical bounds keep their promise, every known
mistake falls far outside them, its visible checks teach, and its comparison is both-sided."""
from __future__ import annotations

import math

import numpy as np
import pytest

from tdnn import paths
from tdnn.chapters import initialization as ini
from tdnn.engine import notebook, references, report

SOLUTION = paths.SOLUTIONS / "initialization" / "initialization.ipynb"


def xavier(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_in, fan_out))


def he(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))


def variant(part, kind, name):
    """The function a variant file defines (its cell run with the set-up cell's ``np``)."""
    namespace = {"np": np}
    exec(references.variant_sources("initialization", part, kind)[name], namespace)
    return namespace[part]


CORRECT = [(p, n) for p in ini.PARTS for n in references.variant_sources("initialization", p, "correct")]
BUGS = [(p, n) for p in ini.PARTS for n in references.variant_sources("initialization", p, "bug")]


@pytest.fixture(scope="module")
def reference():
    """``{(part, case name): the solution's observation}``, as the reference build records it."""
    run = notebook.run(SOLUTION)
    assert not run.errors
    return {(gid.removeprefix("test_").removesuffix("_hidden"), label): obs
            for gid, reports in run.reports.items() if gid.endswith("_hidden")
            for label, obs in reports}


# ---------------------------------------------------------------- cases

@pytest.mark.parametrize("part", ini.PARTS)
def test_cases_hold_inputs_only_and_are_reproducible(part):
    first, second = ini.cases(part), ini.cases(part)
    assert first == second
    for case in first:
        assert set(case) == {"name", "fan_in", "fan_out", "seed", "other_seed"}


@pytest.mark.parametrize("part", ini.PARTS)
def test_cases_separate_the_fans(part):
    """fan_in != fan_out (a transposed matrix, or the wrong fan, shows) and enough weights."""
    for case in ini.cases(part):
        assert case["fan_in"] != case["fan_out"]
        assert case["fan_in"] * case["fan_out"] >= 40_000
    assert any(c["fan_in"] < c["fan_out"] for c in ini.cases(part))
    assert any(c["fan_in"] > c["fan_out"] for c in ini.cases(part))


# ---------------------------------------------------------------- the bounds keep their promise

def chi2_outside(k: int, lo: float, hi: float) -> float:
    """P(chi2_k < lo) + P(chi2_k > hi), integrating the density numerically (no scipy here)."""
    def density(x):
        return np.exp((k / 2 - 1) * np.log(x) - x / 2 - (k / 2) * math.log(2) - math.lgamma(k / 2))

    sd = math.sqrt(2 * k)
    below = np.linspace(max(k - 40 * sd, 1e-9), lo, 200_001)
    above = np.linspace(hi, k + 60 * sd, 200_001)
    return float(np.trapezoid(density(below), below) + np.trapezoid(density(above), above))


def test_the_chi_square_integral_is_right():
    """The helper reproduces a textbook value: P(chi2_10 > 18.307) = 0.05."""
    assert chi2_outside(10, 1e-9, 18.307) == pytest.approx(0.05, rel=1e-3)


@pytest.mark.parametrize("part", ini.PARTS)
def test_a_correct_normal_draw_misses_the_reference_with_probability_below_1e_8(part, reference):
    """For each hidden case, given the fixed reference draw, the exact probability (chi-square,
    computed) that a correct normal draw's standard deviation leaves the accepted range."""
    for case in ini.cases(part):
        ref = reference[(part, case["name"])]
        n = case["fan_in"] * case["fan_out"]
        sigma = ini.target_std(part, case["fan_in"], case["fan_out"])
        lo, hi = ini.limits(n, ref)["rms"]
        p = chi2_outside(n, n * (lo / sigma) ** 2, n * (hi / sigma) ** 2)
        assert p < ini.P_MISS, (case["name"], p)


@pytest.mark.parametrize("part", ini.PARTS)
def test_the_reference_draws_lie_inside_their_own_bands(part, reference):
    """The two-sample ranges assume the reference is a draw inside its band: it is, with room."""
    for case in ini.cases(part):
        ref = reference[(part, case["name"])]
        n = case["fan_in"] * case["fan_out"]
        sigma = ini.target_std(part, case["fan_in"], case["fan_out"])
        one = ini.limits(n, {"sigma": sigma})
        for stat in ("rms", "mean", "share"):
            lo, hi = one[stat]
            assert lo < ref[stat] < hi, (case["name"], stat)
            half = (hi - lo) / 2
            assert abs(ref[stat] - (lo + hi) / 2) < 0.5 * half or stat == "share"


def test_the_whole_hidden_cell_misses_with_probability_below_one_in_a_million():
    """3 cases x 3 statistics, each below P_MISS: the promise of the exercise is kept."""
    statistics = 3
    assert len(ini.cases("he_normal")) * statistics * ini.P_MISS < 1e-6


def test_the_truncated_normal_moments():
    """Keras' truncated draw has unit variance after the correction, and lighter tails."""
    m2, m4 = ini.truncated_moments()
    assert m2 == pytest.approx(1.0, abs=1e-12)
    assert 2.3 < m4 < 2.4  # kurtosis: 3 for a normal draw, 1.8 for a uniform one
    rng = np.random.default_rng(0)
    z = rng.standard_normal(2_000_000)
    z = z[np.abs(z) <= 2] / ini.TRUNCATION_STD
    assert np.mean(z**2) == pytest.approx(m2, rel=5e-3)
    assert np.mean(z**4) == pytest.approx(m4, rel=2e-2)


@pytest.mark.parametrize("part, name", CORRECT)
def test_many_draws_of_every_correct_form_pass(part, name, reference):
    """40 seeds per case and correct form (each its own seeds), judged as the grader judges;
    every statistic stays well inside its range."""
    fn = variant(part, "correct", name)
    worst = 0.0
    for case in ini.cases(part):
        ref = reference[(part, case["name"])]
        for k in range(40):
            c = {**case, "seed": 10_000 + 97 * k, "other_seed": 20_000 + 97 * k}
            got = ini.observe(part, fn, c)
            assert ini.compare(part, got, {**ref, "seeds": got["seeds"]}) is None
            worst = max(worst, ini.max_difference(got, {**ref, "seeds": got["seeds"]}))
    assert worst < 0.8, worst


# ---------------------------------------------------------------- every mistake far outside

#: For each bug, the property that catches it on every hidden case.
CAUGHT_BY = {
    "bug_lecun_variance": "standard deviation", "bug_no_factor_two": "standard deviation",
    "bug_no_sqrt": "standard deviation", "bug_fan_out": "standard deviation",
    "bug_transposed": "shape", "bug_global_random": "same seed, same matrix",
    "bug_fixed_seed": "different seeds, different matrices", "bug_uniform": "within one std",
}


@pytest.mark.parametrize("part, name", BUGS)
def test_every_bug_fails_every_hidden_case_by_a_wide_margin(part, name, reference):
    """A wrong std is off by at least 1.5 times the accepted half-width (the closest, Glorot's
    variance against LeCun's, several times); a uniform draw's share is off by more than 1.5
    half-widths, which is over 15 of its own standard deviations; exact properties differ."""
    fn = variant(part, "bug", name)
    for case in ini.cases(part):
        ref = reference[(part, case["name"])]
        got = ini.observe(part, fn, case)
        message = ini.compare(part, got, ref)
        assert message and CAUGHT_BY[name] in message, (name, case["name"], message)
        assert "expected" in message and "got" in message
        assert ini.max_difference(got, ref) > 1.5, (name, case["name"])
        if name == "bug_uniform":
            n = case["fan_in"] * case["fan_out"]
            lo, hi = ini.limits(n, ref)["share"]
            sd = math.sqrt(got["share"] * (1 - got["share"]) / n)
            assert (lo - got["share"]) / sd > 15


def test_the_std_mistakes_are_far_from_the_bound_on_the_closest_case():
    """A factor sqrt(2) (He against LeCun) against the range of 40,000 weights."""
    b = ini.bands(40_000)
    half_width_in_log = 0.5 * math.log((1 + b["square_high"]) / (1 - b["square_low"]))
    assert math.log(math.sqrt(2)) > 7 * half_width_in_log


# ---------------------------------------------------------------- the kernel's facts

def test_observe_restores_the_global_state_and_records_its_change():
    np.random.seed(7)
    state = np.random.get_state()
    obs = ini.observe("he_normal", lambda i, o, rng: np.random.randn(i, o), ini.cases("he_normal")[0])
    assert obs["global_untouched"] is False and obs["reproducible"] is False
    after = np.random.get_state()
    assert np.array_equal(state[1], after[1]) and state[2] == after[2]


def test_observe_records_a_crash_or_a_wrong_type_as_text():
    case = ini.cases("he_normal")[0]
    obs = ini.observe("he_normal", lambda i, o, rng: 1 / 0, case)
    assert "raised ZeroDivisionError" in obs["error"]
    obs = ini.observe("he_normal", lambda i, o, rng: [[0.0]], case)
    assert "returned list" in obs["error"]
    assert "raised ZeroDivisionError" in ini.compare("he_normal", ini.observe(
        "he_normal", lambda i, o, rng: 1 / 0, case), ini.observe("he_normal", he, case))


def test_a_float32_matrix_is_refused(reference):
    case = ini.cases("he_normal")[0]
    got = ini.observe("he_normal", lambda i, o, rng: he(i, o, rng).astype(np.float32), case)
    assert "dtype: expected float64, got float32" in ini.compare("he_normal", got,
                                                             reference[("he_normal", case["name"])])


def test_bounds_come_from_the_expected_observation_not_the_kernel(reference):
    """A result that claims other fans (or seeds) is still judged on the reference's shape."""
    case = ini.cases("he_normal")[0]
    ref = reference[("he_normal", case["name"])]
    forged = {**ini.observe("he_normal", lambda i, o, rng: rng.normal(0, 1, (i, o)), case),
              "fan_in": 1, "fan_out": 1}
    assert "standard deviation" in ini.compare("he_normal", forged, ref)


# ---------------------------------------------------------------- visible checks

def test_check_init_passes_correct_draws():
    ini.check_init(xavier, 300, 200, std=np.sqrt(2 / 500))
    ini.check_init(he, 300, 100, std=np.sqrt(2 / 300))
    ini.check_init(variant("he_normal", "correct", "correct_truncated_keras"), 300, 100,
                   std=np.sqrt(2 / 300))


def test_check_init_message_names_property_bound_and_value():
    with pytest.raises(AssertionError) as err:
        ini.check_init(lambda i, o, rng: rng.normal(0, np.sqrt(1 / i), (i, o)), 300, 100,
                       std=np.sqrt(2 / 300), what="he_normal(300, 100, rng)")
    msg = str(err.value)
    assert msg.startswith("he_normal(300, 100, rng): standard deviation")
    assert "expected a value in [" in msg and "got 0.05" in msg
    assert "probability below 1e-08" in msg and "A factor sqrt(2)" in msg


def test_check_init_names_the_transposed_shape():
    with pytest.raises(AssertionError, match=r"shape: expected \(300, 100\) = \(fan_in, fan_out\).*got \(100, 300\)"):
        ini.check_init(lambda i, o, rng: he(o, i, rng), 300, 100,
                       std=np.sqrt(2 / 300))


def test_a_visible_check_reports_what_it_observed_before_judging():
    with report.collecting() as got, pytest.raises(AssertionError):
        ini.check_init(lambda i, o, rng: np.random.randn(i, o), 30, 20, std=1.0, what="randn")
    (label, obs), = got
    assert label == "randn" and obs["global_untouched"] is False


# ---------------------------------------------------------------- two-sided compare

@pytest.mark.parametrize("part", ini.PARTS)
def test_compare_is_two_sided(part, reference):
    """A correct draw agrees with the reference, the reference with itself, a known mistake with
    its own stored output (so its hint is shown) and not with the reference."""
    case = ini.cases(part)[0]
    ref = reference[(part, case["name"])]
    assert ini.compare(part, ref, ref) is None
    good = ini.observe(part, variant(part, "correct", "correct_standard_normal"), case)
    assert ini.compare(part, good, ref) is None
    bad = ini.observe(part, variant(part, "bug", "bug_lecun_variance"), case)
    assert ini.compare(part, bad, ref) is not None
    again = ini.observe(part, variant(part, "bug", "bug_lecun_variance"),
                        {**case, "seed": case["seed"] + 1000})
    assert ini.compare(part, again, bad) is None
