"""What a chapter module declares about its parts, checked for every chapter of the course."""
from __future__ import annotations

import pytest

from tdnn import release
from tdnn.chapters import Part, load, part_of


def test_a_part_is_judged_by_values_or_properties():
    assert Part("f", "advice").judged == "values"
    assert Part("f", "advice", judged="properties").judged == "properties"
    with pytest.raises(ValueError, match="judged"):
        Part("f", "advice", judged="vibes")


@pytest.mark.parametrize("assignment", release.assignments())
def test_every_graded_cell_is_a_declared_part(assignment):
    """Each solution cell's grade_id is a part of the chapter module, and each part has a
    solution cell, a visible and a hidden test cell."""
    from tests import course

    cells = course.grade_cells(assignment)
    parts = {part_of(gid) for gid in cells}
    assert parts == set(load(assignment).PARTS)
    for part in parts:
        assert {f"test_{part}_visible", f"test_{part}_hidden"} <= set(cells), part
