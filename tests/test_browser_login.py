"""A real browser logs in and out against a running server (system Chromium through Playwright)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from data_model.accounts import create_user
from data_model.db import build_engine, read_session, write_session
from data_model.models import ChangeLog
from data_model.permissions import SYSTEM

pytestmark = pytest.mark.browser

IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
TIMEOUT_MS = 60_000


def _wait(page) -> None:
    page.wait_for_selector(IDLE, timeout=TIMEOUT_MS)


def _problems(page) -> list[str]:
    found = [e.inner_text()[:200] for e in page.locator('[data-testid="stException"]').all()]
    return found + [d.inner_text()[:200] for d in page.get_by_role("dialog").all()]


def _log_in(page, username: str, password: str) -> None:
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def test_login_and_logout_in_a_browser(db_url, live_server, browser):
    engine = build_engine(url=db_url)
    with write_session(engine) as session:
        create_user(session=session, actor=SYSTEM, username="canbo", password="mat-khau-dai-1", role="admin",
                    full_name="Cán bộ Thử")
    engine.dispose()
    base = live_server(db_url)
    page = browser.new_page(locale="vi-VN")

    # a deep link to an admin page as the first request of a fresh server ends on the login page
    page.goto(f"{base}/nguoi_dung")
    _wait(page)
    page.get_by_label("Tên đăng nhập").wait_for(timeout=TIMEOUT_MS)
    assert page.get_by_role("heading", name="Người dùng").count() == 0

    page.goto(base)
    _wait(page)
    nav = page.locator('[data-testid="stSidebarNav"]')
    assert nav.count() == 0 or "Tổng quan" not in nav.inner_text()  # anonymous: only the login page

    _log_in(page, "canbo", "sai-mat-khau")
    page.get_by_text("Sai tên đăng nhập hoặc mật khẩu").wait_for(timeout=TIMEOUT_MS)

    _log_in(page, "canbo", "mat-khau-dai-1")
    logout = page.get_by_role("button", name="Đăng xuất")
    logout.wait_for(timeout=TIMEOUT_MS)
    _wait(page)
    assert "Cán bộ Thử" in page.locator('[data-testid="stSidebar"]').inner_text()
    assert "Người dùng" in page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert not page.url.endswith("/dang_nhap")
    assert _problems(page) == []

    page.locator('[data-testid="stSidebarNav"]').get_by_text("Nhật ký").click()
    page.get_by_role("heading", name="Nhật ký thao tác").wait_for(timeout=TIMEOUT_MS)
    _wait(page)

    page.get_by_role("button", name="Đăng xuất").click()
    page.get_by_label("Tên đăng nhập").wait_for(timeout=TIMEOUT_MS)
    _wait(page)
    assert page.get_by_role("button", name="Đăng xuất").count() == 0
    assert _problems(page) == []
    page.close()
    engine = build_engine(url=db_url)
    with read_session(engine) as session:
        events = [(e.action, e.username) for e in session.scalars(select(ChangeLog).order_by(ChangeLog.id))]
    engine.dispose()
    assert events[-3:] == [("login_failed", "canbo"), ("login", "canbo"), ("logout", "canbo")]
