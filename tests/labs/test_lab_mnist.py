"""Does the MNIST lab page run end to end offline, every cell, in a smoke run (a real sample,
one epoch)? The book build executes it in full; this test exercises the same code paths in CI
without the build, and checks what the page's own assertions cannot see."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.labs.smoke import outputs_text, run_page

PAGE = Path(__file__).resolve().parents[2] / "book" / "lab_mnist.md"


@pytest.fixture(scope="module")
def executed():
    return run_page(PAGE)


def test_every_code_cell_ran(executed):
    """Did every code cell run, in order, without an error output?"""
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert code and all(c.get("execution_count") for c in code)
    errors = [o for c in code for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []


def test_the_finder_plot_and_the_learning_curves_are_drawn(executed):
    """Are there two figures (the finder's loss-vs-rate and the learning curves)?"""
    images = [o for c in executed.cells for o in c.get("outputs", [])
              if "image/png" in o.get("data", {})]
    assert len(images) == 2


def test_every_glued_name_the_prose_uses_is_glued(executed):
    """Does every {glue} reference in the prose have a glued value in the run (else the book
    build would warn and print nothing there)?"""
    import re

    text = PAGE.read_text()
    used = set(re.findall(r"\{glue(?::text)?\}`([a-z_0-9]+)", text))
    glued = {o["metadata"]["scrapbook"]["name"] for c in executed.cells
             for o in c.get("outputs", []) if "scrapbook" in o.get("metadata", {})}
    assert used and used <= glued, used - glued


def test_the_run_writes_its_files_outside_the_repository(executed):
    """Do the TensorBoard logs and the checkpoint go to a temporary folder, not the project?"""
    text = outputs_text(executed)
    logs = next(line for line in text.splitlines() if line.startswith("TensorBoard logs:"))
    folder = Path(logs.split(":", 1)[1].strip())
    assert folder.is_dir() and any(folder.rglob("*tfevents*"))
    assert PAGE.parents[1] not in folder.parents
