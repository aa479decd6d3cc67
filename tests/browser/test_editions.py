"""Does the student edition hide the solutions, and the instructor edition show them?"""
from __future__ import annotations

import html
import re
from pathlib import Path

from tests.browser import built_book


def test_solution_lines_are_known():
    """Are there solution lines to look for (else the checks below would prove nothing)?"""
    assert len(built_book.solution_lines()) >= 3


def test_student_edition_has_no_solution_page():
    """Is no page, source or download of the student edition built from solutions/?"""
    built_book.require_build(built_book.STUDENT_HTML, "book")
    leaked = [p.relative_to(built_book.STUDENT_HTML).as_posix()
              for p in built_book.STUDENT_HTML.rglob("*") if "solutions" in p.parts]
    assert leaked == []


def test_no_student_page_contains_solution_code(student):
    """Does any page of the student edition, as a reader sees it, contain a solution line?"""
    lines = built_book.solution_lines()
    leaks = {page: [line for line in lines if line in student.visit(page).text]
             for page in built_book.html_pages(built_book.STUDENT_HTML)}
    assert {page: found for page, found in leaks.items() if found} == {}


def readable_text(path: Path) -> str:
    """A built file as text; HTML without its tags, so highlighted code reads as written."""
    text = path.read_text(errors="replace")
    return html.unescape(re.sub(r"<[^>]+>", "", text)) if path.suffix == ".html" else text


def test_no_student_file_contains_solution_code():
    """Does any file of the student edition (pages, hidden print copies, page sources, the
    notebook downloads, the search index) hold a solution line?"""
    built_book.require_build(built_book.STUDENT_HTML, "book")
    lines = built_book.solution_lines()
    files = [p for p in built_book.STUDENT_HTML.rglob("*")
             if p.is_file() and "_static" not in p.parts and "_images" not in p.parts]
    assert any("_downloads" in p.parts for p in files), "no notebook download in the build"
    leaks = {p.relative_to(built_book.STUDENT_HTML).as_posix(): found for p in files
             if (found := [line for line in lines if line in readable_text(p)])}
    assert leaks == {}


def test_instructor_toc_is_the_student_toc_plus_solutions():
    """Does _toc-instructor.yml add the solutions to _toc.yml and change nothing else?"""
    student = built_book.toc_files(built_book.ROOT / "_toc.yml")
    instructor = built_book.toc_files(built_book.ROOT / "_toc-instructor.yml")
    assert [f for f in instructor if not f.startswith("solutions/")] == student
    exercises = [f for f in student if f.startswith("exercises/")]
    assert exercises, "the student edition lists no exercise notebook"
    assert sorted(f for f in instructor if f.startswith("solutions/")) == sorted(
        "solutions/" + f.removeprefix("exercises/") for f in exercises)


def test_student_edition_builds_exactly_the_toc():
    """Is every page of _toc.yml built, and nothing else (no stray notebook from .venv/)?"""
    built_book.require_build(built_book.STUDENT_HTML, "book")
    special = {"index.html", "genindex.html", "search.html"}
    built = {p for p in built_book.html_pages(built_book.STUDENT_HTML) if p not in special}
    assert built == {f + ".html" for f in built_book.toc_files(built_book.ROOT / "_toc.yml")}
