"""The vanishing-gradients chapter module: its cases are data, its visible checks teach, its
comparison is both-sided (every accepted form passes, every mistake fails), and its hidden cases
hold what the issue asks for (no exact 0, large and tiny inputs, float32, non-separable f)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from tdnn.chapters import vanishing_gradients as vg
from tdnn.engine import report
from tdnn.engine.references import variant_sources

ALPHA, SCALE = vg.SELU_ALPHA, vg.SELU_SCALE


def leaky_relu(x, alpha=0.01):
    return np.where(x > 0, x, alpha * x)


def elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def elu_grad(x, alpha=1.0):
    return np.where(x > 0, np.ones_like(x), alpha * np.exp(np.minimum(x, 0)))


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        saved = x[i]
        x[i] = saved + h
        plus = f(x)
        x[i] = saved - h
        minus = f(x)
        x[i] = saved
        grad[i] = (plus - minus) / (2 * h)
    return grad


X = np.array([-2.0, -0.5, 0.25, 3.0])


# ---------------------------------------------------------------- cases

@pytest.mark.parametrize("part", vg.PARTS)
def test_cases_hold_inputs_only_and_are_reproducible(part):
    """The kernel reads the cases: they carry no answer, and the grader's copy is the same."""
    first, second = vg.cases(part), vg.cases(part)
    keys = {"name", "kwargs", "x"} | ({"function"} if part == "numerical_gradient" else set())
    assert len({c["name"] for c in first}) == len(first)
    for a, b in zip(first, second):
        assert set(a) == keys
        np.testing.assert_array_equal(a["x"], b["x"])
        assert a["x"].dtype == b["x"].dtype and a["x"].dtype.kind == "f"


@pytest.mark.parametrize("part", vg.ACTIVATIONS)
def test_activation_cases_cover_what_the_issue_asks(part):
    """Never exactly 0; float64 and float32; exp overflow in both dtypes; tiny inputs; a custom
    alpha wherever the function takes one; several shapes."""
    cases = vg.cases(part)
    xs = [c["x"] for c in cases]
    assert all(np.all(x != 0) for x in xs)
    assert {x.dtype for x in xs} == {np.dtype(np.float64), np.dtype(np.float32)}
    assert any(x.dtype == np.float64 and x.max() >= 1000 and x.min() <= -1000 for x in xs)
    assert any(x.dtype == np.float32 and x.max() > 89 for x in xs)  # exp overflows float32
    assert any(0 < np.abs(x).min() <= 1e-8 for x in xs)
    assert len({x.ndim for x in xs}) >= 3
    if part in vg.CUSTOM:
        assert any(c["kwargs"] for c in cases)


def test_gradient_cases_name_fixed_functions_and_include_non_separable_ones():
    cases = vg.cases("numerical_gradient")
    assert all(c["function"] in vg.FUNCTIONS for c in cases)
    assert len({c["function"] for c in cases}) >= 3
    assert any(c["kwargs"].get("h") for c in cases)
    assert all(c["x"].dtype == np.float64 for c in cases)
    # non-separable: the derivative along x[0] depends on another element
    f = vg.FUNCTIONS["log(sum(exp(x)))"]
    x = np.array([0.1, -0.3, 0.7])
    g1 = numerical_gradient(f, x.copy())
    x[1] += 1.0
    assert abs(numerical_gradient(f, x.copy())[0] - g1[0]) > 1e-3


# ---------------------------------------------------------------- visible checks

def test_check_function_passes_a_correct_function():
    vg.check_function("leaky_relu", leaky_relu, X, [-0.02, -0.005, 0.25, 3.0], what="leaky_relu(x)")
    vg.check_function("elu", elu, X.astype(np.float32), [np.exp(-2) - 1, np.exp(-0.5) - 1, 0.25, 3],
                      what="elu(x) on float32")


def test_check_function_message_names_index_expected_and_got():
    with pytest.raises(AssertionError) as err:
        vg.check_function("leaky_relu", lambda x, alpha=0.01: np.maximum(x, 0), X,
                          [-0.02, -0.005, 0.25, 3.0], what="leaky_relu(x)")
    msg = str(err.value)
    assert "leaky_relu(x): the result differs from the expected value" in msg
    assert "first difference at index (0,): expected -0.02, got 0.0" in msg
    assert "expected:" in msg and "got:" in msg
    assert "branch for x <= 0 missing" in msg


def test_a_float64_result_for_float32_input_is_refused_and_explained():
    with pytest.raises(AssertionError, match="dtype float64, expected float32.*astype"):
        vg.check_function("leaky_relu_grad", lambda x, alpha=0.01: np.where(x > 0, 1.0, alpha),
                          X.astype(np.float32), [0.01, 0.01, 1, 1], what="leaky_relu_grad(x)")


def test_a_function_that_changes_its_input_is_caught_though_its_values_are_right():
    def in_place(x, alpha=0.01):
        x[x < 0] *= alpha
        return x

    with pytest.raises(AssertionError, match="(?s)changed its input.*first difference at index"):
        vg.check_function("leaky_relu", in_place, X, [-0.02, -0.005, 0.25, 3.0], what="lr")


def test_nan_from_a_mask_product_is_explained():
    def masked(x, alpha=1.0):
        return x * (x > 0) + alpha * (np.exp(x) - 1) * (x <= 0)

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the check itself silences the overflow warning
        obs = vg.run_function(masked, np.array([-1.0, 1000.0]), {}, "elu(x)")
    msg = vg.compare("elu", obs, {"value": np.array([np.expm1(-1.0), 1000.0]),
                                  "x_after": np.array([-1.0, 1000.0]), "error": None})
    assert "first difference at index (1,): expected 1000.0, got nan" in msg
    assert "inf * 0 is nan" in msg


def test_exceptions_and_missing_returns_become_failed_checks():
    def blank(x, alpha=0.01):
        raise NotImplementedError()

    with pytest.raises(AssertionError, match=r"leaky_relu\(x\) raised NotImplementedError"):
        vg.check_function("leaky_relu", blank, X, X, what="leaky_relu(x)")
    with pytest.raises(AssertionError, match="returned NoneType.*forget `return`"):
        vg.check_function("elu", lambda x, alpha=1.0: None, X, X, what="elu(x)")


def test_a_visible_check_reports_what_it_observed_before_judging():
    """The grader gets the result even when the student's check fails in the kernel."""
    with report.collecting() as got, pytest.raises(AssertionError):
        vg.check_function("leaky_relu", lambda x, alpha=0.01: 2 * x, X, X, what="leaky_relu(x)")
    (label, obs), = got
    assert label == "leaky_relu(x)"
    np.testing.assert_array_equal(obs["value"], 2 * X)


def test_check_gradient_passes_centred_and_refuses_forward_differences():
    x = np.array([1.0, -2.0, 0.5])
    vg.check_gradient(numerical_gradient, lambda v: np.sum(v**3), x, 3 * x**2, what="g")

    def forward(f, x, h=1e-5):
        g = np.zeros(x.shape)
        fx = f(x)
        for i in np.ndindex(x.shape):
            x[i] += h
            g[i] = (f(x) - fx) / h
            x[i] -= h
        return g

    with pytest.raises(AssertionError, match="first difference at index"):
        vg.check_gradient(forward, lambda v: np.sum(v**3), x, 3 * x**2, what="g")
    np.testing.assert_array_equal(x, [1.0, -2.0, 0.5])  # the check worked on a copy


def test_derivative_report_never_raises_and_finds_a_wrong_derivative(capsys):
    def broken(x):
        raise NotImplementedError()

    out = vg.derivative_report(numerical_gradient, {
        "elu": (elu, elu_grad),
        "elu, wrong": (elu, lambda x: np.where(x > 0, 1.0, np.expm1(np.minimum(x, 0)))),
        "blank": (broken, broken)})
    assert out["elu"] < 1e-8 and out["elu, wrong"] > 0.1 and out["blank"] is None
    text = capsys.readouterr().out
    assert "DISAGREE" in text and "could not be checked" in text


# ---------------------------------------------------------------- compare is both-sided

def _solution_results(part):
    """What the variants' sources give on every hidden case, by file stem."""
    from pathlib import Path

    from tdnn.engine import notebook
    path = Path(__file__).parents[2] / "solutions" / "vanishing_gradients" / "vanishing_gradients.ipynb"
    solution = notebook.strip_markers(notebook.solution_sources(path)[part])
    sources = {"solution": solution, **variant_sources("vanishing_gradients", part, "correct"),
               **variant_sources("vanishing_gradients", part, "bug")}
    base = {"np": np, "elu": elu, "elu_grad": elu_grad}
    out = {}
    for name, source in sources.items():
        ns = dict(base)
        exec(source, ns)
        fn = ns[vg.PARTS[part].name]
        out[name] = [vg.observe(part, fn, case) for case in vg.cases(part)]
    return out


@pytest.mark.parametrize("part", vg.PARTS)
def test_compare_accepts_every_correct_form_and_refuses_every_bug(part):
    results = _solution_results(part)
    expected = results["solution"]
    for name, got in results.items():
        verdicts = [vg.compare(part, g, e) for g, e in zip(got, expected)]
        if name.startswith("bug_"):
            assert any(verdicts), f"{part}/{name} passes every hidden case"
        else:
            assert not any(verdicts), f"{part}/{name}: {next(v for v in verdicts if v)}"


@pytest.mark.parametrize("part", vg.PARTS)
def test_every_part_has_two_correct_forms_and_three_bugs(part):
    assert len(variant_sources("vanishing_gradients", part, "correct")) >= 2
    assert len(variant_sources("vanishing_gradients", part, "bug")) >= 3


def test_selu_constants_need_four_decimals_not_two():
    x = np.array([-3.0, -0.2, 0.4, 2.0])
    exact = {"value": SCALE * elu(x, ALPHA), "x_after": x, "error": None}

    def selu(a, s):
        return {"value": s * elu(x, a), "x_after": x, "error": None}

    assert vg.compare("selu", selu(1.6733, 1.0507), exact) is None
    assert vg.compare("selu", selu(1.67, 1.05), exact) is not None


def test_the_gradient_tolerance_sits_between_centred_and_forward_differences():
    """Centred differences of the hidden functions are within the tolerance of the exact
    gradient; forward differences are not (the margin the two-sided comparison relies on)."""
    x = np.random.default_rng(0).normal(size=(3, 4))
    f = vg.FUNCTIONS["sum(sin(x) * x**2)"]
    exact = np.cos(x) * x**2 + 2 * x * np.sin(x)
    centred = numerical_gradient(f, x.copy())
    slack = vg.GRAD_ATOL + vg.GRAD_RTOL * np.abs(exact)
    assert np.all(np.abs(centred - exact) <= slack / 10)
    fx = f(x)
    forward = np.array([(f(x + 1e-5 * np.eye(12)[i].reshape(3, 4)) - fx) / 1e-5
                        for i in range(12)]).reshape(3, 4)
    assert np.any(np.abs(forward - exact) > 10 * slack)


def test_x_left_one_rounding_away_passes_and_h_away_fails():
    x = np.array([0.1, 0.7, -2.3])
    good = {"value": np.ones(3), "x_after": x, "error": None}
    nudged = {**good, "x_after": (x + 1e-5) - 1e-5}
    shifted = {**good, "x_after": x - np.array([1e-5, 0, 0])}
    assert vg.compare("numerical_gradient", nudged, good) is None
    assert "changed its input" in vg.compare("numerical_gradient", shifted, good)


def test_max_difference_is_relative_to_large_values():
    a = {"value": np.array([-300.0, 1.0]), "x_after": np.zeros(2), "error": None}
    b = {"value": np.array([-300.0000036, 1.0]), "x_after": np.zeros(2), "error": None}
    assert vg.max_difference(a, b) < vg.KERAS_ATOL / 10
    assert vg.max_difference({**a, "value": np.array([np.nan, 1.0])}, b) != 0.0
