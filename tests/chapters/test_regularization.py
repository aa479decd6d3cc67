"""The regularization chapter module: cases free of answers, visible checks that teach, compare
two-sided, exact binomial bounds, and Dropout's verdicts independent of the random seed."""
from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from tdnn.chapters import regularization as reg
from tdnn.engine import references
from tdnn.engine import report

from . import cells


def solution(part):
    return cells.solution("regularization", part)


def variants(part, kind):
    return cells.variants("regularization", part, kind)


@pytest.fixture(scope="module")
def hidden_expected():
    return cells.hidden_expected("regularization")


# ---------------------------------------------------------------- cases

@pytest.mark.parametrize("part", list(reg.PARTS))
def test_cases_hold_inputs_only_and_are_reproducible(part):
    a, b = reg.cases(part), reg.cases(part)
    assert len({c["name"] for c in a}) == len(a) >= 4
    for x, y in zip(a, b):
        assert set(x) == set(y)
        assert not {"expected", "value", "out", "mask", "answer"} & set(x)
        for k in x:
            if isinstance(x[k], np.ndarray):
                np.testing.assert_array_equal(x[k], y[k])


def test_dropout_cases_cover_several_rates_float32_and_inputs_without_zeros():
    cases = reg.cases("dropout")
    rates = {c["rate"] for c in cases}
    assert None in rates and len(rates - {None, 0.5}) >= 3
    assert any(c["x"].dtype == np.float32 for c in cases)
    for c in cases:
        assert np.all(c["x"] != 0) and np.all(c["dout"] != 0)
        assert c["x"].mean() > 0.25  # the mean check needs a mean far from 0


def test_the_module_imports_without_keras():
    code = ("import sys, tdnn.chapters.regularization; "
            "print('keras' in sys.modules, 'tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# ---------------------------------------------------------------- statistics

def _tail_sums(n, p, lo, hi):
    pmf = [math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)]
    return math.fsum(pmf[:lo]), math.fsum(pmf[hi + 1:]), pmf


@pytest.mark.parametrize("n, p", [(200, 0.5), (200, 0.25), (1000, 0.1), (1000, 0.75)])
def test_binomial_interval_is_exact_and_tight(n, p):
    """Each tail outside the interval holds at most ALPHA/2 (checked with exact integer binomial
    coefficients), and widening it by one on either side would not be needed."""
    lo, hi = reg.binomial_interval(n, p)
    below, above, pmf = _tail_sums(n, p, lo, hi)
    assert below <= reg.ALPHA / 2 and above <= reg.ALPHA / 2
    assert below + pmf[lo] > reg.ALPHA / 2 and above + pmf[hi] > reg.ALPHA / 2


def test_a_correct_layer_fails_the_hidden_cell_with_probability_below_one_in_a_million():
    """Union bound over the hidden cases: two bounds per case (zeros count, sum), each missed
    with probability below ALPHA; a repeated mask is far less likely still."""
    cases = reg.cases("dropout")
    assert 2 * len(cases) * reg.ALPHA <= 1e-6
    for c in cases:
        rate = 0.5 if c["rate"] is None else c["rate"]
        assert (rate**2 + (1 - rate) ** 2) ** c["x"].size < 1e-80


# ---------------------------------------------------------------- visible checks

X = np.arange(1.0, 201.0).reshape(10, 20)


def test_check_dropout_passes_the_solution_and_every_correct_variant():
    reg.check_dropout(solution("dropout"), X, rate=0.25)
    for cls, _ in variants("dropout", "correct").values():
        reg.check_dropout(cls, X)
        reg.check_dropout(cls, X.astype(np.float32), rate=0.3)


def test_check_dropout_names_the_property_expected_and_got_for_saitos_dropout():
    cls, _ = variants("dropout", "bug")["bug_saito_not_inverted"]
    with pytest.raises(AssertionError) as err:
        reg.check_dropout(cls, X, rate=0.25, what="Dropout(rate=0.25)")
    msg = str(err.value)
    assert "Dropout(rate=0.25): property 'training values' fails" in msg
    assert "expected: every output of forward(x, train=True) to be 0 or x/(1 - rate) = 1.33333·x" in msg
    assert "got:      every nonzero output is 1 times its input" in msg


def test_a_visible_check_reports_what_it_observed_before_judging():
    cls, _ = variants("dropout", "bug")["bug_inference_drops"]
    with report.collecting() as got, pytest.raises(AssertionError, match="'inference' fails"):
        reg.check_dropout(cls, X, what="Dropout()")
    (label, facts), = got
    assert label == "Dropout()" and facts["inference"]["n_zero"] > 0


def test_a_crash_becomes_a_failed_check_that_says_where():
    class Broken:
        def __init__(self, rate=0.5):
            pass

        def forward(self, x, train=True):
            raise NotImplementedError()

    with pytest.raises(AssertionError, match=r"forward\(x, train=True\) raised NotImplementedError"):
        reg.check_dropout(Broken, X)


def test_check_value_locates_the_difference_and_refuses_changed_inputs():
    w = np.array([1.0, -2.0, 3.0])
    reg.check_value(lambda w, lam: lam * w, (w, 0.5), 0.5 * w, what="l2_grad")
    with pytest.raises(AssertionError) as err:
        reg.check_value(lambda w, lam: 2 * lam * w, (w, 0.5), 0.5 * w, what="l2_grad")
    assert "first difference at index (0,): expected 0.5, got 1.0" in str(err.value)

    def in_place(w, lam):
        w *= lam
        return w

    with pytest.raises(AssertionError, match="changed the input array"):
        reg.check_value(in_place, (w.copy(), 0.5), 0.5 * w, what="l2_grad")
    with pytest.raises(AssertionError, match=r"index \(\): expected 1.5625, got 3.125"):
        reg.check_value(lambda ws, lam: lam * sum(np.sum(v * v) for v in ws),
                        ([np.array([[1.0, -2.0], [3.0, -4.0]]), np.array([0.5, -1.0])], 0.1),
                        1.5625, what="l2_penalty")


# ---------------------------------------------------------------- compare, both sides

def _judge(part, obs, expected):
    return cells.judge("regularization", part, obs, expected)


@pytest.mark.parametrize("part", list(reg.PARTS))
def test_compare_is_two_sided(part, hidden_expected):
    """Every correct form passes every hidden case; every bug fails one, and its first failure
    matches its own hint."""
    expected = hidden_expected[part]
    cases = reg.cases(part)
    forms = {"solution": solution(part)} | {k: v[0] for k, v in variants(part, "correct").items()}
    for name, obj in forms.items():
        for case, exp in zip(cases, expected):
            assert _judge(part, reg.observe(part, obj, case), exp) == (True, None), (name, exp[0])
    for name, (obj, source) in variants(part, "bug").items():
        verdicts = [_judge(part, reg.observe(part, obj, c), e) for c, e in zip(cases, expected)]
        first_failure = next((v for v in verdicts if not v[0]), None)
        assert first_failure is not None, f"{name} passes every hidden case"
        assert first_failure[1] == references.hint(source), name


def test_dropout_failure_messages_name_property_expected_and_got(hidden_expected):
    case, (_, accepted, _) = reg.cases("dropout")[1], hidden_expected["dropout"][1]
    cls, _ = variants("dropout", "bug")["bug_rate_as_keep_probability"]
    msg = reg.compare("dropout", reg.observe("dropout", cls, case), accepted[0])
    lo, hi = reg.binomial_interval(case["x"].size, case["rate"])
    assert "property 'dropped fraction' fails" in msg
    assert f"expected: between {lo} and {hi} zeros among the {case['x'].size} outputs" in msg
    assert "got:" in msg


def test_a_float_mask_is_accepted_a_mask_of_other_values_is_not():
    class ScaledMask:
        def __init__(self, rate=0.5):
            self.rate = rate

        def forward(self, x, train=True):
            if not train:
                return x
            self.mask = (np.random.rand(*x.shape) > self.rate) / (1 - self.rate)
            return x * self.mask

        def backward(self, dout):
            return dout * self.mask

    with pytest.raises(AssertionError, match="'self.mask' fails"):
        reg.check_dropout(ScaledMask, X)


# ---------------------------------------------------------------- seed independence

N_SEEDS = 1000


def test_dropout_verdicts_do_not_depend_on_the_seed(hidden_expected):
    """Under 1,000 seeds other than the hidden cases' own, judged against the committed
    references exactly as the grader judges: the solution passes every hidden case, and every
    Dropout bug fails the hidden cell (at least one case), each time; the other correct forms
    pass under 100 of those seeds."""
    expected = hidden_expected["dropout"]
    cases = reg.cases("dropout")
    correct = {"solution": solution("dropout")} | {
        k: v[0] for k, v in variants("dropout", "correct").items()}
    bugs = {k: v[0] for k, v in variants("dropout", "bug").items()}
    failures = {name: 0 for name in correct}
    caught = {name: 0 for name in bugs}
    for seed in range(N_SEEDS):
        seeded = [dict(c, seed=50_000 + 7 * seed + i) for i, c in enumerate(cases)]
        for name, cls in correct.items():
            if name != "solution" and seed % 10:
                continue  # the other correct forms under 100 of the seeds: time
            failures[name] += any(
                reg.compare("dropout", reg.observe("dropout", cls, c), e[1][0]) is not None
                for c, e in zip(seeded, expected))
        for name, cls in bugs.items():
            caught[name] += any(
                reg.compare("dropout", reg.observe("dropout", cls, c), e[1][0]) is not None
                for c, e in zip(seeded, expected))
    assert failures == {name: 0 for name in correct}
    print(f"\n{N_SEEDS} seeds: solution failed {failures['solution']} times; bugs caught "
          + ", ".join(f"{name} {n}/{N_SEEDS}" for name, n in caught.items()))
    assert caught == {name: N_SEEDS for name in bugs}


def test_warnings_of_student_code_are_silenced_not_graded(capfd):
    """nbgrader 0.9.6 scores a cell that writes to stderr 0: a warning must not cost points."""
    class Noisy:
        def __init__(self, rate=0.5):
            self.rate = rate

        def forward(self, x, train=True):
            np.log(np.zeros(1))  # RuntimeWarning: divide by zero
            if not train:
                return x
            self.mask = np.random.rand(*x.shape) > self.rate
            return x * self.mask / (1 - self.rate)

        def backward(self, dout):
            return dout * self.mask / (1 - self.rate)

    case = reg.cases("dropout")[0]
    facts = reg.observe("dropout", Noisy, case)
    reg.check_dropout(Noisy, X)
    assert reg.compare("dropout", facts, {"kind": "dropout", "ideal": True,
                                          "case": facts["case"]}) is None
    assert capfd.readouterr().err == ""
