"""The fast-optimizers chapter module: its visible checks teach, its comparison is both-sided."""
from __future__ import annotations

import numpy as np
import pytest

from tdnn.chapters import fast_optimizers as fo
from tdnn.engine import report

W0, G = np.array([1.0, -2.0, 0.5]), np.array([0.5, -1.0, 2.0])


class GoodSGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for k in params:
            params[k] -= self.lr * grads[k]


class CopyingSGD(GoodSGD):
    def update(self, params, grads):
        for k in params:
            params[k] = params[k] - self.lr * grads[k]


class GradEatingSGD(GoodSGD):
    def update(self, params, grads):
        for k in params:
            grads[k] *= self.lr
            params[k] -= grads[k]


def test_check_steps_passes_a_correct_step():
    fo.check_steps(lambda: GoodSGD(0.1), {"w": W0}, [{"w": G}], [{"w": W0 - 0.1 * G}])


def test_check_steps_message_names_index_expected_and_got():
    with pytest.raises(AssertionError) as err:
        fo.check_steps(lambda: GoodSGD(0.1), {"w": W0}, [{"w": G}], [{"w": W0 + 0.1 * G}],
                       what="SGD(lr=0.1)")
    msg = str(err.value)
    assert "SGD(lr=0.1): after step 1, params['w'] differs" in msg
    assert "first difference at index (0,): expected 1.05, got 0.95" in msg
    assert "expected:" in msg and "got:" in msg


@pytest.mark.parametrize("cls, needle", [(CopyingSGD, "new array"), (GradEatingSGD, "changed grads")])
def test_check_steps_explains_contract_violations(cls, needle):
    with pytest.raises(AssertionError, match=needle):
        fo.check_steps(lambda: cls(0.1), {"w": W0}, [{"w": G}], [{"w": W0 - 0.1 * G}])


def test_exceptions_in_student_code_become_failed_checks():
    class Broken(GoodSGD):
        def update(self, params, grads):
            raise KeyError("W1")

    with pytest.raises(AssertionError, match=r"step 1: update\(\) raised KeyError"):
        fo.check_steps(lambda: Broken(0.1), {"w": W0}, [{"w": G}], [{"w": W0}])


def test_the_tolerance_is_relative_to_the_step():
    """Rounding-sized differences in a step pass; a 1 % error in it does not."""
    fo.check_steps(lambda: GoodSGD(0.1 * (1 + 1e-6)), {"w": W0}, [{"w": G}], [{"w": W0 - 0.1 * G}])
    with pytest.raises(AssertionError):
        fo.check_steps(lambda: GoodSGD(0.1 * (1 + 1e-2)), {"w": W0}, [{"w": G}],
                       [{"w": W0 - 0.1 * G}])


def test_a_visible_check_reports_what_it_observed_before_judging():
    """The grader gets the trajectory even when the student's check fails in the kernel."""
    with report.collecting() as got, pytest.raises(AssertionError):
        fo.check_steps(lambda: GoodSGD(0.2), {"w": W0}, [{"w": G}], [{"w": W0 - 0.1 * G}],
                       what="SGD(lr=0.1)")
    (label, obs), = got
    assert label == "SGD(lr=0.1)"
    np.testing.assert_array_equal(obs["steps"][0]["w"], W0 - 0.2 * G)


def test_an_update_that_is_not_in_place_shows_as_no_step():
    """Values are read from the caller's arrays, so a copy never looks right to the grader."""
    obs = fo.trajectory(lambda: CopyingSGD(0.1), {"w": W0}, [{"w": G}])
    np.testing.assert_array_equal(obs["steps"][0]["w"], W0)
    assert "new array" in obs["problem"]


@pytest.mark.parametrize("part", fo.PARTS)
def test_cases_hold_inputs_only_and_are_reproducible(part):
    """The kernel reads the cases: they carry no answer, and the grader's copy is the same."""
    first, second = fo.cases(part), fo.cases(part)
    for a, b in zip(first, second):
        assert set(a) == {"name", "kwargs", "start", "grads", "conventions"}
        for k in a["start"]:
            np.testing.assert_array_equal(a["start"][k], b["start"][k])


@pytest.mark.parametrize("part", sorted(fo.HAS_EPS))
def test_eps_cases_expose_eps_and_zero_gradients(part):
    """Some hidden case has eps far from its default, and one has a coordinate that never gets
    a gradient (where 0/0 shows a missing or misplaced eps)."""
    cases = fo.cases(part)
    assert any(c["kwargs"].get("eps") == 0.5 for c in cases)
    assert any(all(g[k].flat[0] == 0 for g in c["grads"] for k in g) for c in cases)


def test_compare_anchors_steps_at_the_expected_start():
    """A result that reports a made-up start cannot shift what its steps are judged against."""
    good = fo.trajectory(lambda: GoodSGD(0.1), {"w": W0}, [{"w": G}, {"w": G}])
    forged = {**good, "start": {"w": good["steps"][0]["w"] + 5.0},
              "steps": [{"w": s["w"] + 5.0} for s in good["steps"]]}
    assert fo.compare("sgd", good, good) is None
    assert "differs" in fo.compare("sgd", forged, good)


class FormulaAdamW:
    """AdamW written from the contract's formula, for the tests below; ``decay_after`` shrinks
    the weights after Adam's step instead of before (a mistake the hidden cases must catch)."""

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-7, weight_decay=0.004,
                 decay_after=False):
        self.lr, self.b1, self.b2, self.eps, self.wd = lr, beta1, beta2, eps, weight_decay
        self.decay_after, self.t, self.m, self.v = decay_after, 0, {}, {}

    def update(self, params, grads):
        self.t += 1
        for k, g in grads.items():
            self.m[k] = self.b1 * self.m.get(k, 0.0) + (1 - self.b1) * g
            self.v[k] = self.b2 * self.v.get(k, 0.0) + (1 - self.b2) * g * g
            step = (self.lr * self.m[k] / (1 - self.b1 ** self.t)
                    / (np.sqrt(self.v[k] / (1 - self.b2 ** self.t)) + self.eps))
            if not self.decay_after:
                params[k] -= self.lr * self.wd * params[k]
            params[k] -= step
            if self.decay_after:
                params[k] -= self.lr * self.wd * params[k]


def _adamw_case(label):
    return next(c for c in fo.cases("adamw") if label in c["name"])


def test_adamw_hidden_cases_see_a_decay_of_four_thousandths():
    """Keras' default decay moves a step by only lr*0.004*|w|: is that still far beyond the
    grader's tolerance, so that plain Adam (no decay) fails the default case?"""
    case = _adamw_case("AdamW() [3 keys")
    decayed = fo.observe("adamw", FormulaAdamW, case)
    plain = fo.observe("adamw", lambda **kw: FormulaAdamW(**kw, weight_decay=0.0), case)
    assert fo.compare("adamw", decayed, decayed) is None
    assert "differs" in fo.compare("adamw", plain, decayed)


def test_adamw_custom_case_tells_the_order_of_decay_and_step():
    """Decaying after the step changes a step by lr*weight_decay of itself: invisible at the
    defaults (4e-6), caught by the custom case (weight_decay=0.1, lr=0.05: 5e-3)."""
    default, custom = _adamw_case("AdamW() [3 keys"), _adamw_case("weight_decay=0.1) [3 keys")
    for case, caught in [(default, False), (custom, True)]:
        right = fo.observe("adamw", FormulaAdamW, case)
        after = fo.observe("adamw", lambda **kw: FormulaAdamW(**kw, decay_after=True), case)
        assert (fo.compare("adamw", after, right) is not None) == caught, case["name"]


def test_a_walk_that_leaves_the_window_is_cut_at_its_border():
    """The bowl figures draw a divergent walk up to the border, not as lines along the edge."""
    from tdnn.plots import clip_walk

    walk = np.array([[0.0, 0.0], [0.0, 2.0], [0.0, -4.0], [0.0, 8.0], [0.0, -16.0]])
    shown, left_at = clip_walk(walk, (-5.0, 5.0), (-5.0, 5.0))
    assert left_at == 3
    np.testing.assert_allclose(shown, [[0, 0], [0, 2], [0, -4], [0, 5]])
    inside, never = clip_walk(walk[:3], (-5.0, 5.0), (-5.0, 5.0))
    assert never is None and np.array_equal(inside, walk[:3])


def test_the_mnist_figure_tells_its_lines_apart_without_colour():
    """Each optimizer's line differs from every other in line style or marker, and each has a
    band spanning its seeds."""
    import matplotlib.pyplot as plt

    from tdnn.plots import plot_seed_bands

    runs = {f"run {i}": {"loss": np.arange(6.0).reshape(2, 3) + i,
                         "val_loss": np.ones((2, 3)) * i} for i in range(7)}
    fig = plot_seed_bands(runs)
    for ax in fig.axes:
        looks = {(line.get_linestyle(), line.get_marker()) for line in ax.get_lines()}
        assert len(looks) == len(runs)
        assert len(ax.collections) == len(runs)  # one band per run
    plt.close(fig)
