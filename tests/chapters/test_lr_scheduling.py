"""The learning-rate-scheduling chapter module: cases free of answers that cover scalars, 0-d
and array steps and every boundary; visible checks that report before they judge and teach;
compare two-sided on shape, dtype and values; the Keras cross-check's masking of boundaries."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from tdnn.chapters import lr_scheduling as lrs
from tdnn.engine import references, report

from . import cells


def solution(part):
    return cells.solution("lr_scheduling", part)


def variants(part, kind):
    return cells.variants("lr_scheduling", part, kind)


@pytest.fixture(scope="module")
def hidden_expected():
    return cells.hidden_expected("lr_scheduling")


# ---------------------------------------------------------------- cases

@pytest.mark.parametrize("part", list(lrs.PARTS))
def test_cases_hold_inputs_only_and_are_reproducible(part):
    a, b = lrs.cases(part), lrs.cases(part)
    assert len({c["name"] for c in a}) == len(a) >= 8
    for x, y in zip(a, b):
        assert set(x) == {"name", "step", "args", "kwargs"}
        assert x["name"] == y["name"]
        np.testing.assert_array_equal(x["step"], y["step"])
        assert type(x["step"]) is type(y["step"])


@pytest.mark.parametrize("part", list(lrs.PARTS))
def test_cases_cover_python_ints_0d_int_and_float_arrays_in_that_order(part):
    steps = [c["step"] for c in lrs.cases(part)]
    kinds = ["int" if isinstance(s, int) else
             "0-d" if s.ndim == 0 else "array" for s in steps]
    # the scalar cases come first: a scalar-only solution's first failure is an array case
    assert kinds == sorted(kinds, key=["int", "0-d", "array"].index)
    assert {"int", "0-d", "array"} <= set(kinds)
    arrays = [s for s in steps if isinstance(s, np.ndarray)]
    assert any(s.dtype.kind == "i" for s in arrays) and any(s.dtype.kind == "f" for s in arrays)
    assert any(s.ndim == 0 and s.dtype.kind == "i" for s in arrays)
    assert any(s.ndim == 2 for s in arrays)


def _steps_of(part):
    return np.concatenate([np.ravel(np.asarray(c["step"], dtype=float)) for c in lrs.cases(part)])


def test_piecewise_cases_hit_every_boundary_and_its_neighbours():
    for case in lrs.cases("piecewise_constant"):
        if isinstance(case["step"], np.ndarray) and case["step"].ndim and case["step"].size > 5:
            steps = set(np.ravel(case["step"]).tolist())
            for b in case["args"]["boundaries"]:
                assert b in steps, (case["name"], b)
    scalars = {c["step"] for c in lrs.cases("piecewise_constant") if isinstance(c["step"], int)}
    assert {4, 5, 10} <= scalars  # just before, at, and at the last boundary, as Python ints


def test_one_cycle_cases_cover_phase_ends_defaults_and_awkward_totals():
    cases = lrs.cases("one_cycle")
    totals = {c["args"]["total_steps"] for c in cases}
    assert any(t % 20 for t in totals)  # 0.45·T and 0.9·T not integers
    kw = [set(c["kwargs"]) for c in cases]
    assert set() in kw and {"start_lr"} in kw and {"start_lr", "last_lr"} in kw
    assert {"last_lr"} in kw
    around = next(c for c in cases if "phase ends" in c["name"])
    t = around["args"]["total_steps"]
    assert {0.45 * t, 0.9 * t, t} <= set(np.ravel(around["step"]).astype(float).tolist())


def test_power_and_exponential_cases_have_custom_c_and_steps_around_multiples_of_s():
    cs = {c["kwargs"].get("c") for c in lrs.cases("power_schedule")}
    assert None in cs and len(cs - {None, 1}) >= 2
    for part in ("power_schedule", "exponential_schedule"):
        first = lrs.cases(part)[0]
        assert isinstance(first["step"], int) and first["step"] % first["args"]["s"]


def test_the_module_imports_without_keras():
    code = ("import sys, tdnn.chapters.lr_scheduling; "
            "print('keras' in sys.modules, 'tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# ---------------------------------------------------------------- visible checks

def test_check_schedule_passes_the_solution_on_scalars_0d_and_arrays():
    power = solution("power_schedule")
    lrs.check_schedule(power, 10, (0.1, 10), 0.05, what="scalar")
    lrs.check_schedule(power, np.array(10), (0.1, 10), 0.05, what="0-d")
    lrs.check_schedule(power, np.array([[0, 10], [30, 10]]), (0.1, 10),
                       [[0.1, 0.05], [0.025, 0.05]], what="2-D")


def test_a_visible_check_reports_what_it_observed_before_judging():
    bug, _ = variants("power_schedule", "bug")["bug_integer_division"]
    with report.collecting() as got, pytest.raises(AssertionError) as err:
        lrs.check_schedule(bug, 5, (0.1, 10), 0.1 / 1.5, what="power_schedule(5, 0.1, 10)")
    (label, obs), = got
    assert label == "power_schedule(5, 0.1, 10)" and float(obs["value"]) == 0.1
    msg = str(err.value)
    assert "first difference at index (): expected 0.06666666666666667, got 0.1" in msg
    assert "at step 5" in msg


def test_visible_check_messages_locate_the_step_and_name_shape_and_dtype_problems():
    with pytest.raises(AssertionError) as err:
        lrs.check_schedule(lambda step, b, v: np.array([0.1, 0.1, 0.1, 0.05, 0.01]),
                           np.array([0, 4, 5, 9, 10]), ([5, 10], [0.1, 0.05, 0.01]),
                           [0.1, 0.1, 0.05, 0.05, 0.01], what="piecewise")
    assert "first difference at index (2,): expected 0.05, got 0.1" in str(err.value)
    assert "rate at step 5, element (2,) of the array of steps" in str(err.value)
    with pytest.raises(AssertionError, match=r"shape \(1,\), expected a scalar \(shape \(\)\)"):
        lrs.check_schedule(lambda step, lr0, s: np.atleast_1d(lr0 / (1 + step / s)), 10,
                           (0.1, 10), 0.05, what="shape")
    with pytest.raises(AssertionError, match="holds integers"):
        lrs.check_schedule(lambda step, b, v: np.searchsorted(b, step, side="right"),
                           np.array([0, 5]), ([5], [0, 1]), [0.0, 1.0], what="ints")
    with pytest.raises(AssertionError, match="raised ValueError"):
        bug, _ = variants("one_cycle", "bug")["bug_if_on_array"]
        lrs.check_schedule(bug, np.array([0, 45]), (100, 1.0), [0.1, 1.0], what="array")


def test_a_schedule_that_changes_the_callers_steps_is_refused():
    def in_place(step, lr0, s):
        step //= 1
        step += 1
        return lr0 / step

    with pytest.raises(AssertionError, match="changed the caller's array of steps"):
        lrs.check_schedule(in_place, np.array([0, 1]), (0.1, 1), [0.1, 0.05], what="in place")


def test_every_visible_check_of_the_notebook_passes_every_correct_form_and_warnings_are_quiet(
        capfd):
    for part in lrs.PARTS:
        for name, (fn, _) in variants(part, "correct").items():
            for case in lrs.cases(part):
                obs = lrs.observe(part, fn, case)
                assert obs["error"] is None, (name, case["name"])
    exp, _ = variants("exponential_schedule", "bug")["bug_exponent_inverted"]
    lrs.observe("exponential_schedule", exp, lrs.cases("exponential_schedule")[1])  # 1/0
    assert capfd.readouterr().err == ""


# ---------------------------------------------------------------- compare, both sides

def _judge(part, obs, expected):
    return cells.judge("lr_scheduling", part, obs, expected)


@pytest.mark.parametrize("part", list(lrs.PARTS))
def test_compare_is_two_sided(part, hidden_expected):
    """Every correct form passes every hidden case; every bug fails one, and its first failure
    matches its own hint."""
    expected = hidden_expected[part]
    cases = lrs.cases(part)
    assert [e[0] for e in expected] == [c["name"] for c in cases]
    forms = {"solution": solution(part)} | {k: v[0] for k, v in variants(part, "correct").items()}
    assert len(forms) >= 3
    for name, fn in forms.items():
        for case, exp in zip(cases, expected):
            assert _judge(part, lrs.observe(part, fn, case), exp) == (True, None), (name, exp[0])
    bugs = variants(part, "bug")
    assert len(bugs) >= 3
    for name, (fn, source) in bugs.items():
        verdicts = [_judge(part, lrs.observe(part, fn, c), e) for c, e in zip(cases, expected)]
        first_failure = next((v for v in verdicts if not v[0]), None)
        assert first_failure is not None, f"{name} passes every hidden case"
        assert first_failure[1] == references.hint(source), name


def test_compare_checks_shape_for_scalars_0d_and_arrays(hidden_expected):
    label, (solution_obs, *_), _ = hidden_expected["power_schedule"][0]
    assert np.shape(solution_obs["value"]) == ()
    wrong = dict(solution_obs, value=np.atleast_1d(solution_obs["value"]))
    assert "expected a scalar (shape ())" in lrs.compare("power_schedule", wrong, solution_obs)
    zero_d = next(e for e in hidden_expected["one_cycle"] if "0-d" in e[0])
    assert np.shape(zero_d[1][0]["value"]) == ()
    arr = next(e for e in hidden_expected["one_cycle"] if "shape (3, 4)" in e[0])[1][0]
    flat = dict(arr, value=np.ravel(arr["value"]))
    assert "shape (12,), expected shape (3, 4)" in lrs.compare("one_cycle", flat, arr)


def test_compare_tolerance_is_relative_and_tight(hidden_expected):
    _, (obs, *_), _ = hidden_expected["exponential_schedule"][-1]
    e = np.asarray(obs["value"])
    assert lrs.compare(None, dict(obs, value=e * (1 + 1e-12)), obs) is None
    assert "first difference" in lrs.compare(None, dict(obs, value=e * (1 + 1e-7)), obs)


def test_the_solution_follows_the_contract_by_hand():
    power, expo = solution("power_schedule"), solution("exponential_schedule")
    piece, cycle = solution("piecewise_constant"), solution("one_cycle")
    assert power(30, 0.4, 10) == pytest.approx(0.1) and power(30, 0.4, 10, c=2) == pytest.approx(0.025)
    assert expo(40, 2.0, 20) == pytest.approx(0.02)
    np.testing.assert_allclose(piece(np.array([4, 5, 9, 10]), [5, 10], [3.0, 2.0, 1.0]),
                               [3.0, 2.0, 2.0, 1.0])
    np.testing.assert_allclose(cycle(np.array([0, 45, 90, 100]), 100, 1.0),
                               [0.1, 1.0, 0.1, 1e-4], rtol=1e-12)


# ---------------------------------------------------------------- the Keras cross-check

def test_keras_is_compared_only_where_it_has_the_same_schedule():
    assert all(lrs.keras_observation("one_cycle", c) is None for c in lrs.cases("one_cycle"))
    assert all(lrs.keras_observation("power_schedule", c) is None
               for c in lrs.cases("power_schedule") if c["kwargs"].get("c", 1) != 1)


def test_max_difference_ignores_the_piecewise_boundaries_keras_switches_late():
    a = {"value": np.array([0.1, 0.1, 0.05]), "compared": np.array([True, False, True]),
         "error": None}
    b = {"value": np.array([0.1, 0.05, 0.05]), "error": None}
    assert lrs.max_difference(a, b) == 0.0
    assert lrs.max_difference(dict(a, compared=np.ones(3, bool)), b) == pytest.approx(0.05)
    assert lrs.max_difference(a, dict(b, value=np.zeros(2))) == float("inf")
