"""Does `make book` fail on a notebook error or a Sphinx warning, instead of publishing them?

Each test builds a one-page book with the repository's _config.yml and the Makefile's own
Jupyter Book command, in a temporary folder.
"""
from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser import built_book

PAGE_HEAD = """---
file_format: mystnb
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
# A page

"""


def make_book_command() -> list[str]:
    """The `jupyter-book build` command of the Makefile's `book` target, with its flags."""
    makefile = (built_book.ROOT / "Makefile").read_text()
    command = re.search(r"^JB_BUILD := (.+)$", makefile, re.MULTILINE).group(1)
    words = shlex.split(command.replace("$(VENV)/bin/", ""))
    return [str(Path(sys.executable).parent / words[0])] + words[1:]


def build_one_page(tmp_path: Path, body: str) -> subprocess.CompletedProcess:
    shutil.copy2(built_book.ROOT / "_config.yml", tmp_path / "_config.yml")
    # What _config.yml points into: the local Sphinx extension and the bibliography.
    shutil.copytree(built_book.ROOT / "book" / "_ext", tmp_path / "book" / "_ext")
    shutil.copy2(built_book.ROOT / "book" / "references.bib", tmp_path / "book" / "references.bib")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/page\n")
    (tmp_path / "book" / "page.md").write_text(PAGE_HEAD + body)
    return subprocess.run(make_book_command(), cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)


@pytest.mark.parametrize("body, complaint", [
    ("```{code-cell} ipython3\n1 / 0\n```\n", "Executing notebook failed"),
    ("See {ref}`no-such-label`.\n", "undefined label"),
], ids=["notebook error", "sphinx warning"])
def test_build_fails(tmp_path, body, complaint):
    """Does the build exit non-zero and name the problem?"""
    result = build_one_page(tmp_path, body)
    assert result.returncode != 0
    assert complaint in result.stdout + result.stderr


def test_clean_page_builds(tmp_path):
    """Does the same one-page book build when nothing is wrong (so the failures above are real)?"""
    result = build_one_page(tmp_path, "$x^2$\n\n```{code-cell} ipython3\n1 + 1\n```\n")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
