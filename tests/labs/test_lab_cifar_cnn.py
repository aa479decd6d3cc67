"""Does the CIFAR-10 CNN lab page run end to end offline, every cell, in a smoke run (the 20
real CIFAR-10 images the course ships, one epoch per run)? The book build never runs it (no
CIFAR-10 download there), so this is the only execution CI gives it."""
from __future__ import annotations

import re
from pathlib import Path

import jupytext
import pytest

from tests.labs.smoke import outputs_text, run_page

PAGE = Path(__file__).resolve().parents[2] / "book" / "lab_cifar_cnn.md"
RUNS = ["BN before", "BN after", "no BN", "Flatten", "strided convolutions", "no shuffling",
        "sorted by class, no shuffling", "batch 32", "batch 256"]


@pytest.fixture(scope="module")
def executed():
    return run_page(PAGE)


def test_the_book_build_does_not_execute_the_page():
    """Is the page marked for MyST-NB not to execute it (CIFAR-10 cannot be downloaded where
    the book is built)?"""
    nb = jupytext.read(PAGE, fmt="md:myst")
    assert nb.metadata.get("mystnb", {}).get("execution_mode") == "off"


def test_every_code_cell_ran(executed):
    """Did every code cell run, in order, without an error output?"""
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert code and all(c.get("execution_count") for c in code)
    errors = [o for c in code for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []


def test_the_results_table_has_a_row_per_run(executed):
    """Does the results table, built by the page's code, list every run with its numbers?"""
    table = next(o.data["text/markdown"] for c in executed.cells for o in c.get("outputs", [])
                 if "text/markdown" in o.get("data", {}))
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    assert [r.split("|")[1].strip() for r in rows[1:]] == RUNS
    for row in rows[1:]:
        cells = [c.strip() for c in row.strip("|").split("|")][1:]
        assert len(cells) == 5 and all(re.fullmatch(r"[\d,.]+", c) for c in cells), row


def test_the_comparison_figures_are_drawn(executed):
    """One bar chart of test accuracy and one figure of curves per comparison (five)."""
    images = [o for c in executed.cells for o in c.get("outputs", [])
              if "image/png" in o.get("data", {})]
    assert len(images) == 6


def test_the_smoke_run_says_which_data_it_used(executed):
    """Offline, the page trains on the shipped 20-image sample, and the loader says so."""
    text = outputs_text(executed)
    assert "training (12, 32, 32, 3), validation (4, 32, 32, 3), test (4, 32, 32, 3)" in text
