"""Through the rendered nginx in front of a real `serve` process: the app sees each browser's own address, whatever
header the browser sends; login throttling counts per browser; a demo database is refused to a browser elsewhere."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser_helpers import expect, open_page, wait_until_drawn
from proxy_helpers import ELSEWHERE, Relay, Stack, stack_for
from sqlalchemy import select

from data_model.accounts.users import create_user
from data_model.basics.permissions import SYSTEM
from data_model.schema.db import build_engine, read_session, write_session
from data_model.schema.models import ChangeLog, LoginSession, User

pytestmark = pytest.mark.browser

PASSWORD = "mat-khau-dai-1"
REFUSED = "chỉ mở được trên chính máy chủ"


@pytest.fixture(scope="module")
def accounts_url(databases) -> Iterator[str]:
    """A production database (no demo) with two admins, for the whole module."""
    url = databases.fresh(demo=False)
    engine = build_engine(url=url)
    with write_session(engine) as session:
        for name in ("canbo", "quanly"):
            create_user(session=session, actor=SYSTEM, username=name, password=PASSWORD, role="admin")
    engine.dispose()
    yield url
    databases.drop(url)


@pytest.fixture(scope="module")
def stack(accounts_url, tmp_path_factory) -> Iterator[Stack]:
    yield from stack_for(accounts_url, tmp_path_factory.mktemp("nginx"))


@pytest.fixture
def elsewhere(stack) -> Iterator[Relay]:
    """A browser on another machine reaching nginx (its connections come from ELSEWHERE)."""
    relay = Relay(target_port=stack.proxy_port)
    yield relay
    relay.close()


def _log_in(page, username: str, password: str) -> None:
    expect(page.get_by_label("Tên đăng nhập")).to_be_visible()
    wait_until_drawn(page)
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def _addresses(url: str, username: str) -> list[str]:
    engine = build_engine(url=url)
    with read_session(engine) as session:
        user_id = session.scalar(select(User.id).where(User.username == username))
        found = list(session.scalars(select(LoginSession.address).where(LoginSession.user_id == user_id)
                                     .order_by(LoginSession.id)))
    engine.dispose()
    return found


def test_the_address_recorded_at_login_is_the_browsers_whatever_it_claims(stack, elsewhere, accounts_url, browser):
    page = open_page(browser, locale="vi-VN", extra_http_headers={"X-Forwarded-For": "203.0.113.9"})
    page.goto(elsewhere.url)
    _log_in(page, "quanly", PASSWORD)
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    page.close()
    local = open_page(browser, locale="vi-VN", extra_http_headers={"X-Forwarded-For": "198.51.100.4"})
    local.goto(stack.proxy_url)
    _log_in(local, "quanly", PASSWORD)
    expect(local.get_by_role("button", name="Đăng xuất")).to_be_visible()
    local.close()
    assert _addresses(accounts_url, "quanly") == [ELSEWHERE, ""]  # "": this machine


def test_login_throttling_counts_per_browser_through_nginx(stack, elsewhere, accounts_url, browser):
    page = open_page(browser, locale="vi-VN")
    for i in range(5):  # a fresh claimed address on every try (a new page load: a new websocket, a new header)
        page.set_extra_http_headers({"X-Forwarded-For": f"203.0.113.{i + 1}"})
        page.goto(elsewhere.url)
        _log_in(page, "canbo", f"sai-mat-khau-{i}")
        expect(page.get_by_text("Sai tên đăng nhập hoặc mật khẩu")).to_be_visible()
    expect(page.get_by_text("Đã sai 5 lần: thử lại sau 30 giây.")).to_be_visible()
    page.set_extra_http_headers({"X-Forwarded-For": "203.0.113.200"})
    page.goto(elsewhere.url)
    _log_in(page, "canbo", PASSWORD)  # the right password, still throttled there
    expect(page.get_by_text("Vui lòng thử lại sau")).to_be_visible()
    page.close()
    # the same user on this machine, through the same nginx: not slowed down
    local = open_page(browser, locale="vi-VN")
    local.goto(stack.proxy_url)
    _log_in(local, "canbo", PASSWORD)
    expect(local.get_by_role("button", name="Đăng xuất")).to_be_visible()
    local.close()
    engine = build_engine(url=accounts_url)
    with read_session(engine) as session:
        reasons = list(session.scalars(select(ChangeLog.reason).where(ChangeLog.username == "canbo",
                                                                       ChangeLog.action == "login_failed")))
    engine.dispose()
    assert reasons and all(f"từ địa chỉ {ELSEWHERE}" in r for r in reasons), reasons


@pytest.fixture(scope="module")
def demo_stack(shared_demo_url, tmp_path_factory) -> Iterator[Stack]:
    yield from stack_for(shared_demo_url, tmp_path_factory.mktemp("nginx-demo"))


@pytest.mark.parametrize("through", ["nginx", "direct"])
def test_a_demo_database_is_refused_to_a_browser_elsewhere_however_it_comes(demo_stack, browser, through):
    relay = Relay(target_port=demo_stack.proxy_port if through == "nginx" else demo_stack.app_port)
    try:
        page = open_page(browser, locale="vi-VN", extra_http_headers={"X-Forwarded-For": "127.0.0.1"})
        page.goto(relay.url)
        expect(page.get_by_text(REFUSED)).to_be_visible()
        wait_until_drawn(page)
        expect(page.get_by_role("button", name="Quản trị", exact=True)).to_have_count(0)
        expect(page.get_by_label("Tên đăng nhập")).to_have_count(0)
        page.close()
    finally:
        relay.close()


def test_a_demo_database_still_opens_on_this_machine_through_nginx(demo_stack, browser):
    page = open_page(browser, locale="vi-VN")
    page.goto(demo_stack.proxy_url)
    expect(page.get_by_text("Dùng thử (dữ liệu mẫu)")).to_be_visible()
    wait_until_drawn(page)
    expect(page.get_by_text(REFUSED)).to_have_count(0)
    page.close()
