"""Are the reference outputs derived from the solutions, checked against Keras, up to date, and
does their build refuse a variant set that would make grading one-sided?"""
from __future__ import annotations

import pytest

from tdnn import paths
from tdnn.engine import references

ASSIGNMENT = "fast_optimizers"
SOURCE = paths.SOLUTIONS / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"


@pytest.fixture(scope="module")
def rebuilt():
    """Every reference file recomputed from the solutions, checked against Keras on the way."""
    logs = {a: [] for a in references.assignments()}
    return {a: references.build(a, with_keras=True, log=logs[a].append)
            for a in references.assignments()}, logs


def test_every_hidden_case_was_compared_with_keras(rebuilt):
    from tdnn.chapters import fast_optimizers as fo

    _, logs = rebuilt
    float64_cases = [c for p in fo.PARTS for c in fo.cases(p)
                     if all(v.dtype.name == "float64" for v in c["start"].values())]
    assert len([line for line in logs[ASSIGNMENT] if "keras" in line]) == len(float64_cases)


def test_committed_references_are_up_to_date(rebuilt):
    refs, _ = rebuilt
    for assignment, built in refs.items():
        committed = references.path_of(assignment).read_text(encoding="utf-8")
        assert committed == references.dumps(built), f"run `make references` ({assignment})"


def test_accepted_conventions_are_stored_where_they_differ():
    """On the eps=0.5 case, eps inside the square root and Adam's folded step are accepted
    answers of their own."""
    cells = references.load(ASSIGNMENT)["notebooks"][ASSIGNMENT]
    adam = {r["label"]: r for r in cells["test_adam_hidden"]["results"]}
    eps_case = next(r for label, r in adam.items() if "eps=0.5" in label)
    assert {a["from"] for a in eps_case["accepted"]} == {
        "solution", "correct_eps_inside_sqrt", "correct_folded_step"}


def _with_variants(monkeypatch, part, kind, extra: dict):
    real = references.variant_sources

    def sources(assignment, p, k):
        found = real(assignment, p, k)
        return {**found, **extra} if (p, k) == (part, kind) else found

    monkeypatch.setattr(references, "variant_sources", sources)


def test_a_bug_that_passes_every_hidden_case_stops_the_build(monkeypatch):
    """A "bug" the hidden cases cannot tell from the solution means the cases are too weak."""
    solution = references.notebook.solution_sources(SOURCE)["sgd"]
    _with_variants(monkeypatch, "sgd", "bug",
                   {"bug_invisible": '"""Not really a bug."""\n' + references.notebook.strip_markers(solution)})
    with pytest.raises(references.BuildError, match="bug_invisible: this mistake passes every hidden case"):
        references.build_notebook(ASSIGNMENT, SOURCE, with_keras=False)


def test_a_correct_variant_that_disagrees_stops_the_build(monkeypatch):
    """A "correct" variant that is wrong where no convention is at play is refused, so it
    cannot widen what the grader accepts."""
    wrong = references.variant_sources(ASSIGNMENT, "rmsprop", "bug")["bug_default_rho"]
    _with_variants(monkeypatch, "rmsprop", "correct", {"correct_not_really": wrong})
    with pytest.raises(references.BuildError, match="correct_not_really"):
        references.build_notebook(ASSIGNMENT, SOURCE, with_keras=False)


def test_the_keras_check_is_not_vacuous(monkeypatch):
    """A Keras answer off by 1e-5 (ten times the allowed difference) stops the build."""
    from tdnn.chapters import fast_optimizers as fo

    real = fo.keras_observation

    def off(part, case):
        obs = real(part, case)
        if obs is not None:
            obs["steps"] = [{k: v + 1e-5 for k, v in step.items()} for step in obs["steps"]]
        return obs

    monkeypatch.setattr(fo, "keras_observation", off)
    monkeypatch.setattr(references, "variant_sources", lambda *a: {})
    with pytest.raises(references.BuildError, match="disagrees with Keras"):
        references.build_notebook(ASSIGNMENT, SOURCE, with_keras=True, log=lambda _: None)
