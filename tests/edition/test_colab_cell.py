"""Is the Colab cell put in once, first, and harmless outside Colab?"""
from __future__ import annotations

import subprocess
import sys

import nbformat

from tdnn import edition


def notebook():
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title"),
                                           nbformat.v4.new_code_cell("x = 1")])


def test_added_once_and_first_even_when_applied_twice():
    """Does releasing a notebook twice keep one install cell, first, and the others as they were?"""
    colab = edition.ColabInstall()
    nb = colab.preprocess(colab.preprocess(notebook(), {})[0], {})[0]
    tagged = [c for c in nb.cells if edition.COLAB_TAG in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and nb.cells[0] is tagged[0]
    assert [c.source for c in nb.cells[1:]] == ["# Title", "x = 1"]


def test_does_nothing_outside_colab(tmp_path):
    """Run as plain Python here (no google.colab module): does the cell install nothing and
    succeed?"""
    cell = edition.ColabInstall().preprocess(notebook(), {})[0].cells[0]
    done = subprocess.run([sys.executable, "-c", cell.source + "\nprint('ran')"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == "ran", done.stderr


def test_installs_from_the_student_repository_on_colab(tmp_path):
    """With a stand-in google.colab module importable, does the cell ask pip for tdnn from the
    student repository? (pip is replaced by a recorder: nothing is downloaded.)"""
    cell = edition.ColabInstall().preprocess(notebook(), {})[0].cells[0]
    (tmp_path / "google").mkdir()
    (tmp_path / "google" / "colab.py").write_text("")
    recorder = tmp_path / "recorder.py"
    recorder.write_text(
        "import subprocess, sys, google.colab\n"
        "calls = []\n"
        "subprocess.run = lambda args, **kw: calls.append(args)\n"
        f"exec({cell.source!r})\n"
        "print(calls[0][-1])\n")
    done = subprocess.run([sys.executable, str(recorder)], capture_output=True, text=True,
                          cwd=tmp_path)
    assert done.stdout.strip() == f"tdnn @ git+{edition.student_repository()}", done.stderr
