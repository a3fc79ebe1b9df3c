"""Staying logged in, in Chromium through the deploy nginx in front of two `python -m data_model serve` processes on
one database: a reload keeps the login, a killed process's browser continues on the other without logging in, and a
logout in one tab logs out the other."""
from __future__ import annotations

import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser_helpers import TIMEOUT_MS, expect, expect_no_exception, wait_until_drawn

from data_model.accounts.users import create_user
from data_model.basics.permissions import SYSTEM
from data_model.schema.db import build_engine, write_session
from data_model.schema.settings import PROJECT_ROOT
from ui.login_routes import FORGET_PATH, SWAP_PATH

sys.path.insert(0, str(PROJECT_ROOT / "deploy"))
from render_nginx import write_configs  # noqa: E402

pytestmark = pytest.mark.browser
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
PASSWORD = "mat-khau-dai-1"
PORTS = range(9600, 9700)  # the ports this machine's developers start servers on


@dataclass
class Province:
    """nginx's address and the app processes behind it, by port."""

    base: str
    apps: dict[int, subprocess.Popen]


def _free_ports(n: int) -> list[int]:
    found = []
    # in random order: two test runs at once would otherwise both probe, then take, the lowest free ports
    for port in random.sample(list(PORTS), len(PORTS)):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        found.append(port)
        if len(found) == n:
            return found
    pytest.skip("no free ports in 9600-9699")


def _wait_ok(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(url, timeout=2).read() == b"ok":
                return
        except OSError:
            time.sleep(0.3)  # polling a server that is starting, not waiting on the page
    raise RuntimeError(f"{url} did not answer within {seconds} s")


@pytest.fixture
def province(db_url, tmp_path) -> Iterator[Province]:
    """Two app processes (one cookie secret) on the test database behind the rendered deploy nginx config."""
    if NGINX is None:
        pytest.skip("nginx is not installed (apt-get install -y nginx)")
    *app_ports, proxy_port = _free_ports(3)
    env = {**os.environ, "DATABASE_URL": db_url, "DEMO_ON_FIRST_START": "0", "SERVER_ADDRESS": "127.0.0.1",
           "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32)}
    apps = {}
    for port in app_ports:
        log = open(tmp_path / f"app-{port}.log", "wb")
        apps[port] = subprocess.Popen([sys.executable, "-m", "data_model", "serve"], cwd=PROJECT_ROOT,
                                      env={**env, "PORT": str(port)}, stdout=log, stderr=subprocess.STDOUT)
    run_dir = tmp_path / "nginx"
    conf = write_configs(run_dir=run_dir, listen=f"127.0.0.1:{proxy_port}", app_ports=app_ports)
    try:
        for port in app_ports:
            _wait_ok(f"http://127.0.0.1:{port}/_stcore/health")
        subprocess.run([NGINX, "-p", str(run_dir), "-c", str(conf), "-e", str(run_dir / "nginx-error.log")],
                       check=True, timeout=30, capture_output=True)
        base = f"http://127.0.0.1:{proxy_port}"
        _wait_ok(f"{base}/healthz")
        yield Province(base, apps)
    finally:
        pid_file = run_dir / "nginx.pid"
        if pid_file.exists():
            os.kill(int(pid_file.read_text().split()[0]), signal.SIGQUIT)
        for proc in apps.values():
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()


@pytest.fixture
def admin(db_url) -> str:
    engine = build_engine(url=db_url)
    with write_session(engine) as session:
        create_user(session=session, actor=SYSTEM, username="canbo", password=PASSWORD, role="admin",
                    full_name="Cán bộ Thử")
    engine.dispose()
    return "canbo"


def _tab(context):
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return page


def _log_in(page, username: str) -> None:
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()


def _login_button(page):
    # the login form's own button: «Người dùng» has a «Tên đăng nhập» field too, for the account it adds
    return page.get_by_role("button", name="Đăng nhập", exact=True)


def _login_cookie(page) -> dict | None:
    return next((c for c in page.context.cookies() if c["name"] == "bo_login"), None)


def _log_in_and_get_cookie(page, username: str) -> None:
    # the page's own fetch swaps the login's grant for the cookie: wait for that answer, then read the cookie jar
    with page.expect_response(lambda r: r.url.endswith(SWAP_PATH)) as swapped:
        _log_in(page, username)
    assert swapped.value.status == 204
    assert _login_cookie(page) is not None


def _open_audit(page) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Nhật ký").click()
    expect(page.get_by_role("heading", name="Nhật ký thao tác")).to_be_visible()


def test_reload_new_tab_and_a_killed_process_keep_the_login(province, admin, browser):
    context = browser.new_context(locale="vi-VN")  # one browser: its tabs share the cookie jar
    page = _tab(context)
    first = page.goto(province.base)
    expect(page.get_by_label("Tên đăng nhập")).to_be_visible()
    _log_in_and_get_cookie(page, admin)
    cookie = _login_cookie(page)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and not cookie["secure"]  # plain http here
    assert page.evaluate("document.cookie").find("bo_login") == -1  # scripts in the page cannot read it

    page.reload()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    expect(_login_button(page)).to_have_count(0)
    _open_audit(page)

    other_tab = _tab(context)
    other_tab.goto(f"{province.base}/nhat_ky")
    expect(other_tab.get_by_role("heading", name="Nhật ký thao tác")).to_be_visible()
    other_tab.close()

    # the process this browser is routed to dies; nginx sends it to the other one
    mine = int(first.headers["x-upstream"].rsplit(":", 1)[1])
    province.apps[mine].send_signal(signal.SIGKILL)
    province.apps[mine].wait(timeout=30)
    page.bring_to_front()
    # without a reload: the page's websocket reconnects through nginx to the other process, which finds the cookie
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Người dùng").click()
    expect(page.get_by_role("heading", name="Người dùng")).to_be_visible()
    expect(_login_button(page)).to_have_count(0)
    again = page.reload()
    assert again.headers["x-upstream"].rsplit(":", 1)[1] != str(mine)
    expect(page.get_by_role("heading", name="Người dùng")).to_be_visible()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    expect(_login_button(page)).to_have_count(0)
    wait_until_drawn(page)
    expect_no_exception(page)


def test_logout_in_one_tab_logs_out_the_other(province, admin, browser):
    context = browser.new_context(locale="vi-VN")  # one browser: its tabs share the cookie jar
    page = _tab(context)
    page.goto(province.base)
    _log_in_and_get_cookie(page, admin)
    other = _tab(context)
    other.goto(f"{province.base}/nhat_ky")
    expect(other.get_by_role("heading", name="Nhật ký thao tác")).to_be_visible()

    page.bring_to_front()
    with page.expect_response(lambda r: r.url.endswith(FORGET_PATH)) as forgotten:
        page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_label("Tên đăng nhập")).to_be_visible()
    assert forgotten.value.status == 204 and _login_cookie(page) is None

    other.bring_to_front()  # its next page view finds the login ended
    other.locator('[data-testid="stSidebarNav"]').get_by_text("Người dùng").click()
    expect(other.get_by_label("Tên đăng nhập")).to_be_visible()
    expect(other.get_by_role("button", name="Đăng xuất")).to_have_count(0)
    other.reload()
    expect(other.get_by_label("Tên đăng nhập")).to_be_visible()
    wait_until_drawn(other)
    expect_no_exception(other)
