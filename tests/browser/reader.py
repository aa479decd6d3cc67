"""A reader's visit to one page of the built book, in Debian's Chromium, recorded once.

The book is served from localhost; any request for another host is refused and recorded, so a
page that needs the network (a CDN, a web font) fails its test instead of hanging.
"""
from __future__ import annotations

import functools
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

# Everything one visit reads from the page, in one round trip.
_READ_PAGE_JS = """
async () => {
  // MathJax 3 typesets after load; its startup promise settles when the page is done.
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const article = document.querySelector('article.bd-article') || document.body;
  const hrefs = (sel) => [...document.querySelectorAll(sel)].map(a => a.href);
  return {
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
    images: [...document.querySelectorAll('img')].map(img => ({
      src: img.currentSrc || img.src, loaded: img.complete && img.naturalWidth > 0})),
    math: [...article.querySelectorAll('.math')].map(el => ({
      tex: el.textContent.slice(0, 80),
      typeset: !!el.querySelector('mjx-container') && !el.querySelector('mjx-merror')})),
    cellImages: [...article.querySelectorAll('div.cell')].map(cell =>
      [...cell.querySelectorAll('.cell_output img')].map(img => img.complete && img.naturalWidth > 0)),
    launch: [...document.querySelectorAll('.dropdown-launch-buttons a')].map(a => ({
      text: a.textContent.trim(), href: a.href})),
    download: hrefs('.dropdown-download-buttons a'),
    repository: hrefs('a.btn-source-repository-button'),
    text: article.innerText,
  };
}
"""


@dataclass
class Visit:
    """What a reader's browser saw on one page."""

    url: str
    console_errors: list[str] = field(default_factory=list)
    local_failures: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    math: list[dict] = field(default_factory=list)
    cell_images: list[list[bool]] = field(default_factory=list)
    launch: list[dict] = field(default_factory=list)
    download: list[str] = field(default_factory=list)
    repository: list[str] = field(default_factory=list)
    text: str = ""


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # one line per request would bury pytest's output
        pass


@contextmanager
def serve(directory: Path):
    """Serve ``directory`` on a free localhost port; yields the base URL (ending in /)."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


class Reader:
    """Visits pages of one served site with one browser context; each page is read once."""

    def __init__(self, browser, base_url: str, screenshots: Path | None = None):
        self.base_url = base_url
        self.screenshots = screenshots
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.route("**/*", self._only_localhost)
        self._outside: list[str] = []
        self._visits: dict[str, Visit] = {}

    def _only_localhost(self, route):
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self._outside.append(route.request.url)
            route.abort()

    def visit(self, html_rel: str) -> Visit:
        if html_rel not in self._visits:
            self._visits[html_rel] = self._read(html_rel)
        return self._visits[html_rel]

    def _read(self, html_rel: str) -> Visit:
        visit = Visit(url=self.base_url + html_rel)
        self._outside.clear()
        page = self.context.new_page()
        page.on("console", lambda m: m.type == "error" and visit.console_errors.append(m.text))
        page.on("pageerror", lambda exc: visit.console_errors.append(str(exc)))
        page.on("requestfailed", lambda r: visit.local_failures.append(f"{r.url} ({r.failure})")
                if urlparse(r.url).hostname == "127.0.0.1" else None)
        page.on("response", lambda r: visit.local_failures.append(f"{r.url} (HTTP {r.status})")
                if r.status >= 400 else None)
        try:
            page.goto(visit.url, wait_until="load")
            page.wait_for_load_state("networkidle")
            seen = page.evaluate(_READ_PAGE_JS)
            for key in ("links", "images", "math", "launch", "download", "repository", "text"):
                setattr(visit, key, seen[key])
            visit.cell_images = seen["cellImages"]
            if self.screenshots is not None:
                self.screenshots.mkdir(parents=True, exist_ok=True)
                name = html_rel.removesuffix(".html").replace("/", "__") + ".png"
                page.screenshot(path=self.screenshots / name, full_page=True)
        finally:
            visit.outside_requests = list(self._outside)
            page.close()
        return visit

    def search(self, query: str) -> list[str]:
        """The result links of the book's own search page for ``query``."""
        page = self.context.new_page()
        try:
            page.goto(f"{self.base_url}search.html?q={query}", wait_until="load")
            # Sphinx fills the list, then writes a summary ("Search finished, found N pages").
            page.wait_for_selector("#search-results p.search-summary", timeout=15000)
            return page.eval_on_selector_all("#search-results ul.search a", "els => els.map(a => a.href)")
        finally:
            page.close()

    def close(self):
        self.context.close()
