"""The batch-normalization chapter module: cases carry inputs only, visible checks teach (and
report before they judge), the comparison is both-sided, and the layer it grades is Keras'."""
from __future__ import annotations

import numpy as np
import pytest

from tdnn.chapters import batch_norm as bn
from tdnn.engine import report


class GoodBN:
    """The contract, written plainly (compact backward)."""

    def __init__(self, gamma, beta, momentum=0.9, eps=1e-5):
        self.gamma, self.beta, self.momentum, self.eps = gamma, beta, momentum, eps
        self.running_mean = np.zeros(len(gamma))
        self.running_var = np.ones(len(gamma))

    def forward(self, x, train=True):
        if not train:
            return self.gamma * (x - self.running_mean) / np.sqrt(self.running_var + self.eps) + self.beta
        mu, var = x.mean(axis=0), x.var(axis=0)
        self.xc, self.std = x - mu, np.sqrt(var + self.eps)
        self.x_hat = self.xc / self.std
        self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
        self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
        return self.gamma * self.x_hat + self.beta

    def backward(self, dout):
        n = dout.shape[0]
        self.dbeta = dout.sum(axis=0)
        self.dgamma = (dout * self.x_hat).sum(axis=0)
        d = dout * self.gamma
        return (n * d - d.sum(axis=0) - self.x_hat * (d * self.x_hat).sum(axis=0)) / (n * self.std)


class StagedBN(GoodBN):
    """The staged backward, including the variance's own dependence on the mean (zero)."""

    def backward(self, dout):
        n = dout.shape[0]
        self.dbeta = dout.sum(axis=0)
        self.dgamma = (dout * self.x_hat).sum(axis=0)
        d = dout * self.gamma
        dvar = -0.5 * (d * self.xc).sum(axis=0) / self.std ** 3
        dmu = -(d / self.std).sum(axis=0) + dvar * (-2 * self.xc).mean(axis=0)
        return d / self.std + 2 * dvar * self.xc / n + dmu / n


class NoMeanPathBN(GoodBN):
    def backward(self, dout):
        n = dout.shape[0]
        self.dbeta = dout.sum(axis=0)
        self.dgamma = (dout * self.x_hat).sum(axis=0)
        d = dout * self.gamma
        dvar = -0.5 * (d * self.xc).sum(axis=0) / self.std ** 3
        return d / self.std + 2 * dvar * self.xc / n


class NoVarPathBN(GoodBN):
    def backward(self, dout):
        self.dbeta = dout.sum(axis=0)
        self.dgamma = (dout * self.x_hat).sum(axis=0)
        d = dout * self.gamma
        return (d - d.mean(axis=0)) / self.std


class InferenceUpdatesBN(GoodBN):
    def forward(self, x, train=True):
        out = super().forward(x, train)
        if not train:
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * x.mean(0)
        return out


class UnbiasedRunningVarBN(GoodBN):
    def forward(self, x, train=True):
        if not train:
            return super().forward(x, train)
        old = self.running_var
        out = super().forward(x, train)
        self.running_var = self.momentum * old + (1 - self.momentum) * x.var(axis=0, ddof=1)
        return out


class InPlaceBN(GoodBN):
    def forward(self, x, train=True):
        if train:
            mu = x.mean(axis=0)
            out = super().forward(x, train)
            x -= mu  # destroys the caller's batch
            return out
        return super().forward(x, train)


GAMMA, BETA = np.array([1.0, 2.0]), np.array([0.0, -1.0])
X1 = np.array([[1.0, 2.0], [3.0, 6.0]])
X2 = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])


def _by_hand(momentum=0.8, eps=1e-5):
    mean1 = (1 - momentum) * np.array([2.0, 4.0])
    var1 = momentum + (1 - momentum) * np.array([1.0, 4.0])
    out1 = GAMMA * (X1 - [2.0, 4.0]) / np.sqrt(np.array([1.0, 4.0]) + eps) + BETA
    out2 = GAMMA * (X2 - mean1) / np.sqrt(var1 + eps) + BETA
    return [{"out": out1, "running_mean": mean1, "running_var": var1},
            {"out": out2, "running_mean": mean1, "running_var": var1}]


# ---------------------------------------------------------------- visible checks

def test_check_forward_passes_the_contract():
    bn.check_forward(lambda: GoodBN(GAMMA, BETA, momentum=0.8), [(X1, True), (X2, False)],
                     _by_hand())


@pytest.mark.parametrize("cls, where, needle", [
    (InferenceUpdatesBN, "after call 2 (inference), running_mean differs", "first difference at index (0,)"),
    (UnbiasedRunningVarBN, "after call 1 (training), running_var differs", "expected 1.0, got 1.2"),
])
def test_check_forward_message_names_call_array_index_expected_and_got(cls, where, needle):
    with pytest.raises(AssertionError) as err:
        bn.check_forward(lambda: cls(GAMMA, BETA, momentum=0.8), [(X1, True), (X2, False)],
                         _by_hand(), what="BatchNorm(momentum=0.8)")
    msg = str(err.value)
    assert msg.startswith("BatchNorm(momentum=0.8): " + where), msg
    assert needle in msg and "expected:" in msg and "got:" in msg, msg


def test_check_forward_explains_a_modified_input():
    with pytest.raises(AssertionError, match="changed its input x"):
        bn.check_forward(lambda: InPlaceBN(GAMMA, BETA, momentum=0.8), [(X1.copy(), True)],
                         _by_hand()[:1])


def test_a_crash_becomes_a_failed_check_that_names_the_call():
    class Broken(GoodBN):
        def forward(self, x, train=True):
            if not train:
                raise KeyError("running")
            return super().forward(x, train)

    with pytest.raises(AssertionError, match=r"call 2 \(inference\): forward\(x, train=False\) "
                                             r"raised KeyError"):
        bn.check_forward(lambda: Broken(GAMMA, BETA, momentum=0.8), [(X1, True), (X2, False)],
                         _by_hand())


def test_a_visible_check_reports_what_it_observed_before_judging():
    """The grader gets the observation even when the student's check fails in the kernel."""
    with report.collecting() as got, pytest.raises(AssertionError):
        bn.check_forward(lambda: InferenceUpdatesBN(GAMMA, BETA, momentum=0.8),
                         [(X1, True), (X2, False)], _by_hand(), what="label")
    (label, obs), = got
    assert label == "label" and len(obs["calls"]) == 2
    with report.collecting() as got, pytest.raises(AssertionError):
        bn.check_backward(NoMeanPathBN, GAMMA, BETA, X2, np.ones_like(X2) * [1.0, -2.0],
                          what="back")
    (label, obs), = got
    assert label == "back" and obs["dx"].shape == X2.shape


@pytest.mark.parametrize("cls", [GoodBN, StagedBN])
def test_check_backward_accepts_the_compact_and_the_staged_form(cls):
    rng = np.random.default_rng(1)
    x, dout = rng.normal(2.0, 3.0, size=(6, 3)), rng.normal(size=(6, 3))
    g, b = np.array([1.5, -0.5, 2.0]), np.array([0.1, 0.2, -0.3])
    bn.check_backward(cls, g, b, x, dout)
    bn.check_backward(cls, g, b, x[:2], dout[:2], eps=0.5)


@pytest.mark.parametrize("cls, needle", [(NoMeanPathBN, "dx disagrees"), (NoVarPathBN, "dx disagrees")])
def test_check_backward_catches_a_missing_path_against_the_forward_pass(cls, needle):
    rng = np.random.default_rng(2)
    x, dout = rng.normal(2.0, 3.0, size=(5, 3)), rng.normal(size=(5, 3))
    with pytest.raises(AssertionError) as err:
        bn.check_backward(cls, np.array([1.5, -0.5, 2.0]), np.zeros(3), x, dout)
    msg = str(err.value)
    assert needle in msg and "feature j = 0" in msg, msg
    assert "centred difference" in msg and "three paths" in msg, msg


def test_check_backward_names_the_feature_where_a_gradient_goes_wrong():
    """A dgamma wrong in feature 2 only is reported at feature 2, with the student's column."""
    class WrongLastGamma(GoodBN):
        def backward(self, dout):
            dx = super().backward(dout)
            self.dgamma = self.dgamma * np.array([1.0, 1.0, 1.01])
            return dx

    rng = np.random.default_rng(4)
    x, dout = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    with pytest.raises(AssertionError) as err:
        bn.check_backward(WrongLastGamma, np.array([1.5, -0.5, 2.0]), np.zeros(3), x, dout)
    msg = str(err.value)
    assert "dgamma disagrees with your forward pass at feature j = 2" in msg, msg
    assert "dout * x_hat" in msg, msg


def test_check_backward_leaves_its_arrays_alone_and_ships_no_element_wise_gradient():
    """The check moves copies along random directions; the student edition must not get
    vanishing_gradients' graded numerical_gradient from the batch-norm module."""
    rng = np.random.default_rng(5)
    x, dout = rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    g, b = np.array([1.0, 2.0]), np.array([0.0, 0.5])
    keep = [a.copy() for a in (x, dout, g, b)]
    bn.check_backward(GoodBN, g, b, x, dout)
    for a, k in zip((x, dout, g, b), keep):
        np.testing.assert_array_equal(a, k)
    assert not hasattr(bn, "numerical_gradient")


def test_the_variance_path_through_the_mean_is_exactly_zero():
    """Why a backward that leaves out dvar·mean(−2·xc) is correct: mean(xc) is zero."""
    rng = np.random.default_rng(3)
    a, b = GoodBN(GAMMA, BETA), StagedBN(GAMMA, BETA)
    x, dout = rng.normal(size=(7, 2)), rng.normal(size=(7, 2))
    a.forward(x), b.forward(x)
    assert np.max(np.abs(a.backward(dout) - b.backward(dout))) < 1e-14
    assert np.max(np.abs(b.xc.mean(axis=0))) < 1e-15


# ---------------------------------------------------------------- cases and comparison

@pytest.mark.parametrize("part", bn.PARTS)
def test_cases_hold_inputs_only_and_are_reproducible(part):
    """The kernel reads the cases: they carry no answer, and the grader's copy is the same."""
    first, second = bn.cases(part), bn.cases(part)
    assert len({c["name"] for c in first}) == len(first)
    allowed = ({"name", "kwargs", "gamma", "beta", "calls", "conventions"} if part == "forward"
               else {"name", "kwargs", "gamma", "beta", "before", "x", "dout", "conventions"})
    for a, b in zip(first, second):
        assert set(a) == allowed and a["conventions"] is False
        np.testing.assert_array_equal(a["gamma"], b["gamma"])
        arrays = ([c["x"] for c in a["calls"]] if part == "forward" else [a["x"], a["dout"]])
        others = ([c["x"] for c in b["calls"]] if part == "forward" else [b["x"], b["dout"]])
        for u, v in zip(arrays, others):
            np.testing.assert_array_equal(u, v)


def test_the_hidden_cases_cover_what_the_issue_asks():
    fwd, bwd = bn.cases("forward"), bn.cases("backward")
    dtypes = {str(c["calls"][0]["x"].dtype) for c in fwd}
    assert dtypes == {"float64", "float32"}
    assert {str(c["x"].dtype) for c in bwd} == {"float64", "float32"}
    assert any(c["calls"][0]["x"].shape[0] == 1 for c in fwd)        # variance 0
    assert any(c["x"].shape[0] == 1 for c in bwd)
    assert any(c["kwargs"].get("eps") == 0.5 for c in fwd)           # eps far from its default
    momenta = {c["kwargs"].get("momentum", 0.9) for c in fwd}
    assert 0.5 not in momenta and len(momenta) >= 3                  # swapped momentum shows
    # several training batches, then inference; and inference between training calls
    assert any([c["train"] for c in case["calls"]][:3] == [True] * 3 for case in fwd)
    assert any([c["train"] for c in case["calls"]] == [True, False, True, False, False]
               for case in fwd)
    # a wrong summation axis for dgamma keeps the shape on the first backward case
    assert bwd[0]["x"].shape[0] == bwd[0]["x"].shape[1]
    for c in fwd + bwd:  # gamma and beta are not the identity
        assert not np.allclose(c["gamma"], 1.0) and not np.allclose(c["beta"], 0.0)


@pytest.mark.parametrize("part", bn.PARTS)
def test_compare_is_both_sided(part):
    """Correct forms agree to rounding; each mistake fails some hidden case."""
    good = [bn.observe(part, GoodBN, c) for c in bn.cases(part)]
    staged = [bn.observe(part, StagedBN, c) for c in bn.cases(part)]
    assert all(bn.compare(part, s, g) is None for s, g in zip(staged, good))
    bugs = ([InferenceUpdatesBN, UnbiasedRunningVarBN] if part == "forward"
            else [NoMeanPathBN, NoVarPathBN])
    for bug in bugs:
        got = [bn.observe(part, bug, c) for c in bn.cases(part)]
        assert any(bn.compare(part, b, g) for b, g in zip(got, good)), bug.__name__


def test_compare_refuses_a_float32_answer_to_a_float64_case():
    """A cast cannot buy the float32 tolerance: it is chosen by the reference's dtype."""
    case = bn.cases("backward")[0]
    good = bn.observe("backward", GoodBN, case)
    cast = {**good, "dx": good["dx"].astype(np.float32)}
    assert "dtype float32, expected float64" in bn.compare("backward", cast, good)
    looser = {**good, "dtype": "float32"}
    shifted = {**good, "dx": good["dx"] * (1 + 1e-6)}
    assert bn.compare("backward", shifted, good) is not None       # float64 case: 1e-8
    assert bn.compare("backward", shifted, looser) is None         # float32 case: 1e-5


def test_the_reported_modification_of_an_input_fails_the_case():
    case = bn.cases("forward")[0]
    got = bn.observe("forward", InPlaceBN, case)
    assert "changed its input x" in bn.compare("forward", got, bn.observe("forward", GoodBN, case))


def test_the_single_example_batch_gives_beta_and_a_zero_dx():
    fwd = next(c for c in bn.cases("forward") if c["calls"][0]["x"].shape[0] == 1)
    obs = bn.observe("forward", GoodBN, fwd)
    np.testing.assert_array_equal(obs["calls"][0]["out"][0], fwd["beta"])
    bwd = next(c for c in bn.cases("backward") if c["x"].shape[0] == 1)
    obs = bn.observe("backward", StagedBN, bwd)
    np.testing.assert_array_equal(obs["dx"], np.zeros_like(bwd["x"]))


def test_the_keras_cross_check_is_not_vacuous():
    """Keras' BatchNormalization in float64 (and TensorFlow's autodiff) agrees with the contract
    to KERAS_ATOL on every float64 case, and would catch a mistake."""
    pytest.importorskip("keras")
    for part in bn.PARTS:
        checked, bug_gaps = 0, []
        bug = InferenceUpdatesBN if part == "forward" else NoVarPathBN
        for case in bn.cases(part):
            theirs = bn.keras_observation(part, case)
            if theirs is None:
                continue
            checked += 1
            assert bn.max_difference(theirs, bn.observe(part, StagedBN, case)) <= bn.KERAS_ATOL
            bug_gaps.append(bn.max_difference(theirs, bn.observe(part, bug, case)))
        assert checked >= 4 and max(bug_gaps) > 1e-3


def test_hidden_cases_write_no_warning(recwarn):
    """nbgrader scores a cell that writes to stderr 0: a forward mistake that warns (np.var with
    ddof=1 on one example) must not cost the backward part its points."""
    for part in bn.PARTS:
        for case in bn.cases(part):
            bn.observe(part, UnbiasedRunningVarBN, case)
    assert not [w for w in recwarn.list if issubclass(w.category, RuntimeWarning)]
