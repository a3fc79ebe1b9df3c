"""The station clerk's day in a real browser: straight to the form, on a phone too (issue 21)."""
from __future__ import annotations

import re

import pytest

from data_model.accounts.permissions import SYSTEM
from data_model.accounts.users import create_user
from data_model.schema.db import build_engine, write_session
from browser_helpers import expect, expect_no_exception, open_page, wait_until_drawn

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "vi-VN"}


def _widget(page, testid: str, label: str):
    return page.locator(f'[data-testid="{testid}"]').filter(has_text=re.compile("^" + re.escape(label))).first


def _staff(db_url: str) -> None:
    engine = build_engine(url=db_url)
    with write_session(engine) as session:
        create_user(session=session, actor=SYSTEM, username="nv_ka_lang", password="nhap-lieu-dai-1", role="staff",
                    unit_keys=["st_ka_lang"], full_name="Cán bộ nhập liệu")
    engine.dispose()


def _log_in(page, base: str) -> None:
    page.goto(base)
    expect(page.get_by_label("Tên đăng nhập")).to_be_visible()
    page.get_by_label("Tên đăng nhập").fill("nv_ka_lang")
    page.get_by_label("Mật khẩu").fill("nhap-lieu-dai-1")
    page.get_by_role("button", name="Đăng nhập").click()


def test_staff_land_on_the_entry_form_with_their_unit_chosen(db_url, live_server, browser):
    _staff(db_url)
    page = open_page(browser, locale="vi-VN")
    _log_in(page, live_server(db_url))
    expect(page.get_by_role("heading", name="Nhập hoạt động")).to_be_visible()
    expect(_widget(page, "stSelectbox", "Đơn vị thực hiện").get_by_role("combobox")).to_have_value(
        "Đồn Biên phòng Ka Lăng")
    wait_until_drawn(page)
    expect_no_exception(page)
    page.close()


def test_on_a_phone_a_chosen_page_shows_the_page_not_the_sidebar(db_url, live_server, browser):
    _staff(db_url)
    page = open_page(browser, **PHONE)
    _log_in(page, live_server(db_url))
    expect(page.get_by_role("heading", name="Nhập hoạt động")).to_be_visible()
    wait_until_drawn(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    page.locator('[data-testid="stExpandSidebarButton"]').click()
    expect(sidebar).to_have_attribute("data-collapsed", "false")
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Hoạt động đã nhập").click()
    expect(page.get_by_role("heading", name="Hoạt động đã nhập")).to_be_visible()
    expect(sidebar).to_have_attribute("data-collapsed", "true")
    expect(page.get_by_role("heading", name="Hoạt động đã nhập")).to_be_in_viewport()
    # back on the form: one column, nothing wider than the screen
    page.locator('[data-testid="stExpandSidebarButton"]').click()
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Nhập hoạt động").click()
    expect(page.get_by_role("heading", name="Nhập hoạt động")).to_be_visible()
    expect(sidebar).to_have_attribute("data-collapsed", "true")
    wait_until_drawn(page)
    expect(_widget(page, "stNumberInput", "Lượt người nghe")).to_be_visible()
    page.wait_for_function("document.scrollingElement.scrollWidth <= window.innerWidth"
                           " && [...document.querySelectorAll('[data-testid=\"stMain\"] *')].every("
                           "e => e.getBoundingClientRect().right <= window.innerWidth + 1 || e.closest('[data-testid=\"stDataFrame\"]'))")
    expect_no_exception(page)
    page.close()
