"""The feedback page shows a student's outputs as text, never as live HTML or script.

nbgrader's ``generate_feedback`` renders the autograded notebook with nbconvert's HTML exporter,
which would put a student's ``text/html``, JavaScript, SVG or Markdown output into the page as
it is: a ``<script>`` runs in whoever opens the page, and a styled ``<div>`` can draw a fake
"Score 18/18" over the real one. :class:`OutputsAsText` keeps what cannot run (plain text,
tracebacks, PNG/JPEG/GIF images) and turns every other representation into plain text, which the
exporter escapes. The Markdown and raw cells a student may add go through nbconvert's own
``SanitizeHTML`` (bleach), also configured in ``autograder/nbgrader_config.py``.
"""
from __future__ import annotations

import json

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

from .report import MIME as RESULT_MIME

#: Representations that are data, not markup: the exporter shows them escaped or as an <img>.
INERT = frozenset({"text/plain", "image/png", "image/jpeg", "image/gif"})


def as_text(data: dict) -> dict:
    """A display's representations with the active ones (HTML, SVG, script, Markdown, LaTeX,
    JSON, widgets, ...) replaced by plain text: the source of the first, labelled, so the student
    sees what their code displayed (a ``text/plain`` beside it is often only
    ``<IPython.core.display.HTML object>``); images and plain text are kept as they are."""
    kept = {mime: value for mime, value in data.items() if mime in INERT}
    active = [mime for mime in data if mime not in INERT and mime != RESULT_MIME]
    if active:
        source = data[active[0]]
        if not isinstance(source, str):
            source = "".join(source) if isinstance(source, list) else json.dumps(source)
        kept["text/plain"] = f"[{active[0]} output, shown as text]\n{source}"
    return kept


class OutputsAsText(Preprocessor):
    """Before the feedback page is rendered: every output as text or image, no widget state."""

    enabled = Bool(True)  # nbgrader registers preprocessor classes disabled by default

    def preprocess(self, nb, resources):
        nb.metadata.pop("widgets", None)  # the exporter would embed and run widget views
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            if "data" in output:
                output["data"] = as_text(output["data"])
        cell.get("metadata", {}).pop("widgets", None)
        return cell, resources
