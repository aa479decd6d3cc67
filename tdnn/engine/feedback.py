"""The feedback page shows a student's outputs as text, never as live HTML or script.

nbgrader's ``generate_feedback`` renders the autograded notebook with nbconvert's HTML exporter,
which would put a student's ``text/html``, JavaScript, SVG or Markdown output into the page as
it is: a ``<script>`` runs in whoever opens the page, and a styled ``<div>`` can draw a fake
"Score 18/18" over the real one. :class:`OutputsAsText` keeps what cannot run (plain text,
tracebacks, PNG/JPEG/GIF images) and turns every other representation into plain text, which the
exporter escapes. Markdown cells (a student may add or edit them) are rendered to HTML here, with
nbconvert's own Markdown renderer, and cleaned with bleach: only plain tags, and links only to
http, https and mailto (sanitizing the Markdown *source* is not enough: ``[x](javascript:...)`` is
plain Markdown that becomes a live link); the cleaned HTML goes back into the cell in a form the
page's Markdown renderer passes through unchanged. Raw cells are shown as text.
"""
from __future__ import annotations

import html
import json

import bleach
from nbconvert.filters.markdown_mistune import markdown2html_mistune
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

from .report import MIME as RESULT_MIME

#: Representations that are data, not markup: the exporter shows them escaped or as an <img>.
INERT = frozenset({"text/plain", "image/png", "image/jpeg", "image/gif"})


#: What a rendered Markdown cell may keep: text structure, code, tables, math (typeset later by
#: MathJax with its Safe extension), and links to the web or mail only.
TAGS = frozenset(bleach.sanitizer.ALLOWED_TAGS) | {
    "p", "br", "hr", "pre", "span", "div", "h1", "h2", "h3", "h4", "h5", "h6", "sub", "sup",
    "del", "table", "thead", "tbody", "tr", "th", "td", "dl", "dt", "dd"}
ATTRIBUTES = {"a": ["href", "title"], "abbr": ["title"], "acronym": ["title"],
              "th": ["align"], "td": ["align"]}
PROTOCOLS = frozenset({"http", "https", "mailto"})


def markdown_as_safe_html(source: str) -> str:
    """A Markdown cell rendered as the page would render it, then stripped of anything active."""
    return bleach.clean(markdown2html_mistune(source), tags=TAGS, attributes=ATTRIBUTES,
                        protocols=PROTOCOLS, strip=True)


def as_inert_markdown(source: str, raw: bool = False) -> str:
    """A cell's source as Markdown the page renders to exactly the cleaned HTML: one ``<div>``
    block on one line (newlines as ``&#10;``), which Markdown passes through untouched, so
    nothing in it can become a link again. A raw cell is shown as preformatted text."""
    cleaned = (f"<pre>{html.escape(source)}</pre>" if raw else markdown_as_safe_html(source))
    return '<div class="tdnn-feedback-text">' + cleaned.replace("\n", "&#10;") + "</div>"


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


def safe_metadata(metadata: dict) -> dict:
    """An output's metadata reduced to what the page may use: an image's width and height, as
    numbers (nbconvert's template writes them into the <img> tag without quotes, so
    ``"1 onerror=..."`` would add an attribute)."""
    kept = {}
    for mime, value in metadata.items():
        if mime in INERT and isinstance(value, dict):
            size = {k: value[k] for k in ("width", "height")
                    if isinstance(value.get(k), (int, float)) and not isinstance(value[k], bool)}
            if size:
                kept[mime] = size
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
            if "metadata" in output:  # the page writes some of it into tags, unquoted
                output["metadata"] = safe_metadata(output["metadata"])
        cell.get("metadata", {}).pop("widgets", None)
        cell.pop("attachments", None)
        if cell.cell_type in ("markdown", "raw"):
            cell.source = as_inert_markdown(cell.source, raw=cell.cell_type == "raw")
            cell.cell_type = "markdown"
        return cell, resources
