"""The MNIST lab's chapter module (the learning-rate finder's arithmetic): cases free of answers
that hold sweeps ending in inf and nan, curves coming back after divergence, ties and the exact
threshold; visible checks that report before they judge and teach; compare two-sided."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from tdnn.chapters import lab_mnist as lab
from tdnn.engine import references, report

from . import cells


def solution(part):
    return cells.solution("lab_mnist", part)


def variants(part, kind):
    return cells.variants("lab_mnist", part, kind)


@pytest.fixture(scope="module")
def hidden_expected():
    """``{part: [(label, accepted observations, mistakes)]}`` from the committed reference file."""
    return cells.hidden_expected("lab_mnist")


# ---------------------------------------------------------------- cases

@pytest.mark.parametrize("part", list(lab.PARTS))
def test_cases_hold_inputs_only_and_are_reproducible(part):
    """Are the hidden cases the same on every call, uniquely named, and free of answers?"""
    a, b = lab.cases(part), lab.cases(part)
    inputs = {"smooth_losses": {"losses"}, "suggest_learning_rate": {"rates", "smoothed"}}[part]
    assert len({c["name"] for c in a}) == len(a) >= 6
    for x, y in zip(a, b):
        assert set(x) == {"name", "kwargs"} | inputs
        for key in inputs:
            np.testing.assert_array_equal(np.asarray(x[key]), np.asarray(y[key]))


def test_suggest_cases_cover_every_rule_of_the_contract():
    """Do the cases hold inf and nan endings, a tie, the exact threshold and custom kwargs?"""
    cases = lab.cases("suggest_learning_rate")
    ends = [np.asarray(c["smoothed"], dtype=float)[-1] for c in cases]
    assert any(np.isnan(e) for e in ends) and any(np.isinf(e) for e in ends)
    assert any(isinstance(c["rates"], list) for c in cases)
    for c in cases:
        s = np.asarray(c["smoothed"], dtype=float)
        assert np.isfinite(s[0]), c["name"]
        assert np.all(np.diff(np.asarray(c["rates"], dtype=float)) > 0), c["name"]
    # exactly diverge_factor times the lowest loss before it, which the rule keeps
    at = next(c for c in cases if "exactly" in c["name"])
    s = np.asarray(at["smoothed"])
    assert any(s[i] == 4 * s[:i].min() for i in range(1, len(s)))
    ties = next(c for c in cases if "flat minimum" in c["name"])
    assert np.sum(ties["smoothed"] == np.min(ties["smoothed"])) >= 2
    assert {k for c in cases for k in c["kwargs"]} == {"divide_by", "diverge_factor"}


def test_smooth_cases_include_ints_and_several_betas():
    cases = lab.cases("smooth_losses")
    assert any(isinstance(c["losses"], list) and isinstance(c["losses"][0], int) for c in cases)
    assert {c["kwargs"].get("beta", 0.98) for c in cases} >= {0.5, 0.9, 0.98, 0.99}


def test_the_module_imports_without_keras():
    code = ("import sys, tdnn.chapters.lab_mnist; "
            "print('keras' in sys.modules, 'tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# ---------------------------------------------------------------- the solution, by hand

def test_smoothing_is_the_bias_corrected_average_by_hand():
    """Does the solution give, for beta = 0.5 and losses 4, 2, 1, the hand-computed
    4, (1 + 1)/0.75 and (1 + 0.5)/0.875, and is its first output the first loss?"""
    smooth = solution("smooth_losses")
    np.testing.assert_allclose(smooth([4, 2, 1], beta=0.5), [4.0, 2 / 0.75, 1.5 / 0.875],
                               rtol=1e-15)
    assert smooth(np.array([7.25]))[0] == pytest.approx(7.25, rel=1e-15)
    # a constant curve stays constant: the correction removes the start-at-zero bias exactly
    np.testing.assert_allclose(smooth(np.full(400, 0.3)), 0.3, rtol=1e-12)


def test_suggestion_follows_the_rule_by_hand():
    suggest = solution("suggest_learning_rate")
    rates = [1e-3, 1e-2, 1e-1, 1.0, 10.0]
    assert suggest(rates, [2.0, 1.0, 0.5, 1.9, 0.1]) == pytest.approx(1.0)  # 1.9 < 4·0.5
    assert suggest(rates, [2.0, 1.0, 0.5, 2.1, 0.1]) == pytest.approx(1e-2)  # 2.1 > 4·0.5
    assert suggest(rates, [2.0, 1.0, 1.0, np.nan, 0.1], divide_by=2) == pytest.approx(5e-3)


# ---------------------------------------------------------------- visible checks

def test_a_visible_check_reports_what_it_observed_before_judging():
    bug, _ = variants("smooth_losses", "bug")["bug_no_bias_correction"]
    with report.collecting() as got, pytest.raises(AssertionError) as err:
        lab.check_smooth(bug, [4, 2, 1], [4.0, 8 / 3, 12 / 7], what="by hand", beta=0.5)
    (label, obs), = got
    assert label == "by hand"
    np.testing.assert_allclose(obs["value"], [2.0, 2.0, 1.5])
    msg = str(err.value)
    assert "first difference at index (0,): expected 4.0, got 2.0" in msg
    assert "after 1 loss(es)" in msg


def test_visible_checks_name_integer_results_changed_inputs_and_arrays_for_rates():
    ints, _ = variants("smooth_losses", "bug")["bug_integer_result"]
    with pytest.raises(AssertionError, match="(?s)first difference.*holds integers"):
        lab.check_smooth(ints, [4, 2, 1], [4.0, 8 / 3, 12 / 7], what="ints", beta=0.5)
    overwrite, _ = variants("smooth_losses", "bug")["bug_overwrites_losses"]
    with pytest.raises(AssertionError, match="changed the caller's input"):
        lab.check_smooth(overwrite, np.array([4.0, 2.0]), [4.0, 8 / 3], what="arr", beta=0.5)
    with pytest.raises(AssertionError, match="not one number"):
        lab.check_suggest(lambda r, s, **kw: np.asarray(r) / 10, [0.1, 1.0], [1.0, 0.5], 0.1,
                          what="array")
    with pytest.raises(AssertionError, match=r"first difference at index \(\): expected 0.1, got 1.0"):
        lab.check_suggest(lambda r, s, **kw: 1.0, [0.1, 1.0], [1.0, 0.5], 0.1, what="wrong")
    with pytest.raises(AssertionError, match="raised ZeroDivisionError"):
        lab.check_suggest(lambda r, s, **kw: 1 / 0, [0.1], [1.0], 0.01, what="crash")


def test_observing_silences_warnings_and_never_raises(capfd):
    bug, _ = variants("smooth_losses", "bug")["bug_correction_off_by_one"]  # divides by zero
    for case in lab.cases("smooth_losses"):
        obs = lab.observe("smooth_losses", bug, case)  # a crash on lists, inf or nan on arrays
        assert obs["error"] or not np.isfinite(obs["value"][0])
    assert capfd.readouterr().err == ""


# ---------------------------------------------------------------- compare, both sides

@pytest.mark.parametrize("part", list(lab.PARTS))
def test_compare_is_two_sided(part, hidden_expected):
    """Does every correct form pass every hidden case, and does every bug fail one whose first
    failure matches its own hint?"""
    expected = hidden_expected[part]
    cases = lab.cases(part)
    assert [e[0] for e in expected] == [c["name"] for c in cases]
    forms = {"solution": solution(part)} | {k: v[0] for k, v in variants(part, "correct").items()}
    assert len(forms) >= 3
    for name, fn in forms.items():
        for case, exp in zip(cases, expected):
            verdict = cells.judge("lab_mnist", part, lab.observe(part, fn, case), exp)
            assert verdict == (True, None), (name, exp[0])
    bugs = variants(part, "bug")
    assert len(bugs) >= 3
    for name, (fn, source) in bugs.items():
        verdicts = [cells.judge("lab_mnist", part, lab.observe(part, fn, c), e)
                    for c, e in zip(cases, expected)]
        first_failure = next((v for v in verdicts if not v[0]), None)
        assert first_failure is not None, f"{name} passes every hidden case"
        assert first_failure[1] == references.hint(source), name


def test_compare_tolerance_is_relative_and_tight(hidden_expected):
    _, (obs, *_), _ = hidden_expected["smooth_losses"][3]
    e = np.asarray(obs["value"])
    assert lab.compare("smooth_losses", dict(obs, value=e * (1 + 1e-13)), obs) is None
    assert "first difference" in lab.compare("smooth_losses", dict(obs, value=e * (1 + 1e-8)),
                                             obs)


def test_keras_has_no_counterpart():
    assert all(lab.keras_observation(p, c) is None for p in lab.PARTS for c in lab.cases(p))
