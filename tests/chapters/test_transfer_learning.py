"""The transfer-learning chapter module (the first graded Keras notebook): cases free of answers,
compare two-sided on the committed references, failure messages that name the property, visible
checks that report before they assert, Keras imported only where a model is built."""
from __future__ import annotations

import subprocess
import sys

import pytest

from tdnn.chapters import transfer_learning as tl
from tdnn.engine import compare as cmp
from tdnn.engine import references
from tdnn.engine.report import collecting

from . import cells

PARTS = list(tl.PARTS)


@pytest.fixture(scope="module")
def hidden():
    """``{part: [(label, accepted, mistakes)]}`` from the committed reference file."""
    return cells.hidden_expected("transfer_learning")


def test_module_is_cheap_to_import():
    """The class grader pre-imports every chapter module: no Keras or TensorFlow at import."""
    code = ("import sys, tdnn.chapters.transfer_learning; "
            "print(any(m in sys.modules for m in ('keras', 'tensorflow')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_parts_are_judged_by_properties_and_limits_fit_tensorflow():
    assert all(p.judged == "properties" for p in tl.PARTS.values())
    assert tl.LIMITS.memory_bytes >= 4 * 1024**3 and tl.LIMITS.cell_seconds >= 60


@pytest.mark.parametrize("part", PARTS)
def test_cases_hold_inputs_only_and_are_reproducible(part):
    a, b = tl.cases(part), tl.cases(part)
    assert a == b and len({c["name"] for c in a}) == len(a) >= 3
    for case in a:
        assert not {"expected", "answer", "trainable", "weights", "out"} & set(case)


def test_cases_cover_sequential_functional_defaults_and_other_heads():
    reuse = tl.cases("reuse_model")
    assert {c["functional"] for c in reuse} == {True, False}
    assert any(c["args"] is None for c in reuse) and any(c["args"] for c in reuse)
    unf = tl.cases("unfreeze")
    assert {c["n_layers"] for c in unf} >= {None, 1, 2}
    assert any(c["n_layers"] == c["hidden"] for c in unf)  # "the top n" is every reused layer
    assert {c["functional"] for c in unf} == {True, False}


@pytest.mark.parametrize("part", PARTS)
def test_solution_agrees_and_every_bug_fails_a_hidden_case(part, hidden):
    caught = set()
    for label, accepted, mistakes in hidden[part]:
        for obs in accepted:
            assert tl.compare(part, obs, accepted[0]) is None, label
            assert tl.verdicts(obs, obs["case"]) and all(
                v[1] == "ok" for v in tl.verdicts(obs, obs["case"])), label
        for m in mistakes:
            assert tl.compare(part, m["observation"], accepted[0]) is not None
            assert tl.compare(part, m["observation"], m["observation"]) is None
            caught.add(m["name"])
    bugs = set(references.variant_sources("transfer_learning", part, "bug"))
    assert len(bugs) >= 3 and caught == bugs


@pytest.mark.parametrize("part", PARTS)
def test_failure_messages_name_the_property_expected_and_got(part, hidden):
    for label, accepted, mistakes in hidden[part]:
        for m in mistakes:
            text = tl.compare(part, m["observation"], accepted[0])
            assert text.startswith("property '") and "expected:" in text and "got:" in text, text


def test_the_issues_mistakes_fail_where_they_should(hidden):
    """Shared layers change A; a kept output layer, a wrong head activation, a missing weight copy
    and a compiled-then-frozen B each fail their own property."""
    first = {}
    for label, accepted, mistakes in hidden["reuse_model"]:
        for m in mistakes:
            first.setdefault(m["name"], cmp.first_failure(
                tl.verdicts(m["observation"], accepted[0]["case"]))[0])
    assert first == {"bug_shared_layers": "A unchanged by reuse_model",
                     "bug_keeps_output_layer": "number of layers",
                     "bug_head_activation": "head activation",
                     "bug_no_weight_copy": "weights copied",
                     "bug_compiled_before_freezing": "uncompiled"}


def test_solution_observation_records_copied_weights_and_untouched_a(hidden):
    for label, accepted, _ in hidden["reuse_model"]:
        obs = accepted[0]
        assert all(d == 0 for d in obs["weight_diff"]) and not any(obs["is_a_layer"])
        assert not any(obs["shares_variables"]) and obs["a_after_training_b"] == 0
        assert obs["trainable"] == [False] * obs["case"]["n_reused"] + [True]


def test_visible_check_reports_before_it_asserts():
    pytest.importorskip("keras")
    bug = references.variant_sources("transfer_learning", "unfreeze", "bug")["bug_bottom_layers"]
    import keras
    namespace = {"keras": keras}
    exec(bug, namespace)
    with collecting() as results, pytest.raises(AssertionError) as err:
        tl.check_unfreeze(namespace["unfreeze"], 3, n_layers=1, what="visible")
    assert [label for label, _ in results] == ["visible"]
    assert "trainable flags" in str(err.value) and "expected" in str(err.value)
