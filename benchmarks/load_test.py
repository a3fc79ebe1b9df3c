"""Load test: N users open the results pages while M writers enter records, in real Chromium sessions (Playwright).

    .venv/bin/python benchmarks/load_test.py --url http://127.0.0.1:8680 --users 30 --writers 2 --seconds 120 \
        [--database-url postgresql+psycopg://…] [--kill-pidfile run/province/app-8502.pid --kill-at 60]

Every user is its own browser context (own cookies, own Streamlit session, so nginx may route it to any process).
Users log in as the demo official and open the results pages one after another; writers log in as the demo staff
account and save outreach sessions through the entry form, each with a topic unique to this run. Bounded: the test
stops starting actions after --seconds and gives up on one after --action-timeout; at most 60 users and 10 writers.

Prints one JSON object: page times (p50, p95, max, by page), login times, errors, users sent back to the login page,
records confirmed by the form vs records found in the database afterwards, and the summary check of the database.
With --kill-pidfile the process whose pid is in that file is killed (SIGKILL) at --kill-at seconds; the JSON then
says, per app process (as nginx reports it), what its users saw afterwards.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from playwright.async_api import Browser, BrowserContext, Page, async_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CHROMIUM = "/usr/bin/chromium"
OFFICIAL = ("demo_lanhdao", "demo-lanhdao")
STAFF = ("demo_nhaplieu", "demo-nhaplieu")
RESULT_PAGES = ["Tổng quan", "Theo xã", "Theo đồn biên phòng", "Theo năm", "So sánh xã", "Danh sách hoạt động"]
ENTRY_PAGE = "Nhập hoạt động"
MAX_USERS, MAX_WRITERS = 60, 10
# the app is idle (no script run) and every placeholder has been replaced, and the page's title has changed
DRAWN_JS = """(old) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const h1 = document.querySelector('h1');
  return app && app.getAttribute('data-test-script-state') === 'notRunning'
      && !document.querySelector('[data-testid="stSkeleton"]') && h1 && h1.innerText.trim() !== old;
}"""
EXCEPTION = '[data-testid="stException"]'


def percentile(values: list[float], p: float) -> float | None:
    """The p-th percentile (nearest rank), None without values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


@dataclass
class Tally:
    """What every simulated person saw, shared by all of them (one event loop: no locks needed)."""

    page_ms: dict[str, list[float]] = field(default_factory=dict)
    login_ms: list[float] = field(default_factory=list)
    write_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    back_to_login: list[tuple[str, float]] = field(default_factory=list)  # (process, seconds into the test)
    confirmed: list[tuple[int, str]] = field(default_factory=list)  # (record number the form said it saved, topic)
    process_of: dict[str, str] = field(default_factory=dict)  # person → app process (nginx's upstream address)
    actions_after_kill: dict[str, int] = field(default_factory=dict)  # process at login → actions done after the kill
    killed: str | None = None
    killed_at: float | None = None


class BackToLogin(Exception):
    """The app shows the login page again (its process is gone, or the session ended)."""


async def _process(context: BrowserContext, url: str) -> str:
    """The app process nginx routes this browser to (from its X-Upstream header)."""
    response = await context.request.get(f"{url}/_stcore/health")
    return response.headers.get("x-upstream", "?")


async def _title(page: Page) -> str:
    h1 = page.locator("h1").first
    return (await h1.inner_text()).strip() if await h1.count() else ""


async def _wait_drawn(page: Page, old_title: str, timeout_ms: float) -> None:
    await page.wait_for_function(DRAWN_JS, arg=old_title, timeout=timeout_ms, polling=50)
    if await page.locator(EXCEPTION).count():
        raise RuntimeError("exception shown: " + (await page.locator(EXCEPTION).first.inner_text())[:200])
    if await _title(page) == "Đăng nhập":
        raise BackToLogin()


async def _login(page: Page, url: str, who: tuple[str, str], timeout_ms: float, tally: Tally) -> None:
    started = time.perf_counter()
    if await _title(page) != "Đăng nhập":
        await page.goto(url, timeout=timeout_ms, wait_until="domcontentloaded")
        await page.get_by_label("Tên đăng nhập").wait_for(timeout=timeout_ms)
    await page.get_by_label("Tên đăng nhập").fill(who[0])
    await page.get_by_label("Mật khẩu").fill(who[1])
    await page.get_by_role("button", name="Đăng nhập", exact=True).click()
    await page.get_by_role("button", name="Đăng xuất").wait_for(timeout=timeout_ms)
    await page.wait_for_function(DRAWN_JS, arg="Đăng nhập", timeout=timeout_ms, polling=50)
    tally.login_ms.append((time.perf_counter() - started) * 1000)


async def _open(page: Page, name: str, timeout_ms: float, tally: Tally) -> None:
    old = await _title(page)
    link = page.locator('[data-testid="stSidebarNav"]').get_by_text(name, exact=True)
    started = time.perf_counter()
    await link.click(timeout=timeout_ms)
    await _wait_drawn(page, old, timeout_ms)
    tally.page_ms.setdefault(name, []).append((time.perf_counter() - started) * 1000)


async def _write(page: Page, topic: str, attendances: int, timeout_ms: float, tally: Tally) -> None:
    """Fill and save the entry form once; the record number the app confirms is remembered."""
    commune = page.locator('[data-testid="stSelectbox"]').filter(has_text=re.compile("^Xã")).first
    await commune.click(timeout=timeout_ms)
    await page.keyboard.type("Dào San")
    await page.keyboard.press("Enter")
    await page.wait_for_function(DRAWN_JS, arg="", timeout=timeout_ms, polling=50)

    def number(label: str):
        return page.locator('[data-testid="stNumberInput"]').filter(has_text=re.compile("^" + label)).first.locator(
            "input")

    # the commune's rerun must be over before the other fields are typed (a rerun can redraw the form)
    await page.wait_for_timeout(100)
    await page.wait_for_function(DRAWN_JS, arg="", timeout=timeout_ms, polling=50)
    await number("Số buổi").fill("1")
    await number("Lượt người nghe").fill(str(attendances))
    await page.locator('[data-testid="stTextInput"]').filter(has_text=re.compile("^Chủ đề")).first.locator(
        "input").fill(topic)
    # the message of the previous save must not be taken for this one's
    saved = page.get_by_text(re.compile(r"Đã lưu hoạt động số (\d+)"))
    before = await saved.first.inner_text() if await saved.count() else None
    started = time.perf_counter()
    await page.get_by_role("button", name="Lưu hoạt động").click(timeout=timeout_ms)
    give_up = time.perf_counter() + timeout_ms / 1000
    confirm = page.get_by_role("button", name="Vẫn lưu")
    confirmed = False
    while True:
        text = await saved.first.inner_text() if await saved.count() else None
        if text is not None and text != before:
            break
        if not confirmed and await confirm.count():  # a likely duplicate (an earlier run's figures): confirm once
            try:
                await confirm.first.click(timeout=5_000)
                confirmed = True
            except Exception:  # noqa: BLE001 - redrawn meanwhile: look again
                pass
        if time.perf_counter() > give_up:
            raise TimeoutError("no new «Đã lưu hoạt động số …» after saving")
        await page.wait_for_timeout(100)
    tally.write_ms.append((time.perf_counter() - started) * 1000)
    tally.confirmed.append((int(re.search(r"số (\d+)", text).group(1)), topic))
    await page.wait_for_function(DRAWN_JS, arg="", timeout=timeout_ms, polling=50)


async def person(browser: Browser, *, url: str, name: str, writer: bool, run_id: str, deadline: float, t0: float,
                 timeout_ms: float, tally: Tally, counter: list[int], delay: float = 0.0) -> None:
    """One user (or writer) in its own browser context from `delay` seconds into the test until the deadline."""
    await asyncio.sleep(delay)
    context = await browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(timeout_ms)
    who = STAFF if writer else OFFICIAL
    step = 1  # after login the first results page (the overview) is open already
    logged_in = False
    try:
        while time.perf_counter() < deadline:
            try:
                if not logged_in:
                    await _login(page, url, who, timeout_ms, tally)
                    tally.process_of[name] = await _process(context, url)
                    logged_in = True
                    if writer:
                        await _open(page, ENTRY_PAGE, timeout_ms, tally)
                if writer:
                    counter[0] += 1
                    await _write(page, f"LT {run_id} {name} #{counter[0]}", counter[1] + counter[0], timeout_ms, tally)
                else:
                    await _open(page, RESULT_PAGES[step % len(RESULT_PAGES)], timeout_ms, tally)
                    step += 1
                if tally.killed_at is not None:
                    process = tally.process_of.get(name, "?")
                    tally.actions_after_kill[process] = tally.actions_after_kill.get(process, 0) + 1
            except BackToLogin:
                tally.back_to_login.append((tally.process_of.get(name, "?"), round(time.perf_counter() - t0, 1)))
                logged_in = False
            except Exception as exc:  # noqa: BLE001 - every failure is counted and reported, the person goes on
                at_login = False
                try:
                    at_login = await _title(page) == "Đăng nhập"
                except Exception:  # noqa: BLE001 - the page itself may be gone
                    pass
                if at_login:
                    tally.back_to_login.append((tally.process_of.get(name, "?"), round(time.perf_counter() - t0, 1)))
                else:
                    tally.errors.append(f"{name} ({tally.process_of.get(name, '?')}) at "
                                        f"{time.perf_counter() - t0:.1f} s: {type(exc).__name__}: {str(exc)[:160]}")
                    try:
                        await page.goto(url, timeout=timeout_ms, wait_until="domcontentloaded")
                    except Exception as again:  # noqa: BLE001
                        tally.errors.append(f"{name}: reload failed: {type(again).__name__}")
                logged_in = False
    finally:
        await context.close()


async def killer(pidfile: Path, at: float, t0: float, url: str, tally: Tally) -> None:
    """SIGKILL the app process named in pidfile at `at` seconds into the test."""
    await asyncio.sleep(max(0.0, at - (time.perf_counter() - t0)))
    pid = int(pidfile.read_text().strip())
    port = re.search(r"(\d+)\.pid$", pidfile.name)
    tally.killed = f"127.0.0.1:{port.group(1)}" if port else str(pid)
    os.kill(pid, signal.SIGKILL)
    tally.killed_at = round(time.perf_counter() - t0, 1)


def database_figures(url: str, run_id: str, confirmed: list[tuple[int, str]]) -> dict:
    """Records of this run found in the database, confirmed saves not found there as said, and the summary check."""
    from sqlalchemy import select

    from data_model.records.summary_check import check_derived_tables
    from data_model.schema.db import build_engine, read_session
    from data_model.schema.models import ActivityRecord

    engine = build_engine(url=url)
    try:
        with read_session(engine) as session:
            found = dict(session.execute(select(ActivityRecord.id, ActivityRecord.topic).where(
                ActivityRecord.topic.like(f"LT {run_id} %"))).all())
            check = check_derived_tables(session=session)
        # a confirmation counts only when that record number holds the topic this save typed
        missing = [f"số {n}: {topic}" for n, topic in confirmed if found.get(n) != topic]
        return {"records_found": len(found), "confirmed_not_found": missing[:10],
                "lost_writes": len(missing), "summary_check_differences": check.differences}
    finally:
        engine.dispose()


async def run(args: argparse.Namespace) -> dict:
    tally = Tally()
    run_id = uuid.uuid4().hex[:8]
    timeout_ms = args.action_timeout * 1000
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=["--disable-gpu", "--no-sandbox"])
        t0 = time.perf_counter()
        deadline = t0 + args.seconds
        counter = [0, 10]  # writes so far, the first attendance figure (kept below any commune's population)
        # people arrive one after another over --ramp seconds (writers first), as a working morning starts
        people = [(f"w{i}", True) for i in range(args.writers)] + [(f"u{i}", False) for i in range(args.users)]
        step = args.ramp / max(len(people), 1)
        tasks = [person(browser, url=args.url, name=name, writer=writer, run_id=run_id, deadline=deadline, t0=t0,
                        timeout_ms=timeout_ms, tally=tally, counter=counter, delay=i * step)
                 for i, (name, writer) in enumerate(people)]
        if args.kill_pidfile:
            tasks.append(killer(args.kill_pidfile, args.kill_at, t0, args.url, tally))
        hard_stop = args.seconds + 2 * args.action_timeout + 30
        try:
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=hard_stop)
        except TimeoutError:
            tally.errors.append(f"hard stop after {hard_stop} s")
        elapsed = time.perf_counter() - t0
        await browser.close()
    all_pages = [v for values in tally.page_ms.values() for v in values]
    result = {
        "url": args.url, "users": args.users, "writers": args.writers, "seconds": args.seconds, "ramp_s": args.ramp,
        "elapsed_s": round(elapsed, 1), "run_id": run_id,
        "page_views": len(all_pages),
        "page_ms": {"p50": _r(percentile(all_pages, 50)), "p95": _r(percentile(all_pages, 95)),
                    "max": _r(max(all_pages) if all_pages else None)},
        "page_ms_by_page": {k: {"n": len(v), "p50": _r(percentile(v, 50)), "p95": _r(percentile(v, 95))}
                            for k, v in tally.page_ms.items()},
        "login_ms": {"n": len(tally.login_ms), "p50": _r(percentile(tally.login_ms, 50)),
                     "p95": _r(percentile(tally.login_ms, 95))},
        "write_ms": {"n": len(tally.write_ms), "p50": _r(percentile(tally.write_ms, 50)),
                     "p95": _r(percentile(tally.write_ms, 95))},
        "errors": len(tally.errors), "error_samples": tally.errors[:10],
        "records_written": len(tally.confirmed),
        "users_per_process": _count(tally.process_of.values()),
    }
    if args.kill_pidfile:
        result["kill"] = {"process": tally.killed, "at_s": tally.killed_at,
                          "sent_back_to_login": _count(p for p, _ in tally.back_to_login),
                          "actions_after_kill_by_first_process": tally.actions_after_kill}
    elif tally.back_to_login:
        result["sent_back_to_login"] = _count(p for p, _ in tally.back_to_login)
    if args.database_url:
        result.update(database_figures(args.database_url, run_id, tally.confirmed))
    return result


def _r(value: float | None) -> int | None:
    return None if value is None else int(round(value))


def _count(values) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="the app as users reach it, e.g. http://127.0.0.1:8680")
    parser.add_argument("--users", type=int, default=5)
    parser.add_argument("--writers", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=60, help="how long people keep starting actions")
    parser.add_argument("--ramp", type=float, default=30, help="seconds over which people arrive")
    parser.add_argument("--action-timeout", type=float, default=60, help="seconds before one action counts as failed")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""),
                        help="to count the records found afterwards and run the summary check")
    parser.add_argument("--kill-pidfile", type=Path, help="kill the process whose pid this file holds …")
    parser.add_argument("--kill-at", type=float, default=30, help="… this many seconds into the test")
    args = parser.parse_args(argv)
    if not (0 <= args.users <= MAX_USERS and 0 <= args.writers <= MAX_WRITERS and 0 < args.seconds <= 900
            and 0 <= args.ramp < args.seconds):
        parser.error(f"users 0–{MAX_USERS}, writers 0–{MAX_WRITERS}, seconds up to 900, ramp shorter than seconds")
    if not re.match(r"^https?://(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?/?$", args.url):
        parser.error("only loopback addresses (127.x.x.x, localhost, [::1])")
    args.url = args.url.rstrip("/")
    print(json.dumps(asyncio.run(run(args)), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
