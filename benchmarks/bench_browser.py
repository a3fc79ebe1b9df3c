"""Every page drawn in a real browser: milliseconds from the click to the page fully drawn, per page.

    .venv/bin/python benchmarks/bench_browser.py --url http://127.0.0.1:8501 [--rounds 3] [--user demo_lanhdao]

Logs in (demo accounts by default) and opens every page of the sidebar in turn, `--rounds` times; "drawn" means the
script run has ended, no placeholder (skeleton) is left and the page's title has changed, as a user would see it.
The first figure of a page is with a cold browser cache for its JavaScript (Plotly, tables); the median is over
all rounds. Prints one line per page and a JSON object. Loopback addresses only; at most 10 rounds.
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_test import CHROMIUM, DRAWN_JS, EXCEPTION

PASSWORDS = {"demo_admin": "demo-admin", "demo_lanhdao": "demo-lanhdao", "demo_kehoach": "demo-kehoach",
             "demo_nhaplieu": "demo-nhaplieu"}
TIMEOUT_MS = 120_000


def measure(*, url: str, user: str, password: str, rounds: int, skip: tuple[str, ...] = ()) -> dict:
    """Login time and per-page times (first, median, max) in ms."""
    times: dict[str, list[float]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--disable-gpu", "--no-sandbox"])
        page = browser.new_page(locale="vi-VN", viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(url)
        page.get_by_label("Tên đăng nhập").fill(user)
        page.get_by_label("Mật khẩu").fill(password)
        started = time.perf_counter()
        page.get_by_role("button", name="Đăng nhập", exact=True).click()
        page.get_by_role("button", name="Đăng xuất").wait_for()
        page.wait_for_function(DRAWN_JS, arg="Đăng nhập", timeout=TIMEOUT_MS, polling=50)
        login_ms = (time.perf_counter() - started) * 1000
        nav = page.locator('[data-testid="stSidebarNav"] a')
        labels = [n.strip().splitlines()[-1].strip() for n in nav.all_inner_texts() if n.strip()]  # icon name first
        names = [n for n in labels if n not in skip]
        names = names[1:] + names[:1]  # the first page is open already: it comes last in each round
        for _ in range(rounds):
            for name in names:
                old = page.locator("h1").first.inner_text().strip()
                link = page.locator('[data-testid="stSidebarNav"]').get_by_text(name, exact=True)
                started = time.perf_counter()
                link.click()
                page.wait_for_function(DRAWN_JS, arg=old, timeout=TIMEOUT_MS, polling=50)
                times.setdefault(name, []).append((time.perf_counter() - started) * 1000)
                if page.locator(EXCEPTION).count():
                    raise RuntimeError(f"{name}: exception on the page")
        browser.close()
    return {"url": url, "user": user, "login_to_overview_ms": round(login_ms),
            "pages": {n: {"first": round(v[0]), "median": round(statistics.median(v)), "max": round(max(v))}
                      for n, v in times.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--user", default="demo_lanhdao")
    parser.add_argument("--password", default=None, help="default: the demo account's published password")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip", default="", help="page names to leave out, comma separated")
    args = parser.parse_args(argv)
    if not 1 <= args.rounds <= 10:
        parser.error("rounds 1–10")
    if not re.match(r"^https?://(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?/?$", args.url):
        parser.error("only loopback addresses (127.x.x.x, localhost, [::1])")
    result = measure(url=args.url.rstrip("/"), user=args.user, password=args.password or PASSWORDS[args.user],
                     rounds=args.rounds, skip=tuple(s for s in args.skip.split(",") if s))
    print(f"login → overview drawn: {result['login_to_overview_ms']} ms")
    for name, v in result["pages"].items():
        print(f"{name:32} first {v['first']:6} ms   median {v['median']:6} ms   max {v['max']:6} ms")
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
