"""The CIFAR-10 deep-net lab's chapter module (four graded Keras parts): are its cases free of
answers, is its comparison two-sided on the committed references, do its failure messages name
the property, and do its visible checks report before they assert?"""
from __future__ import annotations

import inspect
import subprocess
import sys

import numpy as np
import pytest

from tdnn.chapters import lab_cifar_deep as lab
from tdnn.crosscheck import lab_cifar_deep as crosscheck
from tdnn.engine import compare as cmp
from tdnn.engine import references
from tdnn.engine.report import collecting

from . import cells

PARTS = list(lab.PARTS)


@pytest.fixture(scope="module")
def hidden():
    """``{part: [(label, accepted, mistakes)]}`` from the committed reference file."""
    return cells.hidden_expected("lab_cifar_deep")


def first_failures(hidden, part) -> dict:
    """``{bug name: the first property it fails}``, over the hidden cases it fails."""
    out = {}
    for _, accepted, mistakes in hidden[part]:
        for m in mistakes:
            out.setdefault(m["name"], cmp.first_failure(
                lab.verdicts(m["observation"], accepted[0]))[0])
    return out


def test_module_is_cheap_to_import():
    """Does importing the module leave Keras and TensorFlow unimported (the class grader
    pre-imports every chapter module)?"""
    code = ("import sys, tdnn.chapters.lab_cifar_deep; "
            "print(any(m in sys.modules for m in ('keras', 'tensorflow')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_parts_are_judged_by_properties_and_limits_fit_tensorflow():
    assert all(p.judged == "properties" for p in lab.PARTS.values())
    assert lab.LIMITS.memory_bytes >= 4 * 1024**3 and lab.LIMITS.cell_seconds >= 60


@pytest.mark.parametrize("part", PARTS)
def test_cases_hold_inputs_only_and_are_reproducible(part):
    a, b = lab.cases(part), lab.cases(part)
    assert a == b and len({c["name"] for c in a}) == len(a) >= 3
    for case in a:
        assert not {"expected", "answer", "pred", "rates", "lr_used", "layers"} & set(case)


def test_cases_cover_what_the_issue_names():
    """Defaults and CIFAR's shape, SELU with LeCun, batch norm; factors both sides of 1 over
    several epochs; 1cycle over several epochs with total_steps not divisible by 20; MC dropout
    with the default n_samples, one pass and AlphaDropout."""
    mlp = lab.cases("build_deep_mlp")
    assert mlp[0]["kwargs"] is None
    assert any((c["kwargs"] or {}).get("initializer") == "lecun_normal" for c in mlp)
    assert sum(bool((c["kwargs"] or {}).get("batch_norm")) for c in mlp) >= 2
    elr = lab.cases("ExponentialLearningRate")
    assert min(c["factor"] for c in elr) < 1 < max(c["factor"] for c in elr)
    assert any(c["epochs"] > 1 for c in elr) and {c["optimizer"] for c in elr} == {"sgd", "nadam"}
    one = lab.cases("OneCycleScheduler")
    assert any(c["epochs"] > 1 for c in one)
    assert any(c["kwargs"]["total_steps"] % 20 for c in one)
    for c in one:  # every case trains exactly total_steps batches
        assert c["n"] // c["batch_size"] * c["epochs"] == c["kwargs"]["total_steps"]
    mc = lab.cases("mc_dropout_predict")
    assert {c["n_samples"] for c in mc} >= {None, 1} and {c["layer"] for c in mc} == {
        "Dropout", "AlphaDropout"}


def test_the_crosschecks_one_cycle_follows_the_lr_scheduling_contract():
    """The instructor-side 1cycle Keras is fed with, at its phase ends (worked out by hand)."""
    assert crosscheck.one_cycle_rate(0, 100, 1.0) == pytest.approx(0.1)
    assert crosscheck.one_cycle_rate(45, 100, 1.0) == pytest.approx(1.0)
    assert crosscheck.one_cycle_rate(90, 100, 1.0) == pytest.approx(0.1)
    assert crosscheck.one_cycle_rate(100, 100, 1.0) == pytest.approx(1e-4)
    assert crosscheck.one_cycle_rate(95, 100, 0.5, start_lr=0.1, last_lr=0.0) == pytest.approx(0.05)


def test_the_module_students_get_holds_no_1cycle_formula():
    """The chapter module ships in the student edition; 1cycle is lr_scheduling's exercise."""
    assert not hasattr(lab, "one_cycle")
    assert "0.45" not in inspect.getsource(lab)


@pytest.mark.parametrize("part", PARTS)
def test_solution_agrees_and_every_bug_fails_a_hidden_case(part, hidden):
    caught = set()
    for label, accepted, mistakes in hidden[part]:
        for obs in accepted:
            assert lab.compare(part, obs, accepted[0]) is None, label
            assert all(v[1] == "ok" for v in lab.verdicts(obs, accepted[0])), label
        for m in mistakes:
            assert lab.compare(part, m["observation"], accepted[0]) is not None
            assert lab.compare(part, m["observation"], m["observation"]) is None
            caught.add(m["name"])
    bugs = set(references.variant_sources("lab_cifar_deep", part, "bug"))
    correct = references.variant_sources("lab_cifar_deep", part, "correct")
    assert len(bugs) >= 3 and caught == bugs and len(correct) >= 2


@pytest.mark.parametrize("part", PARTS)
def test_failure_messages_name_the_property_expected_and_got(part, hidden):
    for _, accepted, mistakes in hidden[part]:
        for m in mistakes:
            text = lab.compare(part, m["observation"], accepted[0])
            assert text.startswith("property '") and "expected:" in text and "got:" in text, text


def test_the_issues_mistakes_fail_where_they_should(hidden):
    assert first_failures(hidden, "build_deep_mlp") == {
        "bug_bn_after_activation": "batch norm before activation",
        "bug_bias_with_bn": "no bias with batch norm",
        "bug_initializer_ignored": "initializer",
        "bug_output_activation": "output layer"}
    assert first_failures(hidden, "ExponentialLearningRate") == {
        "bug_multiplies_before_recording": "rates recorded",
        "bug_per_epoch": "one rate per batch",
        "bug_forgets_losses": "one loss per batch"}
    assert set(first_failures(hidden, "OneCycleScheduler").values()) == {
        "learning rate at each batch"}
    how = {}
    for _, accepted, mistakes in hidden["OneCycleScheduler"]:
        for m in mistakes:
            how.setdefault(m["name"], cmp.first_failure(
                lab.verdicts(m["observation"], accepted[0]))[1])
    assert how == {"bug_never_updates": "constant", "bug_off_by_one": "one step ahead",
                   "bug_step_per_epoch": "restarts each epoch"}


@pytest.mark.parametrize("part", PARTS)
def test_the_judge_would_show_each_bug_its_own_hint(part, hidden):
    """As the judge does: at the first hidden case a bug fails, the first known mistake that
    matches it is that bug itself (so its feedback carries its own hint, not a neighbour's)."""
    for name in references.variant_sources("lab_cifar_deep", part, "bug"):
        label, mistakes, got = next(
            (label, mistakes, m["observation"]) for label, _, mistakes in hidden[part]
            for m in mistakes if m["name"] == name)
        shown = next(m["name"] for m in mistakes
                     if lab.compare(part, got, m["observation"]) is None)
        assert shown == name, f"{name} on {label!r} would be shown the hint of {shown}"
    assert first_failures(hidden, "mc_dropout_predict") == {
        "bug_training_false": "dropout active", "bug_one_pass": "average of n_samples passes",
        "bug_stacked": "shape", "bug_log_mean": "rows sum to 1"}


def test_per_epoch_step_counting_is_caught_only_where_there_are_epochs(hidden):
    """A schedule restarted each epoch is right on a one-epoch case: the multi-epoch cases must
    be the ones that catch it."""
    for label, _, mistakes in hidden["OneCycleScheduler"]:
        caught = "bug_step_per_epoch" in {m["name"] for m in mistakes}
        assert caught == ("x 1 epoch" not in label), label


def test_solution_records_the_rate_each_batch_trained_with(hidden):
    """rates[i] is the rate batch i used (lr0·factor^i), read by the probe, not the next one."""
    for label, accepted, _ in hidden["ExponentialLearningRate"]:
        obs = accepted[0]
        c = obs["case"]
        want = c["lr0"] * c["factor"] ** np.arange(len(obs["rates"]))
        np.testing.assert_allclose(obs["rates"], want, rtol=1e-5, err_msg=label)
        np.testing.assert_allclose(obs["lr_used"], want, rtol=1e-5, err_msg=label)


def test_mc_dropout_solution_is_a_probability_average_that_is_not_deterministic(hidden):
    for label, accepted, _ in hidden["mc_dropout_predict"]:
        obs = accepted[0]
        assert obs["pred"].shape == (obs["case"]["rows"], 4), label
        np.testing.assert_allclose(obs["pred"].sum(axis=1), 1.0, atol=1e-5)
        assert obs["deterministic_diff"] > 1e-3, label


def test_a_wrong_average_is_refused_even_when_its_properties_hold(hidden):
    """Rows summing to 1 and dropout on are not enough: the right probabilities given to the
    wrong rows differ from the n-pass mean by more than the tolerance."""
    _, accepted, _ = hidden["mc_dropout_predict"][0]
    ref = accepted[0]
    other = dict(ref, pred=np.roll(ref["pred"], 1, axis=0))
    message = lab.compare("mc_dropout_predict", other, ref)
    assert message and "average of n_samples passes" in message


def test_visible_check_reports_before_it_asserts():
    pytest.importorskip("keras")
    import keras
    bug = references.variant_sources("lab_cifar_deep", "OneCycleScheduler", "bug")[
        "bug_off_by_one"]
    namespace = {"keras": keras, "one_cycle": crosscheck.one_cycle_rate}
    exec(bug, namespace)
    expected = [crosscheck.one_cycle_rate(step, 8, 0.1) for step in range(8)]
    with collecting() as results, pytest.raises(AssertionError) as err:
        lab.check_one_cycle_scheduler(namespace["OneCycleScheduler"], expected, total_steps=8,
                                      max_lr=0.1, what="visible")
    assert [label for label, _ in results] == ["visible"]
    assert "learning rate at each batch" in str(err.value) and "first difference at batch 0" \
        in str(err.value)


def _mc_variants(kind):
    import keras
    return {stem: fn for stem, (fn, _) in
            cells.variants("lab_cifar_deep", "mc_dropout_predict", kind, keras=keras).items()}


@pytest.mark.parametrize("n_samples", [None, 10])
def test_mc_dropout_visible_check_is_both_sided_without_a_reference_average(n_samples):
    """The visible check judges on a stand-in whose passes are known: every correct variant
    passes it, every bug fails it with the mistake named."""
    for stem, fn in _mc_variants("correct").items():
        lab.check_mc_dropout(fn, n_samples=n_samples)
    why = {"bug_one_pass": "one pass's output", "bug_stacked": "not the passes stacked",
           "bug_training_false": "training=False", "bug_log_mean": "probabilities of the passes"}
    bugs = _mc_variants("bug")
    assert set(bugs) == set(why)
    for stem, fn in bugs.items():
        with pytest.raises(AssertionError, match=why[stem].replace("(", r"\(")):
            lab.check_mc_dropout(fn, n_samples=n_samples)
