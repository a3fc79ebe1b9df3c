#!/usr/bin/env python3
"""Log in with a demo account's one-click button and screenshot pages through the sidebar (for looking, not CI).

usage: shoot_pages.py BASE_URL OUT_DIR ROLE_BUTTON_TEXT stem [stem ...]
Exit status: the number of pages that showed an exception or error box.
"""
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def settle(page) -> None:
    page.wait_for_timeout(400)
    page.wait_for_selector(IDLE, timeout=60_000)
    page.wait_for_function("!document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=60_000)
    if page.locator('[data-testid="stPlotlyChart"]').count():
        page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=60_000)
    page.wait_for_timeout(600)


def main() -> int:
    base, out, role, *stems = sys.argv[1:]
    Path(out).mkdir(parents=True, exist_ok=True)
    failed = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1800}, locale="vi-VN")
        page.goto(base)
        settle(page)
        page.get_by_role("button", name=role, exact=True).click()
        settle(page)
        for stem in stems:
            link = page.locator(f'[data-testid="stSidebarNav"] a[href$="/{stem}"]')
            if not link.count():  # the default page links to the root
                link = page.locator('[data-testid="stSidebarNav"] a').first
            link.first.click()
            settle(page)
            page.screenshot(path=f"{out}/{stem}.png", full_page=True)
            errors = [e.inner_text()[:200] for e in page.locator(
                '[data-testid="stException"], [data-testid="stAlertContentError"]').all()]
            print(f"{stem}: {'ERRORS ' + repr(errors) if errors else 'ok'}")
            failed += bool(errors)
        browser.close()
    return failed


if __name__ == "__main__":
    sys.exit(main())
