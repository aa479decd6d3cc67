"""Does any page or helper module of the student edition define a working answer?

The text search of ``test_reveals_nothing`` cannot see an answer written in other words; this
runs what the edition's pages and modules define through every graded part's hidden cases
(:mod:`tests.edition.answers`) and fails when one would earn the points as it stands.
"""
from __future__ import annotations

import pytest

from tdnn import edition
from tdnn.engine.notebook import solution_sources, strip_markers
from tdnn.engine.references import notebooks

from .answers import answers_in, graded_parts


def _sources(tree):
    """``{path: code cells}`` of every MyST page and every Python module of the tree."""
    found = {page.relative_to(tree).as_posix(): edition.code_of(page)
             for page in sorted((tree / "book").rglob("*.md")) if edition.is_myst_notebook(page)}
    found.update({module.relative_to(tree).as_posix(): [module.read_text()]
                  for module in sorted(tree.rglob("*.py"))})
    return found


def test_no_page_or_module_defines_a_passing_answer(tree):
    parts = graded_parts()
    sources = _sources(tree)
    assert any(p.endswith(".md") for p in sources) and "tdnn/chapters/batch_norm.py" in sources
    found = {path: hits for path, code in sources.items() if (hits := answers_in(code, parts))}
    assert found == {}, (
        "the student edition defines code that passes a graded part's hidden tests unchanged; "
        "compute it another way on the page (a library's own class, another parametrisation) "
        "or keep it out of the shipped modules:\n"
        + "\n".join(f"{path}: {hit}" for path, hits in found.items() for hit in hits))


def _solution(assignment: str, part: str) -> str:
    return strip_markers(solution_sources(notebooks(assignment)[0])[part])


@pytest.mark.parametrize("assignment, part, name, slip", [
    ("initialization", "he_normal", "he_normal", ("2.0 / fan_in", "1.0 / fan_in")),
    ("vanishing_gradients", "selu", "selu", ("return ", "return 1.01 * ")),
    ("fast_optimizers", "adam", "Adam", ("1 - self.beta1 ** self.t", "1 - self.beta1")),
])
def test_the_search_finds_a_planted_answer(assignment, part, name, slip):
    """Can the search fail: the course's own solution, renamed on a page, or hidden in a table as
    a lambda that calls it, is found; a near miss is not."""
    parts = graded_parts()
    renamed = _solution(assignment, part).replace(f"{name}", f"Figure{name}", 1)
    assert answers_in(["import numpy as np", renamed], parts) == [
        f"Figure{name} passes {assignment}/{part}"]
    if name[0].islower():
        table = renamed.replace(f"def Figure{name}", "def _impl") + (
            f"\nTABLE = {{'curve': (lambda *a, **k: _impl(*a, **k), None)}}\n")
        assert f"TABLE['curve'][0] passes {assignment}/{part}" in answers_in([table], parts)
    assert slip[0] in renamed
    assert answers_in(["import numpy as np", renamed.replace(*slip)], parts) == []
