"""Fixtures of the browser tests: Debian's Chromium, driven by Playwright, reading the built book
served on localhost. `make test` builds both editions first (`make test-browser` alone does too).
"""
from __future__ import annotations

import pytest

from tests.browser import built_book
from tests.browser.reader import Reader, serve


def pytest_generate_tests(metafunc):
    """One test per built page of the student edition (``html_page``), or per page that has a
    source in the repository (``doc`` and the narrower sets below)."""
    pages = (built_book.html_pages(built_book.STUDENT_HTML)
             if built_book.STUDENT_HTML.is_dir() else [])
    if "html_page" in metafunc.fixturenames:
        # An unbuilt book gives one failing case (see `student`), never an empty, silent set.
        metafunc.parametrize("html_page", pages or ["<no build>"])
    docs = [d for d in map(built_book.document, pages) if d is not None]
    # Narrower sets for the checks that only some pages call for.
    chosen = {
        "doc": docs,
        "math_doc": [d for d in docs if built_book.has_math(d)],
        "notebook_doc": [d for d in docs if d.is_notebook],
        "executed_doc": [d for d in docs if built_book.expected_images_per_cell(d) is not None],
    }
    for name, some_docs in chosen.items():
        if name in metafunc.fixturenames:
            metafunc.parametrize(name, some_docs or [None],
                                 ids=lambda d: d.docname if d else "<none>")


@pytest.fixture(scope="session")
def student(browser):
    """A reader of the student edition (_build/html); screenshots go to _build/screenshots/."""
    built_book.require_build(built_book.STUDENT_HTML, "book")
    with serve(built_book.STUDENT_HTML) as url:
        reader = Reader(browser, url, screenshots=built_book.SCREENSHOTS)
        yield reader
        reader.close()


@pytest.fixture(scope="session")
def instructor(browser):
    """A reader of the instructor edition (_build/instructor/html)."""
    built_book.require_build(built_book.INSTRUCTOR_HTML, "book-instructor")
    with serve(built_book.INSTRUCTOR_HTML) as url:
        reader = Reader(browser, url)
        yield reader
        reader.close()
