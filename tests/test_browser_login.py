"""A real browser logs in and out against a running server (system Chromium through Playwright)."""
from __future__ import annotations

import re

import pytest
from browser_helpers import expect, expect_no_exception, expect_none, open_page, wait_until_drawn
from sqlalchemy import select

from data_model.accounts.users import create_user
from data_model.basics.permissions import SYSTEM
from data_model.schema.db import build_engine, read_session, write_session
from data_model.schema.models import ChangeLog

pytestmark = pytest.mark.browser


def _expect_no_problems(page) -> None:
    expect_no_exception(page)
    expect_none(page.get_by_role("dialog"), "dialog on the page")


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
    page = open_page(browser, locale="vi-VN")

    # a deep link to an admin page as the first request of a fresh server ends on the login page
    page.goto(f"{base}/nguoi_dung")
    expect(page.get_by_label("Tên đăng nhập")).to_be_visible()
    wait_until_drawn(page)
    expect(page.get_by_role("heading", name="Người dùng")).to_have_count(0)

    page.goto(base)
    expect(page.get_by_label("Tên đăng nhập")).to_be_visible()
    wait_until_drawn(page)
    # anonymous: only the login page, no results page in the navigation
    expect(page.locator('[data-testid="stSidebarNav"]').get_by_text("Tổng quan")).to_have_count(0)

    _log_in(page, "canbo", "sai-mat-khau")
    expect(page.get_by_text("Sai tên đăng nhập hoặc mật khẩu")).to_be_visible()

    _log_in(page, "canbo", "mat-khau-dai-1")
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    expect(page.locator('[data-testid="stSidebar"]')).to_contain_text("Cán bộ Thử")
    expect(page.locator('[data-testid="stSidebarNav"]')).to_contain_text("Người dùng")
    expect(page).not_to_have_url(re.compile(r"/dang_nhap/?(\?.*)?$"))
    wait_until_drawn(page)
    _expect_no_problems(page)

    page.locator('[data-testid="stSidebarNav"]').get_by_text("Nhật ký").click()
    expect(page.get_by_role("heading", name="Nhật ký thao tác")).to_be_visible()
    wait_until_drawn(page)

    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_label("Tên đăng nhập")).to_be_visible()
    expect(page.get_by_role("button", name="Đăng xuất")).to_have_count(0)
    wait_until_drawn(page)
    _expect_no_problems(page)
    page.close()
    engine = build_engine(url=db_url)
    with read_session(engine) as session:
        events = [(e.action, e.username) for e in session.scalars(select(ChangeLog).order_by(ChangeLog.id))]
    engine.dispose()
    assert events[-3:] == [("login_failed", "canbo"), ("login", "canbo"), ("logout", "canbo")]
