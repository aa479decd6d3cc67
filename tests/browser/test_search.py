"""Does the book's search page find each chapter by the words of its title?"""
from __future__ import annotations

import re

import pytest
import yaml

from tests.browser import built_book


def chapters() -> list[built_book.Document]:
    """The chapters of the "Chapters" part of _toc.yml, in order."""
    toc = yaml.safe_load((built_book.ROOT / "_toc.yml").read_text())
    part = next(p for p in toc["parts"] if p.get("caption") == "Chapters")
    docs = [built_book.document(entry["file"] + ".html") for entry in part["chapters"]]
    return [d for d in docs if d is not None]


def title(doc: built_book.Document) -> str:
    """The page's first level-1 heading, from its MyST source."""
    return re.search(r"^# (.+)$", doc.source.read_text(), re.MULTILINE).group(1).strip()


@pytest.mark.parametrize("chapter", chapters(), ids=lambda d: d.docname)
def test_search_finds_the_chapter_by_its_title(student, chapter):
    """Does searching for a chapter's title list that chapter among the results?"""
    results = student.search(title(chapter))
    assert student.base_url + chapter.html in [r.split("?")[0].split("#")[0] for r in results]
