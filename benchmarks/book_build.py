"""Cold, warm and one-page builds of the book: what the execution cache saves.

    python -m benchmarks.book_build

Builds a copy of the book (so that the edits below never touch the repository) with the same
command as `make book`, into a fresh output folder with an empty jupyter-cache, then again:

- cold: nothing built, nothing cached: every notebook page runs (the baseline);
- warm: no change: nothing should run or be re-read;
- prose edit: a sentence added to a page without code: re-rendered, nothing runs;
- code edit: a cell added to one executed page: that page alone runs again.

Each line gives the wall time, its ratio to the cold build, and how many notebooks ran (from
myst-nb's log). The machines are noisy: compare ratios, not seconds.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from myst_nb.core.read import is_myst_markdown_notebook

from tdnn import paths

# What a build of the book reads; everything else in the repository is left out of the copy.
BOOK_INPUTS = ["_config.yml", "_toc.yml", "book", "exercises"]
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"
EXECUTED = re.compile(r"Executing notebook using")


def copy_book(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in BOOK_INPUTS:
        src = paths.ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("_build", ".ipynb_checkpoints"))
        elif src.is_file():
            shutil.copy2(src, dest / name)
    return dest


def build(book: Path, out: Path) -> tuple[float, int]:
    """One `make book` build of ``book`` into ``out``: (seconds, notebooks executed)."""
    cmd = [str(JUPYTER_BOOK), "build", str(book), "-W", "-n", "--keep-going", "--path-output", str(out)]
    env = {**os.environ, "TDNN_OFFLINE": os.environ.get("TDNN_OFFLINE", "1")}
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=book, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"build failed ({' '.join(cmd)}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return seconds, len(EXECUTED.findall(result.stdout + result.stderr))


def pages(book: Path) -> tuple[Path, Path]:
    """A page without code (to edit prose in) and the first page that runs code."""
    toc = yaml.safe_load((book / "_toc.yml").read_text())
    files = [toc["root"]] + re.findall(r"file: (\S+)", (book / "_toc.yml").read_text())
    md = [book / f"{f}.md" for f in files if (book / f"{f}.md").is_file()]
    runs = [p for p in md if is_myst_markdown_notebook(p.read_text())]
    plain = [p for p in md if p not in runs]
    if not runs or not plain:
        sys.exit("the book needs a page that runs code and one that does not")
    return plain[0], runs[0]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tdnn-book-bench-") as tmp:
        book, out = copy_book(Path(tmp) / "book"), Path(tmp) / "out"
        prose_page, code_page = pages(book)
        runs = {"cold": build(book, out), "warm (no change)": build(book, out)}
        with prose_page.open("a") as f:
            f.write("\nOne more sentence, for the benchmark.\n")
        runs[f"prose edit ({prose_page.relative_to(book)})"] = build(book, out)
        with code_page.open("a") as f:
            f.write("\n```{code-cell} ipython3\n1 + 1\n```\n")
        runs[f"code edit ({code_page.relative_to(book)})"] = build(book, out)
    cold = runs["cold"][0]
    print("Jupyter Book build of the student edition (`make book`), execution cached")
    for name, (seconds, executed) in runs.items():
        ratio = "baseline" if name == "cold" else f"{seconds / cold:.2f}x cold"
        print(f"  {name:<40} {seconds:7.1f} s  {ratio:<12} notebooks run: {executed}")
    print(f"  cold / warm = {cold / runs['warm (no change)'][0]:.1f}")


if __name__ == "__main__":
    main()
