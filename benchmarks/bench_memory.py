"""Memory of the dashboard process (and each results page's time in a real browser) on a benchmark database.

usage: .venv/bin/python benchmarks/bench_memory.py --url sqlite:////tmp/bench_5000000.sqlite [--port 8642]

Starts `streamlit run dashboard.py` on the database, logs in as a planner account it creates when missing
(bench_planner), opens every results page from the sidebar in the system Chromium and prints, per page, the time until
the page is drawn and the server's resident memory (VmRSS) and peak (VmHWM) from /proc. Stops the server at the end.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select

from data_model.accounts.users import create_user
from data_model.basics.permissions import SYSTEM
from data_model.schema.db import build_engine, write_session
from data_model.schema.models import User
from ui.registry import pages_for_role

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
USER, PASSWORD = "bench_planner", "Đo-hiệu-năng-2025"
TARGET_MB = 500


def ensure_user(url: str) -> None:
    """A planner account to log in with."""
    engine = build_engine(url=url)
    with write_session(engine) as session:
        if session.scalar(select(User.id).where(User.username == USER)) is None:
            create_user(session=session, actor=SYSTEM, username=USER, password=PASSWORD, role="planner")
    engine.dispose()


def memory_mb(pid: int) -> tuple[float, float]:
    """Resident and peak resident memory of a process, in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def start_server(url: str, port: int) -> subprocess.Popen:
    """The dashboard on the port, once it answers its health check."""
    env = {**os.environ, "DATABASE_URL": url, "DEMO_ON_FIRST_START": "0"}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"), "--server.headless",
                             "true", "--server.port", str(port), "--browser.gatherUsageStats", "false"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("the dashboard did not start within 90 s")


def wait_drawn(page) -> None:
    """Until the script run has finished and no skeleton is left."""
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=120_000)
    page.wait_for_function("!document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=120_000)


def main() -> None:
    """Measure and print."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--port", type=int, default=8642)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    ensure_user(args.url)
    proc = start_server(args.url, args.port)
    try:
        rss, peak = memory_mb(proc.pid)
        print(f"server started: {rss:,.0f} MB resident")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="vi-VN")
            page.goto(f"http://127.0.0.1:{args.port}/")
            wait_drawn(page)
            page.get_by_label("Tên đăng nhập").fill(USER)
            page.get_by_label("Mật khẩu").fill(PASSWORD)
            page.get_by_role("button", name="Đăng nhập").click()
            wait_drawn(page)
            print(f"{'page':<24} {'drawn s':>8} {'RSS MB':>8} {'peak MB':>8}")
            for spec in [s for s in pages_for_role("planner") if s.section_vi == "Kết quả"]:
                started = time.perf_counter()
                page.locator('[data-testid="stSidebarNav"]').get_by_text(spec.title_vi, exact=True).click()
                wait_drawn(page)
                drawn = time.perf_counter() - started
                rss, peak = memory_mb(proc.pid)
                errors = page.locator('[data-testid="stException"]').count()
                flag = "  EXCEPTION" if errors else ""
                print(f"{spec.title_vi:<24} {drawn:>8.2f} {rss:>8,.0f} {peak:>8,.0f}{flag}")
            browser.close()
        rss, peak = memory_mb(proc.pid)
        verdict = "within" if peak < TARGET_MB else "OVER"
        print(f"dashboard process: {rss:,.0f} MB resident, peak {peak:,.0f} MB ({verdict} the {TARGET_MB} MB target)")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
