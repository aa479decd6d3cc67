"""Run a lab page (a MyST notebook under book/) end to end as a smoke run.

The page is read with jupytext, as MyST-NB reads it, and executed by nbclient in a real kernel
started with ``TDNN_LAB_SMOKE=1`` (see ``tdnn.labs``) from the page's own folder, as the book
build runs it. A cell that raises fails the run with the cell's source and traceback.
"""
from __future__ import annotations

import os
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient


def run_page(page: Path, timeout: int = 600) -> nbformat.NotebookNode:
    """The executed notebook of ``page`` (outputs included), run in smoke mode."""
    nb = jupytext.read(page, fmt="md:myst")
    saved = os.environ.get("TDNN_LAB_SMOKE")
    os.environ["TDNN_LAB_SMOKE"] = "1"  # the kernel inherits this process' environment
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(page.parent)}}).execute()
    finally:
        if saved is None:
            del os.environ["TDNN_LAB_SMOKE"]
        else:
            os.environ["TDNN_LAB_SMOKE"] = saved
    return nb


def outputs_text(nb: nbformat.NotebookNode) -> str:
    """Every stream and text/plain output of ``nb``, joined: what a smoke test searches."""
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                parts.append(out.text)
            elif "data" in out and "text/plain" in out.data:
                parts.append(out.data["text/plain"])
    return "\n".join(parts)
