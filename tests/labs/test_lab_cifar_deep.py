"""The CIFAR-10 deep-net lab, smoke-run end to end: does every cell of the page run offline on the
20 real CIFAR-10 images with its epochs cut to one, and do its outputs show what the lab claims
about its structure (20 hidden layers, the finder's lists, an MC average of the right shape)?
The build does not execute the page (``execution_mode: "off"``), so this is where its code runs."""
from __future__ import annotations

import re

import jupytext
import pytest

from tdnn import paths
from tests.labs.smoke import outputs_text, run_page

PAGE = paths.ROOT / "book" / "lab_cifar_deep.md"


@pytest.fixture(scope="module")
def executed():
    return run_page(PAGE)


@pytest.fixture(scope="module")
def text(executed):
    return outputs_text(executed)


def test_the_build_does_not_execute_the_page():
    """Is MyST-NB's per-page switch set, so that the book build never needs CIFAR-10?"""
    meta = jupytext.read(PAGE, fmt="md:myst").metadata
    assert meta["mystnb"]["execution_mode"] == "off"


def test_every_code_cell_ran_without_error(executed):
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert code and all(c.get("execution_count") for c in code), "a code cell did not run"
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert errors == []


def test_the_run_says_it_is_a_smoke_run_on_the_offline_sample(text):
    assert "SMOKE RUN" in text and "CIFAR-10: offline" in text


def test_the_network_has_20_hidden_layers_of_100(text):
    assert re.search(r"^20 hidden Dense layers of 100 units", text, re.M), text[:2000]


def test_every_finder_recorded_one_rate_and_loss_per_batch(text):
    """Four finders (ELU, BN, SELU with Nadam; alpha dropout with SGD) on 12 training images in
    batches of 4: three batches each."""
    counts = re.findall(r": (\d+) rates and (\d+) losses recorded, one per batch", text)
    assert counts == [("3", "3")] * 4, counts
    assert text.count("best validation loss at epoch") == 5


def test_mc_dropout_average_has_one_row_per_image_and_rows_sum_to_one(text):
    match = re.search(r"MC average of 2 passes: shape \((\d+), 10\), rows sum to "
                      r"([\d.]+)…([\d.]+)", text)
    assert match, text
    assert int(match.group(1)) == 4
    assert abs(float(match.group(2)) - 1) < 1e-3 and abs(float(match.group(3)) - 1) < 1e-3


def test_1cycle_ran_one_rate_per_batch(text):
    match = re.search(r"1cycle: (\d+) batches \(total_steps = (\d+)\)", text)
    assert match and match.group(1) == match.group(2) == "3", text


def test_the_summary_names_a_best_model_and_its_test_accuracy(text):
    assert re.search(r"Best on validation: .+; its test accuracy [\d.]+%", text)
