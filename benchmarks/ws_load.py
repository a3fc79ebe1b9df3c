"""Load test at the protocol level: N users and M writers speak Streamlit's websocket protocol (no browser).

    .venv/bin/python benchmarks/ws_load.py --url http://127.0.0.1:9510 --users 10 --writers 3 --think 5 \
        --ramp 20 --seconds 120 --pids 1234,1235 [--database-url postgresql+psycopg://…]

Each user is one websocket session (`/_stcore/stream`, subprotocol `streamlit, <token>`): it logs in as the demo
official through the login form (widget ids read from the run's deltas), then opens the results pages one after
another by their page hashes, waiting --think seconds between views. Writers log in as the demo staff account and
save outreach sessions through the entry form, each with a topic unique to this run. Every view is checked: the
page's title, metrics on the overview, no exception element, no error alert, not sent back to the login page.

Like the browser, a session keeps the elements the server marks cacheable and names them with every rerun, so an
unchanged large element (a map's spec) comes back as a reference (--no-message-cache: never).

Prints one JSON object: per page p50/p95/max (ms) and kB received per view, errors, views/s, CPU seconds of the app processes (--pids, from
/proc) per view, their peak memory (VmHWM) and resident memory at the end, and for writers the records the form
confirmed vs the records found in the database afterwards. Bounded: at most 60 users, 10 writers, 900 s; loopback.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

OFFICIAL = ("demo_lanhdao", "demo-lanhdao")
STAFF = ("demo_nhaplieu", "demo-nhaplieu")
RESULT_PAGES = ["Tổng quan", "Theo xã", "Theo đồn biên phòng", "Theo năm", "So sánh xã", "Danh sách hoạt động"]
ENTRY_PAGE = "Nhập hoạt động"
# a page's h1 where it differs from its sidebar title
PAGE_TITLES = {"Tổng quan": "Tổng quan kết quả thông tin, tuyên truyền biên giới", "Theo xã": "Kết quả theo xã",
               "Theo đồn biên phòng": "Kết quả theo đồn biên phòng", "Theo năm": "Xu hướng theo năm",
               "So sánh xã": "So sánh các xã"}
LOGIN_TITLE = "Đăng nhập"
MAX_USERS, MAX_WRITERS, MAX_SECONDS = 60, 10, 900
CLK_TCK = os.sysconf("SC_CLK_TCK")
MESSAGE_CACHE = True  # --no-message-cache: False


class ViewError(Exception):
    """What a view showed was not what a logged-in user must see."""


class BackToLogin(ViewError):
    """The app shows the login page again."""


def percentile(values: list[float], p: float) -> float | None:
    """The p-th percentile (nearest rank), None without values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


@dataclass
class Run:
    """The elements one script run drew (the last run after reruns and page switches) and how it ended."""

    elements: list = field(default_factory=list)
    page_hash: str = ""

    def of(self, kind: str) -> list:
        """The elements of one kind (the oneof name: 'heading', 'metric', 'text_input', …)."""
        return [getattr(e, kind) for e in self.elements if e.WhichOneof("type") == kind]

    def title(self) -> str:
        """The page's h1 (st.title), '' when there is none."""
        return next((h.body for h in self.of("heading") if h.tag == "h1"), "")

    def problems(self) -> list[str]:
        """Exception elements and error alerts, as text."""
        found = [f"exception: {x.type}: {x.message[:120]}" for x in self.of("exception")]
        found += [f"error alert: {a.body[:120]}" for a in self.of("alert") if a.format == 1]
        return found

    def widget(self, kind: str, label: str):
        """The first widget of that kind whose label starts with the text."""
        for w in self.of(kind):
            if w.label.startswith(label):
                return w
        raise ViewError(f"no {kind} labelled {label!r} (title {self.title()!r})")


class Session:
    """One Streamlit session over one websocket; a rerun is sent only when no run is going on."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.pages: dict[str, str] = {}  # page title → page script hash, from the last `navigation` of a run
        # as the browser does: elements the server marked cacheable, by hash; their hashes go with every rerun,
        # and the server sends a reference instead of an element this session already holds
        self.cached: dict[str, object] = {}
        self.received = 0  # bytes of every message received

    @classmethod
    async def open(cls, url: str) -> Session:
        parsed = urlparse(url)
        scheme = "wss" if parsed.scheme == "https" else "ws"
        # two entries: a third would ask to resume an existing session; no Origin header
        ws = await websockets.connect(f"{scheme}://{parsed.netloc}/_stcore/stream", max_size=None,
                                      subprotocols=["streamlit", uuid.uuid4().hex], origin=None,
                                      open_timeout=30, ping_interval=None, compression=None)
        return cls(ws)

    async def run(self, *, page_hash: str = "", widgets: list[WidgetState] | None = None,
                  timeout: float = 60) -> Run:
        """Ask for one rerun and collect what it draws until the script finishes (after any st.rerun/switch_page)."""
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = page_hash
        msg.rerun_script.widget_states.widgets.extend(widgets or [])
        if MESSAGE_CACHE:
            msg.rerun_script.cached_message_hashes.extend(self.cached)
        await self.ws.send(msg.SerializeToString())
        run, started = Run(), False
        async with asyncio.timeout(timeout):
            while True:
                fwd = ForwardMsg()
                data = await self.ws.recv()
                self.received += len(data)
                fwd.ParseFromString(data)
                kind = fwd.WhichOneof("type")
                if kind == "new_session":
                    started, run = True, Run(page_hash=fwd.new_session.page_script_hash)
                elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                    run.elements.append(fwd.delta.new_element)
                    if fwd.metadata.cacheable:
                        self.cached[fwd.hash] = fwd.delta.new_element
                elif kind == "ref_hash":
                    if fwd.ref_hash not in self.cached:
                        raise ViewError(f"a reference to an element this session never got: {fwd.ref_hash}")
                    run.elements.append(self.cached[fwd.ref_hash])
                elif kind == "navigation":
                    self.pages = {p.page_name: p.page_script_hash for p in fwd.navigation.app_pages}
                    run.page_hash = fwd.navigation.page_script_hash or run.page_hash
                elif kind == "page_not_found":
                    raise ViewError(f"page not found: {fwd.page_not_found.page_name}")
                elif kind == "script_finished" and started:
                    if fwd.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                        return run
                    if fwd.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                        raise ViewError("script compile error")

    async def login(self, who: tuple[str, str], *, timeout: float) -> Run:
        """Fill and submit the login form; the run that follows must land on a logged-in page."""
        first = await self.run(timeout=timeout)
        if first.title() != LOGIN_TITLE:
            raise ViewError(f"expected the login page, got {first.title()!r}")
        user = first.widget("text_input", "Tên đăng nhập")
        password = first.widget("text_input", "Mật khẩu")
        submit = next(b for b in first.of("button") if b.is_form_submitter and b.form_id == user.form_id)
        states = [WidgetState(id=user.id, string_value=who[0]), WidgetState(id=password.id, string_value=who[1]),
                  WidgetState(id=submit.id, trigger_value=True)]
        landed = await self.run(page_hash=first.page_hash, widgets=states, timeout=timeout)
        check(landed, expect=None)
        return landed

    async def view(self, title: str, *, timeout: float, widgets: list[WidgetState] | None = None) -> Run:
        """Open a page by its title (its hash from the navigation) and check what it drew."""
        if title not in self.pages:
            raise BackToLogin(f"page {title!r} not offered (pages: {sorted(self.pages)[:4]}…)")
        run = await self.run(page_hash=self.pages[title], widgets=widgets, timeout=timeout)
        check(run, expect=title)
        return run

    async def close(self) -> None:
        await self.ws.close()


def check(run: Run, *, expect: str | None) -> None:
    """Raise when the run is the login page, has an exception or error alert, or another title than expected."""
    title = run.title()
    if title == LOGIN_TITLE:
        raise BackToLogin("sent back to the login page")
    problems = run.problems()
    if problems:
        raise ViewError("; ".join(problems))
    if expect is not None and title != PAGE_TITLES.get(expect, expect):
        raise ViewError(f"expected {expect!r}, got title {title!r}")
    # Officials land on the overview, staff on the entry form: only the overview must show figures
    if title == PAGE_TITLES["Tổng quan"] and not [m for m in run.of("metric") if m.body.strip()]:
        raise ViewError(f"no metric values on {title!r}")


@dataclass
class Tally:
    """What every simulated person saw (one event loop: no locks needed)."""

    page_ms: dict[str, list[float]] = field(default_factory=dict)
    login_ms: list[float] = field(default_factory=list)
    write_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    back_to_login: int = 0
    confirmed: list[tuple[int, str]] = field(default_factory=list)  # (record number the form confirmed, topic)
    window: list[float] = field(default_factory=lambda: [0.0, 0.0])  # first and last view's end, perf_counter
    pids: list[int] = field(default_factory=list)
    view_cpu_ms: dict[str, list[float]] = field(default_factory=dict)  # with one user only: app CPU of each view
    view_kb: dict[str, list[float]] = field(default_factory=dict)  # kB received for each view
    people: int = 0
    logged_in: int = 0
    steady: tuple[float, int] | None = None  # app CPU seconds and views when the last person had logged in
    all_in_at: float | None = None  # perf_counter when the last person had logged in
    steady_ms: list[float] = field(default_factory=list)  # views started after that

    def note_login(self) -> None:
        """Count a login; once everybody is in, remember the app's CPU and the views so far (logins cost argon2)."""
        self.logged_in += 1
        if self.logged_in == self.people:
            self.steady = (_cpu(self.pids), sum(len(v) for v in self.page_ms.values()))
            self.all_in_at = time.perf_counter()


async def user(*, url: str, name: str, deadline: float, think: float, timeout: float, rounds: int,
               pages: list[str], tally: Tally) -> None:
    """One official: log in, then the results pages in turn until the deadline or --rounds rounds."""
    rng = random.Random(name)
    session = None
    try:
        session = await Session.open(url)
        started = time.perf_counter()
        await session.login(OFFICIAL, timeout=timeout)
        tally.login_ms.append((time.perf_counter() - started) * 1000)
        tally.note_login()
        for _ in range(rounds):
            for title in pages:
                if time.perf_counter() >= deadline:
                    return
                if think:
                    await asyncio.sleep(min(think * rng.uniform(0.5, 1.5), max(0.0, deadline - time.perf_counter())))
                started, cpu, received = time.perf_counter(), _cpu(tally.pids), session.received
                try:
                    await session.view(title, timeout=timeout)
                except BackToLogin as error:
                    tally.back_to_login += 1
                    raise error
                except ViewError as error:
                    tally.errors.append(f"{name} {title}: {error}")
                    continue
                end = time.perf_counter()
                tally.page_ms.setdefault(title, []).append((end - started) * 1000)
                if tally.all_in_at is not None and started >= tally.all_in_at:
                    tally.steady_ms.append((end - started) * 1000)
                tally.view_cpu_ms.setdefault(title, []).append((_cpu(tally.pids) - cpu) * 1000)
                tally.view_kb.setdefault(title, []).append((session.received - received) / 1000)
                tally.window = [tally.window[0] or started, end]
    except (ViewError, TimeoutError, OSError, websockets.WebSocketException) as error:
        tally.errors.append(f"{name}: {type(error).__name__}: {error}")
    finally:
        if session is not None:
            await session.close()


async def writer(*, url: str, name: str, run_id: str, deadline: float, think: float, timeout: float,
                 tally: Tally) -> None:
    """One staff member: log in, open the entry form, save outreach sessions with a unique topic until the deadline."""
    session = None
    try:
        session = await Session.open(url)
        await session.login(STAFF, timeout=timeout)
        tally.note_login()
        number = 0
        while time.perf_counter() < deadline:
            number += 1
            topic = f"WS {run_id} {name} {number}"
            started = time.perf_counter()
            form = await session.view(ENTRY_PAGE, timeout=timeout)
            commune = form.widget("selectbox", "Xã")
            option = next(o for o in commune.options if o.startswith("Dào San"))
            chosen = WidgetState(id=commune.id, string_value=option)
            form = await session.run(page_hash=session.pages[ENTRY_PAGE], widgets=[chosen], timeout=timeout)
            check(form, expect=ENTRY_PAGE)
            states = [chosen, _number(form.widget("number_input", "Số buổi"), 1),
                      _number(form.widget("number_input", "Lượt người nghe"), 40 + number % 50),
                      WidgetState(id=form.widget("text_input", "Chủ đề").id, string_value=topic)]
            submit = next(b for b in form.of("button") if b.is_form_submitter)
            saved = await session.run(page_hash=session.pages[ENTRY_PAGE],
                                      widgets=[*states, WidgetState(id=submit.id, trigger_value=True)], timeout=timeout)
            confirm = [b for b in saved.of("button") if b.label == "Vẫn lưu"]
            if confirm:  # a likely duplicate (same figures as an earlier save): confirm once, as staff do
                saved = await session.run(page_hash=session.pages[ENTRY_PAGE],
                                          widgets=[WidgetState(id=confirm[0].id, trigger_value=True)], timeout=timeout)
            done = [re.search(r"Đã lưu hoạt động số (\d+)", a.body) for a in saved.of("alert")]
            done = [m for m in done if m]
            if not done:
                tally.errors.append(f"{name}: no «Đã lưu hoạt động số …» ({saved.problems() or saved.title()})")
            else:
                tally.confirmed.append((int(done[0].group(1)), topic))
                tally.write_ms.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(think)
    except (ViewError, TimeoutError, OSError, StopIteration, websockets.WebSocketException) as error:
        tally.errors.append(f"{name}: {type(error).__name__}: {error}")
    finally:
        if session is not None:
            await session.close()


def _number(widget, value: int) -> WidgetState:
    # NumberInput.data_type: 0 int, 1 float
    return (WidgetState(id=widget.id, int_value=value) if widget.data_type == 0
            else WidgetState(id=widget.id, double_value=float(value)))


def process_usage(pids: list[int]) -> dict[int, dict]:
    """CPU seconds (user + system, threads included), resident and peak memory (MB) of each process, from /proc."""
    usage = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        memory = {k: int(v.split()[0]) / 1024 for k, v in (line.split(":", 1) for line in status.splitlines())
                  if k in ("VmRSS", "VmHWM")}
        usage[pid] = {"cpu_s": (int(fields[11]) + int(fields[12])) / CLK_TCK, "rss_mb": memory.get("VmRSS"),
                      "peak_mb": memory.get("VmHWM")}
    return usage


def _cpu(pids: list[int]) -> float:
    return sum(u["cpu_s"] for u in process_usage(pids).values())


def found_records(database_url: str, run_id: str) -> dict[int, str]:
    """Records of this run's writers in the database: number → topic."""
    from sqlalchemy import select

    from data_model.schema.db import build_engine, read_session
    from data_model.schema.models import ActivityRecord

    engine = build_engine(url=database_url)
    try:
        with read_session(engine) as session:
            return dict(session.execute(select(ActivityRecord.id, ActivityRecord.topic).where(
                ActivityRecord.topic.like(f"WS {run_id} %"))).all())
    finally:
        engine.dispose()


async def main(args: argparse.Namespace) -> dict:
    pids = [int(p) for p in args.pids.split(",") if p.strip()] if args.pids else []
    tally, run_id = Tally(pids=pids, people=args.users + args.writers), uuid.uuid4().hex[:8]
    before, load_before = process_usage(pids), os.getloadavg()
    t0 = time.perf_counter()
    deadline = t0 + args.seconds
    people = [("w", i) for i in range(args.writers)] + [("u", i) for i in range(args.users)]
    gap = args.ramp / max(1, len(people))

    async def start(kind: str, i: int, delay: float) -> None:
        await asyncio.sleep(delay)
        if kind == "w":
            await writer(url=args.url, name=f"w{i}", run_id=run_id, deadline=deadline, think=max(args.think, 1.0),
                         timeout=args.timeout, tally=tally)
        else:
            await user(url=args.url, name=f"u{i}", deadline=deadline, think=args.think, timeout=args.timeout,
                       rounds=args.rounds, pages=args.pages, tally=tally)

    await asyncio.gather(*(start(kind, i, n * gap) for n, (kind, i) in enumerate(people)))
    elapsed = time.perf_counter() - t0
    after = process_usage(pids)
    views = sum(len(v) for v in tally.page_ms.values())
    cpu = sum(after[p]["cpu_s"] - before[p]["cpu_s"] for p in after if p in before)
    all_ms = [ms for v in tally.page_ms.values() for ms in v]
    window = tally.window[1] - tally.window[0]
    result = {
        "url": args.url, "users": args.users, "writers": args.writers, "think_s": args.think, "ramp_s": args.ramp,
        "seconds": round(elapsed, 1), "load_avg_before": [round(x, 2) for x in load_before],
        "load_avg_after": [round(x, 2) for x in os.getloadavg()],
        "views": views, "views_per_s": round(views / window, 2) if window > 0 else None,
        "page_ms": {"p50": _r(percentile(all_ms, 50)), "p95": _r(percentile(all_ms, 95)), "max": _r(max(all_ms, default=None))},
        # views started once everybody had logged in (no argon2 login running beside them)
        "steady_page_ms": {"n": len(tally.steady_ms), "p50": _r(percentile(tally.steady_ms, 50)),
                           "p95": _r(percentile(tally.steady_ms, 95))},
        "by_page": {p: {"n": len(v), "p50": _r(percentile(v, 50)), "p95": _r(percentile(v, 95)), "max": _r(max(v)),
                        "kb_p50": _r(percentile(tally.view_kb.get(p, []), 50)),
                        "kb_max": _r(max(tally.view_kb.get(p, []), default=None))}
                    for p, v in tally.page_ms.items()},
        "login_ms": {"n": len(tally.login_ms), "p50": _r(percentile(tally.login_ms, 50)),
                     "p95": _r(percentile(tally.login_ms, 95))},
        "errors": len(tally.errors), "error_samples": tally.errors[:10], "back_to_login": tally.back_to_login,
        # every run the app made (logins, views, writes) is in the CPU; per view divides by the page views only
        "app_cpu_s": round(cpu, 2), "app_cpu_ms_per_view": round(cpu / views * 1000, 1) if views and pids else None,
        # one user alone: each view's own CPU (the app's CPU during it), median per page and over all pages
        **({"view_cpu_ms": {"median": _r(percentile([c for v in tally.view_cpu_ms.values() for c in v], 50)),
                            **{p: _r(percentile(v, 50)) for p, v in tally.view_cpu_ms.items()}}}
           if pids and args.users == 1 and not args.writers else {}),
        # after every login (argon2) and while writers write: the app's CPU per page view in the steady state
        "steady_cpu_ms_per_view": _steady(tally, after_cpu=sum(u["cpu_s"] for u in after.values()), views=views),
        "app_processes": {p: {k: (round(v, 1) if v is not None else None) for k, v in u.items()} for p, u in after.items()},
    }
    if args.writers:
        result["writes"] = {"confirmed": len(tally.confirmed), "p50_ms": _r(percentile(tally.write_ms, 50)),
                            "p95_ms": _r(percentile(tally.write_ms, 95))}
        if args.database_url:
            found = found_records(args.database_url, run_id)
            result["writes"]["found"] = len(found)
            result["writes"]["confirmed_not_found"] = [f"{n}: {t}" for n, t in tally.confirmed if found.get(n) != t]
            result["writes"]["found_not_confirmed"] = sorted(set(found) - {n for n, _ in tally.confirmed})
    return result


def _steady(tally: Tally, *, after_cpu: float, views: int) -> float | None:
    if tally.steady is None or views <= tally.steady[1] or not tally.pids:
        return None
    return round((after_cpu - tally.steady[0]) / (views - tally.steady[1]) * 1000, 1)


def _r(value: float | None) -> float | None:
    return None if value is None else round(value)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True, help="http://127.0.0.1:PORT (the app or nginx in front of it)")
    parser.add_argument("--users", type=int, default=1)
    parser.add_argument("--writers", type=int, default=0)
    parser.add_argument("--think", type=float, default=0.0, help="seconds between a user's views (±50%%)")
    parser.add_argument("--ramp", type=float, default=0.0, help="people start one after another over this many s")
    parser.add_argument("--seconds", type=float, default=60.0, help="no new view starts after this")
    parser.add_argument("--rounds", type=int, default=1000, help="rounds of the pages per user at most")
    parser.add_argument("--pages", type=lambda s: [p.strip() for p in s.split(",")], default=RESULT_PAGES)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds one run may take")
    parser.add_argument("--pids", default="", help="app process ids, comma-separated (CPU and memory from /proc)")
    parser.add_argument("--database-url", default="", help="to find the writers' records afterwards")
    parser.add_argument("--no-message-cache", action="store_true",
                        help="never name cached elements (the browser does): every element is sent in full")
    args = parser.parse_args(argv)
    host = urlparse(args.url).hostname or ""
    if host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("loopback only")
    if not (0 <= args.users <= MAX_USERS and 0 <= args.writers <= MAX_WRITERS and 0 < args.seconds <= MAX_SECONDS
            and 0 <= args.ramp < args.seconds):
        parser.error(f"users 0–{MAX_USERS}, writers 0–{MAX_WRITERS}, seconds up to {MAX_SECONDS}, ramp < seconds")
    return args


if __name__ == "__main__":
    arguments = parse_args()
    MESSAGE_CACHE = not arguments.no_message_cache
    print(json.dumps(asyncio.run(main(arguments)), ensure_ascii=False, indent=1))
