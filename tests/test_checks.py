"""The teaching assertions: both-sided on small cases, and their messages say what went wrong."""
from __future__ import annotations

import numpy as np
import pytest

from tdnn.checks import check_reference, check_steps
from tdnn.references import PARTS, define, solution_sources, variant_sources

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


def test_check_steps_passes_correct_step():
    check_steps(lambda: GoodSGD(0.1), {"w": W0}, [{"w": G}], [{"w": W0 - 0.1 * G}])


def test_check_steps_message_names_index_expected_and_got():
    with pytest.raises(AssertionError) as err:
        check_steps(lambda: GoodSGD(0.1), {"w": W0}, [{"w": G}], [{"w": W0 + 0.1 * G}], what="SGD(lr=0.1)")
    msg = str(err.value)
    assert "SGD(lr=0.1): after step 1, params['w']" in msg
    assert "first difference at index (0,): expected 1.05, got 0.95" in msg
    assert "expected:" in msg and "got:" in msg


@pytest.mark.parametrize("cls, needle", [(CopyingSGD, "new array"), (GradEatingSGD, "changed grads")])
def test_check_steps_explains_contract_violations(cls, needle):
    with pytest.raises(AssertionError, match=needle):
        check_steps(lambda: cls(0.1), {"w": W0}, [{"w": G}], [{"w": W0 - 0.1 * G}])


def test_exceptions_in_student_code_become_failed_checks():
    class Broken(GoodSGD):
        def update(self, params, grads):
            raise KeyError("W1")

    with pytest.raises(AssertionError, match="step 1: update\\(\\) raised KeyError"):
        check_steps(lambda: Broken(0.1), {"w": W0}, [{"w": G}], [{"w": W0}])


def test_eps_placement_is_accepted_but_a_tenfold_eps_error_in_the_step_is_not():
    """The tolerance is relative to the step: 1e-5 relative passes, 1e-2 fails."""
    check_steps(lambda: GoodSGD(0.1 * (1 + 1e-5)), {"w": W0}, [{"w": G}], [{"w": W0 - 0.1 * G}])
    with pytest.raises(AssertionError):
        check_steps(lambda: GoodSGD(0.1 * (1 + 1e-2)), {"w": W0}, [{"w": G}], [{"w": W0 - 0.1 * G}])


def test_patched_numpy_does_not_fool_the_checks(monkeypatch):
    """A student cell that replaces np.allclose / np.abs cannot make a wrong answer pass."""
    monkeypatch.setattr(np, "allclose", lambda *a, **k: True)
    monkeypatch.setattr(np, "abs", lambda x: 0 * x)
    monkeypatch.setattr(np, "isfinite", lambda x: True)
    with pytest.raises(AssertionError):
        check_steps(lambda: GoodSGD(0.1), {"w": W0}, [{"w": G}], [{"w": W0 + G}])


@pytest.mark.parametrize("part", PARTS)
def test_solution_passes_its_reference(part):
    check_reference(define(solution_sources()[part], PARTS[part][0]), part)


@pytest.mark.parametrize("part, name", [(p, n) for p in PARTS for n in variant_sources(p, "correct")])
def test_correct_variants_pass(part, name):
    check_reference(define(variant_sources(part, "correct")[name], PARTS[part][0]), part)


@pytest.mark.parametrize("part, name", [(p, n) for p in PARTS for n in variant_sources(p, "bug")])
def test_mistakes_fail_with_a_reason(part, name):
    source = variant_sources(part, "bug")[name]
    with pytest.raises(AssertionError) as err:
        check_reference(define(source, PARTS[part][0]), part)
    msg = str(err.value)
    hint = define(source, "__doc__")
    assert hint in msg or "raised" in msg or "new array" in msg, msg


def test_repointing_the_reference_folder_after_import_changes_nothing(tmp_path, monkeypatch):
    """A student cell that redirects tdnn.paths.REFERENCES to its own (forged) file is ignored."""
    from tdnn import paths

    (tmp_path / "fast_optimizers.json").write_text("{}")
    monkeypatch.setattr(paths, "REFERENCES", tmp_path)
    monkeypatch.setenv("TDNN_ROOT", str(tmp_path))
    check_reference(GoodSGD, "sgd")  # graded against the real references: passes, no KeyError
