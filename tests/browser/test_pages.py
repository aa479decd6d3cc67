"""Does every page of the student edition work for a reader in a real browser?"""
from __future__ import annotations

from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlparse, urlsplit

import pytest

from tests.browser import built_book


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.ids.update(value for name, value in attrs if name == "id" and value)


@cache
def ids_in(html_file: Path) -> frozenset[str]:
    parser = _Ids()
    parser.feed(html_file.read_text(errors="replace"))
    return frozenset(parser.ids)


def local_target(url: str, base_url: str) -> Path | None:
    """The file under the built book that a same-site URL names (None for other sites)."""
    if not url.startswith(base_url):
        return None
    path = unquote(urlparse(url).path).lstrip("/")
    target = built_book.STUDENT_HTML / path
    return target / "index.html" if target.is_dir() or path == "" else target


def canonical(url: str) -> tuple:
    """A URL with its query decoded and sorted, so that %3A and : compare equal."""
    parts = urlsplit(url)
    return parts.scheme, parts.netloc, unquote(parts.path), sorted(parse_qsl(parts.query))


def test_page_loads_without_console_errors(student, html_page):
    """Does the page load and run its scripts with no error in the console?"""
    visit = student.visit(html_page)
    assert visit.console_errors == []
    assert visit.local_failures == []


def test_page_needs_nothing_from_outside_the_book(student, html_page):
    """Is the page self-contained (MathJax, fonts, scripts), so it works offline?"""
    assert student.visit(html_page).outside_requests == []


def test_internal_links_and_anchors_resolve(student, html_page):
    """Does every link to another page of the book name a file that exists, and an anchor on it?"""
    broken = []
    for link in student.visit(html_page).links:
        target = local_target(link, student.base_url)
        if target is None:
            continue
        fragment = urlparse(link).fragment
        if not target.is_file():
            broken.append(f"{link}: no such file")
        elif fragment and target.suffix == ".html" and unquote(fragment) not in ids_in(target):
            broken.append(f"{link}: no #{fragment} on that page")
    assert broken == []


def test_images_load(student, html_page):
    """Does every image on the page load (no broken image icons)?"""
    images = student.visit(html_page).images
    assert [img["src"] for img in images if not img["loaded"]] == []


def test_math_is_typeset(student, math_doc):
    """Does MathJax typeset every formula of the page, without a TeX error?"""
    assert math_doc is not None, "no page of the book has math: is the book built?"
    visit = student.visit(math_doc.html)
    assert visit.math, "the HTML has math, but the browser found none in the article"
    assert [m["tex"] for m in visit.math if not m["typeset"]] == []


def test_page_shows_every_figure_its_code_drew(student, executed_doc):
    """Does the page show, under each code cell, every figure that cell drew when the book ran?"""
    assert executed_doc is not None, "the book executed no page: is it built?"
    expected = built_book.expected_images_per_cell(executed_doc)
    assert sum(expected) > 0, "an executed chapter that draws no figure at all"
    shown = student.visit(executed_doc.html).cell_images
    assert [len(cell) for cell in shown] == expected
    assert all(all(cell) for cell in shown), "a figure's image did not load"


def test_download_button_serves_the_page_source(student, doc):
    """Does the download button offer the page's own source file (.md or .ipynb), byte for byte?"""
    if doc.docname.startswith("book/exercises/"):
        pytest.skip("an exercise page offers its student notebook instead (test_buttons.py)")
    visit = student.visit(doc.html)
    sources = [url for url in visit.download if "/_sources/" in url]
    assert any(url.endswith(doc.source.name) for url in sources), visit.download
    served = local_target(next(u for u in sources if u.endswith(doc.source.name)), student.base_url)
    assert served.read_bytes() == doc.source.read_bytes()


def test_repository_button_links_to_the_repository(student, doc):
    """Does the page link to the course's repository, as _config.yml names it?"""
    assert student.visit(doc.html).repository == [built_book.config()["repository"]["url"]]


def test_notebook_pages_have_launch_buttons(student, notebook_doc):
    """Does a notebook page launch its own notebook on Colab, Binder and the configured hub?"""
    assert notebook_doc is not None, "the book has no notebook page: is it built?"
    launch = {b["text"]: canonical(b["href"]) for b in student.visit(notebook_doc.html).launch}
    expected = built_book.expected_launch_urls(notebook_doc)
    assert launch == {name: canonical(url) for name, url in expected.items()}


def test_screenshot_saved_for_review(student, html_page):
    """Is there a full-page screenshot of the page under _build/screenshots/?"""
    student.visit(html_page)
    shot = built_book.SCREENSHOTS / (html_page.removesuffix(".html").replace("/", "__") + ".png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_students_page_states_the_late_rule_the_grader_applies(student):
    """The late rule on the students' page is the plugin's default, inserted, not typed."""
    from tdnn import late_policy
    from tdnn.late_penalty import DailyLatePenalty

    traits = DailyLatePenalty.class_traits()
    assert (traits["per_day"].default_value, traits["cap"].default_value) == (
        late_policy.PER_DAY, late_policy.CAP)
    text = " ".join(student.visit("book/getting_the_exercises.html").text.split())
    assert f"loses {late_policy.percent(late_policy.PER_DAY)} of its score" in text, text
    assert f"at most {late_policy.percent(late_policy.CAP)} of it" in text, text
    assert "{{" not in text
