"""Does plain ``nbgrader autograde``, with the course's configuration, grade every in-kernel
attack as wrong? (The class grader is asked the same in ``test_hostile.py``.)"""
from __future__ import annotations

import pytest

from . import classroom
from .attacks import ATTACKS
from .test_hostile import NESTED, _solution_with
from .classroom import ASSIGNMENT, POINTS


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = classroom.make_course(tmp_path_factory.mktemp("attacks"))
    classroom.submit(root, "honest")
    for student, attack in ATTACKS.items():
        classroom.submit(root, student, replace={"sgd": attack.source}, blank=attack.blank)
    classroom.submit(root, "nested_output", replace=_solution_with(NESTED))
    classroom.run_nbgrader(root, "autograde", ASSIGNMENT)
    return classroom.grades(root, ASSIGNMENT)


@pytest.mark.parametrize("student", sorted(ATTACKS))
def test_attack_gains_nothing(graded, student):
    """Does the attacked part score 0, and does every other part keep exactly its due?"""
    attack = ATTACKS[student]
    assert graded[student] == attack.expected(POINTS), attack.why


def test_honest_student_keeps_full_marks(graded):
    assert graded["honest"] == POINTS


def test_an_output_nbformat_cannot_record_costs_only_its_display(graded):
    """Does an output nested 700 deep (which crashes nbformat) leave the notebook graded?"""
    assert graded["nested_output"] == POINTS
