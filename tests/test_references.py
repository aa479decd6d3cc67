"""The reference outputs are derived from the solutions, agree with Keras, and are up to date."""
from __future__ import annotations

import numpy as np
import pytest

from tdnn import references
from tdnn.checks import load_references


@pytest.fixture(scope="module")
def rebuilt():
    """The reference file recomputed from the solutions, checked against Keras on the way."""
    log = []
    return references.build(with_keras=True, log=log.append), log


def test_solutions_agree_with_keras(rebuilt):
    _, log = rebuilt
    assert len(log) == 3 * len(references.PARTS)  # every case of every part was compared


def test_committed_references_are_up_to_date(rebuilt):
    refs, _ = rebuilt
    committed = (references.paths.REFERENCES / f"{references.ASSIGNMENT}.json").read_text()
    assert committed == references.dumps(refs), "run `make references`"


def test_reference_gradients_are_bounded_away_from_zero():
    """|g| >= 0.5 is what lets the checks accept every placement of eps."""
    for spec in load_references(references.ASSIGNMENT)["parts"].values():
        for case in spec["cases"]:
            for grads in case["grads"]:
                for g in grads.values():
                    assert np.min(np.abs(g)) >= 0.5


def test_every_mistake_is_distinguishable(rebuilt):
    """Each bug variant that runs changes the reference output in at least one case."""
    refs, _ = rebuilt
    for part in references.PARTS:
        stored = {m["name"] for case in refs["parts"][part]["cases"] for m in case["mistakes"]}
        for name, source in references.variant_sources(part, "bug").items():
            cls = references.define(source, references.PARTS[part][0])
            try:
                for case in references.make_cases(part):
                    references.run_numpy(cls, case)
            except Exception:
                continue  # a crashing mistake needs no stored output
            assert name in stored or "in_place" in name, f"{part}/{name} gives the reference output"


def test_keras_check_catches_a_wrong_solution(monkeypatch):
    """The Keras agreement check fails on a solution that is off (here: Momentum as plain SGD)."""
    real = references.solution_sources()
    wrong = dict(real, momentum=real["sgd"].replace("class SGD", "class Momentum")
                 .replace("def __init__(self, lr=0.01):", "def __init__(self, lr=0.01, momentum=0.9):"))
    monkeypatch.setattr(references, "solution_sources", lambda: wrong)
    monkeypatch.setattr(references, "PARTS", {"momentum": references.PARTS["momentum"]})
    with pytest.raises(SystemExit, match="disagrees with Keras"):
        references.build(with_keras=True, log=lambda _: None)
