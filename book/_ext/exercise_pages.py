"""Titles from the table of contents, and an exercise page's download button that hands out the
notebook a student submits.

- A ``title:`` in the toc names an entry in the sidebar only (sphinx-external-toc 1.0); Sphinx's
  page title, and with it the "Previous"/"Next" labels, stays the document's first heading. The
  student notebook's heading repeats its instructions page's ("Exercise: ..."), so "Next" seemed
  to lead to the same page. Here the toc's title becomes the page's title.
- An exercise's instructions page (a Markdown page whose toc children include a notebook under
  ``exercises/``) offers that student notebook, the ``.ipynb`` to hand in, as its download
  instead of its own Markdown source (sphinx-book-theme 1.1 offers a page's source).
- ``{{ launch_services }}`` in a page names the services its launch buttons offer: "Colab or
  Binder", and the course's JupyterHub only where ``launch_buttons.jupyterhub_url`` is set;
  ``{{ late_per_day }}`` and ``{{ late_cap }}`` state the late rule from :mod:`tdnn.late_policy`.
"""
from __future__ import annotations

from pathlib import Path

import yaml
from docutils import nodes

from tdnn import late_policy


def _toc(app) -> dict:
    # A single-page build (`jupyter-book build book/x.md`) has no table of contents.
    path = Path(app.srcdir, getattr(app.config, "external_toc_path", "") or "_toc.yml")
    return yaml.safe_load(path.read_text()) if path.is_file() else {}


def _walk(node, parent, visit):
    if isinstance(node, list):
        for item in node:
            _walk(item, parent, visit)
    elif isinstance(node, dict):
        here = node.get("file") or node.get("root")
        if here:
            visit(here, node, parent)
        for value in node.values():
            _walk(value, here or parent, visit)


def _toc_titles(app) -> dict[str, str]:
    titles: dict[str, str] = {}
    _walk(_toc(app), None, lambda doc, node, parent: titles.update({doc: node["title"]})
          if node.get("title") else None)
    return titles


def _exercise_notebooks(app) -> dict[str, str]:
    """Instructions page -> its student notebook (the first toc child under exercises/)."""
    found: dict[str, str] = {}
    _walk(_toc(app), None, lambda doc, node, parent: found.setdefault(parent, doc)
          if parent and doc.startswith("exercises/") else None)
    return found


def _title_from_toc(app, doctree):
    title = _toc_titles(app).get(app.env.docname)
    if title:
        app.env.titles[app.env.docname] = nodes.title("", title)
        app.env.longtitles[app.env.docname] = nodes.title("", title)


def _download_the_notebook(app, pagename, templatename, context, doctree):
    notebook = _exercise_notebooks(app).get(pagename)
    if not notebook:
        return
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            group["buttons"] = [{
                "type": "link",
                "url": f"{context['pathto']('_sources', 1)}/{notebook}.ipynb",
                "text": ".ipynb",
                "icon": "fas fa-code",
                "tooltip": "Download the exercise notebook (the file you hand in)",
                "label": "download-notebook-button",
            }] + [b for b in group["buttons"] if b.get("label") == "download-pdf-button"]


def _substitutions(app, config):
    launch = (config.html_theme_options or {}).get("launch_buttons", {})
    services = ("Colab, Binder or your course's JupyterHub" if launch.get("jupyterhub_url")
                else "Colab or Binder")
    config.myst_substitutions = {
        **(config.myst_substitutions or {}), "launch_services": services,
        "late_per_day": late_policy.percent(late_policy.PER_DAY),
        "late_cap": late_policy.percent(late_policy.CAP)}


def setup(app):
    app.connect("config-inited", _substitutions)
    # After Sphinx's own title collector (priority 500) has read the heading.
    app.connect("doctree-read", _title_from_toc, priority=900)
    # After sphinx-book-theme has added its download buttons (priority 501).
    app.connect("html-page-context", _download_the_notebook, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
