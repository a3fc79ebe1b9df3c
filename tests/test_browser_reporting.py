"""Chromium: a station's staff confirm this month and their grid cell turns green; an official closes a year."""
from __future__ import annotations

import pytest
from browser_helpers import expect, expect_no_exception, open_page, wait_until_drawn
from entry_helpers import outreach, unit_id

from data_model.accounts.users import create_user
from data_model.basics.permissions import SYSTEM, Actor
from data_model.records.write import create_record
from data_model.reporting.deadline import local_today
from data_model.schema.db import build_engine, read_session, write_session
from data_model.schema.planning import YearClose

pytestmark = pytest.mark.browser
GREEN = "rgb(183, 225, 185)"


def _log_in(page, base: str, username: str, password: str) -> None:
    page.goto(base)
    expect(page.get_by_label("Tên đăng nhập")).to_be_visible()
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    wait_until_drawn(page)


def test_staff_confirm_a_month_and_the_cell_turns_green(db_url, live_server, browser):
    engine = build_engine(url=db_url)
    with write_session(engine) as session:
        create_user(session=session, actor=SYSTEM, username="nv_kalang", password="nhap-lieu-dai-1", role="staff",
                    unit_keys=["st_ka_lang"])
    page = open_page(browser, locale="vi-VN")
    _log_in(page, live_server(db_url), "nv_kalang", "nhap-lieu-dai-1")
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Tiến độ báo cáo").click()
    expect(page.get_by_role("heading", name="Tiến độ báo cáo")).to_be_visible()
    wait_until_drawn(page)
    month = local_today().month
    cell = page.locator(f'td[data-unit="st_ka_lang"][data-month="{month}"]')
    expect(cell).to_have_attribute("data-status", "open")
    page.get_by_role("button", name="Xác nhận số liệu tháng đã nhập đủ").click()
    expect(page.get_by_text(f"Đã xác nhận số liệu tháng {month}/{local_today().year}")).to_be_visible()
    expect(cell).to_have_attribute("data-status", "on_time")
    expect(cell).to_have_css("background-color", GREEN)
    expect(cell).to_have_text("✓")
    expect_no_exception(page)
    page.close()
    engine.dispose()


def test_an_official_closes_a_year(db_url, live_server, browser):
    engine = build_engine(url=db_url)
    with write_session(engine) as session:
        create_user(session=session, actor=SYSTEM, username="lanh_dao", password="lanh-dao-dai-1", role="official")
        ka_lang = unit_id(session)
        create_record(session=session, actor=Actor(None, "system", "admin"), values=outreach(ka_lang))
    page = open_page(browser, locale="vi-VN")
    _log_in(page, live_server(db_url), "lanh_dao", "lanh-dao-dai-1")
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Khóa sổ năm").click()
    expect(page.get_by_role("heading", name="Khóa sổ năm")).to_be_visible()
    wait_until_drawn(page)
    page.get_by_text("Báo cáo năm này đã ban hành").click()  # the confirmation checkbox
    page.get_by_role("button", name="Khóa sổ năm").click()
    expect(page.get_by_text("Đã khóa sổ năm 2024")).to_be_visible()
    wait_until_drawn(page)
    expect_no_exception(page)
    page.close()
    with read_session(engine) as session:
        [close] = session.query(YearClose).all()
    assert (close.year, close.closed_by_name, close.current_year) == (2024, "lanh_dao", 2024)
    engine.dispose()
