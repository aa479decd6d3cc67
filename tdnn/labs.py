"""What every lab page shares: one switch that cuts a lab to a smoke run.

The labs train real networks for minutes (MNIST) or hours (CIFAR-10, on a CPU). CI cannot afford
that, and has no CIFAR-10 beyond 20 real test images, yet every cell of every lab must run there.
A lab therefore asks :func:`scaled` for each size it uses (samples, epochs, repeats): the full
value normally, the tiny one when ``TDNN_LAB_SMOKE=1`` (set by ``tests/labs``), so a smoke run
goes through the same code, cell by cell, on a real sample with its epochs cut to one.
"""
from __future__ import annotations

import os

SMOKE = os.environ.get("TDNN_LAB_SMOKE") == "1"


def scaled(full, smoke):
    """``smoke`` in a smoke run, else ``full``."""
    return smoke if SMOKE else full
