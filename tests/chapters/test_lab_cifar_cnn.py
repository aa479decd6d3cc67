"""The CIFAR-10 CNN lab's chapter module (build_cnn, judged by properties): cases that cover
every option; the grader's own reading of the contract (operations, parameter count) checked
against Keras; equivalent layer spellings read alike; compare two-sided; visible checks teach."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from tdnn.chapters import lab_cifar_cnn as lab
from tdnn.engine import references, report

from . import cells

keras = pytest.importorskip("keras")


def define(source):
    namespace = {"np": np, "keras": keras}
    exec(compile(source, "<build_cnn>", "exec"), namespace)
    return namespace["build_cnn"]


@pytest.fixture(scope="module")
def solution():
    from tdnn.engine.notebook import solution_sources, strip_markers

    notebook = references.notebooks("lab_cifar_cnn")[0]
    return define(strip_markers(solution_sources(notebook)["build_cnn"]))


@pytest.fixture(scope="module")
def variant_fns():
    return {kind: {stem: (define(src), src) for stem, src in
                   references.variant_sources("lab_cifar_cnn", "build_cnn", kind).items()}
            for kind in ("correct", "bug")}


@pytest.fixture(scope="module")
def hidden_expected():
    return cells.hidden_expected("lab_cifar_cnn")["build_cnn"]


# ---------------------------------------------------------------- cases

def test_cases_hold_arguments_only_and_cover_every_option():
    """Do the hidden cases call with the defaults and with every value of every option?"""
    cases = lab.cases("build_cnn")
    assert len({c["name"] for c in cases}) == len(cases) >= 6
    assert all(set(c) == {"name", "kwargs"} for c in cases)
    assert cases[0]["kwargs"] is None
    given = [c["kwargs"] for c in cases[1:]]
    for option, values in [("bn", {"before", "after", None}), ("pooling", {"gap", "flatten"}),
                           ("downsample", {"maxpool", "stride"})]:
        assert {k[option] for k in given} == values, option
    assert {len(k["filters"]) for k in given} >= {1, 2, 3}
    assert {k["input_shape"][-1] for k in given} >= {1, 2, 3}
    for k in given:  # divisible, so "valid" and "same" pooling never agree by chance
        assert all(side % 2 ** len(k["filters"]) == 0 for side in k["input_shape"][:2])


def test_the_module_imports_without_keras():
    code = ("import sys, tdnn.chapters.lab_cifar_cnn; "
            "print('keras' in sys.modules, 'tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# ---------------------------------------------------------------- the grader's reading

def test_the_parameter_formula_agrees_with_keras_on_every_case(solution):
    """Is the grader's parameter count, derived from the contract, what Keras counts for the
    solution's model (so that a wrong formula cannot pass a wrong model)?"""
    for case in lab.cases("build_cnn"):
        model = solution(**(case["kwargs"] or {}))
        assert model.count_params() == lab.expected_params(lab.full_args(case["kwargs"]))


def test_the_default_model_by_hand(solution):
    """Does build_cnn() have the layers the notebook describes, with 32 and 64 bias-free
    3 × 3 convolutions, halved twice by pooling, and 10 probabilities per image?"""
    model = solution()
    names = [type(l).__name__ for l in model.layers]
    assert names == ["InputLayer", "Conv2D", "BatchNormalization", "Activation", "MaxPooling2D",
                     "Conv2D", "BatchNormalization", "Activation", "MaxPooling2D",
                     "GlobalAveragePooling2D", "Dense"]
    convs = [l for l in model.layers if isinstance(l, keras.layers.Conv2D)]
    assert [(c.filters, c.kernel_size, c.use_bias) for c in convs] == [(32, (3, 3), False),
                                                                        (64, (3, 3), False)]
    out = np.asarray(model(np.zeros((3, 32, 32, 3), "float32")))
    assert out.shape == (3, 10) and np.allclose(out.sum(axis=1), 1, atol=1e-6)
    assert not model.compiled


def test_equivalent_spellings_of_relu_and_softmax_read_alike():
    """Is Conv2D(activation="relu") the same operations as Conv2D then ReLU() or
    Activation("relu"), and Dense + Softmax the same as Dense(activation="softmax")?"""
    L = keras.layers
    read = lambda layers: [op for layer in layers for op in lab.layer_ops(layer)]  # noqa: E731
    assert read([L.Conv2D(4, 3, activation="relu")]) == read([L.Conv2D(4, 3), L.ReLU()]) == \
        read([L.Conv2D(4, 3), L.Activation("relu")]) == ["conv", "relu"]
    assert read([L.Dense(3), L.Softmax()]) == read([L.Dense(3, activation="softmax")])
    assert read([L.ReLU(max_value=6.0)]) == ["relu (modified)"]


# ---------------------------------------------------------------- compare, both sides

def test_compare_is_two_sided(solution, variant_fns, hidden_expected):
    """Does every correct form pass every hidden case, and does every bug fail one whose first
    failure matches its own hint?"""
    cases = lab.cases("build_cnn")
    assert [e[0] for e in hidden_expected] == [c["name"] for c in cases]
    forms = {"solution": solution} | {k: v[0] for k, v in variant_fns["correct"].items()}
    assert len(forms) >= 3
    for name, fn in forms.items():
        for case, exp in zip(cases, hidden_expected):
            verdict = cells.judge("lab_cifar_cnn", "build_cnn",
                                  lab.observe("build_cnn", fn, case), exp)
            assert verdict == (True, None), (name, exp[0])
    assert len(variant_fns["bug"]) >= 3
    for name, (fn, source) in variant_fns["bug"].items():
        first = None
        for case, exp in zip(cases, hidden_expected):
            verdict = cells.judge("lab_cifar_cnn", "build_cnn",
                                  lab.observe("build_cnn", fn, case), exp)
            if not verdict[0]:
                first = verdict
                break
        assert first is not None, f"{name} passes every hidden case"
        assert first[1] == references.hint(source), name


def test_a_visible_check_reports_then_names_the_property_expected_and_got(variant_fns):
    bug, _ = variant_fns["bug"]["bug_bias_before_bn"]
    with report.collecting() as got, pytest.raises(AssertionError) as err:
        lab.check_build_cnn(bug, what="build_cnn()")
    (label, facts), = got
    assert label == "build_cnn()" and facts["convs"][0][-1] is True
    msg = str(err.value)
    assert "property 'convolutions' fails" in msg
    assert "use_bias=False" in msg.split("got:")[0] and "use_bias=True" in msg.split("got:")[1]


def test_a_crash_and_a_wrong_return_are_named():
    with pytest.raises(AssertionError, match="build_cnn\\(\\) raised ZeroDivisionError"):
        lab.check_build_cnn(lambda **kw: 1 / 0, what="crash")
    with pytest.raises(AssertionError, match="returned list, not a keras.Model"):
        lab.check_build_cnn(lambda **kw: [], what="list")


def test_a_compiled_model_is_refused(solution):
    def compiled(**kwargs):
        model = solution(**kwargs)
        model.compile(loss="sparse_categorical_crossentropy")
        return model

    with pytest.raises(AssertionError, match="property 'uncompiled' fails"):
        lab.check_build_cnn(compiled, what="compiled")


def test_keras_has_no_counterpart():
    assert all(lab.keras_observation("build_cnn", c) is None for c in lab.cases("build_cnn"))
