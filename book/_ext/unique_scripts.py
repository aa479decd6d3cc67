"""Write each <script> once per page.

sphinx-thebe and sphinx-togglebutton add inline scripts while the environment is read; Sphinx 7.x
then lists them twice in every page, and the second `const THEBE_JS_URL = ...` is a SyntaxError in
the browser console. Sphinx de-duplicates scripts by equality, but the copy it re-adds from its
registry names no file as '' where the first says None, so the two compare unequal.
"""
from __future__ import annotations


def _drop_repeated_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        # The copy Sphinx re-adds from its registry names no file as '' instead of None.
        key = (script.filename or "", script.priority, tuple(sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    # After the other extensions have added to the page's scripts.
    app.connect("html-page-context", _drop_repeated_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
