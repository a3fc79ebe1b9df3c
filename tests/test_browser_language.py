"""The language a user picks before logging in stays through the login and a reload (system Chromium)."""
from __future__ import annotations

import pytest
from browser_helpers import expect, expect_no_exception, open_page, wait_until_drawn

from data_model.accounts.users import create_user
from data_model.basics.permissions import SYSTEM
from data_model.schema.db import build_engine, write_session

pytestmark = pytest.mark.browser


def _choose_language(page, name: str) -> None:
    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text="Ngôn ngữ / Language")
    box.locator("input").click()
    page.keyboard.type(name)
    page.keyboard.press("Enter")


def test_english_survives_login_and_reload(db_url, live_server, browser):
    engine = build_engine(url=db_url)
    with write_session(engine) as session:
        create_user(session=session, actor=SYSTEM, username="canbo", password="mat-khau-dai-1", role="admin",
                    full_name="Cán bộ Thử")
    engine.dispose()
    base = live_server(db_url)
    page = open_page(browser, locale="vi-VN")
    page.goto(base)
    expect(page.get_by_label("Tên đăng nhập")).to_be_visible()
    wait_until_drawn(page)

    _choose_language(page, "English")
    expect(page.get_by_label("User name")).to_be_visible()
    wait_until_drawn(page)
    page.get_by_label("User name").fill("canbo")
    page.get_by_label("Password", exact=True).fill("mat-khau-dai-1")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    wait_until_drawn(page)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_role("button", name="Đăng xuất")).to_have_count(0)

    page.reload()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    wait_until_drawn(page)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_label("Ngôn ngữ / Language")).to_have_value("English")
    expect_no_exception(page)

    # back to Vietnamese: that choice survives a reload as well
    _choose_language(page, "Tiếng Việt")
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    wait_until_drawn(page)
    page.reload()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    wait_until_drawn(page)
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    page.close()
