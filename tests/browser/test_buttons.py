"""Do the buttons of every page lead somewhere that works for a student?

Launch buttons must open a notebook that exists in the student repository (Colab reads .ipynb
only); an exercise page's download must be the notebook to hand in; the JupyterHub button, and
any mention of it, only where _config.yml names a hub; "Previous" and "Next" never name the page
they are on. Expectations come from _config.yml, the tables of contents and the student edition
that `tdnn.edition` writes, never from the HTML under test.
"""
from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import parse_qs, unquote, urlparse

import nbformat
import pytest

from tdnn import edition
from tests.browser import built_book

EXERCISE_PAGES = {parent: notebook for notebook, parent
                  in built_book.toc_parents(built_book.ROOT / "_toc.yml").items()
                  if notebook.startswith("exercises/")}


@pytest.fixture(scope="module")
def student_tree(tmp_path_factory):
    """The student repository the buttons lead to, as `make student-edition` writes it."""
    return edition.build(tmp_path_factory.mktemp("buttons") / "course")


def repository_path(provider: str, url: str) -> str:
    """The file inside the repository that a launch URL opens, read as each service reads it
    (Colab: /github/<org>/<repo>/blob/<branch>/<path>; Binder: ?urlpath=tree/<path>;
    nbgitpuller: ?urlpath=tree/<repo>/<path>)."""
    parsed = urlparse(url)
    if provider == "Colab":
        return unquote(parsed.path).split("/blob/", 1)[1].split("/", 1)[1]
    urlpath = parse_qs(parsed.query)["urlpath"][0]
    path = urlpath.split("/", 1)[1] if urlpath.startswith("tree/") else urlpath.split("/", 2)[2]
    if provider == "JupyterHub":
        path = path.split("/", 1)[1]  # nbgitpuller clones into a folder named after the repo
    return path


def test_launch_buttons_open_a_notebook_of_the_student_repository(student, notebook_doc, student_tree):
    """Does every launch button of a notebook page name an .ipynb that the student repository
    holds, at the URL _config.yml implies?"""
    assert notebook_doc is not None, "the book has no notebook page: is it built?"
    launch = {b["text"]: b["href"] for b in student.visit(notebook_doc.html).launch}
    assert launch, f"{notebook_doc.docname} is a notebook but offers no launch button"
    expected = built_book.expected_launch_urls(notebook_doc)
    assert {k: unquote(v) for k, v in launch.items()} == {k: unquote(v) for k, v in expected.items()}
    for provider, url in launch.items():
        path = repository_path(provider, url)
        assert PurePosixPath(path).suffix == ".ipynb", (
            f"{provider} opens {path}: Colab cannot read Markdown; run `make pairs` before "
            "building, so the chapter's .ipynb twin sits beside it")
        assert (student_tree / path).is_file(), f"{provider} opens {path}, not in the student repository"
        nbformat.read(student_tree / path, as_version=4)  # a notebook, not just a file


def test_colab_opens_a_notebook_that_installs_the_helper_package(student, student_tree):
    """Does each exercise notebook's Colab button open the student notebook whose first cell
    installs tdnn from the student repository, on Colab only?"""
    assert EXERCISE_PAGES, "the toc lists no exercise notebook"
    for notebook in EXERCISE_PAGES.values():
        launch = {b["text"]: b["href"] for b in student.visit(notebook + ".html").launch}
        path = repository_path("Colab", launch["Colab"])
        assert path == notebook + ".ipynb"
        first = nbformat.read(student_tree / path, as_version=4).cells[0]
        assert '"google.colab" in sys.modules' in first.source
        assert f"git+{built_book.config()['repository']['url']}" in first.source


@pytest.mark.parametrize("page", sorted(EXERCISE_PAGES))
def test_exercise_page_downloads_the_notebook_to_hand_in(student, page):
    """Does the download button of an exercise's page offer the student notebook, byte for
    byte, and no Markdown source?"""
    visit = student.visit(page + ".html")
    files = [u for u in visit.download if "/_sources/" in u]
    notebook = EXERCISE_PAGES[page] + ".ipynb"
    assert files and all(u.endswith("/_sources/" + notebook) for u in files), visit.download
    served = built_book.STUDENT_HTML / unquote(urlparse(files[0]).path).lstrip("/")
    assert served.read_bytes() == (built_book.ROOT / notebook).read_bytes()


def test_jupyterhub_appears_only_when_configured(student, html_page):
    """Without jupyterhub_url, is there no JupyterHub button and no page telling students to
    use one (the instructors' page explains how to set it); with it, does every notebook page
    offer one?"""
    hub = built_book.config().get("launch_buttons", {}).get("jupyterhub_url")
    visit = student.visit(html_page)
    buttons = [b["text"] for b in visit.launch]
    if hub:
        assert not visit.launch or "JupyterHub" in buttons
    else:
        assert "JupyterHub" not in buttons
        if html_page != "book/instructors.html":
            assert "JupyterHub" not in visit.text, (
                f"{html_page} advertises a JupyterHub, but _config.yml sets none: say "
                "{{ launch_services }} instead of naming the services")


def _titles() -> dict[str, str]:
    import re
    titles = {}
    for page in built_book.html_pages(built_book.STUDENT_HTML):
        html = (built_book.STUDENT_HTML / page).read_text()
        found = re.search(r"<title>(.*?)</title>", html, re.S)
        titles[page] = found.group(1).strip() if found else ""
    return titles


def test_page_titles_are_unique():
    """Does every page of the student edition have a title of its own (so the sidebar, the
    browser's tabs and "Previous"/"Next" tell pages apart)?"""
    titles = _titles()
    assert titles, "no built page"
    by_title: dict[str, list[str]] = {}
    for page, title in titles.items():
        if not title:  # the redirect page (index.html) has none, and no "Next" either
            continue
        by_title.setdefault(title, []).append(page)
    assert {t: p for t, p in by_title.items() if len(p) > 1} == {}


def test_next_never_names_the_page_itself(student, html_page):
    """Does "Next" lead to a page with another title than this one's?"""
    import re
    html = (built_book.STUDENT_HTML / html_page).read_text()
    own = re.search(r"<title>(.*?)</title>", html, re.S)
    labels = re.findall(r'prev-next-title">([^<]*)<', html)
    if own is None:  # Jupyter Book's index.html only redirects to the root page
        assert 'http-equiv="refresh"' in html.lower() and not labels
        return
    assert [l for l in labels if l.strip() and own.group(1).startswith(l.strip() + " ")] == []
