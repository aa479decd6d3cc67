"""What the built book ought to contain, read from the repository's own sources.

Every expectation of the browser tests comes from here: the pages from the built folder and the
tables of contents, the button URLs from _config.yml, the figures from the executed notebooks,
the solution code from solutions/. Nothing is copied from the HTML under test.
"""
from __future__ import annotations

import posixpath
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

import nbformat
import yaml
from jupyter_cache import get_cache
from myst_nb.core.read import is_myst_markdown_notebook, read_myst_markdown_notebook

from tdnn import paths

ROOT = paths.ROOT
STUDENT_HTML = paths.BUILD / "html"
INSTRUCTOR_HTML = paths.BUILD / "instructor" / "html"
JUPYTER_CACHE = paths.BUILD / ".jupyter_cache"
SCREENSHOTS = paths.BUILD / "screenshots"

#: Folders of a Sphinx HTML build that hold assets, not pages.
ASSET_FOLDERS = {"_static", "_sources", "_images", "_downloads", "reports"}

#: Code-cell tags with which myst-nb hides a cell or its outputs from the page.
HIDDEN_CELL, HIDDEN_OUTPUT = {"remove-cell"}, {"remove-output"}
IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml")


def require_build(html_dir: Path, make_target: str) -> None:
    """Fail with what to run when a test needs a build that is not there."""
    if not (html_dir / "index.html").is_file():
        raise AssertionError(
            f"No built book at {html_dir}: run `make {make_target}` first "
            "(`make test` builds it before running these tests)."
        )


@cache
def config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text())


def toc_files(toc: Path) -> list[str]:
    """Every document a table of contents names, in reading order."""
    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            for key in ("root", "file"):
                if key in node:
                    found.append(node[key])
            for value in node.values():
                if isinstance(value, (list, dict)):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(yaml.safe_load(toc.read_text()))
    return found


def toc_parents(toc: Path) -> dict[str, str]:
    """Each document of a table of contents mapped to the one it is listed under."""
    parents: dict[str, str] = {}

    def walk(node, parent):
        if isinstance(node, list):
            for item in node:
                walk(item, parent)
        elif isinstance(node, dict):
            here = node.get("file") or node.get("root")
            if here and parent:
                parents[here] = parent
            for value in node.values():
                walk(value, here or parent)

    walk(yaml.safe_load(toc.read_text()), None)
    return parents


def exercise_notebooks() -> list[str]:
    """The student notebooks the student edition shows (toc entries under exercises/)."""
    return [f for f in toc_files(ROOT / "_toc.yml") if f.startswith("exercises/")]


def html_pages(html_dir: Path) -> list[str]:
    """The built pages, as paths relative to ``html_dir`` (assets left out)."""
    return sorted(
        p.relative_to(html_dir).as_posix()
        for p in html_dir.rglob("*.html")
        if not ASSET_FOLDERS & set(p.relative_to(html_dir).parts[:-1])
    )


@dataclass(frozen=True)
class Document:
    """A page that has a source in the repository (not genindex, search or the redirect)."""

    docname: str  # "book/fast_optimizers"
    source: Path

    @property
    def html(self) -> str:
        return self.docname + ".html"

    @property
    def source_rel(self) -> str:
        return self.source.relative_to(ROOT).as_posix()

    @property
    def is_notebook(self) -> bool:
        """Is the page a notebook to the book (an .ipynb, or a MyST Markdown notebook)?"""
        return self.source.suffix == ".ipynb" or is_myst_markdown_notebook(self.source.read_text())


def document(html_rel: str) -> Document | None:
    docname = html_rel.removesuffix(".html")
    for suffix in (".md", ".ipynb"):
        if (ROOT / (docname + suffix)).is_file():
            return Document(docname, ROOT / (docname + suffix))
    return None


def has_math(doc: Document) -> bool:
    """Does the built page hold math for MathJax (Sphinx marks it with class "math")?"""
    return 'class="math' in (STUDENT_HTML / doc.html).read_text()


def repository_path(doc: Document) -> str:
    """The page's source file as a path inside the repository."""
    return posixpath.normpath(posixpath.join(config()["repository"].get("path_to_book") or ".",
                                             doc.source_rel))


def expected_launch_urls(doc: Document) -> dict[str, str]:
    """Launch URLs the page should offer, by provider, from _config.yml and the URL scheme of
    each service (Colab's github/ path, Binder's v2/gh/, nbgitpuller's git-pull)."""
    repo = config()["repository"]
    launch = config().get("launch_buttons", {})
    org_repo = urlparse(repo["url"]).path.strip("/")
    branch, path = repo["branch"], repository_path(doc)
    # A text notebook paired with an .ipynb of the same name launches the .ipynb.
    if (ROOT / (doc.docname + ".ipynb")).is_file():
        path = posixpath.splitext(path)[0] + ".ipynb"
    ui = {"classic": "tree", "jupyterlab": "lab/tree"}[launch.get("notebook_interface", "classic")]
    urls = {}
    if launch.get("colab_url"):
        urls["Colab"] = f"{launch['colab_url'].rstrip('/')}/github/{org_repo}/blob/{branch}/{path}"
    if launch.get("binderhub_url"):
        urls["Binder"] = f"{launch['binderhub_url'].rstrip('/')}/v2/gh/{org_repo}/{branch}?urlpath={ui}/{path}"
    if launch.get("jupyterhub_url"):
        repo_name = org_repo.split("/")[-1]
        urls["JupyterHub"] = (
            f"{launch['jupyterhub_url'].rstrip('/')}/hub/user-redirect/git-pull"
            f"?repo={repo['url']}&urlpath={ui}/{repo_name}/{path}&branch={branch}"
        )
    return urls


def executed_notebook(doc: Document) -> nbformat.NotebookNode | None:
    """The page's notebook with the outputs the book's execution gave it, from the build's
    jupyter-cache (the copy in _build/jupyter_execute has no outputs when they came from the
    cache). None where the book does not execute the page or has no run of its current code."""
    if not doc.is_notebook or is_excluded_from_execution(doc):
        return None
    text = doc.source.read_text()
    notebook = (nbformat.reads(text, as_version=4) if doc.source.suffix == ".ipynb"
                else read_myst_markdown_notebook(text))
    try:
        return get_cache(str(JUPYTER_CACHE)).merge_match_into_notebook(notebook)[1]
    except KeyError:
        return None


def expected_images_per_cell(doc: Document) -> list[int] | None:
    """How many images each code cell the page shows drew when the book executed it.

    None where the book does not execute the page: not a notebook, or excluded in _config.yml
    (the student exercises, which stop at ``raise NotImplementedError()``).
    """
    executed = executed_notebook(doc)
    if executed is None:
        return None
    counts = []
    for cell in executed.cells:
        tags = set(cell.metadata.get("tags", []))
        if cell.cell_type != "code" or tags & HIDDEN_CELL:
            continue
        images = sum(1 for out in cell.get("outputs", [])
                     if any(t in out.get("data", {}) for t in IMAGE_TYPES))
        counts.append(0 if tags & HIDDEN_OUTPUT else images)
    return counts


def is_excluded_from_execution(doc: Document) -> bool:
    """Does _config.yml keep the page from running? (matched as myst-nb matches: from the right)"""
    execute = config().get("execute", {})
    if execute.get("execute_notebooks") in ("off", False):
        return True
    return any(PurePosixPath(doc.source.as_posix()).match(pattern)
               for pattern in execute.get("exclude_patterns", []))


#: Solution lines that give nothing away: what every Keras subclass's constructor calls, and the
#: attribute every freezing example sets (which layers to set it on is the answer, not the line).
BOILERPLATE = {"super().__init__()", "layer.trainable = True"}


def solution_lines(notebooks: list[Path] | None = None, min_length: int = 16,
                   kinds: tuple[str, ...] = ("code", "markdown")) -> list[str]:
    """Distinctive lines of solutions: between nbgrader's BEGIN and END SOLUTION markers (of every
    notebook under solutions/, or of ``notebooks``), in cells of the given ``kinds`` (a
    manually graded question's model answer and rubric are Markdown)."""
    lines = []
    for notebook in notebooks or sorted((ROOT / "solutions").glob("*/*.ipynb")):
        for cell in nbformat.read(notebook, as_version=4).cells:
            if cell.cell_type not in kinds:
                continue
            inside = False
            for line in cell.source.splitlines():
                if "### BEGIN SOLUTION" in line:
                    inside = True
                elif "### END SOLUTION" in line:
                    inside = False
                elif (inside and len(line.strip()) >= min_length
                      and not line.strip().startswith("#") and line.strip() not in BOILERPLATE):
                    lines.append(line.strip())
    return list(dict.fromkeys(lines))
