"""Does each exercise reach students as its student version, and instructors with its solution?

The exercises are the toc entries under exercises/; each is listed under its instructions page
(book/exercises/...), which is listed under its chapter.
"""
from __future__ import annotations

from urllib.parse import unquote, urlparse

import pytest

from tests.browser import built_book

EXERCISES = built_book.exercise_notebooks()
PARENTS = built_book.toc_parents(built_book.ROOT / "_toc.yml")


def solution_of(exercise: str) -> str:
    return "solutions/" + exercise.removeprefix("exercises/")


def served_file(url: str):
    """The file under the built book that a URL of the served book names."""
    return built_book.STUDENT_HTML / unquote(urlparse(url).path).lstrip("/")


def test_the_book_has_exercises():
    """Does the student edition list at least one exercise notebook (else the rest proves nothing)?"""
    assert EXERCISES


@pytest.mark.parametrize("exercise", EXERCISES)
def test_exercise_launches_and_downloads_the_student_version(student, exercise):
    """Do the notebook page's launch and download buttons hand out exercises/, never solutions/?"""
    visit = student.visit(exercise + ".html")
    launch = {b["text"]: b["href"] for b in visit.launch}
    hub = {"JupyterHub"} if built_book.config()["launch_buttons"].get("jupyterhub_url") else set()
    assert set(launch) >= {"Colab", "Binder"} | hub
    assert all(exercise + ".ipynb" in url for url in launch.values()), launch
    assert not any("solutions" in url for url in list(launch.values()) + visit.download)
    assert any(url.endswith(f"_sources/{exercise}.ipynb") for url in visit.download)


@pytest.mark.parametrize("exercise", EXERCISES)
def test_instructions_page_offers_the_notebook_and_links_the_chapter(student, exercise):
    """Does the instructions page link its chapter and the notebook's page, and offer the
    student notebook itself (byte for byte) as a download?"""
    instructions = PARENTS[exercise]
    chapter = PARENTS[instructions]
    visit = student.visit(instructions + ".html")
    assert student.base_url + chapter + ".html" in visit.links
    assert student.base_url + exercise + ".html" in visit.links
    downloads = [u for u in visit.links if "/_downloads/" in u and u.endswith(".ipynb")]
    assert downloads, "no download link to the notebook"
    student_notebook = (built_book.ROOT / (exercise + ".ipynb")).read_bytes()
    assert all(served_file(u).read_bytes() == student_notebook for u in downloads)


@pytest.mark.parametrize("exercise", EXERCISES)
def test_student_sees_stubs_not_solutions(student, exercise):
    """Does the exercise page show `YOUR CODE HERE` and none of its solution's code?"""
    lines = built_book.solution_lines([built_book.ROOT / (solution_of(exercise) + ".ipynb")])
    assert lines, "its solution notebook has no solution code to look for"
    text = student.visit(exercise + ".html").text
    assert "YOUR CODE HERE" in text
    assert [line for line in lines if line in text] == []


@pytest.mark.parametrize("exercise", EXERCISES)
def test_instructor_sees_the_solution(instructor, exercise):
    """Does the instructor edition show the solution page with every solution line of code
    (Markdown answers are rendered, not shown as typed), beside the student version?"""
    lines = built_book.solution_lines([built_book.ROOT / (solution_of(exercise) + ".ipynb")],
                                      kinds=("code",))
    text = instructor.visit(solution_of(exercise) + ".html").text
    assert [line for line in lines if line not in text] == []
    assert "YOUR CODE HERE" in instructor.visit(exercise + ".html").text
