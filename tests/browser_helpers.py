"""Shared pieces of the browser tests: Playwright's waiting assertions, with timeouts fit for a busy machine.

Every check on the page is an `expect(...)` that retries until it holds (or the timeout ends); nothing on the page is
read once and compared, because a Streamlit rerun draws a page in several steps and keeps stale elements meanwhile.
"""
from __future__ import annotations

import os
import re

from playwright.sync_api import Browser, Locator, Page, expect

TIMEOUT_MS = 90_000  # a rerun of a chart page on a loaded 2-core machine
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
EXCEPTION = '[data-testid="stException"]'

expect.set_options(timeout=TIMEOUT_MS)


def open_page(browser: Browser, **options) -> Page:
    """A new page whose clicks, fills and downloads wait as long as the assertions do.

    BROWSER_CPU_SLOWDOWN=N (e.g. 6) makes Chromium run N times slower, to see on an idle machine what a busy one does.
    """
    page = browser.new_page(**options)
    page.set_default_timeout(TIMEOUT_MS)
    slowdown = float(os.environ.get("BROWSER_CPU_SLOWDOWN") or 0)
    if slowdown > 1:
        page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": slowdown})
    return page


def wait_until_drawn(page: Page) -> None:
    """Wait for the script run to end and for every placeholder to be replaced.

    Call it after an `expect` has seen the action's own result: right after a click the app may still be idle
    from the previous run.
    """
    page.wait_for_selector(IDLE, timeout=TIMEOUT_MS)
    page.wait_for_function("!document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=TIMEOUT_MS)


def expect_none(locator: Locator, what: str) -> None:
    """No element matches (waits for stale ones to go); a failure shows their texts."""
    try:
        expect(locator).to_have_count(0)
    except AssertionError:
        raise AssertionError(f"{what}: {[t[:300] for t in locator.all_inner_texts()]}") from None


def expect_no_exception(page: Page) -> None:
    """The page shows no Python exception."""
    expect_none(page.locator(EXCEPTION), "exception on the page")


def url_ending(path: str) -> re.Pattern[str]:
    """A URL whose path ends with path, with or without a query string."""
    return re.compile(re.escape(path) + r"/?(\?.*)?$")
