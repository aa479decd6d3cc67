"""Fixtures shared across the test folders."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, driven by Playwright, one for the whole session: Playwright's sync API
    cannot be started twice at once in one process (the book's pages in tests/browser/ and the
    feedback pages in tests/grading/ share it)."""
    from playwright.sync_api import sync_playwright

    from tests.browser.reader import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
